"""What members share in their community: posts, their history, comments, images."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.communities.models import Community
from vigie.lib.visibility import Visibility

TITLE_MAX_LENGTH = 120
BODY_MAX_LENGTH = 5000
COMMENT_MAX_LENGTH = 2000
PLACE_MAX_LENGTH = 200


class PostKind(models.TextChoices):
    INFORMATION = "information", _("information")
    MUTUAL_HELP = "mutual_help", _("mutual help")
    EVENT = "event", _("event")
    ABSENCE = "absence", _("holiday absence")


class HelpDirection(models.TextChoices):
    OFFER = "offer", _("I offer")
    REQUEST = "request", _("I am looking for")


class HelpTopic(models.TextChoices):
    LENDING = "lending", _("lending")
    HELPING = "helping", _("a hand")
    CARPOOLING = "carpooling", _("carpooling")
    LOST_FOUND_PET = "lost_found_pet", _("lost or found pet")
    OTHER = "other", _("other")


class Post(models.Model):
    # No index of its own: the feed's (community, -created_at, -id) serves every lookup by
    # community, and a second, smaller one tempted PostgreSQL, before its statistics were
    # up to date, into reading and sorting a whole neighbourhood's posts for one page.
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="posts", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PostKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = models.TextField(_("text"), max_length=BODY_MAX_LENGTH)
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.SHOWN
    )
    help_direction = models.CharField(max_length=10, choices=HelpDirection.choices, blank=True)
    help_topic = models.CharField(max_length=16, choices=HelpTopic.choices, blank=True)
    event_starts_at = models.DateTimeField(null=True, blank=True)
    event_place = models.CharField(max_length=PLACE_MAX_LENGTH, blank=True)
    absence_from = models.DateField(null=True, blank=True)
    absence_until = models.DateField(null=True, blank=True)
    # A holiday absence is shown only to the neighbours its author picked.
    shown_to = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "-created_at", "-id"]),
            # Each feed reads its reader's holiday absences apart (they are not shared):
            # without this, that read scans every post of the neighbourhood.
            models.Index(
                fields=["community", "-created_at", "-id"],
                condition=models.Q(kind="absence"),
                name="posts_post_absences",
            ),
        ]

    def __str__(self) -> str:
        return f"post #{self.pk}"


class PostRevision(models.Model):
    """The text of a post before each edit: the history stays."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at"]

    def __str__(self) -> str:
        return f"revision #{self.pk}"


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    body = models.TextField(max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.SHOWN
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment #{self.pk}"


class PostImage(models.Model):
    """An image of a post, re-encoded without metadata, under a name made by Vigie."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to="posts/", max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"image #{self.pk}"
