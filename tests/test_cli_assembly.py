"""The ``chemins`` group finds every package's commands, and loads them only when used."""

from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner

from app.cli import LAZY_COMMANDS, main
from theory_of_change.cli import COMMANDS


def test_every_listed_command_resolves_to_a_click_command_of_that_name() -> None:
    context = click.Context(main)
    for name in LAZY_COMMANDS:
        command = main.get_command(context, name)
        assert isinstance(command, click.Command)
        assert command.name == name


def test_every_model_command_is_in_the_group() -> None:
    assert {command.name for command in COMMANDS} <= set(LAZY_COMMANDS)


def test_help_lists_every_command_in_french() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "Utilisation" in result.output
    for name in LAZY_COMMANDS:
        assert f"  {name} " in result.output


def test_unknown_command_gets_a_french_message() -> None:
    result = CliRunner().invoke(main, ["chek"])
    assert result.exit_code == 2
    assert "commande inconnue" in result.output


def test_model_commands_do_not_import_the_web_layer() -> None:
    code = (
        "import sys\n"
        "from app.cli import main\n"
        "main(['tour'], standalone_mode=False)\n"
        "print('FLASK' if 'flask' in sys.modules else 'NO-FLASK')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().endswith("NO-FLASK")
