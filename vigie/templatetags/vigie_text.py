"""Excerpts of what neighbours wrote, for cards and lists: a few lines, never a wall."""

from __future__ import annotations

from django import template

register = template.Library()

# The lines an excerpt shows at most: a card keeps its paragraphs without letting a
# text of blank lines or one word a line push the rest of the feed down.
EXCERPT_LINES = 6


@register.filter
def excerpt_lines(value: str, count: int = EXCERPT_LINES) -> str:
    """The text's first ``count`` lines, each run of blank lines made one.

    Plain text: the template escapes it after (``linebreaksbr``), so this never
    marks anything safe. A text cut here ends with an ellipsis.
    """
    lines: list[str] = []
    for line in str(value).splitlines():
        if line.strip():
            lines.append(line)
        elif lines and lines[-1]:
            lines.append("")  # one blank line for a run of them, none first
    if lines and not lines[-1]:
        lines.pop()
    if len(lines) <= count:
        return "\n".join(lines)
    kept = lines[:count]
    if not kept[-1]:
        kept.pop()
    return "\n".join(kept) + " …"
