"""The projects: the list, creating one, importing a project file, exporting one as YAML.

A new project gets the four mandatory themes and the two recommended ones, and the
seed's renewal calendar; its creator becomes its owner. An imported file is checked as
a whole first: a bad one is listed problem by problem, with its line, and nothing is
saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from pydantic import ValidationError
from werkzeug.datastructures import FileStorage

from app.auth import current_user
from app.extensions import database
from app.history import author_name
from app.permissions import Role, require_project_role
from theory_of_change.checks import Severity, run_checks
from theory_of_change.file_errors import FileProblem, ProjectFileError, validation_problems
from theory_of_change.files import loads_project
from theory_of_change.model import Project
from theory_of_change.slugs import unique_slug
from workshops.store.members import project_role, projects_of_user
from workshops.store.projects import (
    RevisionConflict,
    export_project_yaml,
    find_project,
    get_project_row,
    list_projects,
    save_project,
)
from workshops.store.schema import ProjectRow

from . import bp
from .project_forms import ImportForm, NewProjectForm

MAX_PROJECT_FILE_BYTES = 5 * 1024 * 1024
PROJECT_FILE_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}

# Which field of the creation form shows a problem the model finds at a path.
_NEW_PROJECT_FIELDS = {
    "title": "title",
    "territory.name": "territory_name",
    "territory.kind": "territory_kind",
    "territory.department": "department",
    "territory.population": "population",
    "convention.start_year": "start_year",
    "convention.end_year": "end_year",
    "convention": "end_year",
}


@dataclass(frozen=True)
class ProjectCard:
    """A project in the list: its row, the user's role and its errors count."""

    row: ProjectRow
    role: Role
    territory: str
    years: str
    errors: int


@bp.get("/")
def index() -> str:
    """The projects the user may open, with their territory, version and errors."""
    user = current_user()
    assert user is not None  # the blueprint requires a log-in
    cards: list[ProjectCard] = []
    with database.read_session() as db:
        for row, role in projects_of_user(db, user.id):
            project = Project.model_validate(row.body)
            errors = sum(1 for f in run_checks(project) if f.severity is Severity.error)
            cards.append(ProjectCard(
                row, role, project.territory.name,
                f"{project.convention.start_year}–{project.convention.end_year}", errors,
            ))
    return render_template("editor/index.html", cards=cards)


@bp.route("/nouveau", methods=["GET", "POST"])
def new_project() -> str | Response | tuple[str, int]:
    """Create a project: title, territory and convention period; its creator owns it."""
    form = NewProjectForm()
    form.setup()
    if form.validate_on_submit():
        user = current_user()
        assert user is not None
        with database.read_session() as db:
            taken = {row.slug for row in list_projects(db)}
        data = {
            "id": unique_slug(form.title.data, taken),
            "title": form.title.data,
            "territory": {
                "name": form.territory_name.data,
                "kind": form.territory_kind.data,
                "department": form.department.data.strip() or None,
                "population": _number(form.population.data),
            },
            "convention": {"start_year": form.start_year.data, "end_year": form.end_year.data},
        }
        try:
            project = Project.model_validate(data)
        except ValidationError as error:
            _attach_problems(form, validation_problems(error, data))
        else:
            try:
                with database.session() as db:
                    save_project(db, project, author=author_name(), note="Création",
                                 expected_revision=0, owner_id=user.id)
                    row = find_project(db, project.id)
                    assert row is not None
                    project_id = row.id
            except RevisionConflict:
                form.title.errors = [*form.title.errors, _("Un projet vient d'être créé avec ce "
                                                           "titre : choisissez-en un autre.")]
            else:
                flash(_("Projet « %(title)s » créé. Commencez par ses enjeux.",
                        title=project.title), "success")
                return redirect(url_for("editor.overview", project_id=project_id))
        return render_template("editor/new_project.html", form=form), 422
    status = 422 if form.is_submitted() else 200
    return render_template("editor/new_project.html", form=form), status


def _number(text: str | None) -> Any:
    cleaned = "".join((text or "").split()).replace(",", ".")
    if not cleaned:
        return None
    return cleaned


def _attach_problems(form: NewProjectForm, problems: list[FileProblem]) -> None:
    for problem in problems:
        name = _NEW_PROJECT_FIELDS.get(problem.path)
        message = problem.reason[:1].upper() + problem.reason[1:]
        if name is not None:
            form[name].errors = [*form[name].errors, message]
        else:
            form.form_errors.append(str(problem))


@dataclass(frozen=True)
class ImportRefusal:
    """Why a file was not imported: its name and the French problems, by line."""

    file_name: str
    problems: list[FileProblem]


@bp.route("/importer", methods=["GET", "POST"])
def import_project() -> str | Response | tuple[str, int]:
    """Import a project file (YAML or JSON); a bad file is explained and nothing is saved."""
    form = ImportForm()
    refusal: ImportRefusal | None = None
    if form.validate_on_submit():
        upload: FileStorage | None = form.file.data
        outcome = _read_upload(upload)
        if isinstance(outcome, ImportRefusal):
            refusal = outcome
        elif isinstance(outcome, str):
            form.file.errors = [*form.file.errors, outcome]
        else:
            project, file_name = outcome
            saved = _save_import(form, project, file_name)
            if saved is not None:
                return saved
        return render_template("editor/import.html", form=form, refusal=refusal), 422
    status = 422 if form.is_submitted() else 200
    return render_template("editor/import.html", form=form, refusal=refusal), status


def _read_upload(upload: FileStorage | None) -> ImportRefusal | str | tuple[Project, str]:
    """The project in the uploaded file, or why not (a message, or the file's problems)."""
    if upload is None or not upload.filename:
        return _("Choisissez le fichier du projet à importer.")
    file_name = PurePath(upload.filename).name
    fmt = PROJECT_FILE_FORMATS.get(PurePath(file_name).suffix.lower())
    if fmt is None:
        return _("« %(name)s » n'est pas un fichier de projet : choisissez un fichier "
                 ".yaml, .yml ou .json.", name=file_name)
    raw = upload.stream.read(MAX_PROJECT_FILE_BYTES + 1)
    if len(raw) > MAX_PROJECT_FILE_BYTES:
        return _("Ce fichier dépasse 5 Mo : ce n'est sans doute pas un fichier de projet.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _("« %(name)s » n'est pas enregistré en UTF-8 : réenregistrez-le en UTF-8 "
                 "depuis votre éditeur de texte.", name=file_name)
    try:
        return loads_project(text, fmt, source=file_name), file_name  # type: ignore[arg-type]
    except ProjectFileError as error:
        return ImportRefusal(file_name, error.problems)


def _save_import(form: ImportForm, project: Project, file_name: str) -> Response | None:
    user = current_user()
    assert user is not None
    with database.session() as db:
        existing = find_project(db, project.id)
        if existing is not None:
            role = project_role(db, existing.id, user.id)
            if not form.replace.data:
                form.replace.errors = [
                    *form.replace.errors,
                    _("Le projet « %(title)s » porte déjà l'identifiant « %(id)s ». Cochez cette "
                      "case pour que le fichier en devienne la nouvelle version.",
                      title=existing.title, id=project.id),
                ]
                return None
            if role is None or not role.allows(Role.editor):
                form.replace.errors = [
                    *form.replace.errors,
                    _("Vous ne pouvez pas modifier le projet « %(title)s » : demandez à l'une "
                      "des personnes propriétaires de vous en donner le rôle d'éditeur·rice.",
                      title=existing.title),
                ]
                return None
        save_project(db, project, author=author_name(), note=f"Import de {file_name}",
                     owner_id=user.id)
        row = find_project(db, project.id)
        assert row is not None
        project_id = row.id
    flash(_("Projet « %(title)s » importé depuis « %(name)s ».", title=project.title,
            name=file_name), "success")
    return redirect(url_for("editor.overview", project_id=project_id))


@bp.get("/<int:project_id>/projet.yaml")
@require_project_role(Role.editor)
def export_yaml(project_id: int) -> Response:
    """Download the current version of the project as a YAML file (viewers too)."""
    with database.read_session() as db:
        text = export_project_yaml(db, project_id)
        slug = get_project_row(db, project_id).slug
    return Response(
        text,
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{slug}.yaml"'},
    )
