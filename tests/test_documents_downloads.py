"""The documents page: every export of the convention downloaded from the console.

Each download is read back with the library that opens it (python-docx, openpyxl,
zipfile, an XML parser for SVG), with its MIME type and its French file name. The
project is ``make_export_project``: prioritised changes, actions scoped to the communes
Alpha and Beta, two signatories, two SPPE rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import xml.etree.ElementTree as ET
import zipfile
from typing import Any

import docx
import openpyxl
import pytest
from factories import make_export_project
from pages_helpers import create_facilitator, log_in, parse, seed_project

from exports.dossier import dossier_file_names
from exports.labels import format_date
from theory_of_change.model import ChangeStatus
from workshops.store.members import Role, add_member

SVG = "{http://www.w3.org/2000/svg}"
STEM = "communaute-de-communes-du-test"


@pytest.fixture
def project_id(app: Any) -> int:
    return seed_project(app, make_export_project())


@pytest.fixture
def facilitator(app: Any, client: Any) -> Any:
    log_in(client, app)
    return client


def documents(project_id: int) -> str:
    return f"/console/projets/{project_id}/documents"


def download(client: Any, path: str, mimetype: str, file_name: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f'attachment; filename="{file_name}"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data
    return bytes(response.data)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    texts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(texts)


def odt_content(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        return archive.read("content.xml").decode("utf-8")


# --- The page ---------------------------------------------------------------------------------


def test_the_page_offers_every_document_with_its_formats_and_the_commune_plans(
    facilitator: Any, project_id: int
) -> None:
    page = facilitator.get(f"{documents(project_id)}/").get_data(as_text=True)
    links = {attrs.get("href") for tag, attrs in parse(page).tags if tag == "a"}
    buttons = {attrs.get("formaction") for tag, attrs in parse(page).tags if tag == "button"}
    base = documents(project_id)
    for fmt in ("docx", "odt", "html", "md"):
        assert f"{base}/plan-d-action.{fmt}" in links
        assert f"{base}/plan-d-action.{fmt}?commune=alpha" in links
        assert f"{base}/plan-d-action.{fmt}?commune=beta" in links
    assert {f"{base}/schema.{fmt}" for fmt in ("svg", "png", "pdf")} <= buttons
    assert {f"{base}/fiches-actions.{fmt}" for fmt in ("docx", "odt")} <= buttons
    assert {f"{base}/fiche-sppe.docx", f"{base}/fiche-sppe.odt"} <= links
    assert {f"{base}/tableau-de-suivi.xlsx", f"{base}/tableau-de-suivi.csv"} <= links
    assert f"{base}/dossier.zip" in links
    assert f"/console/projets/{project_id}/diagnostic/synthese.docx" in links
    assert "Plans communaux" in page and "Alpha" in page and "Bêta" in page
    assert "révision 1" in page
    # Sheets: the new, flagship and experimental actions (4), or every action (5).
    assert "4 fiches pour les projets phares" in page
    assert "Une fiche pour chaque action (5 fiches)" in page


def test_documents_are_refused_to_anonymous_visitors(app: Any, client: Any,
                                                     project_id: int) -> None:
    for path in ("/", "/plan-d-action.docx", "/dossier.zip", "/schema.svg"):
        response = client.get(documents(project_id) + path)
        assert response.status_code == 302
        assert "/auth/connexion" in response.headers["Location"]
        assert not response.data.startswith(b"PK")


def test_a_facilitator_who_is_not_a_member_of_the_project_is_refused(
    app: Any, client: Any, project_id: int
) -> None:
    from app.extensions import database

    owner = create_facilitator(app, "proprietaire@exemple.fr", "un autre mot de passe")
    create_facilitator(app, "lectrice@exemple.fr", "encore un mot de passe")
    with app.app_context(), database.session() as db:
        add_member(db, project_id, "lectrice@exemple.fr", Role.viewer, by_user_id=owner)
    log_in(client, app)  # animation@exemple.fr: not a member of a project with members
    response = client.get(f"{documents(project_id)}/plan-d-action.docx")
    assert response.status_code == 403
    assert "Vous n'êtes pas membre de ce projet" in html.unescape(response.get_data(as_text=True))


def test_an_unknown_format_or_commune_is_a_french_404(facilitator: Any, project_id: int
                                                      ) -> None:
    for path in ("/plan-d-action.pdf", "/schema.dot", "/tableau-de-suivi.ods",
                 "/plan-d-action.docx?commune=atlantide"):
        response = facilitator.get(documents(project_id) + path)
        assert response.status_code == 404
        assert "Page introuvable" in response.get_data(as_text=True)


# --- Each download ------------------------------------------------------------------------------


def test_the_svg_diagram_shows_every_prioritised_change(facilitator: Any, project_id: int
                                                        ) -> None:
    data = download(facilitator, f"{documents(project_id)}/schema.svg", "image/svg+xml",
                    f"schema-chemins-de-changement-{STEM}.svg")
    root = ET.fromstring(data)
    drawn = " ".join(text.text or "" for text in root.iter(f"{SVG}text"))
    project = make_export_project()
    prioritised = [c for c in project.changes if c.status is ChangeStatus.prioritised]
    assert prioritised
    for change in prioritised:
        assert f"PRIORITÉ {change.priority_rank}" in drawn
        assert change.statement.split()[0] in drawn


def test_the_diagram_layers_and_print_resolution_are_options(facilitator: Any, project_id: int
                                                             ) -> None:
    base = documents(project_id)
    plain = download(facilitator, f"{base}/schema.png", "image/png",
                     f"schema-chemins-de-changement-{STEM}.png")
    full = download(
        facilitator, f"{base}/schema.png?couches=markers&couches=activities&impression=1",
        "image/png",
        f"schema-chemins-de-changement-marqueurs-de-progres-activites-{STEM}.png",
    )
    assert plain.startswith(b"\x89PNG") and full.startswith(b"\x89PNG")
    assert len(full) > 2 * len(plain)
    pdf = download(facilitator, f"{base}/schema.pdf?couches=activities", "application/pdf",
                   f"schema-chemins-de-changement-activites-{STEM}.pdf")
    assert pdf.startswith(b"%PDF")
    svg = download(facilitator, f"{base}/schema.svg?couches=activities", "image/svg+xml",
                   f"schema-chemins-de-changement-activites-{STEM}.svg")
    assert "Ouvrir un accueil de loisirs" in svg.decode("utf-8")


def test_the_action_plan_downloads_for_the_territory_and_for_one_commune(
    facilitator: Any, project_id: int
) -> None:
    base = documents(project_id)
    whole = docx_text(download(
        facilitator, f"{base}/plan-d-action.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        f"plan-d-action-{STEM}.docx",
    ))
    assert "Plan d'action communal — Alpha" in whole
    assert "Plan d'action communal — Bêta" in whole
    alpha = docx_text(download(
        facilitator, f"{base}/plan-d-action.docx?commune=alpha",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "plan-d-action-alpha.docx",
    ))
    assert "Ouvrir un accueil de loisirs à Alpha" in alpha
    assert "Plan d'action communal — Bêta" not in alpha
    assert "Organiser des permanences" in odt_content(download(
        facilitator, f"{base}/plan-d-action.odt", "application/vnd.oasis.opendocument.text",
        f"plan-d-action-{STEM}.odt",
    ))
    html = download(facilitator, f"{base}/plan-d-action.html", "text/html",
                    f"plan-d-action-{STEM}.html").decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Plan d&#x27;action" in html
    markdown = download(facilitator, f"{base}/plan-d-action.md", "text/markdown",
                        f"plan-d-action-{STEM}.md").decode("utf-8")
    assert "Ouvrir un accueil de loisirs à Alpha" in markdown


def test_action_sheets_for_the_actions_that_need_one_or_for_all(
    facilitator: Any, project_id: int
) -> None:
    base = documents(project_id)
    some = docx_text(download(
        facilitator, f"{base}/fiches-actions.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        f"fiches-actions-{STEM}.docx",
    ))
    assert "Nous aurons réussi si" in some
    assert "Soutenir le point information jeunesse" not in some  # an existing action
    every = odt_content(download(
        facilitator, f"{base}/fiches-actions.odt?toutes=1",
        "application/vnd.oasis.opendocument.text", f"fiches-actions-toutes-{STEM}.odt",
    ))
    assert "Soutenir le point information jeunesse" in every


def test_the_sppe_sheet_writes_unknown_places_as_to_be_completed(
    facilitator: Any, project_id: int
) -> None:
    text = docx_text(download(
        facilitator, f"{documents(project_id)}/fiche-sppe.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        f"fiche-action-sppe-{STEM}.docx",
    ))
    assert "MAM Les Petits Pas" in text
    assert "à compléter" in text
    assert "EAJE PSU" in odt_content(download(
        facilitator, f"{documents(project_id)}/fiche-sppe.odt",
        "application/vnd.oasis.opendocument.text", f"fiche-action-sppe-{STEM}.odt",
    ))


def test_the_follow_up_table_opens_in_excel_and_as_french_csv(
    facilitator: Any, project_id: int
) -> None:
    data = download(
        facilitator, f"{documents(project_id)}/tableau-de-suivi.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"tableau-de-suivi-{STEM}.xlsx",
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Suivi des actions"
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Organiser des permanences d'accès aux droits" in titles
    assert sheet.data_validations.dataValidation  # the status drop-down list
    text = download(facilitator, f"{documents(project_id)}/tableau-de-suivi.csv", "text/csv",
                    f"tableau-de-suivi-{STEM}.csv")
    assert text.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, as French Excel expects
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + len(make_export_project().activities)


def test_the_dossier_holds_every_document_and_a_cover_page_with_revision_and_date(
    facilitator: Any, project_id: int
) -> None:
    data = download(facilitator, f"{documents(project_id)}/dossier.zip", "application/zip",
                    f"dossier-ctg-{STEM}-revision-1.zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == dossier_file_names(make_export_project())
        cover_name = next(n for n in archive.namelist() if n.endswith("page-de-garde.docx"))
        cover = docx_text(archive.read(cover_name))
    assert "révision 1" in cover
    assert format_date(dt.date.today()) in cover
    assert "Caf de Loire-Atlantique" in cover
