"""The ``chemins`` command line: one click group gathering the commands of each package.

Commands are imported only when they run, so ``chemins check`` does not pay for
importing Flask, SQLAlchemy and the live-workshop code it never uses.
"""

from __future__ import annotations

import importlib

import click

from theory_of_change.cli import FrenchGroup

# Command name → "module:attribute" of the click command that implements it.
LAZY_COMMANDS: dict[str, str] = {
    "new": "theory_of_change.cli:new_command",
    "check": "theory_of_change.cli:check_command",
    "show": "theory_of_change.cli:show_command",
    "demo": "theory_of_change.cli:demo_command",
    "tour": "theory_of_change.cli:tour_command",
    "export": "exports.cli:export",
    "diagnostic": "theory_of_change.diagnostic.cli:diagnostic",
    "serve": "app.commands:serve",
    "db": "app.db_commands:db_group",
    "user": "app.commands:user_group",
    "backup": "app.commands:backup_command",
    "restore": "app.commands:restore_command",
}


class LazyGroup(FrenchGroup):
    """A group whose sub-commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, in the order of :data:`LAZY_COMMANDS`."""
        return list(LAZY_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return the command, or ``None`` for an unknown name."""
        target = LAZY_COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} n'est pas une commande click")
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Resolve as click does, suggesting close names among the lazy commands too."""
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand:
            raise click.exceptions.NoSuchCommand(
                click.utils.make_str(args[0]), possibilities=list(LAZY_COMMANDS), ctx=ctx
            ) from None


@click.group("chemins", cls=LazyGroup)
@click.version_option(
    package_name="chemins",
    prog_name="Chemins",
    message="%(prog)s %(version)s",
    help="Afficher la version et quitter.",
)
def main() -> None:
    """Chemins : l'approche orientée changement pour la convention territoriale globale.

    Construire et contrôler la chaîne d'un projet de CTG — enjeux du diagnostic, vision,
    chemins de changement, marqueurs de progrès, actions —, animer les ateliers en direct
    et produire les documents de la convention.
    """
