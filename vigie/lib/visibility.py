"""Whether the team let a piece of content be seen: the same three states for posts,
comments and alerts, set only by vigie.moderation's actions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    SHOWN = "shown", _("shown")
    # Reported by enough neighbours, or by a référent: hidden until the team decides.
    HELD = "held", _("hidden while the team reviews it")
    REMOVED = "removed", _("removed by the team")
