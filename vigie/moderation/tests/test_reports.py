"""Reporting: what may be reported and by whom, hiding while the team decides, anonymity."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from vigie.lib.visibility import Visibility
from vigie.moderation.models import Report
from vigie.moderation.tests.helpers import (
    decide,
    directory_id,
    neighbour,
    post_by,
    report,
    team,
    three_reporters,
)
from vigie.notifications.models import InboxItem
from vigie.posts.models import Post
from vigie.test import Personas, log_in_as, neighbourhood_a

pytestmark = pytest.mark.django_db


def feed_titles(client: Client) -> list[str]:
    answer = client.get(f"/api/v1/communities/{neighbourhood_a().pk}/posts").json()
    return [item["title"] for item in answer["items"]]


def test_it_hides_a_post_reported_by_three_neighbours_and_tells_its_author(
    personas: Personas,
) -> None:
    hugo = neighbour(personas, "Hugo", 44)
    post = post_by(hugo)
    first, second, third = three_reporters(personas)

    report(first, "post", post.pk, reason="spam")
    report(second, "post", post.pk, reason="harassment", details="Il insiste.")
    shown_after_two = Post.objects.get(pk=post.pk).visibility
    answer = report(third, "post", post.pk, reason="spam")

    assert answer.status_code == 201
    assert shown_after_two == Visibility.SHOWN
    assert Post.objects.get(pk=post.pk).visibility == Visibility.HELD
    assert "Vends tout à 1 euro" not in feed_titles(first)
    assert first.get(f"/api/v1/posts/{post.pk}").status_code == 404
    author = log_in_as(Client(), hugo)
    assert author.get(f"/api/v1/posts/{post.pk}").status_code == 200
    notice = InboxItem.objects.get(recipient=hugo, subject_type="post_held")
    for name in ("Alice", "Frank", "Gina", "alice@example.org"):
        assert name not in notice.title + notice.body


def test_it_hides_at_once_what_a_referent_reports(personas: Personas) -> None:
    post = post_by(personas.alice)
    dave = log_in_as(Client(), personas.dave)

    report(dave, "post", post.pk, reason="personal_data")

    assert Post.objects.get(pk=post.pk).visibility == Visibility.HELD


def test_it_shows_held_content_again_when_the_reports_are_dismissed(personas: Personas) -> None:
    post = post_by(personas.alice)
    dave = log_in_as(Client(), personas.dave)
    made = report(dave, "post", post.pk, reason="personal_data").json()

    answer = decide(team(personas.carol), made["id"], "dismissed", clause="6")

    assert answer.status_code == 200
    assert Post.objects.get(pk=post.pk).visibility == Visibility.SHOWN
    assert Report.objects.get().state == "no_breach"
    assert InboxItem.objects.filter(recipient=personas.alice, subject_type="decision").exists()
    outcome = InboxItem.objects.get(recipient=personas.dave, subject_type="report_outcome")
    assert "no breach" in outcome.title or "aucun manquement" in outcome.body
    assert dave.get("/api/v1/me/reports").json()[0]["state"] == "no_breach"


def test_it_answers_a_report_of_what_one_cannot_see_like_a_missing_one(
    personas: Personas,
) -> None:
    post = post_by(personas.alice)
    mallory = log_in_as(Client(), personas.mallory)
    bob = log_in_as(Client(), personas.bob)

    answers = {
        "mallory": report(mallory, "post", post.pk).status_code,
        "bob": report(bob, "post", post.pk).status_code,
        "missing": report(mallory, "post", 999_999).status_code,
        "anonymous": report(Client(), "post", post.pk).status_code,
        "mallory, a member of A": report(
            mallory, "member", directory_id(personas.alice)
        ).status_code,
    }

    assert answers == {
        "mallory": 404,
        "bob": 404,
        "missing": 404,
        "anonymous": 401,
        "mallory, a member of A": 404,
    }
    assert not Report.objects.exists()


def test_it_refuses_a_second_open_report_ones_own_content_and_a_suspended_reporter(
    personas: Personas,
) -> None:
    post = post_by(personas.dave)
    alice = log_in_as(Client(), personas.alice)
    first = report(alice, "post", post.pk)

    again = report(alice, "post", post.pk)
    own = report(log_in_as(Client(), personas.dave), "post", post.pk)
    sam = report(log_in_as(Client(), personas.sam), "post", post.pk)

    assert first.status_code == 201
    assert (again.status_code, again.json()["code"]) == (409, "already_reported")
    assert own.status_code == 422
    assert (sam.status_code, sam.json()["code"]) == (403, "suspended")
    assert Report.objects.count() == 1


def test_it_limits_how_many_reports_a_member_sends(personas: Personas, settings: Settings) -> None:
    from vigie.lib.environment import Rate

    settings.RATE_REPORT = Rate(count=2, seconds=3600)
    alice = log_in_as(Client(), personas.alice)
    posts = [post_by(personas.dave, title=f"Annonce {number}") for number in range(3)]

    answers = [report(alice, "post", post.pk) for post in posts]

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert answers[2].has_header("Retry-After")
    assert Report.objects.count() == 2


def test_it_reports_a_member_from_the_directory_and_a_comment(personas: Personas) -> None:
    from vigie.posts.models import Comment

    post = post_by(personas.dave)
    comment = Comment.objects.create(post=post, author=personas.dave, body="Idiot !")
    alice = log_in_as(Client(), personas.alice)

    member = report(alice, "member", directory_id(personas.dave), reason="harassment")
    on_comment = report(alice, "comment", comment.pk, reason="harassment")

    unlisted = report(alice, "member", directory_id(personas.sam, listed=False))
    assert member.status_code == on_comment.status_code == 201
    assert member.json()["target_id"] is None  # accounts are not shown to members
    assert unlisted.status_code == 404  # the directory does not show him: unknown here
    assert set(Report.objects.values_list("target_type", "subject")) == {
        ("member", personas.dave.pk),
        ("comment", personas.dave.pk),
    }


def test_it_never_names_the_reporter_to_the_member_reported(personas: Personas) -> None:
    hugo = neighbour(personas, "Hugo", 44)
    post = post_by(hugo)
    reporters = three_reporters(personas)
    made = [report(client, "post", post.pk, reason="spam").json() for client in reporters]
    decide(team(personas.carol), made[0]["id"], "removed_warned")
    author = log_in_as(Client(), hugo)

    seen = "".join(
        answer.content.decode()
        for answer in (
            author.get("/api/v1/me/decisions"),
            author.get("/api/v1/me/notifications"),
            author.get("/api/v1/me/reports"),
            author.get("/compte/decisions/"),
            author.get("/boite/"),
            author.get(f"/api/v1/posts/{post.pk}"),
        )
    )

    assert "Annonce commerciale." in seen  # the explanation reached him
    for reporter in ("Alice", "Frank", "Gina", "alice@example.org", "frank@example.org"):
        assert reporter not in seen
    assert "reporter" not in seen


def test_it_reports_through_the_page(personas: Personas) -> None:
    post = post_by(personas.dave)
    alice = log_in_as(Client(), personas.alice)

    page = alice.get(f"/signaler/post/{post.pk}/")
    sent = alice.post(f"/signaler/post/{post.pk}/", {"reason": "spam", "details": "Pub."})
    refused = alice.post(f"/signaler/post/{post.pk}/", {"reason": "spam"})

    assert page.status_code == 200
    assert sent.status_code == 302
    assert sent["Location"] == f"/publications/{post.pk}/"
    assert refused.status_code == 422  # already reported, said on the form
    assert Report.objects.get().details == "Pub."
