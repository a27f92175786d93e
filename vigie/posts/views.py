"""Pages: write a post, read it with its comments, edit or delete it, its images."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vigie.accounts.decorators import login_required
from vigie.accounts.models import User
from vigie.communities import access as community_access
from vigie.lib.errors import Forbidden
from vigie.lib.forms import render_form, run_action
from vigie.posts import access, actions
from vigie.posts.forms import CommentForm, PostForm


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _neighbours(user: User, community_id: int) -> list[tuple[int, str]]:
    return [
        (entry.member_id, entry.display_name)
        for entry in community_access.directory_for(user, community_id)
        if not entry.is_me
    ]


@login_required
@require_http_methods(["GET", "POST"])
def write(request: HttpRequest, community_id: int) -> HttpResponse:
    user = _user(request)
    membership = community_access.writable_membership(user, community_id)
    form = PostForm(
        request.POST or None,
        request.FILES or None,
        neighbours=_neighbours(user, community_id),
        initial={"kind": request.GET.get("type", "information")},
    )
    if form.is_valid():
        post = run_action(
            form,
            lambda: actions.do_create_post(
                membership, data=form.to_input(), images=form.cleaned_data["images"]
            ),
        )
        if post is not None:
            messages.success(request, _("Your post is published."))
            return redirect("posts:post", post_id=post.pk)
    context = {"community": membership.community, "editing": False}
    return render_form(request, "posts/write.html", context, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def post(request: HttpRequest, post_id: int) -> HttpResponse:
    user = _user(request)
    found = access.access_post(user, post_id)
    membership = community_access.membership_in(user, found.community_id)
    form = CommentForm(request.POST or None)
    if form.is_valid():

        def add() -> object:
            writer = community_access.writable_membership(user, found.community_id)
            return actions.do_add_comment(found, membership=writer, body=form.cleaned_data["body"])

        if run_action(form, add) is not None:
            return redirect("posts:post", post_id=post_id)
    context = {
        "post": found,
        "comments": access.comments_of(found, user),
        "membership": membership,
        "community": found.community,
    }
    return render_form(request, "posts/post.html", context, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, post_id: int) -> HttpResponse:
    user = _user(request)
    found = access.access_post(user, post_id)
    community_access.writable_membership(user, found.community_id)
    if found.author_id != user.pk:
        raise Forbidden(_("Only the author can edit a post."), code="not_author")
    initial = {
        "kind": found.kind,
        "title": found.title,
        "body": found.body,
        "help_direction": found.help_direction,
        "help_topic": found.help_topic,
        "event_starts_at": found.event_starts_at,
        "event_place": found.event_place,
        "absence_from": found.absence_from,
        "absence_until": found.absence_until,
    }
    form = PostForm(
        request.POST or None, neighbours=_neighbours(user, found.community_id), initial=initial
    )
    if form.is_valid():
        run_action(
            form, lambda: actions.do_edit_post(found, acting_user=user, data=form.to_input())
        )
        if not form.errors:
            messages.success(request, _("Your post is updated."))
            return redirect("posts:post", post_id=post_id)
    context = {"community": found.community, "editing": True, "post": found}
    return render_form(request, "posts/write.html", context, form=form)


@login_required
@require_POST
def delete(request: HttpRequest, post_id: int) -> HttpResponse:
    user = _user(request)
    found = access.access_post(user, post_id)
    # A suspended member keeps what is under review: deleting is writing.
    community_access.writable_membership(user, found.community_id)
    actions.do_delete_post(found, acting_user=user)
    messages.success(request, _("Your post is deleted."))
    return redirect("communities:community", community_id=found.community_id)


@login_required
@require_POST
def delete_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    user = _user(request)
    comment = access.access_comment(user, comment_id)
    community_access.writable_membership(user, comment.post.community_id)
    actions.do_delete_comment(comment, acting_user=user)
    messages.success(request, _("Your comment is deleted."))
    return redirect("posts:post", post_id=comment.post_id)


# django-stubs types login_required for HttpResponse only; a FileResponse streams.
@login_required  # type: ignore[arg-type]
@require_GET
def image(request: HttpRequest, post_id: int, image_id: int) -> HttpResponseBase:
    found = access.access_image(_user(request), post_id, image_id)
    return FileResponse(found.file.open("rb"), content_type="image/jpeg")
