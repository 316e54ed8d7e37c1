"""``chemins export …``: write the convention's documents from a project file.

Every command reads a project file (YAML or JSON), writes one file and says where. A file
that cannot be loaded, an unknown format, layer, theme, axis, commune or element stops
the command with a French message and exit code 2, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import click

from theory_of_change.cli import FrenchCommand, FrenchGroup, load_or_exit
from theory_of_change.files import ProjectFileError, atomic_write

from .action_plan import PLAN_FORMATS, UnknownCommuneError, render_action_plan
from .action_sheets import render_action_sheets
from .diagram import DIAGRAM_FORMATS, LAYERS, DiagramError, render_diagram
from .dossier import DEFAULT_REVISION, render_dossier
from .formats import ExportFormatError
from .sppe_sheet import render_sppe_sheet
from .tracker import TRACKER_FORMATS, render_tracker

EXIT_BAD_INPUT = 2
EXIT_WRITE_FAILED = 1
SHEET_CLI_FORMATS = ("docx", "odt")
SPPE_CLI_FORMATS = ("docx", "odt")

_project_argument = click.argument(
    "fichier", type=click.Path(dir_okay=False, path_type=Path), metavar="FICHIER"
)
_output_option = click.option(
    "-o",
    "--sortie",
    "output",
    type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
    default=None,
    metavar="FICHIER",
    help="Fichier à écrire (« - » pour la sortie standard). Par défaut : dans le dossier "
    "courant, nommé d'après le fichier du projet.",
)


def _format_option(formats: tuple[str, ...]) -> Callable[[Callable[..., None]], object]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(formats, case_sensitive=False),
        default=formats[0],
        help=f"Format du fichier : {', '.join(formats)} (par défaut : {formats[0]}).",
    )


def _fail(message: str) -> NoReturn:
    click.echo(f"Erreur : {message}", err=True)
    raise click.exceptions.Exit(EXIT_BAD_INPUT)


def _write(data: bytes, output: Path | None, source: Path, suffix: str, fmt: str) -> None:
    if output is not None and str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = output if output is not None else Path(f"{source.stem}-{suffix}.{fmt}")
    try:
        # Through a temporary file: an interrupted export never leaves half a document
        # in place of the previous one.
        atomic_write(target, data)
    except ProjectFileError as error:
        click.echo(f"Erreur : impossible d'écrire le fichier.\n{error}", err=True)
        raise click.exceptions.Exit(EXIT_WRITE_FAILED) from None
    click.echo(f"Écrit : {target} ({_size(len(data))})")


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} octets"
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} Ko"
    return f"{count / (1024 * 1024):.1f} Mo".replace(".", ",")


def _run(render: Callable[[], bytes]) -> bytes:
    try:
        return render()
    except (DiagramError, ExportFormatError, UnknownCommuneError) as error:
        _fail(str(error))


@click.group("export", cls=FrenchGroup)
def export() -> None:
    """Exporter les documents de la convention à partir d'un fichier de projet.

    Schéma des chemins de changement, plan d'action, fiches actions, fiche SPPE, tableau
    de suivi, ou tout le dossier CTG en un fichier ZIP.
    """


@export.command("diagram", cls=FrenchCommand)
@_project_argument
@_format_option(DIAGRAM_FORMATS)
@click.option(
    "--with",
    "layers",
    default="",
    metavar="COUCHES",
    help="Couches à ajouter, séparées par des virgules : markers (marqueurs de progrès), "
    "activities (activités par axe).",
)
@click.option("--dpi", default="96", metavar="DPI",
              help="Résolution du PNG en points par pouce (par défaut : 96 ; 300 pour "
              "l'impression).")
@click.option("--theme", default=None, metavar="THÈME",
              help="Ne garder que ce thème (identifiant).")
@click.option("--axe", "axis", default=None, metavar="AXE",
              help="Ne garder que les activités de cet axe stratégique et leurs effets.")
@click.option("--focus", default=None, metavar="ÉLÉMENT",
              help="Ne garder que cet élément, ce qui y mène et ce qui en découle.")
@_output_option
def diagram_command(
    fichier: Path, fmt: str, layers: str, dpi: str, theme: str | None, axis: str | None,
    focus: str | None, output: Path | None,
) -> None:
    """Schéma des chemins de changement : enjeux → changements → vision."""
    try:
        resolution = int(dpi)
    except ValueError:
        _fail(f"la résolution « {dpi} » n'est pas un nombre entier de points par pouce")
    wanted = [layer for layer in layers.split(",") if layer.strip()]
    unknown = [layer for layer in wanted if layer.strip().lower() not in LAYERS]
    if unknown:
        _fail(f"couche « {unknown[0]} » inconnue ; couches possibles : {', '.join(LAYERS)}")
    project = load_or_exit(fichier)
    data = _run(
        lambda: render_diagram(
            project, fmt.lower(), dpi=resolution, layers=wanted, theme=theme, axis=axis,
            focus=focus,
        )
    )
    _write(data, output, fichier, "schema", fmt.lower())


@export.command("plan", cls=FrenchCommand)
@_project_argument
@_format_option(PLAN_FORMATS)
@click.option("--commune", default=None, metavar="COMMUNE",
              help="N'exporter que le plan de cette commune (identifiant).")
@_output_option
def plan_command(fichier: Path, fmt: str, commune: str | None, output: Path | None) -> None:
    """Plan d'action (annexe 4) et calendrier de mise en œuvre."""
    project = load_or_exit(fichier)
    data = _run(lambda: render_action_plan(project, fmt.lower(), commune=commune))
    _write(data, output, fichier, "plan-d-action", fmt.lower())


@export.command("sheets", cls=FrenchCommand)
@_project_argument
@_format_option(SHEET_CLI_FORMATS)
@click.option("--toutes", "include_all", is_flag=True,
              help="Une fiche pour chaque action, pas seulement les projets phares, "
              "expérimentaux et nouveaux.")
@_output_option
def sheets_command(fichier: Path, fmt: str, include_all: bool, output: Path | None) -> None:
    """Fiches actions, une par page, selon le modèle de la Caf."""
    project = load_or_exit(fichier)
    data = _run(lambda: render_action_sheets(project, fmt.lower(), include_all=include_all))
    _write(data, output, fichier, "fiches-actions", fmt.lower())


@export.command("sppe", cls=FrenchCommand)
@_project_argument
@_format_option(SPPE_CLI_FORMATS)
@_output_option
def sppe_command(fichier: Path, fmt: str, output: Path | None) -> None:
    """Fiche action SPPE et obligations des autorités organisatrices."""
    project = load_or_exit(fichier)
    data = _run(lambda: render_sppe_sheet(project, fmt.lower()))
    _write(data, output, fichier, "fiche-sppe", fmt.lower())


@export.command("tracker", cls=FrenchCommand)
@_project_argument
@_format_option(TRACKER_FORMATS)
@_output_option
def tracker_command(fichier: Path, fmt: str, output: Path | None) -> None:
    """Tableau de suivi des actions (annexe 6), en XLSX ou en CSV pour Excel."""
    project = load_or_exit(fichier)
    data = _run(lambda: render_tracker(project, fmt.lower()))
    _write(data, output, fichier, "tableau-de-suivi", fmt.lower())


@export.command("dossier", cls=FrenchCommand)
@_project_argument
@_format_option(("zip",))
@click.option("--date", "date_text", default=None, metavar="AAAA-MM-JJ",
              help="Date portée sur la page de garde (par défaut : aujourd'hui).")
@click.option("--revision", default=DEFAULT_REVISION, metavar="VERSION",
              help="Version portée sur la page de garde, par exemple « v2 – Copil de mars » "
              f"(par défaut : « {DEFAULT_REVISION} »).")
@_output_option
def dossier_command(
    fichier: Path, fmt: str, date_text: str | None, revision: str, output: Path | None
) -> None:
    """Dossier CTG complet : tous les documents et une page de garde, en un ZIP."""
    if date_text is None:
        generated_on = dt.date.today()
    else:
        try:
            generated_on = dt.date.fromisoformat(date_text)
        except ValueError:
            _fail(f"la date « {date_text} » n'est pas au format AAAA-MM-JJ")
    project = load_or_exit(fichier)
    data = _run(lambda: render_dossier(project, generated_on=generated_on, revision=revision))
    _write(data, output, fichier, "dossier-ctg", "zip")
