"""Framed pages: a page's frame rendered once per process and key, its slots per request.

A community's feed page spent four fifths of its time in the template around cards that
were already kept (``posts.templatetags.posts``): the head, the menu, the footer, the
community's header, its buttons and filters. All of that is the same for every member
who sees the same community with the same role, rights and language. ``render_framed``
renders it once with markers where the per-request values go, keeps the result split at
the markers, and for each request only joins the pieces with that request's values.

What may differ from one reader to another must be a slot or part of the key, never
read from the request or the user while the frame renders: the frame sees a stand-in
request (its resolved view, and markers for its nonce and path) and a stand-in user
(three flags), so a template that reads anything else about them renders it empty in
the frame and differs from ``render_whole``, which the tests compare it with. Nor may
a framed template read the time, or change a slot with a filter (the filter would
change the marker, not the value): a marker that comes out altered is an error when
the frame is made, before any page is served with it.

Per request: the CSP nonce, the CSRF token, the path (the language form comes back to
it), the messages, and the page's own slots.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from django.contrib.messages import get_messages
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.urls import ResolverMatch
from django.utils.html import conditional_escape
from django.utils.translation import get_language

from vigie.lib.context_processors import site

# Private-use characters around a token drawn at start-up: autoescaping leaves them as
# they are, and nothing a user writes can be taken for one (the token never leaves
# the process: every marker is replaced before a response goes out).
_TOKEN = secrets.token_hex(8)
_MARKER = re.compile(f"\ue000{_TOKEN}:([a-z_]+)\ue001")
# A frame weighs about 7 kB; a few dozen serve every community, languages and roles
# included, and room for more costs under a megabyte of a worker.
FRAMES_KEPT = 128

# The request's own values every framed page has (base.html reads them), and the names
# the frame's context gives its stand-ins: no page's value or slot may take them.
NONCE, CSRF_TOKEN, PATH, MESSAGES = "csp_nonce", "csrf_token", "path", "messages"
_OWN_SLOTS = frozenset({NONCE, CSRF_TOKEN, PATH, MESSAGES})
_RESERVED = _OWN_SLOTS | {"request", "user", "framed_messages"}


def _marker(name: str) -> str:
    return f"\ue000{_TOKEN}:{name}\ue001"


@dataclass(frozen=True)
class FrameUser:
    """What base.html shows of its reader: which menu entries they have."""

    is_authenticated: bool
    is_staff: bool
    is_town_hall_agent: bool


@dataclass(frozen=True)
class FrameRequest:
    """What a frame may read of its request: the view (for the menu) and markers."""

    resolver_match: ResolverMatch | None

    @property
    def csp_nonce(self) -> str:
        return _marker(NONCE)

    def get_full_path(self) -> str:
        return _marker(PATH)


@dataclass(frozen=True)
class _Key:
    template_name: str
    language: str
    view_name: str
    user: FrameUser
    values: tuple[tuple[str, Hashable], ...]
    slots: frozenset[str]
    # Which of the view's requests renders the frame does not matter: the view is the key's.
    resolver_match: ResolverMatch | None = field(compare=False, hash=False)


@functools.lru_cache(maxsize=FRAMES_KEPT)
def _frame(key: _Key) -> tuple[str, ...]:
    """The frame rendered, split at its markers: text, slot name, text, slot name, ..."""
    context: dict[str, object] = {
        **dict(key.values),
        **{name: _marker(name) for name in key.slots},
        "request": FrameRequest(key.resolver_match),
        "user": key.user,
        CSRF_TOKEN: _marker(CSRF_TOKEN),
        "framed_messages": _marker(MESSAGES),
    }
    rendered = get_template(key.template_name).render(context)
    pieces = tuple(_MARKER.split(rendered))
    known = key.slots | _OWN_SLOTS
    texts, names = pieces[0::2], pieces[1::2]
    if any("\ue000" in text or "\ue001" in text or _TOKEN in text for text in texts) or not (
        set(names) <= known
    ):
        # A filter or tag changed a marker: the value would be lost, or the token leave.
        raise ImproperlyConfigured(
            f"{key.template_name}: a slot's marker came out changed; "
            "a framed template shows its slots as they are given"
        )
    return pieces


def forget() -> None:
    """Drop the frames this process keeps (the tests do between two tests)."""
    _frame.cache_clear()


def _frame_user(request: HttpRequest) -> FrameUser:
    user = request.user
    return FrameUser(
        is_authenticated=user.is_authenticated,
        is_staff=user.is_staff,
        is_town_hall_agent=bool(getattr(user, "is_town_hall_agent", False)),
    )


def _escaped(slots: Mapping[str, str]) -> dict[str, str]:
    return {name: conditional_escape(value) for name, value in slots.items()}


def _messages(request: HttpRequest) -> str:
    messages = get_messages(request)
    if not messages:
        return ""
    return render_to_string("includes/messages.html", {"messages": messages})


def render_framed(
    request: HttpRequest,
    template_name: str,
    *,
    frame: Mapping[str, Hashable],
    slots: Mapping[str, str],
) -> HttpResponse:
    """Render ``template_name``: ``frame`` (its values are the key) kept, ``slots`` per request.

    A slot's value is HTML: a plain ``str`` is escaped, a ``SafeString`` goes in as is.
    """
    if _RESERVED & slots.keys() or _RESERVED & frame.keys():
        raise ValueError(f"{sorted(_RESERVED)} are every framed page's own slots")
    if slots.keys() & frame.keys():
        raise ValueError(f"both a slot and a frame's value: {sorted(slots.keys() & frame.keys())}")
    resolver_match = request.resolver_match
    key = _Key(
        template_name=template_name,
        language=get_language(),
        view_name=resolver_match.view_name if resolver_match else "",
        user=_frame_user(request),
        values=tuple(sorted({**site(request), **frame}.items())),
        slots=frozenset(slots),
        resolver_match=resolver_match,
    )
    values = _escaped(slots)
    values[NONCE] = str(request.csp_nonce)  # type: ignore[attr-defined]
    values[CSRF_TOKEN] = get_token(request)
    values[PATH] = conditional_escape(request.get_full_path())
    values[MESSAGES] = _messages(request)
    pieces = _frame(key)
    # Even positions are the frame's text, odd ones the names of the slots between them.
    body = "".join(
        piece if position % 2 == 0 else values[piece] for position, piece in enumerate(pieces)
    )
    return HttpResponse(body)


def render_whole(
    request: HttpRequest,
    template_name: str,
    *,
    frame: Mapping[str, Hashable],
    slots: Mapping[str, str],
) -> HttpResponse:
    """The same page rendered in one go from the real request: what a frame must equal."""
    context = {**frame, **_escaped(slots)}
    return HttpResponse(render_to_string(template_name, context, request=request))
