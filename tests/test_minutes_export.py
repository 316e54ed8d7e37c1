"""The minutes as Word, ODT and a standalone web page, read back with the real readers."""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser

import docx
import pytest
from factories import (
    MinutesInputs,
    make_brainstorm_step,
    make_choice_step,
    make_idea,
    make_minutes_inputs,
    make_options,
    make_rating_step,
    make_workshop,
)
from odf import draw
from odf.opendocument import load

from exports.document import Document, Image, Paragraph
from exports.docx_writer import render_docx
from exports.formats import ExportFormatError
from exports.html import render_html
from exports.markdown import render_markdown
from exports.minutes import minutes_document, render_minutes
from workshops.minutes import Minutes, build_minutes
from workshops.model import ChoiceBallot, Criterion, RatingBallot, StepStatus

CHARTS = 5  # brainstorm upvotes, dot vote, Borda points, 2×2 matrix, vision vote

STEP_HEADINGS = [
    "Étape 1 — Quelles actions pour ces changements ?",
    "Étape 2 — Priorisez 5 changements parmi 12",
    "Étape 3 — Classez les trois pistes d'action",
    "Étape 4 — Impact et faisabilité des actions",
    "Étape 5 — Validez-vous la vision ?",
    "Étape 6 — Date du prochain atelier",
]
TOP_HEADINGS = [
    "Participants",
    "Déroulé de l'atelier",
    *STEP_HEADINGS,
    "Ce qui a été écrit dans le modèle",
    "Comment les votes sont comptés",
]


def build(inputs: MinutesInputs) -> Minutes:
    return build_minutes(
        inputs.workshop, inputs.participants, inputs.ideas, inputs.ballots, inputs.decisions,
        generated_on=dt.date(2025, 6, 13), project_title=inputs.project.title,
    )


@pytest.fixture(scope="module")
def minutes() -> Minutes:
    return build(make_minutes_inputs())


@pytest.fixture(scope="module")
def word(minutes: Minutes) -> docx.document.Document:
    return docx.Document(io.BytesIO(render_minutes(minutes, "docx")))


@pytest.fixture(scope="module")
def page(minutes: Minutes) -> str:
    return render_minutes(minutes, "html").decode("utf-8")


def _table_texts(table: docx.table.Table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def _find_table(document: docx.document.Document, first_header: str, needle: str
                ) -> list[list[str]]:
    for table in document.tables:
        rows = _table_texts(table)
        if rows[0][0] == first_header and any(needle in " ".join(r) for r in rows):
            return rows
    raise AssertionError(f"no table starting with {first_header!r} holding {needle!r}")


# --- Word -------------------------------------------------------------------------------------


def test_word_minutes_have_a_title_and_one_heading_per_part_and_step(
    word: docx.document.Document,
) -> None:
    paragraphs = word.paragraphs
    assert paragraphs[0].text == "Compte-rendu d'atelier"
    assert paragraphs[1].text == "Atelier du cercle projet de territoire"
    text = "\n".join(p.text for p in paragraphs)
    assert "Projet\u00a0: CTG du Test 2025-2029" in text
    assert "Date de l'atelier\u00a0: 12 juin 2025" in text
    assert "Statut de l'atelier\u00a0: terminé" in text
    assert "Compte-rendu établi le 13 juin 2025." in text
    level_one = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert level_one == TOP_HEADINGS


def test_word_minutes_count_participants_by_college(word: docx.document.Document) -> None:
    rows = _find_table(word, "Collège", "Élus")
    assert rows == [
        ["Collège", "Participants"],
        ["Élus", "4"],
        ["Professionnels", "3"],
        ["Partenaires institutionnels", "2"],
        ["Associations", "0"],
        ["Habitants", "2"],
        ["Sans collège indiqué", "1"],
        ["Total", "12"],
    ]
    text = "\n".join(p.text for p in word.paragraphs)
    assert "12 participants dont 4 élus" in text
    assert "Camille" not in text and "Dominique" not in text


def test_word_minutes_show_ideas_by_column_with_merges_and_no_hidden_idea(
    word: docx.document.Document,
) -> None:
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 2"]
    assert "Colonne « Les familles sont informées »" in headings
    assert "Colonne « Changement pour l'enfance »" in headings
    rows = _find_table(word, "Idée", "guide des modes")
    assert rows[1] == [
        "Un guide des modes d'accueil distribué à la maternité\n"
        "doublon fusionné\u00a0: Distribuer le guide des modes d'accueil à la maternité",
        "4",
    ]
    everything = "\n".join(
        [p.text for p in word.paragraphs]
        + [c.text for t in word.tables for r in t.rows for c in r.cells]
    )
    assert "hors sujet" not in everything
    assert "1 idée masquée par l'animation ne figure pas dans ce compte-rendu." in everything
    assert "Type\u00a0: Remue-méninges — Statut\u00a0: close — Participation\u00a0: 12 " \
        "participants" in everything


def test_word_minutes_show_vote_results_as_tables_with_ties_as_ties(
    word: docx.document.Document,
) -> None:
    dots = _find_table(word, "Rang", "Gommettes")
    assert dots[0] == ["Rang", "Option", "Gommettes", "Votants"]
    assert [r[0] for r in dots[1:8]] == ["1", "2", "3", "4", "5 (ex æquo)", "5 (ex æquo)", "7"]
    ranking = _find_table(word, "Option", "Rang Schulze")
    assert ranking[1:] == [
        ["Ouvrir un lieu d'accueil enfants-parents", "1", "1 (ex æquo)", "13"],
        ["Développer l'accueil du mercredi", "2", "1 (ex æquo)", "13"],
        ["Créer un point information jeunesse itinérant", "3", "3", "10"],
    ]
    duels = _find_table(word, "Option", "1. Ouvrir")
    assert duels[1:] == [
        ["1. Ouvrir un lieu d'accueil enfants-parents", "—", "8", "5"],
        ["2. Développer l'accueil du mercredi", "4", "—", "9"],
        ["3. Créer un point information jeunesse itinérant", "7", "3", "—"],
    ]
    matrix = _find_table(word, "N°", "Guide des modes d'accueil")
    assert matrix[1][1:3] == ["Guide des modes d'accueil", "4,5\nmédiane 4,5, 6 notes"]
    assert matrix[1][4] == "Impact fort / Faisabilité forte"
    vision = _find_table(word, "Rang", "D'accord")
    assert vision[1:] == [
        ["1", "D'accord", "7", "58\u00a0%"],
        ["2", "D'accord avec modifications", "4", "33\u00a0%"],
        ["3", "Pas d'accord", "1", "8\u00a0%"],
    ]


def test_word_minutes_break_results_down_by_college(word: docx.document.Document) -> None:
    by_college = [
        _table_texts(t) for t in word.tables
        if _table_texts(t)[0][0] == "Option" and "Élus (4)" in _table_texts(t)[0]
    ]
    # Dot vote, ranking and vision vote (5 collèges: two tables each); rating (2 collèges).
    assert len(by_college) == 4
    dots = by_college[0]
    assert dots[0] == ["Option", "Élus (4)", "Professionnels (3)",
                       "Partenaires institutionnels (2)"]
    assert dots[1] == ["Les familles connaissent les modes d'accueil du territoire", "4", "3",
                       "2"]


def test_word_minutes_embed_one_described_image_per_chart(
    word: docx.document.Document,
) -> None:
    assert len(word.inline_shapes) == CHARTS
    body = word.element.body.xml
    descriptions = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', body)
    assert len(descriptions) == CHARTS
    assert descriptions[1].startswith("Gommettes reçues par option : ")  # alt text, not print
    assert "(ex æquo)" in descriptions[1]
    assert descriptions[3].startswith("Matrice 2×2, Impact en abscisse et Faisabilité en ordonnée")
    images = [r.target_part for r in word.part.rels.values() if "image" in r.reltype]
    assert all(part.content_type == "image/png" for part in images)
    captions = [p.text for p in word.paragraphs if p.text.startswith("Gommettes par option")]
    assert captions == ["Gommettes par option, chaque couleur représentant un collège"]


def test_word_minutes_say_what_was_written_into_the_model(
    word: docx.document.Document,
) -> None:
    rows = _find_table(word, "Date", "Vote sur la vision")
    assert [row[:2] for row in rows] == [
        ["Date", "Étape"],
        ["12 juin 2025, 10 h 30", "Quelles actions pour ces changements ?"],
        ["12 juin 2025, 11 h 10", "Priorisez 5 changements parmi 12"],
        ["12 juin 2025, 11 h 50", "Validez-vous la vision ?"],
    ]
    assert "Décision d'un autre atelier." not in "\n".join(r[2] for r in rows)
    comments = [p.text for p in word.paragraphs if p.style.name == "List Bullet"]
    assert "«\u00a0Ajouter la mobilité des jeunes\u00a0»" in comments


# --- The web page -----------------------------------------------------------------------------


class _Outline(HTMLParser):
    """Headings, tables, header cells, figures and every URL-bearing attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.tables = 0
        self.header_cells: list[dict[str, str | None]] = []
        self.svgs: list[dict[str, str | None]] = []
        self.svg_titles = 0
        self.urls: list[str] = []
        self.lang: str | None = None
        self._heading: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag in ("h1", "h2", "h3", "h4"):
            self._heading, self._text = tag, []
        if tag == "table":
            self.tables += 1
        if tag == "th":
            self.header_cells.append(attributes)
        if tag == "svg":
            self.svgs.append(attributes)
        if tag == "title" and self.svgs:
            self.svg_titles += 1
        for name in ("src", "href", "xlink:href", "action", "data"):
            if attributes.get(name):
                self.urls.append(str(attributes[name]))

    def handle_data(self, data: str) -> None:
        if self._heading:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self.headings.append((tag, "".join(self._text)))
            self._heading = None


def _outline(page: str) -> _Outline:
    outline = _Outline()
    outline.feed(page)
    return outline


def test_web_page_is_french_with_headings_for_every_part_and_step(page: str) -> None:
    outline = _outline(page)
    assert outline.lang == "fr"
    assert outline.headings[0] == ("h1", "Compte-rendu d'atelier")
    assert [text for tag, text in outline.headings if tag == "h2"] == TOP_HEADINGS
    assert ("h3", "Duels entre options") in outline.headings
    assert "<title>Compte-rendu de l&#x27;atelier « Atelier du cercle projet de territoire »" \
        in page


def test_web_page_tables_have_column_headers(page: str) -> None:
    outline = _outline(page)
    assert outline.tables >= 15
    assert outline.header_cells and all(c.get("scope") == "col" for c in outline.header_cells)
    assert page.count("<thead>") == outline.tables


def test_web_page_draws_every_chart_as_inline_svg_with_a_title(page: str) -> None:
    outline = _outline(page)
    assert len(outline.svgs) == CHARTS
    assert outline.svg_titles == CHARTS
    assert all(svg.get("role") == "img" and svg.get("aria-labelledby") for svg in outline.svgs)
    assert "<img" not in page  # no PNG either: the SVG is the picture
    assert page.count("<figcaption>") == CHARTS
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # five charts, no id shared


def test_web_page_loads_nothing_from_outside(page: str) -> None:
    outline = _outline(page)
    assert all(url.startswith("#") for url in outline.urls)
    assert "http" not in page
    assert "<link" not in page and "<script" not in page


def test_web_page_escapes_what_participants_wrote() -> None:
    inputs = make_minutes_inputs()
    step = make_brainstorm_step(status=StepStatus.closed)
    workshop = make_workshop(steps=[step, inputs.workshop.steps[4]])
    ideas = [make_idea(text="<script>alert('idée')</script>", upvoters=["jeton-01"])]
    ballots = [("etape-vision", ChoiceBallot(choices=["d-accord"], comment="<img src=x>"),
                None)]
    minutes = build_minutes(workshop, inputs.participants, ideas, ballots, [],
                            generated_on=dt.date(2025, 6, 13))
    page = render_minutes(minutes, "html").decode("utf-8")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(" in page  # in the table and in the chart's labels
    assert "&lt;img src=x&gt;" in page


# --- Other formats, empty minutes, bad input ----------------------------------------------------


def test_odt_minutes_embed_the_same_charts(minutes: Minutes) -> None:
    document = load(io.BytesIO(render_minutes(minutes, "odt")))
    frames = document.getElementsByType(draw.Frame)
    assert len(frames) == CHARTS
    assert all(frame.getElementsByType(draw.Image) for frame in frames)


def test_minutes_of_a_workshop_that_never_ran_say_so_without_charts() -> None:
    workshop = make_workshop(title="Atelier annulé")
    minutes = build_minutes(workshop, [], [], [], [], generated_on=dt.date(2025, 6, 13))
    word = docx.Document(io.BytesIO(render_minutes(minutes, "docx")))
    text = "\n".join(p.text for p in word.paragraphs)
    assert len(word.inline_shapes) == 0
    assert "Aucun participant ne s'est connecté à cet atelier." in text
    assert text.count("Cette étape n'a pas été lancée\u00a0: elle n'a pas de résultat.") == 5
    assert "Cet atelier n'a rien écrit dans le modèle du projet." in text
    assert "Comment les votes sont comptés" not in text


def test_an_unknown_format_is_refused_in_french(minutes: Minutes) -> None:
    with pytest.raises(ExportFormatError, match="format « pdf » non disponible"):
        render_minutes(minutes, "pdf")


def test_the_document_holds_png_for_office_and_svg_for_the_web(minutes: Minutes) -> None:
    office = [b for b in minutes_document(minutes).blocks if isinstance(b, Image)]
    web = [b for b in minutes_document(minutes, images="svg").blocks if isinstance(b, Image)]
    assert len(office) == len(web) == CHARTS
    assert all(i.png and i.svg is None for i in office)
    assert all(i.svg and i.png is None for i in web)
    assert [i.alt for i in office] == [i.alt for i in web]


def test_every_writer_renders_an_image_block_or_refuses_one_it_cannot_hold() -> None:
    png = b"\x89PNG\r\n\x1a\n"
    document = Document(title="Essai").add(
        Paragraph(spans=()), Image(alt="Trois barres", width_cm=4, height_cm=2, png=png,
                                   caption="Légende"),
    )
    page = render_html(document)
    assert '<img src="data:image/png;base64,iVBORw0KGgo=" alt="Trois barres">' in page
    assert "<figcaption>Légende</figcaption>" in page
    assert "*Graphique : Légende*" in render_markdown(document)
    svg_only = Document(title="Essai").add(
        Image(alt="Trois barres", width_cm=4, height_cm=2, svg="<svg></svg>")
    )
    with pytest.raises(ValueError, match="has no PNG"):
        render_docx(svg_only)
    with pytest.raises(ValueError, match="needs a PNG or an SVG"):
        Image(alt="rien", width_cm=1, height_cm=1)


def test_a_rating_on_one_criterion_is_drawn_as_bars_of_its_means() -> None:
    rating = make_rating_step(status=StepStatus.closed,
                              criteria=[Criterion(id="impact", label="Impact")])
    choice = make_choice_step(id="etape-lieux", title="Quels lieux ?", multiple=True,
                              writeback=None, options=make_options(3),
                              status=StepStatus.closed)
    workshop = make_workshop(steps=[rating, choice])
    ballots = [
        (rating.id, RatingBallot(scores={"opt-a": {"impact": 5}, "opt-b": {"impact": 2}}), None),
        (rating.id, RatingBallot(scores={"opt-a": {"impact": 4}}), None),
        (choice.id, ChoiceBallot(choices=["opt-a", "opt-b"]), None),
        (choice.id, ChoiceBallot(choices=["opt-a"]), None),
    ]
    minutes = build_minutes(workshop, [], [], ballots, [], generated_on=dt.date(2025, 6, 13))
    images = [b for b in minutes_document(minutes).blocks if isinstance(b, Image)]
    # Impact of A: (5 + 4) / 2 = 4,5 from 2 notes; B: 2 from 1 note; C: no note.
    assert images[0].alt == "Impact moyen par option : Option A : impact 4,5; Option B : " \
        "impact 2; Option C : impact —."
    assert images[1].alt.startswith("Réponses : Option A : 2 voix (100\u00a0%); Option B : ")
    word = docx.Document(io.BytesIO(render_minutes(minutes, "docx")))
    rows = _find_table(word, "N°", "Option A")
    assert rows[0] == ["N°", "Option", "Impact\u00a0: moyenne"]
    assert rows[1][2] == "4,5\nmédiane 4,5, 2 notes"
    assert rows[3][2] == "pas de note"
    text = "\n".join(p.text for p in word.paragraphs)
    assert "les parts ne s'additionnent donc pas à 100 %" in text
