"""Filters of the API reference: the schema's prose and types as HTML, escaped."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from vigie.api import reference
from vigie.api.reference import Paragraph, Prose, TypeExpression

register = template.Library()


@register.filter
def paragraphs(prose: Prose) -> SafeString:
    """Each paragraph in a <p>, its code in <code>."""
    return format_html_join("", "<p>{}</p>", ((_spans(paragraph),) for paragraph in prose))


@register.filter
def inline(prose: Prose) -> SafeString:
    """The paragraphs one after the other, for a table cell or a line."""
    return format_html_join(" ", "{}", ((_spans(paragraph),) for paragraph in prose))


@register.filter
def type_html(expression: TypeExpression) -> SafeString:
    """The type in <code>, each component it names a link to its schema."""
    return format_html(
        "<code>{}</code>",
        format_html_join(
            "",
            "{}",
            (
                (format_html('<a href="#{}">{}</a>', piece.anchor, piece.text),)
                if piece.schema
                else (piece.text,)
                for piece in expression
            ),
        ),
    )


@register.filter
def path_html(path: str) -> SafeString:
    """The path with a chance to break after each slash, for a narrow screen."""
    *parts, last = path.split("/")
    return format_html("{}{}", format_html_join("", "{}/<wbr>", ((part,) for part in parts)), last)


@register.filter
def security_anchor(name: str) -> str:
    return reference.security_anchor(name)


def _spans(paragraph: Paragraph) -> SafeString:
    return format_html_join(
        "",
        "{}",
        (
            (format_html("<code>{}</code>", span.text) if span.code else span.text,)
            for span in paragraph
        ),
    )
