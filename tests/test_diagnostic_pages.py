"""The diagnostic page: import the portrait, read figures, charts and tensions, decide stakes.

Real app, real SQLite file, CSRF on: every form is posted with the token and the revision
the page shows, as a browser without JavaScript would.
"""

from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET
from typing import Any

import docx
import openpyxl
import pytest
from closed_workshops import BRAINSTORM_ID, IDEAS, run_workshop, theme_brainstorm
from factories import SEED_PORTRAIT, make_diagnostic_project, make_project
from pages_helpers import (
    create_facilitator,
    csrf_token,
    join,
    log_in,
    parse,
    post_idea,
    seed_project,
    seed_workshop,
)

from theory_of_change.model import QualitativeEvidence, QuantitativeEvidence
from workshops.store.members import Role, add_member

MALFORMED = (
    "niveau;territoire;taux de couverture petite enfance\n"
    "commune;PORNIC;76 %\n"
    "commune;CHAUVE;abc\n"
    "département;LOIRE ATLANTIQUE;76 %\n"
).encode()


@pytest.fixture
def facilitator(app: Any, client: Any) -> Any:
    log_in(client, app)
    return client


def page_of(project_id: int) -> str:
    return f"/console/projets/{project_id}/diagnostic/"


def stored(app: Any, project_id: int) -> Any:
    """The project and its revision as saved now."""
    from app.extensions import database
    from workshops.store.projects import get_project_row, load_project

    with app.app_context(), database.read_session() as db:
        return load_project(db, project_id), get_project_row(db, project_id).revision


def text_of(page: str) -> str:
    # Collapses the markup's spaces, not the no-break spaces of French figures.
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(" ".join(parse(page).text)))


def submit(client: Any, project_id: int, action: str, data: dict[str, Any] | None = None,
           revision: int | None = None, **kwargs: Any) -> Any:
    """POST a form of the page with its CSRF token and the revision the page shows."""
    if revision is None:
        page = client.get(page_of(project_id)).get_data(as_text=True)
        shown = re.search(r'name="revision"[^>]*value="(\d+)"', page)
        assert shown is not None
        revision = int(shown.group(1))
    fields = {
        "csrf_token": csrf_token(client, page_of(project_id)),
        "revision": str(revision),
        **(data or {}),
    }
    return client.post(f"/console/projets/{project_id}/diagnostic/{action}", data=fields,
                       **kwargs)


def upload(client: Any, project_id: int, data: bytes, name: str, **fields: Any) -> Any:
    return submit(client, project_id, "importer",
                  {"file": (io.BytesIO(data), name), **fields},
                  content_type="multipart/form-data")


# --- Import -----------------------------------------------------------------------------------


def test_importing_the_seed_portrait_reports_what_was_recognised_and_saves_it(
    app: Any, facilitator: Any
) -> None:
    project_id = seed_project(app, make_project())
    response = upload(facilitator, project_id, SEED_PORTRAIT.read_bytes(),
                      "portrait-pornic-petite-enfance.csv")
    assert response.status_code == 200
    report = text_of(response.get_data(as_text=True))
    assert "« portrait-pornic-petite-enfance.csv » est importé : 17 territoires " \
           "(15 communes, 1 EPCI, 1 département)" in report
    assert "« taux de couverture petite enfance » Taux de couverture petite enfance " \
           "pourcentage" in report
    assert "séparateur « ; »" in report
    project, revision = stored(app, project_id)
    assert revision == 2
    assert project.diagnostic.sources[0].file_name == "portrait-pornic-petite-enfance.csv"
    assert len(project.diagnostic.figures) == 17


def test_the_page_shows_les_moutiers_at_41_percent_and_its_tension(
    app: Any, facilitator: Any
) -> None:
    project_id = seed_project(app, make_project())
    upload(facilitator, project_id, SEED_PORTRAIT.read_bytes(), "portrait.csv")
    page = facilitator.get(page_of(project_id)).get_data(as_text=True)
    row = re.search(r"<tr[^>]*>\s*<th scope=\"row\">Les Moutiers-en-Retz.*?</tr>", page, re.S)
    assert row is not None
    assert 'class="num tension">41\u00a0%' in row.group(0)
    text = text_of(page)
    assert "Zones où l'offre d'accueil est insuffisante (SPPE) :" in text
    # The portrait alone gives the department at 76 % (the synthesis table: 76,2 %).
    assert ("Les Moutiers-en-Retz : taux de couverture petite enfance de 41\u00a0%, "
            "35\u00a0points sous Loire-Atlantique (76\u00a0%)") in text
    # Préfailles at 259 % is never an insufficient provision.
    tensions = re.search(r'<table class="data tensions">.*?</table>', page, re.S)
    assert tensions is not None
    assert "Préfailles : taux de couverture" not in html.unescape(tensions.group(0))


def test_each_percentage_indicator_has_an_inline_svg_chart_with_the_reference_line(
    app: Any, facilitator: Any
) -> None:
    project_id = seed_project(app, make_diagnostic_project())
    page = facilitator.get(page_of(project_id)).get_data(as_text=True)
    charts = re.findall(r'<figure class="chart" id="graphique-([^"]+)">\s*(<svg.*?</svg>)',
                        page, re.S)
    assert [name for name, _ in charts] == [
        "evolution-enfants-0-2-ans",
        "part-assmat-60-ans-et-plus",
        "part-enfants-parents-actifs",
        "taux-couverture",
    ]
    coverage = ET.fromstring(dict(charts)["taux-couverture"])
    assert coverage.get("style") is None  # the CSP refuses inline style
    svg = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in coverage.iter(f"{svg}text")]
    assert "Les Moutiers-en-Retz" in texts and "41\u00a0%" in texts
    assert "Loire-Atlantique : 76\u00a0%" in texts
    assert coverage.find(f"{svg}line") is not None
    assert "<script" not in page


def test_a_malformed_file_shows_the_french_problem_by_row_and_column_and_saves_nothing(
    app: Any, facilitator: Any
) -> None:
    project_id = seed_project(app, make_project())
    response = upload(facilitator, project_id, MALFORMED, "casse.csv")
    assert response.status_code == 422
    text = text_of(response.get_data(as_text=True))
    assert "Import de « casse.csv » impossible : rien n'a été importé." in text
    assert ("ligne 3, colonne « taux de couverture petite enfance » : « abc » n'est pas un "
            "nombre") in text
    project, revision = stored(app, project_id)
    assert revision == 1
    assert project.diagnostic.figures == [] and project.diagnostic.sources == []


def test_an_import_without_a_file_asks_for_one(app: Any, facilitator: Any) -> None:
    project_id = seed_project(app, make_project())
    response = submit(facilitator, project_id, "importer", {},
                      content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choisissez le fichier du portrait" in text_of(response.get_data(as_text=True))
    assert stored(app, project_id)[1] == 1


def test_an_import_on_top_of_a_newer_revision_is_refused(app: Any, facilitator: Any) -> None:
    project_id = seed_project(app, make_project())
    seed_project(app, make_project(title="CTG du Test, version revue"))  # someone else saves
    response = submit(facilitator, project_id, "importer",
                      {"file": (io.BytesIO(SEED_PORTRAIT.read_bytes()), "portrait.csv")},
                      revision=1, content_type="multipart/form-data")
    assert response.status_code == 409
    assert "Le projet a été modifié" in text_of(response.get_data(as_text=True))
    project, revision = stored(app, project_id)
    assert revision == 2 and project.diagnostic.figures == []


def test_the_diagnostic_is_refused_to_anonymous_visitors_and_to_viewers_posts(
    app: Any, client: Any
) -> None:
    from app.extensions import database

    project_id = seed_project(app, make_diagnostic_project())
    response = client.get(page_of(project_id))
    assert response.status_code == 302 and "/auth/connexion" in response.headers["Location"]
    owner = create_facilitator(app, "proprietaire@exemple.fr", "un autre mot de passe")
    log_in(client, app)
    with app.app_context(), database.session() as db:
        add_member(db, project_id, "animation@exemple.fr", Role.viewer, by_user_id=owner)
    page = client.get(page_of(project_id)).get_data(as_text=True)
    assert "Les Moutiers-en-Retz" in page
    assert "Importer un fichier" not in page and "Accepter" not in page
    response = submit(client, project_id,
                      "enjeux-proposes/enjeu-offre-accueil-insuffisante/accepter", revision=1)
    assert response.status_code == 403
    assert stored(app, project_id)[1] == 1


# --- Draft stakes -----------------------------------------------------------------------------


def test_accepting_a_draft_stake_adds_it_with_its_figures_as_evidence(
    app: Any, facilitator: Any
) -> None:
    project_id = seed_project(app, make_diagnostic_project())
    response = submit(facilitator, project_id,
                      "enjeux-proposes/enjeu-offre-accueil-insuffisante/accepter")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#enjeux-proposes")
    project, revision = stored(app, project_id)
    assert revision == 2
    stake = project.stake("enjeu-offre-accueil-insuffisante")
    assert stake.title.startswith("Renforcer l'offre d'accueil du jeune enfant")
    moutiers = [e for e in stake.evidence if isinstance(e, QuantitativeEvidence)
                and e.territory == "Les Moutiers-en-Retz"]
    assert moutiers and moutiers[0].value == 41
    page = facilitator.get(page_of(project_id)).get_data(as_text=True)
    assert "Enjeu ajouté au projet" in html.unescape(page)
    assert 'id="enjeu-propose-enjeu-offre-accueil-insuffisante"' not in page


def test_editing_a_draft_stake_accepts_it_with_the_new_title_description_and_theme(
    app: Any, facilitator: Any
) -> None:
    project_id = seed_project(app, make_diagnostic_project())
    path = (f"/console/projets/{project_id}/diagnostic/enjeux-proposes/"
            "enjeu-retraite-assistantes-maternelles")
    form = facilitator.get(path).get_data(as_text=True)
    assert "Anticiper les départs en retraite des assistantes maternelles" in form
    response = facilitator.post(path, data={
        "csrf_token": csrf_token(facilitator, path),
        "revision": "1",
        "title": "Préparer la relève des assistantes maternelles",
        "description": "Un cinquième ont 60 ans ou plus à Pornic.",
        "theme": "parentalite",
    })
    assert response.status_code == 302
    stake = stored(app, project_id)[0].stake("enjeu-retraite-assistantes-maternelles")
    assert stake.title == "Préparer la relève des assistantes maternelles"
    assert stake.description == "Un cinquième ont 60 ans ou plus à Pornic."
    assert stake.theme == "parentalite"
    assert {e.territory for e in stake.evidence} >= {"Pornic", "La Bernerie-en-Retz"}


def test_an_edited_draft_without_a_title_is_refused_next_to_the_field(
    app: Any, facilitator: Any
) -> None:
    project_id = seed_project(app, make_diagnostic_project())
    path = (f"/console/projets/{project_id}/diagnostic/enjeux-proposes/"
            "enjeu-retraite-assistantes-maternelles")
    response = facilitator.post(path, data={
        "csrf_token": csrf_token(facilitator, path), "revision": "1", "title": " ",
        "description": "", "theme": "",
    })
    assert response.status_code == 422
    assert "Donnez un intitulé à l'enjeu." in html.unescape(response.get_data(as_text=True))
    assert stored(app, project_id)[1] == 1


def test_dropping_a_draft_stake_stops_proposing_it_until_drafts_are_restored(
    app: Any, facilitator: Any
) -> None:
    project_id = seed_project(app, make_diagnostic_project())
    submit(facilitator, project_id, "enjeux-proposes/enjeu-hausse-jeunes-enfants/ecarter")
    project, revision = stored(app, project_id)
    assert project.diagnostic.dismissed_drafts == ["enjeu-hausse-jeunes-enfants"]
    assert "enjeu-hausse-jeunes-enfants" not in {s.id for s in project.stakes}
    page = facilitator.get(page_of(project_id)).get_data(as_text=True)
    assert 'id="enjeu-propose-enjeu-hausse-jeunes-enfants"' not in page
    assert "Les proposer à nouveau" in page
    submit(facilitator, project_id, "enjeux-proposes/reproposer")
    page = facilitator.get(page_of(project_id)).get_data(as_text=True)
    assert 'id="enjeu-propose-enjeu-hausse-jeunes-enfants"' in page


def test_a_decision_on_a_stale_page_is_refused_with_a_french_message(
    app: Any, facilitator: Any
) -> None:
    project_id = seed_project(app, make_diagnostic_project())
    submit(facilitator, project_id, "enjeux-proposes/enjeu-hausse-jeunes-enfants/ecarter")
    response = submit(facilitator, project_id,
                      "enjeux-proposes/enjeu-offre-accueil-insuffisante/accepter", revision=1)
    assert response.status_code == 302
    page = html.unescape(facilitator.get(page_of(project_id)).get_data(as_text=True))
    assert "Le projet a été modifié" in page
    project, revision = stored(app, project_id)
    assert revision == 2
    assert "enjeu-offre-accueil-insuffisante" not in {s.id for s in project.stakes}


# --- Quotes -----------------------------------------------------------------------------------


def test_a_quote_is_recorded_with_its_group_workshop_theme_and_linked_stakes(
    app: Any, facilitator: Any
) -> None:
    project_id = seed_project(app, make_project())
    response = submit(facilitator, project_id, "citations", {
        "quote": "On fait vingt minutes de route pour la crèche.",
        "group": "Habitants",
        "workshop": "Atelier de Chauvé",
        "theme": "petite-enfance",
        "stakes": ["enjeu-accueil"],
    })
    assert response.status_code == 302
    project = stored(app, project_id)[0]
    quote = project.diagnostic.quotes[0]
    assert (quote.quote, quote.group, quote.workshop, quote.theme, quote.stakes) == (
        "On fait vingt minutes de route pour la crèche.", "Habitants", "Atelier de Chauvé",
        "petite-enfance", ["enjeu-accueil"],
    )
    evidence = project.stake("enjeu-accueil").evidence
    assert QualitativeEvidence(quote=quote.quote, group="Habitants", source="Atelier de Chauvé",
                               theme="petite-enfance") in evidence


def test_a_quote_is_linked_then_unlinked_and_removed(app: Any, facilitator: Any) -> None:
    project_id = seed_project(app, make_project())
    submit(facilitator, project_id, "citations", {"quote": "Personne n'a la carte.",
                                                  "theme": ""})
    quote_id = stored(app, project_id)[0].diagnostic.quotes[0].id
    submit(facilitator, project_id, f"citations/{quote_id}/relier",
           {"stake": "enjeu-jeunesse"})
    project = stored(app, project_id)[0]
    assert project.diagnostic.quotes[0].stakes == ["enjeu-jeunesse"]
    assert len(project.stake("enjeu-jeunesse").evidence) == 1
    submit(facilitator, project_id, f"citations/{quote_id}/delier/enjeu-jeunesse")
    project = stored(app, project_id)[0]
    assert project.diagnostic.quotes[0].stakes == []
    assert project.stake("enjeu-jeunesse").evidence == []
    submit(facilitator, project_id, f"citations/{quote_id}/supprimer")
    assert stored(app, project_id)[0].diagnostic.quotes == []


def test_an_empty_quote_is_refused_next_to_the_field(app: Any, facilitator: Any) -> None:
    project_id = seed_project(app, make_project())
    response = submit(facilitator, project_id, "citations", {"quote": "", "theme": ""})
    assert response.status_code == 422
    assert "Écrivez la citation." in html.unescape(response.get_data(as_text=True))
    assert stored(app, project_id)[1] == 1


def test_a_closed_brainstorms_ideas_are_filed_as_quotes_in_one_click(
    app: Any, facilitator: Any
) -> None:
    workshop = run_workshop(app)
    project_id = int(workshop.project_id)
    page = facilitator.get(page_of(project_id)).get_data(as_text=True)
    assert "Ce qui manque aux familles" in page and "3 idées" in page
    action = f"ateliers/{int(workshop.id)}/etapes/{BRAINSTORM_ID}/citations"
    response = submit(facilitator, project_id, action)
    assert response.status_code == 302
    quotes = stored(app, project_id)[0].diagnostic.quotes
    assert [(q.quote, q.group, q.workshop, q.theme) for q in quotes] == [
        (text, "Élus" if group == "elus" else "Habitants", "Atelier diagnostic", column)
        for column, text, group in IDEAS
    ]
    assert "3 idées rangées en citations." in html.unescape(
        facilitator.get(page_of(project_id)).get_data(as_text=True)
    )
    revision = stored(app, project_id)[1]
    submit(facilitator, project_id, action)
    assert stored(app, project_id)[1] == revision  # filing twice adds (and saves) nothing
    assert "Aucune nouvelle idée à ranger" in html.unescape(
        facilitator.get(page_of(project_id)).get_data(as_text=True)
    )


def test_only_a_closed_brainstorm_can_be_filed_and_nothing_is_saved_otherwise(
    app: Any, facilitator: Any
) -> None:
    running = seed_workshop(app, [theme_brainstorm()], title="Atelier en cours",
                            start=BRAINSTORM_ID)
    project_id = int(running.project_id)
    token = join(app, running, group="elus")
    post_idea(app, running, token, BRAINSTORM_ID, "petite-enfance", "Une idée en cours")
    submit(facilitator, project_id,
           f"ateliers/{int(running.id)}/etapes/{BRAINSTORM_ID}/citations")
    page = html.unescape(facilitator.get(page_of(project_id)).get_data(as_text=True))
    assert "L'étape « Ce qui manque aux familles » n'est pas encore clôturée" in page
    closed = run_workshop(app)
    submit(facilitator, project_id,
           f"ateliers/{int(closed.id)}/etapes/etape-gommettes/citations")
    page = html.unescape(facilitator.get(page_of(project_id)).get_data(as_text=True))
    assert "L'étape « Vote à gommettes » n'est pas un remue-méninges." in page
    assert stored(app, project_id)[0].diagnostic.quotes == []


# --- Downloads --------------------------------------------------------------------------------


def test_the_summary_downloads_in_docx_html_and_xlsx(app: Any, facilitator: Any) -> None:
    project_id = seed_project(app, make_diagnostic_project())
    base = f"/console/projets/{project_id}/diagnostic/synthese"
    stem = "communaute-de-communes-du-test"
    response = facilitator.get(f"{base}.docx")
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="diagnostic-partage-{stem}.docx"'
    )
    document = docx.Document(io.BytesIO(response.data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "Les Moutiers-en-Retz" in cells
    response = facilitator.get(f"{base}.xlsx")
    assert response.headers["Content-Disposition"].endswith(f'diagnostic-partage-{stem}.xlsx"')
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert any("Les Moutiers-en-Retz" in (str(v) for row in sheet.iter_rows(values_only=True)
                                          for v in row) for sheet in workbook.worksheets)
    response = facilitator.get(f"{base}.html")
    assert response.mimetype == "text/html"
    assert "Les Moutiers-en-Retz" in response.get_data(as_text=True)
    assert facilitator.get(f"{base}.pdf").status_code == 404
