"""Excerpts in cards and lists: a few lines of what a neighbour wrote, never a wall."""

from __future__ import annotations

from django.template import Context, Template

from vigie.templatetags.vigie_text import EXCERPT_LINES, excerpt_lines


def test_it_keeps_a_short_text_as_it_is() -> None:
    assert excerpt_lines("Bonjour,\n\nle marché est annulé.") == "Bonjour,\n\nle marché est annulé."


def test_it_makes_each_run_of_blank_lines_one_and_drops_those_around() -> None:
    assert excerpt_lines("\n \nUne\n\n\n\t\n\nDeux\n\n\n") == "Une\n\nDeux"


def test_it_cuts_after_six_lines_with_an_ellipsis() -> None:
    text = "\n".join(f"ligne {number}" for number in range(1, 11))

    cut = excerpt_lines(text)

    assert cut.splitlines() == [f"ligne {number}" for number in range(1, 6)] + ["ligne 6 …"]
    assert EXCERPT_LINES == 6


def test_it_never_ends_a_cut_excerpt_on_a_blank_line() -> None:
    text = "un\n\ndeux\n\ntrois\n\nquatre"

    assert excerpt_lines(text) == "un\n\ndeux\n\ntrois …"


def test_it_leaves_the_escaping_to_the_template() -> None:
    shown = Template(
        "{% load vigie_text %}{{ text|excerpt_lines|linebreaksbr|truncatewords_html:40 }}"
    ).render(Context({"text": "<script>alert(1)</script>\n\n\n\nsuite"}))

    assert shown == "&lt;script&gt;alert(1)&lt;/script&gt;<br><br>suite"
