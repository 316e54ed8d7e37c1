"""The follow-up of an action (annexe 6): its « Suivi » section and form, the follow-up
table page, and the exported follow-up table carrying what was typed."""

from __future__ import annotations

import html as html_module
import io
from typing import Any

from editor_helpers import (
    browser_form,
    get_page,
    open_project,
    project_url,
    second_facilitator,
    stored_project,
    submit,
    viewer_and_owner,
)
from openpyxl import load_workbook
from pages_helpers import csrf_token, field_error, parse

from exports.tracker import render_tracker
from theory_of_change.demo import demo_project
from theory_of_change.model import ActivityStatus, Observation

ACTION = "act-guichet-unique"


def _text(html: str) -> str:
    return html_module.unescape(" ".join(parse(html).text))


def _follow_up(project_id: int, action: str = ACTION) -> str:
    return project_url(project_id, "actions", action, "suivi")


def test_the_action_page_has_a_follow_up_section_with_every_year(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    text = _text(get_page(client, project_url(project_id, "actions", ACTION)))
    assert "Suivi" in text and "Mettre à jour le suivi" in text
    assert "Nombre de familles reçues au guichet" in text
    assert all(str(year) in text for year in range(2025, 2030))


def test_saving_the_follow_up_stores_numbers_by_year_with_their_comment(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    page = _follow_up(project_id)
    response = submit(client, page, changes={
        "status": "in_progress", "baseline": "0", "target": "1 200",
        "observations-2026-valeur": "350", "observations-2026-commentaire": "Ouverture en mars",
        "observations-2027-commentaire": "Mesure en cours",
    })
    assert response.status_code == 302
    activity = stored_project(app, project_id).activity(ACTION)
    assert activity.status is ActivityStatus.in_progress
    assert (activity.sheet.baseline, activity.sheet.target) == (0, 1200)
    assert activity.sheet.observations == [
        Observation(year=2026, value=350, comment="Ouverture en mars"),
        Observation(year=2027, value=None, comment="Mesure en cours"),
    ]
    html = get_page(client, page)
    assert ("Suivi de l'action « Créer un guichet unique d'information des familles » "
            "enregistré.") in _text(html)
    assert browser_form(html, page)["observations-2026-valeur"] == "350"

    emptied = submit(client, page, changes={"observations-2027-commentaire": ""})
    assert emptied.status_code == 302
    assert [o.year for o in stored_project(app, project_id).activity(ACTION).sheet.observations] \
        == [2026]


def test_a_forged_year_or_status_is_refused_in_french_keeping_what_was_typed(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    page = _follow_up(project_id)
    response = submit(client, page, changes={
        "observations-2026-valeur": "350", "observations-2040-valeur": "9",
    })
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "observations") == (
        "Un élément choisi n'existe pas (ou plus) : rechargez la page."
    )
    assert 'value="350"' in html
    status = submit(client, page, changes={"status": "fini"})
    assert status.status_code == 422
    assert field_error(status.get_data(as_text=True), "status") == "N'est pas un choix valide."
    assert stored_project(app, project_id).activity(ACTION).sheet.observations == []


def test_the_exported_follow_up_table_of_the_demo_has_the_value_in_its_year_column(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client, demo_project())
    action = "act-cadre-echanges-12-25"
    assert submit(client, _follow_up(project_id, action), changes={
        "observations-2026-valeur": "7", "observations-2026-commentaire": "Deux réunions",
    }).status_code == 302

    workbook = load_workbook(io.BytesIO(render_tracker(stored_project(app, project_id), "xlsx")))
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    headers = rows[0]
    title = stored_project(app, project_id).activity(action).title
    row = next(r for r in rows[1:] if r[headers.index("Intitulé de l'action")] == title)
    assert row[headers.index("Valeur observée 2026")] == 7
    assert row[headers.index("Valeur observée 2025")] is None
    assert row[headers.index("Valeur observée 2027")] is None
    assert "2026 : Deux réunions" in row[headers.index("Commentaire")]


def test_the_follow_up_table_page_lists_every_action_with_its_values(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    submit(client, _follow_up(project_id), changes={"observations-2027-valeur": "1 234,5"})
    html = get_page(client, project_url(project_id, "suivi"))
    text = _text(html)
    assert "Suivi des actions (annexe 6)" in text
    assert "5 actions" in text
    assert "1\u202f234,5" in text
    assert f'href="{_follow_up(project_id)}"' in html


def test_a_stale_follow_up_is_refused_then_saved_knowingly(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    other = second_facilitator(app)
    page = _follow_up(project_id)
    stale = get_page(other, page)
    assert submit(client, page, changes={"target": "500"}).status_code == 302

    data = browser_form(stale, page)
    data["observations-2026-valeur"] = "42"
    refused = other.post(page, data=data)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "Le projet a été modifié par Camille Animation" in _text(html)
    assert 'value="42"' in html and 'value="500"' in html
    assert other.post(page, data=browser_form(html, page)).status_code == 302
    sheet = stored_project(app, project_id).activity(ACTION).sheet
    assert (sheet.target, sheet.observations) == (500, [Observation(year=2026, value=42)])


def test_a_viewer_reads_the_follow_up_without_a_form_and_cannot_save_it(
    app: Any, client: Any
) -> None:
    project_id, _owner = viewer_and_owner(app, client)
    html = get_page(client, _follow_up(project_id))
    assert 'class="editor-form' not in html
    assert "Lire le suivi" in get_page(client, project_url(project_id, "actions", ACTION))
    response = client.post(_follow_up(project_id), data={
        "csrf_token": csrf_token(client), "revision": "1", "status": "done",
    })
    assert response.status_code == 403
    assert stored_project(app, project_id).activity(ACTION).status is ActivityStatus.planned
