"""The shared diagnostic's page: import the portrait, read the tensions, decide the stakes.

``/console/projets/<id>/diagnostic`` shows what was imported (per-commune tables and a bar
chart per indicator beside the department's line), the tension table with the figures
that triggered each tension, the draft stakes to accept, correct or drop, the quotes
("données chaudes") linked to stakes, the closed brainstorms whose ideas can be filed as
quotes in one click, and the summary's downloads (DOCX, HTML, XLSX).

Every change goes through one domain function of :mod:`theory_of_change.diagnostic`,
then :func:`workshops.store.projects.save_project` with the revision the page was loaded
at: a save on top of someone else's newer one is refused with a French message, and an
import that fails saves nothing (the problems are listed by row and column).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml
from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup
from wtforms import SelectChoice

from app.auth import current_user
from app.console_forms import choices
from app.diagnostic_forms import (
    DraftStakeForm,
    ImportForm,
    LinkQuoteForm,
    QuoteForm,
    RevisionForm,
)
from app.documents import attachment, current_project
from app.extensions import database
from app.permissions import Role, current_project_role, require_project_role
from exports.diagnostic_summary import (
    build_summary,
    diagnostic_summary_docx,
    diagnostic_summary_html,
    diagnostic_summary_xlsx,
    indicator_chart_svg,
)
from theory_of_change.diagnostic.drafts import (
    DraftError,
    DraftStake,
    accept_draft,
    drop_draft,
    edit_draft,
    propose_draft_stakes,
    restore_drafts,
)
from theory_of_change.diagnostic.evidence import (
    EvidenceError,
    add_quote,
    link_quote,
    remove_quote,
    unlink_quote,
)
from theory_of_change.diagnostic.importer import DiagnosticImportError, ImportReport
from theory_of_change.diagnostic.mapping import ColumnMapping, MappingError, parse_mapping
from theory_of_change.diagnostic.model import IndicatorUnit, TerritoryLevel, level_label
from theory_of_change.diagnostic.numbers import format_value
from theory_of_change.diagnostic.reading import ENCODING_LABELS
from theory_of_change.model import Project
from workshops.diagnostic_store import change_project, import_diagnostic_file
from workshops.minutes_store import FilingError, closed_brainstorms, file_brainstorm_ideas
from workshops.store.projects import RevisionConflict

bp = Blueprint("diagnostic", __name__, url_prefix="/console/projets/<int:project_id>/diagnostic")

SUMMARY_FORMATS = {
    "docx": diagnostic_summary_docx,
    "html": diagnostic_summary_html,
    "xlsx": diagnostic_summary_xlsx,
}
NO_THEME = ""

_SVG_STYLE = re.compile(r'(<svg\b[^>]*?)\sstyle="[^"]*"')


class _Refused(Exception):
    """A change the domain refused; ``message`` is French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"figure": _figure, "level_commune": TerritoryLevel.commune}


def _figure(value: int | float | None, unit: IndicatorUnit | str) -> str:
    """A figure as the page writes it (``41 %``, ``16 130``, ``n.d.`` when unknown)."""
    return format_value(value, unit == IndicatorUnit.percent)


def inline_chart(svg: str) -> Markup:
    """An SVG chart ready to sit in the page: its ``style`` attribute is dropped, since
    the Content-Security-Policy refuses inline style (the page's style sheet sizes it)."""
    # The SVG is built by exports.diagnostic_summary, which escapes every text it holds.
    return Markup(_SVG_STYLE.sub(r"\1", svg, count=1))


def _can_edit() -> bool:
    role = current_project_role()
    return role is not None and role.allows(Role.editor)


def _theme_choices(project: Project) -> list[SelectChoice]:
    return choices(
        [(NO_THEME, _("Aucune"))] + [(theme.id, theme.label) for theme in project.themes]
    )


def _stake_choices(project: Project) -> list[SelectChoice]:
    return choices((stake.id, stake.title) for stake in project.stakes)


def _page_url(project_id: int, anchor: str = "") -> str:
    return url_for("diagnostic.index", project_id=project_id) + (f"#{anchor}" if anchor else "")


# --- The page ---------------------------------------------------------------------------------


def _render_page(
    project_id: int,
    *,
    import_form: ImportForm | None = None,
    quote_form: QuoteForm | None = None,
    import_problems: list[str] | None = None,
    import_file_name: str = "",
    status: int = 200,
) -> tuple[str, int]:
    current = current_project(project_id)
    project = current.project
    summary = build_summary(project)
    with database.read_session() as db:
        brainstorms = closed_brainstorms(db, project_id)
    import_form = import_form or ImportForm(formdata=None, revision=current.revision)
    quote_form = quote_form or QuoteForm(formdata=None, revision=current.revision)
    quote_form.theme.choices = _theme_choices(project)
    quote_form.stakes.choices = _stake_choices(project)
    charts = []
    for indicator in summary.percent_indicators():
        svg = indicator_chart_svg(project.diagnostic, indicator.id)
        if svg is not None:
            charts.append((indicator, inline_chart(svg)))
    flagged = {(t.territory, t.indicator) for t in summary.report.tensions()}
    page = render_template(
        "diagnostic/index.html",
        project_id=project_id,
        project=project,
        revision=current.revision,
        summary=summary,
        charts=charts,
        flagged=flagged,
        stakes={stake.id: stake for stake in project.stakes},
        themes={theme.id: theme.label for theme in project.themes},
        units={i.label: i.unit for i in project.diagnostic.indicators},
        brainstorms=brainstorms,
        import_form=import_form,
        import_problems=import_problems or [],
        import_file_name=import_file_name,
        quote_form=quote_form,
        can_edit=_can_edit(),
    )
    return page, status


@bp.get("/")
@require_project_role(Role.viewer)
def index(project_id: int) -> tuple[str, int]:
    """The diagnostic: figures, charts, tensions, draft stakes, quotes, downloads."""
    return _render_page(project_id)


# --- Saving a change --------------------------------------------------------------------------


def _apply(
    project_id: int, change: Callable[[Project], Project], note: str
) -> str | None:
    """Apply ``change`` to the project at the form's revision and save it; the French
    reason when the form, the domain or a newer revision refuses it (nothing saved)."""
    form = RevisionForm()
    if not form.validate_on_submit():
        return _("Le formulaire a expiré ou est incomplet : rechargez la page et recommencez.")
    user = current_user()
    try:
        with database.session() as db:
            change_project(
                db,
                project_id,
                change,
                note=note,
                author=user.name if user else None,
                expected_revision=form.revision_number(),
            )
    except RevisionConflict as conflict:
        return _("%(conflict)s Les informations ci-dessous sont à jour : recommencez si besoin.",
                 conflict=conflict)
    except _Refused as refused:
        return refused.message
    except (DraftError, EvidenceError) as error:
        return _sentence(str(error))
    return None


def _done(project_id: int, problem: str | None, success: str, anchor: str) -> Response:
    if problem is None:
        flash(success, "success")
    else:
        flash(problem, "error")
    return redirect(_page_url(project_id, anchor))


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


# --- Import -----------------------------------------------------------------------------------


@bp.post("/importer")
@require_project_role(Role.editor)
def import_file(project_id: int) -> tuple[str, int]:
    """Import a portrait or open-data file: the report, or every problem and nothing saved."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _render_page(project_id, import_form=form, status=422)
    upload = form.file.data
    file_name = (upload.filename or "fichier").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    data = upload.read()
    user = current_user()
    try:
        mapping = _mapping(form)
        with database.session() as db:
            outcome = import_diagnostic_file(
                db,
                project_id,
                data,
                file_name,
                sheet=(form.sheet.data or "").strip() or None,
                mapping=mapping,
                replace=form.replace.data,
                author=user.name if user else None,
                expected_revision=form.revision_number(),
            )
    except DiagnosticImportError as error:
        return _render_page(project_id, import_form=form, import_problems=error.problems,
                            import_file_name=error.file_name, status=422)
    except MappingError as error:
        form.mapping.errors = [str(error)]
        return _render_page(project_id, import_form=form, status=422)
    except RevisionConflict as conflict:
        flash(_("%(conflict)s Importez le fichier à nouveau.", conflict=conflict), "error")
        return _render_page(project_id, status=409)
    report = outcome.report
    return render_template(
        "diagnostic/imported.html",
        project_id=project_id,
        project=outcome.project,
        revision=outcome.revision,
        report=report,
        encoding_label=ENCODING_LABELS.get(report.encoding or "", report.encoding),
        level_labels=_level_counts(report),
    ), 200


def _mapping(form: ImportForm) -> ColumnMapping | None:
    upload = form.mapping.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    name = upload.filename.rsplit("/", 1)[-1]
    try:
        data = yaml.safe_load(upload.read().decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise MappingError(_(
            "La correspondance « %(name)s » n'est pas un fichier YAML valide (UTF-8) : %(error)s",
            name=name, error=error,
        )) from error
    return parse_mapping(data if data is not None else {}, name)


def _level_counts(report: ImportReport) -> list[str]:
    labels = []
    for level, count in report.rows_per_level.items():
        noun = level_label(level)
        if count > 1 and level in (TerritoryLevel.commune, TerritoryLevel.department,
                                   TerritoryLevel.region):
            noun += "s"
        labels.append(f"{count} {noun}")
    return labels


# --- Draft stakes -----------------------------------------------------------------------------


def _draft(project: Project, draft_id: str) -> DraftStake:
    for draft in propose_draft_stakes(project):
        if draft.id == draft_id:
            return draft
    raise _Refused(_(
        "Cet enjeu proposé n'est plus à décider (déjà accepté ou écarté, ou les chiffres "
        "ont changé)."
    ))


@bp.post("/enjeux-proposes/<draft_id>/accepter")
@require_project_role(Role.editor)
def accept(project_id: int, draft_id: str) -> Response:
    """Add the draft stake as proposed, with its evidence."""
    problem = _apply(
        project_id,
        lambda project: accept_draft(project, _draft(project, draft_id)),
        "Enjeu proposé par le diagnostic accepté",
    )
    return _done(project_id, problem, _("Enjeu ajouté au projet, avec ses chiffres en preuve. "
                 "Reliez-le maintenant aux changements qui y répondent."), "enjeux-proposes")


@bp.route("/enjeux-proposes/<draft_id>", methods=["GET", "POST"])
@require_project_role(Role.editor)
def edit(project_id: int, draft_id: str) -> str | Response | tuple[str, int]:
    """Correct a draft stake's title, description or theme, then accept it."""
    current = current_project(project_id)
    try:
        draft = _draft(current.project, draft_id)
    except _Refused as refused:
        flash(refused.message, "error")
        return redirect(_page_url(project_id, "enjeux-proposes"))
    form = DraftStakeForm(
        revision=current.revision,
        title=draft.title,
        description=draft.description,
        theme=draft.theme or NO_THEME,
    )
    form.theme.choices = _theme_choices(current.project)
    if form.validate_on_submit():
        def accept_edited(project: Project) -> Project:
            edited = edit_draft(
                _draft(project, draft_id),
                title=form.title.data,
                description=form.description.data or "",
                theme=form.theme.data or None,
                clear_theme=not form.theme.data,
            )
            return accept_draft(project, edited)

        problem = _apply(project_id, accept_edited, "Enjeu proposé par le diagnostic, modifié "
                         "puis accepté")
        if problem is None:
            return _done(project_id, None, _("Enjeu modifié et ajouté au projet, avec ses "
                         "chiffres en preuve."), "enjeux-proposes")
        flash(problem, "error")
    return render_template(
        "diagnostic/draft.html",
        project_id=project_id,
        project=current.project,
        draft=draft,
        units={i.label: i.unit for i in current.project.diagnostic.indicators},
        form=form,
    ), (422 if form.errors else 200)


@bp.post("/enjeux-proposes/<draft_id>/ecarter")
@require_project_role(Role.editor)
def drop(project_id: int, draft_id: str) -> Response:
    """Drop a draft stake: it is no longer proposed."""
    problem = _apply(
        project_id,
        lambda project: drop_draft(project, _draft(project, draft_id).id),
        "Enjeu proposé par le diagnostic écarté",
    )
    return _done(project_id, problem, _("Enjeu proposé écarté : il ne sera plus proposé."),
                 "enjeux-proposes")


@bp.post("/enjeux-proposes/reproposer")
@require_project_role(Role.editor)
def restore(project_id: int) -> Response:
    """Propose again every draft stake that was dropped."""
    problem = _apply(project_id, restore_drafts, "Enjeux écartés proposés à nouveau")
    return _done(project_id, problem, _("Les enjeux écartés sont de nouveau proposés."),
                 "enjeux-proposes")


# --- Quotes -----------------------------------------------------------------------------------


@bp.post("/citations")
@require_project_role(Role.editor)
def add(project_id: int) -> tuple[str, int] | Response:
    """Record a quote (group, workshop, theme) and link it to the stakes ticked."""
    project = current_project(project_id).project
    form = QuoteForm()
    form.theme.choices = _theme_choices(project)
    form.stakes.choices = _stake_choices(project)
    if not form.validate_on_submit():
        return _render_page(project_id, quote_form=form, status=422)
    problem = _apply(
        project_id,
        lambda project: add_quote(
            project,
            form.quote.data,
            group=form.group.data or None,
            workshop=form.workshop.data or None,
            theme=form.theme.data or None,
            stakes=form.stakes.data or [],
        ),
        "Citation ajoutée au diagnostic",
    )
    return _done(project_id, problem, _("Citation ajoutée au diagnostic."), "citations")


@bp.post("/citations/<quote_id>/relier")
@require_project_role(Role.editor)
def link(project_id: int, quote_id: str) -> Response:
    """Link a quote to one more stake (it joins the stake's evidence)."""
    project = current_project(project_id).project
    form = LinkQuoteForm()
    form.stake.choices = _stake_choices(project)
    if not form.validate_on_submit():
        return _done(project_id, _("Choisissez l'enjeu à relier à la citation."), "",
                     "citations")
    problem = _apply(
        project_id,
        lambda project: link_quote(project, quote_id, form.stake.data),
        "Citation reliée à un enjeu",
    )
    return _done(project_id, problem, _("Citation reliée à l'enjeu."), "citations")


@bp.post("/citations/<quote_id>/delier/<stake_id>")
@require_project_role(Role.editor)
def unlink(project_id: int, quote_id: str, stake_id: str) -> Response:
    """Unlink a quote from a stake (it leaves the stake's evidence)."""
    problem = _apply(
        project_id,
        lambda project: unlink_quote(project, quote_id, stake_id),
        "Citation déliée d'un enjeu",
    )
    return _done(project_id, problem, _("La citation n'étaye plus cet enjeu."), "citations")


@bp.post("/citations/<quote_id>/supprimer")
@require_project_role(Role.editor)
def remove(project_id: int, quote_id: str) -> Response:
    """Delete a quote (unlinked from its stakes first)."""
    problem = _apply(
        project_id,
        lambda project: remove_quote(project, quote_id),
        "Citation supprimée du diagnostic",
    )
    return _done(project_id, problem, _("Citation supprimée."), "citations")


@bp.post("/ateliers/<int:workshop_id>/etapes/<step_id>/citations")
@require_project_role(Role.editor)
def file_ideas(project_id: int, workshop_id: int, step_id: str) -> Response:
    """File every idea of a closed brainstorm as a quote, in one click."""
    form = RevisionForm()
    if not form.validate_on_submit():
        return _done(project_id, _("Le formulaire a expiré ou est incomplet : rechargez la "
                                   "page et recommencez."), "", "citations")
    user = current_user()
    try:
        with database.session() as db:
            filed = file_brainstorm_ideas(
                db,
                project_id,
                workshop_id,
                step_id,
                author=user.name if user else None,
                expected_revision=form.revision_number(),
            )
    except FilingError as error:
        return _done(project_id, str(error), "", "citations")
    except RevisionConflict as conflict:
        return _done(project_id, _("%(conflict)s Recommencez si besoin.", conflict=conflict),
                     "", "citations")
    if not filed.added:
        message = _("Aucune nouvelle idée à ranger : elles sont déjà toutes dans les citations.")
    else:
        count = len(filed.added)
        message = ngettext("%(num)d idée rangée en citations.",
                           "%(num)d idées rangées en citations.", count)
        if filed.skipped:
            message += " " + ngettext("%(num)d déjà rangée auparavant.",
                                      "%(num)d déjà rangées auparavant.", filed.skipped)
    return _done(project_id, None, message, "citations")


# --- Downloads --------------------------------------------------------------------------------


@bp.get("/synthese.<fmt>")
@require_project_role(Role.viewer)
def summary(project_id: int, fmt: str) -> Response:
    """The diagnostic summary in DOCX, self-contained HTML or XLSX."""
    render = SUMMARY_FORMATS.get(fmt)
    if render is None:
        abort(404)
    current = current_project(project_id)
    return attachment(render(current.project), f"diagnostic-partage-{current.stem}.{fmt}")
