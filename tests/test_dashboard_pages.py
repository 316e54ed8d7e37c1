"""« Où en sommes-nous ? »: the calendar at a date, editing it (as saves), the funding helper."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pages_helpers import csrf_token, field_error, log_in, seed_project

from theory_of_change.calendar import MilestoneStatus
from workshops.store import load_project, revision_history


@pytest.fixture
def facilitator(app: Flask, client: FlaskClient) -> FlaskClient:
    """The test client, logged in."""
    log_in(client, app)
    return client


@pytest.fixture
def project_id(app: Flask) -> int:
    """The test project, with the Caf's default calendar."""
    return seed_project(app)


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def _dashboard(project_id: int) -> str:
    return f"/console/projets/{project_id}/tableau-de-bord/"


def test_the_dashboard_says_where_the_project_stands_on_the_date_asked(
    facilitator: FlaskClient, project_id: int
) -> None:
    page = facilitator.get(f"{_dashboard(project_id)}?date=2026-11-15")
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    assert "Situation au 15 novembre 2026" in text
    assert ("Étape en cours : « Déclinaison des fiches actions notamment pour les projets "
            "phares et les actions nouvelles » (octobre à décembre 2026).") in text
    assert ("En retard : « Élaboration du diagnostic de la future CTG » devait être terminée "
            "fin mars 2026.") in text
    assert "Prochaine étape : « Écriture puis finalisation de la CTG », en décembre 2026." in text
    assert "1 en cours 5 en retard 0 terminée 3 à venir" in text
    # The calendar, in date order, from the information meeting to the councils' votes.
    assert text.index("3 juin 2025") < text.index("juillet à octobre 2025") < text.index(
        "mars 2027")
    assert "Validation par les conseils communaux et communautaires" in text


def test_a_step_marked_done_is_no_longer_late(
    app: Flask, facilitator: FlaskClient, project_id: int
) -> None:
    url = _dashboard(project_id)
    response = facilitator.post(
        f"{url}jalons/jalon-diagnostic/statut",
        data={"csrf_token": csrf_token(facilitator, url), "revision": "1", "status": "done"},
    )
    assert response.status_code == 302
    text = _text(facilitator.get(f"{url}?date=2026-11-15").get_data(as_text=True))
    assert "État de l'étape enregistré : terminée." in text
    assert "En retard : « Élaboration du diagnostic" not in text
    assert "1 en cours 4 en retard 1 terminée 3 à venir" in text

    from app.extensions import database

    with app.app_context(), database.read_session() as db:
        milestones = {m.id: m for m in load_project(db, project_id).milestones}
        history = revision_history(db, project_id)
    assert milestones["jalon-diagnostic"].status is MilestoneStatus.done
    assert history[0].revision == 2 and history[0].author == "Camille Animation"
    assert history[0].note == "Calendrier de renouvellement"
    assert "Étape du calendrier « Élaboration du diagnostic de la future CTG » (état)" == (
        history[0].summary
    )


def test_two_facilitators_changing_the_calendar_from_the_same_page_do_not_overwrite(
    app: Flask, facilitator: FlaskClient, project_id: int
) -> None:
    url = _dashboard(project_id)
    token = csrf_token(facilitator, url)
    first = facilitator.post(f"{url}jalons/jalon-diagnostic/statut",
                             data={"csrf_token": token, "revision": "1", "status": "done"})
    assert first.status_code == 302
    second = facilitator.post(f"{url}jalons/jalon-diagnostic/statut",
                              data={"csrf_token": token, "revision": "1", "status": "late"})
    assert second.status_code == 409
    text = _text(second.get_data(as_text=True))
    assert "Enregistrement refusé. Le projet a été modifié par Camille Animation" in text
    assert "Étape du calendrier « Élaboration du diagnostic de la future CTG »" in text
    assert "État à venir terminée" in text  # the other's change, before → after
    body = second.get_data(as_text=True)
    assert 'name="revision" value="2"' in body  # saving again starts from their version

    from app.extensions import database

    with app.app_context(), database.read_session() as db:
        milestone = next(m for m in load_project(db, project_id).milestones
                         if m.id == "jalon-diagnostic")
    assert milestone.status is MilestoneStatus.done


def test_adding_and_editing_a_step_of_the_calendar(
    app: Flask, facilitator: FlaskClient, project_id: int
) -> None:
    new = f"{_dashboard(project_id)}jalons/nouveau"
    response = facilitator.post(new, data={
        "csrf_token": csrf_token(facilitator, new), "revision": "1",
        "title": "Comité de pilotage de mi-parcours", "start": "2026-09-15",
        "end": "2026-09-15", "status": "planned",
    })
    assert response.status_code == 302
    page = _text(facilitator.get(f"{_dashboard(project_id)}?date=2026-09-01").get_data(
        as_text=True))
    assert "Prochaine étape : « Comité de pilotage de mi-parcours », le 15 septembre 2026." in page

    edit = f"{_dashboard(project_id)}jalons/jalon-validation-caf"
    form = facilitator.get(edit).get_data(as_text=True)
    assert 'value="Validation par la Caf"' in form and 'value="2027-02-01"' in form
    response = facilitator.post(edit, data={
        "csrf_token": csrf_token(facilitator, edit), "revision": "2",
        "title": "Validation par le conseil d'administration de la Caf", "start": "2027-02-01",
        "end": "2027-03-31", "status": "planned",
    })
    assert response.status_code == 302

    from app.extensions import database

    with app.app_context(), database.read_session() as db:
        project = load_project(db, project_id)
    titles = [m.title for m in project.milestones]
    assert "Comité de pilotage de mi-parcours" in titles
    assert "Validation par le conseil d'administration de la Caf" in titles
    assert len(titles) == 10


def test_a_step_ending_before_it_starts_is_refused_next_to_the_end_date(
    facilitator: FlaskClient, project_id: int
) -> None:
    edit = f"{_dashboard(project_id)}jalons/jalon-diagnostic"
    response = facilitator.post(edit, data={
        "csrf_token": csrf_token(facilitator, edit), "revision": "1",
        "title": "Diagnostic", "start": "2026-05-01", "end": "2026-04-01", "status": "planned",
    })
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert field_error(body, "end") == "La date de fin précède la date de début."
    bad_date = facilitator.post(edit, data={
        "csrf_token": csrf_token(facilitator, edit), "revision": "1",
        "title": "Diagnostic", "start": "2026-13-45", "end": "2026-04-01", "status": "planned",
    })
    assert field_error(bad_date.get_data(as_text=True), "start") == (
        "Date illisible : utilisez le format jj/mm/aaaa."
    )


def test_an_unreadable_date_of_situation_is_explained_in_french(
    facilitator: FlaskClient, project_id: int
) -> None:
    response = facilitator.get(f"{_dashboard(project_id)}?date=hier")
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "date") == (
        "Date illisible : utilisez le format jj/mm/aaaa."
    )


def test_the_funding_helper_applies_the_cafs_rules_with_the_explanation(
    facilitator: FlaskClient, project_id: int
) -> None:
    page = facilitator.get(
        f"{_dashboard(project_id)}?diagnostic=18000&ingenierie-2025=10+000"
        "&ingenierie-2026=60000&ingenierie-2027="
    )
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True)).replace("\u202f", " ").replace("\u00a0", " ")
    assert ("Diagnostic : 7 500 € — 50 % de 18 000 € = 9 000 €, plafonné à 7 500 €.") in text
    assert "2025 10 000 € 5 000 € 2025 : 50 % de 10 000 € = 5 000 €" in text
    assert ("2026 60 000 € 24 000 € 2026 : 50 % de 60 000 € = 30 000 €, plafonné à 24 000 €"
            in text)
    assert "Total 70 000 € 29 000 €" in text
    assert "2027 " not in text.split("Ingénierie Année")[1]  # an empty year is left out


def test_a_cost_the_helper_cannot_read_is_refused_next_to_its_field(
    facilitator: FlaskClient, project_id: int
) -> None:
    page = facilitator.get(f"{_dashboard(project_id)}?diagnostic=-5&ingenierie-2026=beaucoup")
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert "ne peut pas être négatif" in (field_error(body, "cout-diagnostic") or "")
    assert "« beaucoup »" in html.unescape(field_error(body, "cout-ingenierie-2026") or "")
    assert 'value="beaucoup"' in body  # what was typed stays in the field
