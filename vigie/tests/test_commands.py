"""Every manage.py command of Vigie explains itself in plain words (``--help``)."""

from __future__ import annotations

import argparse

import pytest
from django.core.management import get_commands, load_command_class

OURS = sorted(name for name, app in get_commands().items() if app.startswith("vigie"))


def test_it_finds_our_commands() -> None:
    assert {"import_ban", "print_letters", "purge_expired", "load_demo"} <= set(OURS)


@pytest.mark.parametrize("name", OURS)
def test_it_explains_each_command_and_each_of_its_options(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    command = load_command_class(get_commands()[name], name)
    parser = command.create_parser("manage.py", name)

    with pytest.raises(SystemExit) as exited:
        parser.parse_args(["--help"])

    assert exited.value.code == 0
    shown = capsys.readouterr().out
    assert command.help.strip(), name
    assert " ".join(command.help.split()[:4]) in " ".join(shown.split())
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, (name, action.dest)
        assert action.help is not argparse.SUPPRESS, (name, action.dest)
