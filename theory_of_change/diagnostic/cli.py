"""``chemins diagnostic``: import the portrait and open data, list tensions and drafts, export.

Exit codes: 0 on success; 2 when a file cannot be read or imported — the project file is
then left exactly as it was (nothing half-imported).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from theory_of_change.cli import FrenchCommand, FrenchGroup, load_or_exit, report_file_error
from theory_of_change.files import ProjectFileError, atomic_write, save_project

from .drafts import accept_draft, drop_draft, propose_draft_stakes
from .importer import DiagnosticImportError, import_file, import_into_project, project_names
from .mapping import MappingError, load_mapping
from .tensions import TensionReport, find_tensions

EXIT_FAILED = 2


@click.group("diagnostic", cls=FrenchGroup)
def diagnostic() -> None:
    """Diagnostic partagé : importer le portrait de territoire et les données ouvertes
    de la Caf, relever les tensions par commune, proposer des enjeux."""


@diagnostic.command("import", cls=FrenchCommand)
@click.argument("fichier", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--project",
    "--projet",
    "project_path",
    metavar="PROJET",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fichier du projet (YAML) qui reçoit les chiffres (obligatoire).",
)
@click.option(
    "--sheet",
    "--feuille",
    "sheet",
    metavar="NOM",
    help="Feuille du classeur XLSX à importer (obligatoire s'il en a plusieurs).",
)
@click.option(
    "--mapping",
    "--correspondance",
    "mapping_path",
    metavar="FICHIER",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Correspondance des colonnes (YAML), quand les titres du fichier diffèrent.",
)
@click.option(
    "--year",
    "--annee",
    "year",
    metavar="ANNÉE",
    type=int,
    help="Année des chiffres (1990 à 2100), quand le fichier n'a pas de colonne « année ».",
)
@click.option(
    "--replace",
    "--remplacer",
    "replace",
    is_flag=True,
    help="Remplacer tous les chiffres déjà importés au lieu de les compléter.",
)
def import_command(
    fichier: Path,
    project_path: Path | None,
    sheet: str | None,
    mapping_path: Path | None,
    year: int | None,
    replace: bool,
) -> None:
    """Importer FICHIER (CSV ou XLSX : portrait de territoire ou export open data de la
    Caf) dans le diagnostic du projet, puis afficher ce qui a été reconnu.

    En cas de problème (colonne manquante, texte dans une colonne de nombres, fichier
    vide…), chaque problème est affiché avec sa ligne et sa colonne, rien n'est importé
    et le fichier du projet n'est pas modifié (code de sortie 2).
    """
    if project_path is None:
        raise click.UsageError("option obligatoire manquante : « --project PROJET ».")
    if year is not None and not 1990 <= year <= 2100:
        raise click.UsageError(f"l'année {year} n'est pas entre 1990 et 2100.")
    project = load_or_exit(project_path)
    mapping = None
    if mapping_path is not None:
        try:
            mapping = load_mapping(mapping_path)
        except MappingError as error:
            click.echo(str(error), err=True)
            raise click.exceptions.Exit(EXIT_FAILED) from None
    try:
        result = import_file(
            fichier, sheet=sheet, mapping=mapping, year=year, known_names=project_names(project)
        )
        updated, _ = import_into_project(project, result, replace=replace)
    except DiagnosticImportError as error:
        click.echo(error.message(), err=True)
        raise click.exceptions.Exit(EXIT_FAILED) from None
    try:
        save_project(updated, project_path)
    except ProjectFileError as error:
        report_file_error(error, f"Impossible d'enregistrer « {project_path} »")
        raise click.exceptions.Exit(EXIT_FAILED) from None
    click.echo(result.report.text())
    report = find_tensions(updated.diagnostic)
    click.echo()
    click.echo(
        f"Import enregistré dans « {project_path} ». {len(report.flagged())} commune(s) "
        f"avec au moins une tension : chemins diagnostic tensions {project_path}"
    )


@diagnostic.command("tensions", cls=FrenchCommand)
@click.argument("projet", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Écrire les tensions en JSON.")
def tensions_command(projet: Path, as_json: bool) -> None:
    """Afficher les tensions de chaque commune du projet PROJET, avec les chiffres qui
    les déclenchent, et les zones où l'offre d'accueil est insuffisante (SPPE)."""
    project = load_or_exit(projet)
    report = find_tensions(project.diagnostic)
    if as_json:
        click.echo(tensions_json(report))
        return
    if not project.diagnostic.figures:
        click.echo(
            "Aucun chiffre dans le diagnostic : importez d'abord le portrait de territoire "
            f"(chemins diagnostic import FICHIER --project {projet})."
        )
        return
    click.echo(tensions_text(report))


@diagnostic.command("enjeux", cls=FrenchCommand)
@click.argument("projet", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--accept",
    "--accepter",
    "accepted",
    metavar="IDENTIFIANT",
    multiple=True,
    help="Ajouter cet enjeu proposé aux enjeux du projet (répétable).",
)
@click.option(
    "--drop",
    "--ecarter",
    "dropped",
    metavar="IDENTIFIANT",
    multiple=True,
    help="Ne plus proposer cet enjeu (répétable).",
)
def drafts_command(projet: Path, accepted: tuple[str, ...], dropped: tuple[str, ...]) -> None:
    """Lister les enjeux que les tensions suggèrent (ni retenus ni écartés à ce jour),
    en accepter ou en écarter."""
    project = load_or_exit(projet)
    drafts = {draft.id: draft for draft in propose_draft_stakes(project)}
    unknown = [i for i in (*accepted, *dropped) if i not in drafts]
    if unknown:
        click.echo(
            f"Enjeu proposé inconnu : {', '.join(unknown)}. Enjeux proposés : "
            + (", ".join(drafts) or "aucun"),
            err=True,
        )
        raise click.exceptions.Exit(EXIT_FAILED)
    if accepted or dropped:
        for draft_id in accepted:
            project = accept_draft(project, drafts[draft_id])
            click.echo(f"Enjeu ajouté : {drafts[draft_id].title}")
        for draft_id in dropped:
            project = drop_draft(project, draft_id)
            click.echo(f"Enjeu écarté : {drafts[draft_id].title}")
        try:
            save_project(project, projet)
        except ProjectFileError as error:
            report_file_error(error, f"Impossible d'enregistrer « {projet} »")
            raise click.exceptions.Exit(EXIT_FAILED) from None
        return
    if not drafts:
        click.echo("Aucun enjeu à proposer : pas de tension, ou enjeux déjà retenus ou écartés.")
        return
    for draft in drafts.values():
        click.echo(f"{draft.title}  [{draft.id}]")
        click.echo(f"  Communes : {', '.join(draft.communes)}")
        click.echo(f"  Preuves chiffrées : {len(draft.evidence)}")


@diagnostic.command("synthese", cls=FrenchCommand)
@click.argument("projet", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "--type",
    "fmt",
    type=click.Choice(["docx", "html", "xlsx"]),
    default="docx",
    help="Format de la synthèse (docx par défaut).",
)
@click.option(
    "--output",
    "--sortie",
    "-o",
    "output",
    metavar="FICHIER",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fichier à écrire (par défaut : synthese-diagnostic.<format> à côté du projet).",
)
def summary_command(projet: Path, fmt: str, output: Path | None) -> None:
    """Écrire la synthèse du diagnostic du projet PROJET (DOCX, HTML ou XLSX)."""
    # Imported here: exports depend on the domain, never the reverse at import time.
    from exports.diagnostic_summary import (
        diagnostic_summary_docx,
        diagnostic_summary_html,
        diagnostic_summary_xlsx,
    )

    project = load_or_exit(projet)
    writer = {
        "docx": diagnostic_summary_docx,
        "html": diagnostic_summary_html,
        "xlsx": diagnostic_summary_xlsx,
    }[fmt]
    target = output or projet.with_name(f"synthese-diagnostic.{fmt}")
    try:
        atomic_write(target, writer(project))
    except ProjectFileError as error:
        report_file_error(error, f"Impossible d'écrire « {target} »")
        raise click.exceptions.Exit(EXIT_FAILED) from None
    click.echo(f"Synthèse du diagnostic écrite dans « {target} ».")


def tensions_text(report: TensionReport) -> str:
    """The tension table as French text, commune by commune."""
    lines: list[str] = []
    flagged = report.flagged()
    lines.append(f"Tensions relevées : {len(flagged)} commune(s) sur {len(report.communes)}.")
    for commune in flagged:
        lines.append("")
        lines.append(commune.label)
        for tension in commune.tensions:
            lines.append(f"  - {tension.label}")
            lines.append(f"    {tension.message}")
    quiet = [commune.label for commune in report.communes if not commune.tensions]
    if quiet:
        lines += ["", f"Sans tension relevée : {', '.join(quiet)}."]
    zones = report.insufficient_provision_zones()
    lines.append("")
    lines.append(
        "Zones où l'offre d'accueil est insuffisante (SPPE) : "
        + (", ".join(zone.label for zone in zones) if zones else "aucune")
        + "."
    )
    for note in report.notes:
        lines.append(f"Note : {note}")
    return "\n".join(lines)


def tensions_json(report: TensionReport) -> str:
    """The tensions as JSON: machine-readable keys, French labels and messages."""
    data = {
        "communes": [
            {
                "territoire": commune.territory,
                "commune": commune.label,
                "code": commune.code,
                "tensions": [
                    {
                        "type": tension.kind.value,
                        "libelle": tension.label,
                        "indicateur": tension.indicator,
                        "valeur": tension.value,
                        "annee": tension.year,
                        "reference": tension.reference,
                        "territoire_reference": tension.reference_label,
                        "seuil": tension.threshold,
                        "offre_insuffisante": tension.insufficient_provision,
                        "constat": tension.message,
                    }
                    for tension in commune.tensions
                ],
            }
            for commune in report.communes
        ],
        "zones_offre_insuffisante": [z.label for z in report.insufficient_provision_zones()],
        "notes": report.notes,
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
