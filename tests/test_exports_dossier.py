"""The CTG dossier: one ZIP with every document and a cover page."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
import zipfile

import docx
import pytest
from factories import make_export_project
from odf import teletype
from odf.opendocument import load as load_odt
from openpyxl import load_workbook

from exports.dossier import DOSSIER_PARTS, dossier_file_names, render_dossier

GENERATED_ON = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def archive() -> zipfile.ZipFile:
    data = render_dossier(make_export_project(), generated_on=GENERATED_ON, revision="v2 — Copil")
    return zipfile.ZipFile(io.BytesIO(data))


def test_the_zip_lists_every_document_in_order(archive: zipfile.ZipFile) -> None:
    folder = "dossier-ctg-projet-test"
    assert archive.namelist() == dossier_file_names(make_export_project())
    assert archive.namelist() == [
        f"{folder}/00-page-de-garde.docx",
        f"{folder}/00-page-de-garde.odt",
        f"{folder}/01-schema-chemins-de-changement.svg",
        f"{folder}/01-schema-chemins-de-changement.pdf",
        f"{folder}/01-schema-chemins-de-changement.png",
        f"{folder}/02-schema-complet.svg",
        f"{folder}/02-schema-complet.pdf",
        f"{folder}/03-plan-d-action.docx",
        f"{folder}/03-plan-d-action.odt",
        f"{folder}/03-plan-d-action.html",
        f"{folder}/04-fiches-actions.docx",
        f"{folder}/04-fiches-actions.odt",
        f"{folder}/05-fiche-action-sppe.docx",
        f"{folder}/05-fiche-action-sppe.odt",
        f"{folder}/06-tableau-de-suivi.xlsx",
        f"{folder}/06-tableau-de-suivi.csv",
    ]


def test_every_file_opens_as_what_its_name_says(archive: zipfile.ZipFile) -> None:
    files = {name.rsplit("/", 1)[1]: archive.read(name) for name in archive.namelist()}
    assert files["01-schema-chemins-de-changement.pdf"].startswith(b"%PDF-")
    assert files["01-schema-chemins-de-changement.png"].startswith(b"\x89PNG")
    assert ET.fromstring(files["02-schema-complet.svg"]).tag.endswith("svg")
    plan = docx.Document(io.BytesIO(files["03-plan-d-action.docx"]))
    assert plan.paragraphs[0].text == "Plan d'action"
    assert "Action #5" in teletype.extractText(
        load_odt(io.BytesIO(files["04-fiches-actions.odt"])).text
    )
    sheet = load_workbook(io.BytesIO(files["06-tableau-de-suivi.xlsx"])).active
    assert sheet.max_row == 6
    assert files["06-tableau-de-suivi.csv"].startswith(b"\xef\xbb\xbf")
    assert b"<!DOCTYPE html>" in files["03-plan-d-action.html"]


def test_the_cover_page_names_territory_period_signatories_date_and_revision(
    archive: zipfile.ZipFile,
) -> None:
    cover = docx.Document(io.BytesIO(archive.read(archive.namelist()[0])))
    text = "\n".join(p.text for p in cover.paragraphs)
    assert "Convention territoriale globale" in text
    assert "Communauté de communes du Test" in text
    assert "2025-2029" in text
    assert "v2 — Copil" in text and "1er décembre 2026" in text
    signatories = [[c.text for c in row.cells] for row in cover.tables[0].rows]
    assert signatories == [
        ["Signataire", "Qualité", "Représenté par"],
        ["Caf de Loire-Atlantique", "Caf", "La directrice"],
        ["Communauté de communes du Test", "EPCI", "à compléter"],
    ]
    contents = [row.cells[0].text for row in cover.tables[1].rows[1:]]
    assert contents == [part.title for part in DOSSIER_PARTS]
    odt = teletype.extractText(load_odt(io.BytesIO(archive.read(archive.namelist()[1]))).text)
    assert "1er décembre 2026" in odt and "Caf de Loire-Atlantique" in odt


def test_zip_entries_carry_the_generation_date_not_the_clock(archive: zipfile.ZipFile) -> None:
    assert {info.date_time for info in archive.infolist()} == {(2026, 12, 1, 0, 0, 0)}
