"""/api/v1/docs: the API's reference, a page of the site drawn from /api/v1/openapi.json."""

from __future__ import annotations

import itertools
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client

from vigie.api.api import api
from vigie.api.reference import Piece, Span, build_reference, prose, type_of
from vigie.tests.test_pages import assert_well_formed

pytestmark = pytest.mark.django_db

URL = "/api/v1/docs"


class Outline(HTMLParser):
    """The headings of a page (level, id, text), its ids and its links within the page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[int, str, str]] = []
        self.ids: set[str] = set()
        self.anchors: list[str] = []
        self._open: tuple[int, str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if identifier := attributes.get("id"):
            self.ids.add(identifier)
        if tag == "a" and (href := attributes.get("href") or "").startswith("#"):
            self.anchors.append(href[1:])
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._open = (int(tag[1]), attributes.get("id") or "", [])

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and tag == f"h{self._open[0]}":
            level, identifier, text = self._open
            self.headings.append((level, identifier, " ".join("".join(text).split())))
            self._open = None

    def heading(self, identifier: str) -> str:
        return next(text for _, found, text in self.headings if found == identifier)


def outline_of(html: str) -> Outline:
    outline = Outline()
    outline.feed(html)
    return outline


def reference_page(language: str = "fr") -> str:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_every_operation_of_the_schema_with_its_method_and_path() -> None:
    outline = outline_of(reference_page())

    operations = [
        (method, path, operation)
        for path, item in api.get_openapi_schema()["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) > 50
    for method, path, operation in operations:
        # Its heading is anchored at its operationId, and the contents link to it.
        assert outline.heading(operation["operationId"]) == f"{method.upper()} {path}"
        assert operation["operationId"] in outline.anchors


def test_it_links_a_ref_to_its_schema() -> None:
    html = reference_page()
    outline = outline_of(html)

    # The feed answers {"$ref": "#/components/schemas/FeedOut"}; FeedOut holds PostOut items.
    assert '<td><code><a href="#schema-FeedOut">FeedOut</a></code></td>' in html
    assert '<code>array&lt;<a href="#schema-PostOut">PostOut</a>&gt;</code>' in html
    assert outline.heading("schema-FeedOut") == "FeedOut"
    assert outline.heading("schema-PostOut") == "PostOut"
    # Every component has its section, and no link of the page points nowhere.
    for name in api.get_openapi_schema()["components"]["schemas"]:
        assert f"schema-{name}" in outline.ids, name
    assert set(outline.anchors) <= outline.ids | {"contenu"}


def test_it_lists_each_schema_property_with_its_type_and_whether_it_is_required() -> None:
    html = reference_page("en")

    # FeedOut.next_cursor: required, a string or null, described.
    assert (
        '<th scope="row"><code>next_cursor</code> <span class="api-required">required</span></th>'
        in html
    )
    assert "<td><code>string | null</code></td>" in html
    assert '<td lang="en">Pass it as ?cursor= for the next page</td>' in html


@pytest.mark.parametrize(
    ("language", "title", "parameters", "none"),
    [
        ("fr", "Référence de l’API", "Paramètres", "Sans authentification"),  # noqa: RUF001
        ("en", "API reference", "Parameters", "No authentication"),
    ],
)
def test_it_renders_in_french_and_in_english(
    language: str, title: str, parameters: str, none: str
) -> None:
    html = reference_page(language)
    outline = outline_of(html)

    assert_well_formed(html)
    assert f'<html lang="{language}">' in html
    assert outline.headings[0] == (1, "api-reference", title)
    assert f"<h4>{parameters}</h4>" in html
    # Registering needs no authentication; the schema's own words stay English, marked so.
    register = html[html.index('id="vigie_accounts_api_register"') :]
    assert none in " ".join(register[: register.index("</ul>")].split())
    assert '<p class="api-summary" lang="en">Create an account</p>' in html


def test_it_says_which_operations_require_authentication() -> None:
    html = reference_page("en")

    feed = html[html.index('id="vigie_posts_api_feed"') :]
    meta = " ".join(feed[: feed.index("</ul>")].split())
    assert "Authentication required:" in meta
    assert '<a href="#auth-BearerTokenAuth"><code>BearerTokenAuth</code></a> or' in meta
    assert '<th scope="row" id="auth-SessionAuth"><code>SessionAuth</code></th>' in html


def test_its_heading_levels_go_down_one_at_a_time() -> None:
    outline = outline_of(reference_page())

    levels = [level for level, _, _ in outline.headings]
    assert levels.count(1) == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, (before, after)
    assert 4 in levels


def test_it_writes_types_out_in_one_line_with_links_to_components() -> None:
    nullable = {"anyOf": [{"$ref": "#/components/schemas/PhoneOut"}, {"type": "null"}]}
    mapping = {"type": "object", "additionalProperties": {"type": "integer"}}

    assert type_of(nullable) == (Piece("PhoneOut", schema="PhoneOut"), Piece(" | null"))
    assert type_of({"type": "array", "items": {"type": "string", "format": "binary"}}) == (
        Piece("array<string (binary)>"),
    )
    assert type_of(mapping) == (Piece("object<string, integer>"),)
    assert type_of({"enum": ["delete", "keep"], "type": "string"}) == (Piece('"delete" | "keep"'),)
    assert type_of({}) == (Piece("any"),)


def test_it_keeps_the_schema_prose_with_its_code_and_paragraphs() -> None:
    text = "Send it as\n``Authorization: Bearer``.\n\nOr `X-CSRFToken`."

    assert prose(text) == (
        (Span("Send it as "), Span("Authorization: Bearer", code=True), Span(".")),
        (Span("Or "), Span("X-CSRFToken", code=True), Span(".")),
    )


def test_it_counts_an_operation_open_to_anyone_as_public() -> None:
    schema = {
        "info": {"title": "T", "version": "2"},
        "paths": {
            "/a": {
                "get": {"operationId": "a", "responses": {}, "security": [{}, {"Token": []}]},
                "post": {"operationId": "b", "responses": {}, "security": [{"Token": []}]},
            }
        },
    }

    reference = build_reference(schema)

    assert [tag.name for tag in reference.tags] == ["default"]
    assert [op.requires_authentication for op in reference.operations] == [False, True]
