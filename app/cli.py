"""The ``chemins`` command line: one click group gathering the commands of each package."""

from __future__ import annotations

import click

from app.commands import COMMANDS as LIVE_COMMANDS
from theory_of_change.cli import COMMANDS, FrenchGroup


@click.group("chemins", cls=FrenchGroup)
@click.version_option(
    package_name="chemins",
    prog_name="Chemins",
    message="%(prog)s %(version)s",
    help="Afficher la version et quitter.",
)
def main() -> None:
    """Chemins : l'approche orientée changement pour la convention territoriale globale.

    Construire et contrôler la chaîne d'un projet de CTG — enjeux du diagnostic, vision,
    chemins de changement, marqueurs de progrès, actions — enregistrée dans un fichier YAML.
    """


for command in (*COMMANDS, *LIVE_COMMANDS):
    main.add_command(command)
