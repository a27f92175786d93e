"""A community's page is framed (vigie.lib.frames): kept per role, rights and language.

What must hold: every reader gets the page as a whole render would have made it for
them (their menu, their rights, their language, their messages), with their own
CSRF token and the response's CSP nonce, and nothing of the reader who happened to
render the kept frame first.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from typing import Any

import pytest
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import reverse

from vigie.communities.actions import do_set_role, do_suspend_member
from vigie.communities.models import Community, Membership, Role
from vigie.communities.pages import LINKS, community_links
from vigie.lib import frames
from vigie.posts.models import Post, PostKind
from vigie.test import (
    Personas,
    give_home,
    home,
    log_in_as,
    make_user,
    neighbourhood_a,
    neighbourhood_b,
)

pytestmark = pytest.mark.django_db

_NONCE = re.compile(r'nonce="([^"]+)"')
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

Rendered = list[tuple[str, str]]


def _comparable(html: str) -> str:
    """The page with its per-request values (nonce, CSRF tokens) blanked."""
    return _CSRF.sub('name="csrfmiddlewaretoken" value=""', _NONCE.sub('nonce=""', html))


@pytest.fixture
def framed_and_whole(monkeypatch: pytest.MonkeyPatch) -> Rendered:
    """Every framed page also rendered whole from the same request, with a message to show."""
    pages: Rendered = []
    framed = frames.render_framed

    def both(
        request: HttpRequest,
        template_name: str,
        *,
        frame: Mapping[str, Hashable],
        slots: Mapping[str, str],
    ) -> HttpResponse:
        messages.info(request, "Bienvenue <b>chez</b> vous")
        response = framed(request, template_name, frame=frame, slots=slots)
        whole = frames.render_whole(request, template_name, frame=frame, slots=slots)
        pages.append((response.content.decode(), whole.content.decode()))
        return response

    monkeypatch.setattr("vigie.communities.views.render_framed", both)
    return pages


def _page(client: Client, community: Community, **query: str) -> str:
    response = client.get(reverse("communities:community", args=[community.pk]), query)
    assert response.status_code == 200
    return response.content.decode()


def _residents_of_a(personas: Personas) -> dict[str, Client]:
    """Readers of A whose frames differ, each logged in (the privileged with their factor)."""
    for number, person in ((41, personas.carol), (43, personas.townhall)):
        give_home(
            person, home("Rue des Lilas", number, ban_street=1), verified=True, by=personas.carol
        )
    return {
        "member": log_in_as(Client(), personas.alice),
        "référent": log_in_as(Client(), personas.dave),
        "suspended": log_in_as(Client(), personas.sam),
        "team": log_in_as(Client(), personas.carol, second_factor=True),
        "town hall": log_in_as(Client(), personas.townhall, second_factor=True),
    }


def test_it_serves_each_reader_the_page_a_whole_render_makes_for_them(
    personas: Personas, framed_and_whole: Rendered
) -> None:
    a = neighbourhood_a()
    Post.objects.bulk_create(
        Post(
            community=a, author=personas.dave, kind=PostKind.EVENT, title=f"Fête {number}", body="."
        )
        for number in range(25)
    )
    readers = _residents_of_a(personas)
    for language in ("fr", "en"):
        for query in ({}, {"type": "event"}, {"type": "lending"}):
            for client in readers.values():
                client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
                _page(client, a, **query)
    alice = readers["member"]
    older = re.search(r'href="\?suite=([^&"]+)', framed_and_whole[0][0])
    assert older is not None
    _page(alice, a, suite=older.group(1))  # the next page: posts, and no older ones
    commune = Membership.objects.get(user=personas.alice, community__kind="commune").community
    _page(alice, commune)  # the whole commune: no alert button, no map

    assert len(framed_and_whole) == 2 * 3 * 5 + 2
    for framed, whole in framed_and_whole:
        assert _comparable(framed) == _comparable(whole)
    pages = dict(zip(["fr", "en"], [framed_and_whole[:15], framed_and_whole[15:30]], strict=True))
    english = {name: pages["en"][index][0] for index, name in enumerate(readers)}
    # The cases differ where they should: the frames were not one page served to all.
    assert "Bienvenue &lt;b&gt;chez&lt;/b&gt; vous" in pages["fr"][0][0]
    assert 'lang="fr"' in pages["fr"][0][0]
    assert 'lang="en"' in english["member"]
    assert "Settings" not in english["member"]
    assert "Settings" in english["référent"]
    assert "Write a post" in english["member"]
    assert "Write a post" not in english["suspended"]
    assert "you can read, not write" in english["suspended"]
    assert ">Team<" in english["team"]
    assert ">Team<" not in english["member"]
    assert ">Town hall<" in english["town hall"]
    assert "Older posts" in english["member"]
    assert "Older posts" not in framed_and_whole[-2][0]
    assert "Send an alert" not in framed_and_whole[-1][0]


def test_it_serves_every_community_from_the_same_frames(personas: Personas) -> None:
    a, b = neighbourhood_a(), neighbourhood_b()
    _page(log_in_as(Client(), personas.alice), a)
    misses = frames._frame.cache_info().misses
    page = _page(log_in_as(Client(), personas.mallory), b)
    assert frames._frame.cache_info().misses == misses
    assert b.name in page
    assert a.name not in page
    assert reverse("posts:write", args=[b.pk]) in page
    assert reverse("posts:write", args=[a.pk]) not in page


def test_it_renders_the_frame_once_for_readers_alike(personas: Personas) -> None:
    a = neighbourhood_a()
    frames._frame.cache_clear()  # frames outlive tests, as they outlive requests
    _page(log_in_as(Client(), personas.alice), a)
    misses = frames._frame.cache_info().misses
    neighbour = make_user("voisine@example.test", "Inès", "Lilas")
    give_home(neighbour, home("Rue des Lilas", 40, ban_street=1), verified=True, by=personas.carol)
    _page(log_in_as(Client(), neighbour), a)
    assert frames._frame.cache_info().misses == misses
    _page(log_in_as(Client(), personas.dave), a)  # a référent: a Settings button
    assert frames._frame.cache_info().misses == misses + 1


def test_it_gives_each_reader_their_own_token_and_the_responses_nonce(
    personas: Personas,
) -> None:
    a = neighbourhood_a()
    alice = log_in_as(Client(enforce_csrf_checks=True), personas.alice)
    other = log_in_as(Client(enforce_csrf_checks=True), personas.alice)
    tokens = []
    for client in (alice, other):
        response = client.get(reverse("communities:community", args=[a.pk]))
        html = response.content.decode()
        nonces = set(_NONCE.findall(html))
        assert len(nonces) == 1
        assert f"'nonce-{nonces.pop()}'" in response["Content-Security-Policy"]
        tokens.append(_CSRF.findall(html)[0])
    assert tokens[0] != tokens[1]
    # Each token is its session's: logging out with it works, with the other's not.
    assert (
        other.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": tokens[0]}).status_code
        == 403
    )
    assert (
        alice.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": tokens[0]}).status_code
        == 302
    )
    assert alice.get(reverse("communities:community", args=[a.pk])).status_code == 302


def test_it_follows_a_change_of_role_and_a_suspension(personas: Personas) -> None:
    a = neighbourhood_a()
    client = log_in_as(Client(HTTP_ACCEPT_LANGUAGE="en"), personas.alice)
    assert "Settings" not in _page(client, a)
    membership = Membership.objects.get(user=personas.alice, community=a)
    do_set_role(membership, role=Role.DEPUTY, acting_user=personas.carol)
    assert "Settings" in _page(client, a)
    do_suspend_member(personas.alice, until=None, acting_user=personas.carol)
    page = _page(client, a)
    assert "you can read, not write" in page
    assert "Write a post" not in page


def test_it_answers_others_as_a_missing_community(personas: Personas) -> None:
    b = neighbourhood_b()
    url = reverse("communities:community", args=[b.pk])
    missing = reverse("communities:community", args=[b.pk + 1000])
    alice = log_in_as(Client(), personas.alice)
    assert alice.get(url).status_code == alice.get(missing).status_code == 404
    assert log_in_as(Client(), personas.bob).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_it_refuses_a_slot_named_as_a_requests_own_value(rf: Any) -> None:
    request = rf.get("/")
    for name in ("csp_nonce", "csrf_token", "path", "messages", "request", "user"):
        with pytest.raises(ValueError, match="own slots"):
            frames.render_framed(request, "base.html", frame={}, slots={name: "x"})
    with pytest.raises(ValueError, match="both a slot and"):
        frames.render_framed(request, "base.html", frame={"name": "A"}, slots={"name": "B"})


def test_it_refuses_a_template_that_changes_a_slot(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A filter on a slot would change its marker, not its value: caught before serving.
    changing = engines["django"].from_string("<h1>{{ name|upper }}</h1>")
    monkeypatch.setattr(frames, "get_template", lambda _name: changing)
    request = RequestFactory().get("/")
    request.user = personas.alice
    request.csp_nonce = "abc"  # type: ignore[attr-defined]
    request.session = {}  # type: ignore[assignment]
    with pytest.raises(ImproperlyConfigured, match="marker came out changed"):
        frames.render_framed(request, "changing.html", frame={}, slots={"name": "Les Lilas"})


def test_it_links_each_community_as_reverse_does() -> None:
    for community_id in (1, 7, 12, 2_147_483_647):
        assert community_links(community_id) == {
            slot: reverse(name, args=[community_id]) for slot, name in LINKS.items()
        }
