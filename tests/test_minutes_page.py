"""Workshop minutes: downloads from the console and the participants' public page.

The workshop is ``run_workshop``: two participants (an élu, a habitant), a brainstorm of
three ideas in theme columns and a dot vote, both closed.
"""

from __future__ import annotations

import html
import io
from typing import Any

import docx
import pytest
from closed_workshops import IDEAS, run_workshop
from pages_helpers import log_in, parse, seed_project

from theory_of_change.slugs import slugify
from workshops.model import WorkshopStatus


@pytest.fixture
def facilitator(app: Any, client: Any) -> Any:
    log_in(client, app)
    return client


def minutes_path(workshop: Any, fmt: str) -> str:
    return (
        f"/console/projets/{int(workshop.project_id)}/ateliers/{int(workshop.id)}"
        f"/compte-rendu.{fmt}"
    )


def text_of(page: str) -> str:
    return html.unescape(" ".join(parse(page).text))


def test_the_console_workshop_page_offers_the_minutes_and_the_participants_link(
    app: Any, facilitator: Any
) -> None:
    workshop = run_workshop(app)
    page = facilitator.get(f"/console/ateliers/{int(workshop.id)}").get_data(as_text=True)
    links = {attrs.get("href") for tag, attrs in parse(page).tags if tag == "a"}
    assert "Compte-rendu" in page
    assert {minutes_path(workshop, fmt) for fmt in ("docx", "odt", "html")} <= links
    assert f"http://localhost/j/{workshop.code}/compte-rendu" in links


def test_the_minutes_download_as_word_with_ideas_groups_and_results(
    app: Any, facilitator: Any
) -> None:
    workshop = run_workshop(app)
    response = facilitator.get(minutes_path(workshop, "docx"))
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="compte-rendu-{slugify(workshop.title)}.docx"'
    )
    document = docx.Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "Compte-rendu d'atelier\nAtelier diagnostic" in text
    for _column, idea, _group in IDEAS:
        assert idea in text
    assert "Vote à gommettes" in text
    assert "Élus" in text and "Habitants" in text


def test_the_minutes_download_as_a_standalone_web_page(app: Any, facilitator: Any) -> None:
    workshop = run_workshop(app)
    response = facilitator.get(minutes_path(workshop, "html"))
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Content-Disposition"].endswith(
        f'compte-rendu-{slugify(workshop.title)}.html"'
    )
    page = response.get_data(as_text=True)
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page  # charts are inline SVG: the page needs no other file
    assert "Un espace jeunes ouvert le mercredi" in page


def test_the_minutes_of_a_workshop_of_another_project_are_not_found(
    app: Any, facilitator: Any
) -> None:
    workshop = run_workshop(app)
    other = seed_project(app, None) + 1000  # an id that is no project at all
    response = facilitator.get(
        f"/console/projets/{other}/ateliers/{int(workshop.id)}/compte-rendu.docx"
    )
    assert response.status_code == 404
    response = facilitator.get(
        f"/console/projets/{int(workshop.project_id)}/ateliers/999/compte-rendu.docx"
    )
    assert response.status_code == 404


def test_console_minutes_are_refused_to_anonymous_visitors(app: Any, client: Any) -> None:
    workshop = run_workshop(app)
    response = client.get(minutes_path(workshop, "docx"))
    assert response.status_code == 302
    assert "/auth/connexion" in response.headers["Location"]


def test_participants_read_the_minutes_without_an_account_once_the_workshop_is_closed(
    app: Any, client: Any
) -> None:
    workshop = run_workshop(app)
    assert workshop.status is WorkshopStatus.closed
    response = client.get(f"/j/{workshop.code}/compte-rendu")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Content-Disposition" not in response.headers
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script" not in policy
    page = response.get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "Ouvrir une micro-crèche aux Moutiers" in page
    assert "<script" not in page


def test_the_closed_workshop_page_on_the_phone_links_to_the_minutes(
    app: Any, client: Any
) -> None:
    workshop = run_workshop(app)
    page = client.get(f"/j/{workshop.code}").get_data(as_text=True)
    links = {attrs.get("href") for tag, attrs in parse(page).tags if tag == "a"}
    assert f"/j/{workshop.code}/compte-rendu" in links
    assert "Lire le compte-rendu" in page


def test_before_the_workshop_is_closed_the_minutes_are_not_yet_available(
    app: Any, client: Any
) -> None:
    workshop = run_workshop(app, close=False)
    response = client.get(f"/j/{workshop.code}/compte-rendu")
    assert response.status_code == 200
    text = text_of(response.get_data(as_text=True))
    assert "Compte-rendu pas encore disponible" in text
    assert "dès que l'atelier sera terminé" in text
    assert "Ouvrir une micro-crèche" not in text
    assert "Participer à l'atelier" in text


def test_a_typed_code_lands_on_the_canonical_address_and_an_unknown_one_is_not_found(
    app: Any, client: Any
) -> None:
    workshop = run_workshop(app)
    typed = f"{workshop.code[:3].lower()}-{workshop.code[3:].lower()}"
    response = client.get(f"/j/{typed}/compte-rendu")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/j/{workshop.code}/compte-rendu")
    assert client.get("/j/ZZZZZZ/compte-rendu").status_code == 404
