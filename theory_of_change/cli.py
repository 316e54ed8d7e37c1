"""The ``chemins`` commands of the theory-of-change model: new, check, show, demo, tour.

Every text a user reads is French, click's own usage errors included
(:class:`FrenchCommand`, :class:`FrenchGroup`). Exit codes of ``check``: 0 when no error is
found, 1 when at least one error is found, 2 when the file cannot be loaded.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import textwrap
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import click
import networkx as nx
from pydantic import ValidationError

from .checks import SEVERITY_LABELS, Finding, Severity, count_by_severity, run_checks
from .checks.french import format_number, french_list, truncate
from .demo import DEMO_FILE, demo_project
from .file_errors import validation_problems
from .files import (
    ProjectFileError,
    atomic_write,
    dumps_project,
    file_format,
    load_project,
    save_project,
)
from .graph import EdgeKind, build_graph, pathways
from .model import (
    ACTIVITY_KIND_LABELS,
    KINDS_NEEDING_SHEET,
    MARKER_LEVEL_LABELS,
    Activity,
    Change,
    ChangeStatus,
    MarkerLevel,
    ProgressMarker,
    Project,
    TerritoryKind,
    default_themes,
)
from .slugs import slugify

EXIT_OK = 0
EXIT_ERRORS_FOUND = 1
EXIT_UNREADABLE = 2
MAX_PROBLEMS_SHOWN = 50

CHANGE_STATUS_LABELS = {
    ChangeStatus.proposed: "proposé",
    ChangeStatus.prioritised: "prioritaire",
    ChangeStatus.set_aside: "écarté",
}
TERRITORY_KIND_LABELS = {TerritoryKind.commune: "commune", TerritoryKind.epci: "EPCI"}
SEVERITY_COLOURS = {Severity.error: "red", Severity.warning: "yellow", Severity.info: "blue"}


# --- French help and usage errors ------------------------------------------------------------


class FrenchHelpFormatter(click.HelpFormatter):
    """Click's help layout with French headings."""

    HEADINGS = {"Options": "Options", "Commands": "Commandes", "Arguments": "Arguments"}

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        """Write the usage line, introduced in French."""
        super().write_usage(prog, args, "Utilisation : " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        """Write a section heading, in French."""
        super().write_heading(self.HEADINGS.get(heading, heading))


class FrenchContext(click.Context):
    """A click context whose help is written with :class:`FrenchHelpFormatter`."""

    formatter_class = FrenchHelpFormatter


class FrenchUsageError(click.UsageError):
    """A usage error shown in French."""

    def show(self, file: Any = None) -> None:
        """Print the usage, a hint and the French message on stderr."""
        if self.ctx is not None:
            click.echo(self.ctx.get_usage(), err=file is None, file=file)
            click.echo(
                f"Essayez « {self.ctx.command_path} --help » pour l'aide.\n",
                err=file is None,
                file=file,
            )
        click.echo(f"Erreur : {self.format_message()}", err=file is None, file=file)


# Click writes its usage errors in English; these are the ones people meet. Quoted names
# ('--type') become « --type »; a trailing "Did you mean …?" is translated separately.
_USAGE_TRANSLATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"^Missing argument '?([^']+?)'?\.$", "argument manquant : « {0} »."),
        (r"^Missing option '?([^']+?)'?\.$", "option obligatoire manquante : « {0} »."),
        (r"^No such option:? '?([^']+?)'?\.?$", "option inconnue : « {0} »."),
        (r"^No such command:? '?([^']+?)'?\.?$", "commande inconnue : « {0} »."),
        (r"^Option '?([^']+?)'? requires an argument\.$", "l'option « {0} » attend une valeur."),
        (r"^Got unexpected extra arguments? \((.+)\)$", "argument en trop : {0}."),
        (r"^Invalid value for '?([^']+?)'?: (.+)$", "valeur invalide pour « {0} » : {1}"),
    )
)
_VALUE_TRANSLATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"^'(.*)' is not one of (.+)\.$", "« {0} » n'est pas un choix possible (choix : {1})."),
        (r"^'(.*)' is not a valid integer\.$", "« {0} » n'est pas un nombre entier."),
        (r"^'(.*)' is not a valid float\.$", "« {0} » n'est pas un nombre."),
        (r"^(.+) is not in the range (.+)\.$", "{0} n'est pas dans l'intervalle {1}."),
        (r"^(.+) is not a valid boolean\.$", "{0} n'est ni vrai ni faux."),
    )
)
_SUGGESTION = re.compile(r"\s*Did you mean '?([^'?]+?)'?\?\s*$")
_POSSIBLE = re.compile(r"\s*\(Possible options: (.+)\)\s*$")
_QUOTED = re.compile(r"'([^']*)'")


def translate_usage_message(message: str) -> str:
    """Translate one of click's English usage messages into French (else keep it)."""
    extra = ""
    suggestion = _SUGGESTION.search(message)
    if suggestion:
        extra = f" Vouliez-vous dire « {suggestion.group(1)} » ?"
        message = message[: suggestion.start()]
    possible = _POSSIBLE.search(message)
    if possible:
        extra = f" Options possibles : {possible.group(1)}."
        message = message[: possible.start()]
    for pattern, template in _USAGE_TRANSLATIONS:
        match = pattern.match(message)
        if match:
            parts = list(match.groups())
            if template.startswith("valeur invalide"):
                parts[1] = _translate_value(parts[1])
            message = template.format(*parts)
            break
    return message + extra


def _translate_value(message: str) -> str:
    for pattern, template in _VALUE_TRANSLATIONS:
        match = pattern.match(message)
        if match:
            groups = [_QUOTED.sub(r"« \1 »", group) for group in match.groups()]
            return template.format(*groups)
    return message


def _in_french(error: click.UsageError) -> FrenchUsageError:
    if isinstance(error, FrenchUsageError):
        return error
    return FrenchUsageError(translate_usage_message(error.format_message()), ctx=error.ctx)


class _FrenchMixin:
    """Shared by :class:`FrenchCommand` and :class:`FrenchGroup`."""

    context_class = FrenchContext

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """The ``--help`` option, with a French help text."""
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = "Afficher cette aide et quitter."
        return option

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse the arguments; usage errors come out in French."""
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except click.UsageError as error:
            raise _in_french(error) from None

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; usage errors (an unknown sub-command…) come out in French."""
        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except click.UsageError as error:
            raise _in_french(error) from None


class FrenchCommand(_FrenchMixin, click.Command):
    """A click command with French help and usage errors."""


class FrenchGroup(_FrenchMixin, click.Group):
    """A click group with French help and usage errors; its commands are French too."""

    command_class = FrenchCommand


# --- Loading ---------------------------------------------------------------------------------


def load_or_exit(path: Path) -> Project:
    """Load a project file, or list its problems in French on stderr and exit with code 2."""
    try:
        return load_project(path)
    except ProjectFileError as error:
        report_file_error(error, f"Impossible de charger « {path} »")
        raise click.exceptions.Exit(EXIT_UNREADABLE) from None


def report_file_error(error: ProjectFileError, title: str) -> None:
    """Print a file error's problems on stderr, at most :data:`MAX_PROBLEMS_SHOWN`."""
    count = len(error.problems)
    noun = "problème" if count == 1 else "problèmes"
    click.echo(f"{title} : {count} {noun}.", err=True)
    for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
        click.echo(f"  - {problem}", err=True)
    if count > MAX_PROBLEMS_SHOWN:
        click.echo(f"  … et {count - MAX_PROBLEMS_SHOWN} autres problèmes.", err=True)


# --- chemins new -----------------------------------------------------------------------------


@click.command("new", cls=FrenchCommand)
@click.argument("fichier", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--territoire",
    "territory_name",
    prompt="Nom du territoire (commune ou EPCI)",
    help="Nom de la collectivité signataire, par exemple « Pornic Agglo Pays de Retz ».",
)
@click.option(
    "--type",
    "kind",
    type=click.Choice([kind.value for kind in TerritoryKind]),
    default=TerritoryKind.epci.value,
    show_default=True,
    help="Commune ou EPCI (intercommunalité).",
)
@click.option(
    "--debut",
    "start_year",
    type=int,
    default=None,
    help="Première année de la convention (par défaut : l'année en cours).",
)
@click.option(
    "--fin",
    "end_year",
    type=int,
    default=None,
    help="Dernière année de la convention (par défaut : début + 4, une CTG de 5 ans).",
)
@click.option("--population", type=click.IntRange(min=0), help="Nombre d'habitants.")
@click.option("--force", is_flag=True, help="Remplacer le fichier s'il existe déjà.")
def new_command(
    fichier: Path,
    territory_name: str,
    kind: str,
    start_year: int | None,
    end_year: int | None,
    population: int | None,
    force: bool,
) -> None:
    """Créer un nouveau projet de CTG dans FICHIER (.yaml, .yml ou .json).

    Le projet contient le territoire, la période de la convention et les thématiques par
    défaut (les quatre obligatoires et les deux complémentaires recommandées) ; il reste à
    y ajouter les enjeux, la vision, les changements et les actions.
    """
    _refuse_bad_target(fichier, force)
    start = start_year if start_year is not None else dt.date.today().year
    end = end_year if end_year is not None else start + 4
    data: dict[str, Any] = {
        "id": slugify(f"ctg {territory_name} {start} {end}"),
        "title": f"CTG {territory_name.strip()} {start}-{end}",
        "territory": {"name": territory_name, "kind": kind, "population": population},
        "convention": {"start_year": start, "end_year": end},
    }
    try:
        project = Project.model_validate(data)
    except ValidationError as error:
        problems = validation_problems(error, data)
        raise FrenchUsageError(
            "projet impossible à créer : " + " ; ".join(str(problem) for problem in problems)
        ) from None
    try:
        if file_format(fichier) == "yaml":
            atomic_write(fichier, (_new_project_header() + dumps_project(project)).encode("utf-8"))
        else:
            save_project(project, fichier)
    except ProjectFileError as error:
        report_file_error(error, f"Impossible d'écrire « {fichier} »")
        raise click.exceptions.Exit(EXIT_UNREADABLE) from None

    kind_label = TERRITORY_KIND_LABELS[project.territory.kind]
    click.echo(f"Projet créé : {fichier}")
    click.echo(f"  {project.territory.name} ({kind_label}), CTG {start}–{end}")
    click.echo(f"  Thématiques : {french_list(theme.label for theme in project.themes)}.")
    click.echo("Étapes suivantes :")
    click.echo("  - complétez le fichier (enjeux, vision, changements, actions) ;")
    click.echo(f"  - contrôlez sa cohérence : chemins check {fichier}")


def _new_project_header() -> str:
    """Comment lines at the top of a new YAML project: what to fill in, and the theme ids."""
    theme_ids = ", ".join(theme.id for theme in default_themes())
    text = (
        "Projet Chemins créé par « chemins new » : complétez-le à la main, puis contrôlez-le "
        "avec « chemins check ». Sections à ajouter, dans cet ordre : stakes (enjeux), vision, "
        "changes (changements), markers (marqueurs de progrès), axes, activities (actions). "
        f"Thématiques par défaut, à citer par leur identifiant : {theme_ids}. "
        "Un exemple complet : « chemins demo »."
    )
    # Non-breaking spaces keep « and » with the words they quote when the text is wrapped.
    text = text.replace("« ", "«\u00a0").replace(" »", "\u00a0»")
    return "".join(f"# {line}\n" for line in textwrap.wrap(text, 86, break_on_hyphens=False))


def _refuse_bad_target(path: Path, force: bool) -> None:
    """Stop before writing to an unsupported extension or over an existing file."""
    try:
        file_format(path)
    except ProjectFileError as error:
        raise FrenchUsageError(str(error)) from None
    if path.exists() and not force:
        click.echo(
            f"Le fichier « {path} » existe déjà : choisissez un autre nom, "
            "ou ajoutez --force pour le remplacer.",
            err=True,
        )
        raise click.exceptions.Exit(EXIT_ERRORS_FOUND)


# --- chemins check ---------------------------------------------------------------------------


@click.command("check", cls=FrenchCommand)
@click.argument("fichier", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Écrire les constats en JSON.")
def check_command(fichier: Path, as_json: bool) -> None:
    """Contrôler la cohérence du projet FICHIER.

    Affiche un tableau des constats (gravité, règle, message, éléments concernés) et un
    bilan. Code de sortie : 0 sans erreur, 1 s'il reste au moins une erreur, 2 si le
    fichier ne peut pas être chargé.
    """
    project = load_or_exit(fichier)
    findings = run_checks(project, build_graph(project))
    counts = count_by_severity(findings)
    if as_json:
        click.echo(findings_json(findings, source=str(fichier)))
    else:
        click.echo(f"Contrôle de cohérence de « {project.title} » ({fichier})")
        click.echo()
        if findings:
            click.echo(findings_table(findings, width=_terminal_width()))
            click.echo()
        click.echo(summary_line(counts))
    if counts[Severity.error]:
        raise click.exceptions.Exit(EXIT_ERRORS_FOUND)


def findings_json(findings: Sequence[Finding], source: str | None = None) -> str:
    """The findings and their counts as JSON (machine-readable keys, French messages)."""
    counts = count_by_severity(findings)
    document = {
        "file": source,
        "counts": {severity.value: count for severity, count in counts.items()},
        "findings": [finding.model_dump(mode="json") for finding in findings],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def summary_line(counts: dict[Severity, int]) -> str:
    """One French line counting the findings by severity."""
    if not any(counts.values()):
        return "Bilan : aucun constat, la chaîne est cohérente."
    parts = []
    for severity in Severity:
        count = counts.get(severity, 0)
        label = SEVERITY_LABELS[severity]
        parts.append(f"{count} {label}{'s' if count > 1 else ''}")
    return f"Bilan : {', '.join(parts)}."


def findings_table(findings: Sequence[Finding], width: int = 100) -> str:
    """A plain-text table of findings: gravité, règle, message, éléments."""
    headers = ("Gravité", "Règle", "Message", "Éléments")
    severity_width = max(len(label) for label in SEVERITY_LABELS.values())
    rule_width = min(max([len(headers[1])] + [len(f.rule) for f in findings]), 32)
    nodes_width = min(max([len(headers[3])] + [len(", ".join(f.nodes)) for f in findings]), 28)
    gaps = 2 * 3
    message_width = max(width - severity_width - rule_width - nodes_width - gaps, 30)
    widths = (severity_width, rule_width, message_width, nodes_width)

    lines = [_table_row(headers, widths), _table_row(tuple("-" * w for w in widths), widths)]
    for finding in findings:
        cells = [
            [SEVERITY_LABELS[finding.severity]],
            textwrap.wrap(finding.rule, rule_width, break_on_hyphens=False) or [""],
            textwrap.wrap(finding.message, message_width) or [""],
            textwrap.wrap(", ".join(finding.nodes), nodes_width, break_on_hyphens=False)
            or ["—"],
        ]
        for index in range(max(len(cell) for cell in cells)):
            row = tuple(cell[index] if index < len(cell) else "" for cell in cells)
            line = _table_row(row, widths)
            if index == 0:
                # Colour only the severity word (click strips it when not on a terminal).
                label = row[0].ljust(severity_width)
                line = click.style(label, fg=SEVERITY_COLOURS[finding.severity]) + line[
                    severity_width:
                ]
            lines.append(line)
    return "\n".join(lines)


def _table_row(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def _terminal_width() -> int:
    return max(shutil.get_terminal_size((100, 24)).columns, 80)


# --- chemins show ----------------------------------------------------------------------------


@click.command("show", cls=FrenchCommand)
@click.argument("fichier", type=click.Path(path_type=Path))
@click.option("--complet", "full", is_flag=True, help="Afficher les textes en entier.")
def show_command(fichier: Path, full: bool) -> None:
    """Afficher la chaîne du projet FICHIER sous forme d'arbre.

    La vision, puis chaque chemin de changement : les changements et leurs préconditions,
    les enjeux traités, les marqueurs de progrès par niveau et les actions.
    """
    project = load_or_exit(fichier)
    click.echo("\n".join(chain_tree(project, full=full)))


class _Tree:
    """A node of the printed tree: one line of text and its children."""

    def __init__(self, text: str, children: Iterable[_Tree] = ()) -> None:
        self.text = text
        self.children = list(children)

    def lines(self) -> list[str]:
        """The node and its descendants, drawn with box characters."""
        result = [self.text]
        for index, child in enumerate(self.children):
            last = index == len(self.children) - 1
            child_lines = child.lines()
            result.append(("└── " if last else "├── ") + child_lines[0])
            result.extend(("    " if last else "│   ") + line for line in child_lines[1:])
        return result


def chain_tree(project: Project, graph: nx.DiGraph | None = None, full: bool = False) -> list[str]:
    """The project's chain as text lines: vision ← pathways ← changes, with their details."""
    graph = graph if graph is not None else build_graph(project)
    builder = _ChainTreeBuilder(project, graph, full)
    lines = [project.title, _territory_line(project), ""]
    lines += builder.vision_tree().lines()
    lines += builder.loose_ends()
    return lines


class _ChainTreeBuilder:
    """Builds the tree of :func:`chain_tree`; each change is detailed once."""

    def __init__(self, project: Project, graph: nx.DiGraph, full: bool) -> None:
        self.project = project
        self.graph = graph
        self.text: Callable[[str], str] = (
            (lambda text: " ".join(text.split())) if full else (lambda text: truncate(text, 90))
        )
        self.changes: dict[str, Change] = {c.id: c for c in project.changes}
        self.markers: dict[str, ProgressMarker] = {m.id: m for m in project.markers}
        self.activities: dict[str, Activity] = {a.id: a for a in project.activities}
        self.shown: set[str] = set()

    def vision_tree(self) -> _Tree:
        """The vision, with one branch per pathway."""
        vision = self.project.vision
        if vision is None:
            root = "Vision : (pas encore rédigée)"
        else:
            root = f"Vision (horizon {vision.horizon_year}) : {self.text(vision.text)}"
        branches = []
        for number, pathway in enumerate(pathways(self.project, self.graph), start=1):
            steps = len(pathway.changes)
            noun = "changement" if steps == 1 else "changements"
            branches.append(
                _Tree(
                    f"Chemin {number} ({steps} {noun})",
                    [self.change_tree(pathway.end, frozenset(), vision_link=True)],
                )
            )
        if not branches:
            branches.append(_Tree("(aucun changement ne mène encore à la vision)"))
        return _Tree(root, branches)

    def change_tree(
        self,
        change_id: str,
        path: frozenset[str],
        vision_link: bool = False,
        hypothesis: str | None = None,
    ) -> _Tree:
        """A change with its hypothesis, stakes, markers, activities and preconditions."""
        change = self.changes[change_id]
        status = CHANGE_STATUS_LABELS[change.status]
        if change.priority_rank is not None:
            status += f" n°{change.priority_rank}"
        title = f"[{change.id}] {self.text(change.statement)} ({status})"
        if change_id in path:
            return _Tree(f"{title} — boucle : ce changement revient dans ses propres préconditions")
        if change_id in self.shown:
            return _Tree(f"{title} — détaillé plus haut")
        self.shown.add(change_id)

        children: list[_Tree] = []
        if hypothesis:
            children.append(_Tree(f"hypothèse : {self.text(hypothesis)}"))
        if vision_link and change.vision_hypothesis:
            text = self.text(change.vision_hypothesis)
            children.append(_Tree(f"hypothèse vers la vision : {text}"))
        stakes = self._sources(change_id, EdgeKind.addresses)
        if stakes:
            children.append(
                _Tree(
                    "enjeux traités",
                    [_Tree(f"[{s}] {self.text(self.graph.nodes[s]['label'])}") for s, _ in stakes],
                )
            )
        markers = self._markers_tree(change_id)
        if markers is not None:
            children.append(markers)
        activities = self._sources(change_id, EdgeKind.contributes)
        if activities:
            children.append(
                _Tree("actions", [self._activity_tree(a, h) for a, h in activities])
            )
        preconditions = self._sources(change_id, EdgeKind.precondition)
        if preconditions:
            inner = path | {change_id}
            children.append(
                _Tree(
                    "préconditions",
                    [self.change_tree(p, inner, hypothesis=h) for p, h in preconditions],
                )
            )
        return _Tree(title, children)

    def loose_ends(self) -> list[str]:
        """What hangs outside the pathways: other changes, idle actions, untouched stakes."""
        lines: list[str] = []
        others = [c.id for c in self.project.changes if c.id not in self.shown]
        if others:
            lines += ["", "Changements qui ne mènent pas (encore) à la vision :"]
            for change_id in others:
                if change_id not in self.shown:
                    lines += self.change_tree(change_id, frozenset()).lines()
        idle = [a for a in self.project.activities if not a.contributes_to]
        if idle:
            lines += ["", "Actions qui ne contribuent à aucun changement :"]
            lines += [f"  [{a.id}] {self.text(a.title)}" for a in idle]
        untouched = [
            s for s in self.project.stakes if s.retained and not self.graph.out_degree(s.id)
        ]
        if untouched:
            lines += ["", "Enjeux retenus qu'aucun changement ne traite :"]
            lines += [f"  [{s.id}] {self.text(s.title)}" for s in untouched]
        return lines

    def _sources(self, node: str, kind: EdgeKind) -> list[tuple[str, str | None]]:
        return [
            (source, data.get("hypothesis"))
            for source, _, data in self.graph.in_edges(node, data=True)
            if data["kind"] == kind
        ]

    def _markers_tree(self, change_id: str) -> _Tree | None:
        markers = [self.markers[m] for m, _ in self._sources(change_id, EdgeKind.signals)]
        if not markers:
            return None
        children = []
        for level in MarkerLevel:
            for marker in (m for m in markers if m.level == level):
                children.append(
                    _Tree(f"{MARKER_LEVEL_LABELS[level]} : {self.text(marker.text)} "
                          f"[{marker.id}]")
                )
        return _Tree("marqueurs de progrès", children)

    def _activity_tree(self, activity_id: str, hypothesis: str | None) -> _Tree:
        activity = self.activities[activity_id]
        details = [ACTIVITY_KIND_LABELS[activity.kind]]
        if activity.years:
            first, last = activity.years[0], activity.years[-1]
            details.append(str(first) if first == last else f"{first}–{last}")
        text = f"[{activity.id}] {self.text(activity.title)} ({', '.join(details)})"
        children = [_Tree(f"hypothèse : {self.text(hypothesis)}")] if hypothesis else []
        return _Tree(text, children)


def _territory_line(project: Project) -> str:
    territory = project.territory
    details = [TERRITORY_KIND_LABELS[territory.kind]]
    if territory.communes:
        count = len(territory.communes)
        details.append(f"{count} commune{'s' if count > 1 else ''}")
    population = territory.total_population()
    if population is not None:
        details.append(f"{format_number(population)} habitants")
    period = project.convention
    return f"{territory.name} ({', '.join(details)}) — CTG {period.start_year}–{period.end_year}"


# --- chemins demo ----------------------------------------------------------------------------


@click.command("demo", cls=FrenchCommand)
@click.argument(
    "fichier", required=False, default="demo-pornic.yaml", type=click.Path(path_type=Path)
)
@click.option("--force", is_flag=True, help="Remplacer le fichier s'il existe déjà.")
def demo_command(fichier: Path, force: bool) -> None:
    """Écrire le projet de démonstration (Pornic Agglo Pays de Retz) dans FICHIER.

    Par défaut : demo-pornic.yaml dans le dossier courant. Le fichier YAML garde les
    commentaires qui disent d'où vient chaque contenu.
    """
    _refuse_bad_target(fichier, force)
    try:
        if file_format(fichier) == "yaml":
            atomic_write(fichier, DEMO_FILE.read_bytes())
        else:
            atomic_write(fichier, dumps_project(demo_project(), "json").encode("utf-8"))
    except ProjectFileError as error:
        report_file_error(error, f"Impossible d'écrire « {fichier} »")
        raise click.exceptions.Exit(EXIT_UNREADABLE) from None
    click.echo(f"Projet de démonstration écrit dans « {fichier} ».")
    click.echo("Essayez ensuite :")
    click.echo(f"  chemins check {fichier}")
    click.echo(f"  chemins show {fichier}")


# --- chemins tour ----------------------------------------------------------------------------


@click.command("tour", cls=FrenchCommand)
def tour_command() -> None:
    """Présenter le projet de démonstration : résumé, chemins et contrôle de cohérence."""
    project = demo_project()
    graph = build_graph(project)
    findings = run_checks(project, graph)
    click.echo("\n".join(tour_lines(project, graph, findings)))


def tour_lines(project: Project, graph: nx.DiGraph, findings: Sequence[Finding]) -> list[str]:
    """The summary printed by ``chemins tour``."""
    prioritised = [c for c in project.changes if c.status == ChangeStatus.prioritised]
    retained = [s for s in project.stakes if s.retained]
    with_sheet = [a for a in project.activities if a.kind in KINDS_NEEDING_SHEET]
    lines = [
        "Chemins — visite du projet de démonstration",
        "",
        project.title,
        _territory_line(project),
    ]
    if project.vision is not None:
        lines.append(f"Vision (horizon {project.vision.horizon_year}) :")
        for paragraph in project.vision.text.split("\n"):
            wrapped = textwrap.wrap(paragraph, _terminal_width() - 4)
            lines += [f"  {line}" for line in wrapped] or [""]
    lines += [
        "",
        f"  Enjeux : {len(project.stakes)} (dont {len(retained)} retenus)",
        f"  Changements : {len(project.changes)} (dont {len(prioritised)} prioritaires)",
        f"  Marqueurs de progrès : {len(project.markers)}",
        f"  Actions : {len(project.activities)} (dont {len(with_sheet)} avec fiche action)",
        f"  Axes stratégiques : {len(project.axes)}",
        "",
        "Chemins de changement :",
    ]
    for number, pathway in enumerate(pathways(project, graph), start=1):
        end = graph.nodes[pathway.end]["label"]
        steps = len(pathway.changes)
        noun = "étape" if steps == 1 else "étapes"
        lines.append(f"  {number}. {truncate(end, 90)} ({steps} {noun})")
    lines += ["", "Contrôle de cohérence :"]
    if findings:
        lines.append(findings_table(findings, width=_terminal_width()))
    lines += [summary_line(count_by_severity(findings)), ""]
    lines += [
        "Pour aller plus loin :",
        "  chemins demo             écrit ce projet dans demo-pornic.yaml",
        "  chemins show demo-pornic.yaml",
        "  chemins check demo-pornic.yaml",
        "  chemins new mon-projet.yaml",
    ]
    return lines


COMMANDS: list[click.Command] = [
    new_command,
    check_command,
    show_command,
    demo_command,
    tour_command,
]
"""The commands ``app/cli.py`` adds to the ``chemins`` group."""
