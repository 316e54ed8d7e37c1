"""Every page: security headers, no inline script or style, nothing from the internet,
French, and user text always shown as text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from factories import (
    make_brainstorm_step,
    make_choice_step,
    make_dot_vote_step,
    make_ranking_step,
    make_rating_step,
)
from pages_helpers import join, log_in, parse, post_idea, seed_workshop, vote

from workshops.model import ChoiceBallot, DotBallot

STATIC = Path(__file__).resolve().parent.parent / "app" / "static"
XSS_IDEA = "<img src=x onerror=\"alert('idée')\">"
XSS_TITLE = "</script><script>alert('atelier')</script>"
URL_ATTRIBUTES = ("src", "href", "action", "poster", "data", "srcset", "formaction")


@pytest.fixture
def pages(app: Any, client: Any) -> dict[str, Any]:
    """Every kind of page, with hostile text in an idea and in the workshop's title."""
    steps = [make_brainstorm_step(), make_dot_vote_step(), make_ranking_step(),
             make_rating_step(), make_choice_step()]
    workshop = seed_workshop(app, steps, title=XSS_TITLE, start="etape-idees")
    token = join(app, workshop, nickname="<b>Camille</b>", group="habitants")
    post_idea(app, workshop, token, "etape-idees", "col-familles", XSS_IDEA)
    closed = seed_workshop(app, [make_dot_vote_step()], title="Atelier clos")
    from app.extensions import database
    from workshops import service

    with app.app_context(), database.session() as db:
        service.close_workshop(db, int(closed.id))
    log_in(client, app)
    workshop_id = int(workshop.id)
    urls = [
        "/", "/?code=1OI", "/j/KX79HA", f"/j/{workshop.code}", f"/j/{closed.code}",
        "/auth/connexion", "/auth/lien/faux", "/page-inconnue",
        "/console/", "/console/ateliers/nouveau", f"/console/ateliers/{workshop_id}",
        f"/console/ateliers/{workshop_id}/projecteur",
        f"/console/ateliers/{workshop_id}/etapes/etape-idees/cloture",
    ]
    urls += [f"/console/ateliers/{workshop_id}/etapes/nouvelle/{step.kind}" for step in steps]
    urls += [f"/console/ateliers/{workshop_id}/etapes/{step.id}" for step in steps]
    return {"urls": urls, "workshop": workshop, "token": token}


def _each_page(client: Any, urls: list[str]) -> list[tuple[str, Any]]:
    responses = [(url, client.get(url)) for url in urls]
    for url, response in responses:
        assert response.status_code in (200, 400, 403, 404, 410), url
        assert response.mimetype == "text/html", url
    return responses


def test_every_page_sends_the_security_headers(client: Any, pages: Any) -> None:
    for url, response in _each_page(client, pages["urls"]):
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy, url
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Referrer-Policy"] == "same-origin", url
        assert response.headers["X-Frame-Options"] == "DENY", url


def test_static_files_send_the_security_headers_too(client: Any) -> None:
    with client.get("/static/participant/phone.js") as response:
        assert response.status_code == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_every_page_is_french(client: Any, pages: Any) -> None:
    for url, response in _each_page(client, pages["urls"]):
        page = response.get_data(as_text=True)
        assert page.startswith("<!doctype html>\n<html lang=\"fr\">"), url
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page


def test_no_page_has_an_inline_script_style_or_event_handler(client: Any, pages: Any) -> None:
    for url, response in _each_page(client, pages["urls"]):
        page = response.get_data(as_text=True)
        tags = parse(page).tags
        for tag, attributes in tags:
            assert "style" not in attributes, (url, tag)
            assert not any(name.startswith("on") for name in attributes), (url, tag)
            assert tag != "style", url
            if tag == "script":
                assert attributes.get("src") or attributes.get("type") == "application/json", url


def test_no_page_loads_anything_from_another_server(client: Any, pages: Any) -> None:
    for url, response in _each_page(client, pages["urls"]):
        for tag, attributes in parse(response.get_data(as_text=True)).tags:
            for name in URL_ATTRIBUTES:
                value = (attributes.get(name) or "").strip()
                if value.startswith(("http://", "https://", "//")):
                    # Only links to this very server (the join address) are allowed.
                    assert tag == "a" and value.startswith("http://localhost/"), (url, tag, value)


def test_static_assets_reference_nothing_outside_the_server() -> None:
    files = sorted(STATIC.rglob("*.js")) + sorted(STATIC.rglob("*.css"))
    assert len(files) >= 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        # The SVG namespace is a name, never fetched.
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"')]*", text))
        assert urls <= {"http://www.w3.org/2000/svg"}, (path.name, urls)
        assert "@import" not in text, path.name
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", text), path.name


def test_no_script_builds_html_from_strings() -> None:
    for path in sorted(STATIC.rglob("*.js")):
        text = path.read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in text, (path.name, sink)
        assert "textContent" in text, path.name


def test_hostile_idea_shows_as_text_in_the_console_and_on_the_projector(
    client: Any, pages: Any
) -> None:
    workshop_id = int(pages["workshop"].id)
    escaped = "&lt;img src=x onerror=&#34;alert(&#39;idée&#39;)&#34;&gt;"
    for url in (f"/console/ateliers/{workshop_id}/etapes/etape-idees",
                f"/console/ateliers/{workshop_id}/projecteur"):
        page = client.get(url).get_data(as_text=True)
        assert XSS_IDEA not in page, url
        assert escaped in page, url
        assert not any(tag == "img" and attributes.get("src") == "x"
                       for tag, attributes in parse(page).tags), url


def test_hostile_workshop_title_cannot_close_the_page_data_block(
    client: Any, pages: Any
) -> None:
    workshop = pages["workshop"]
    for url in (f"/j/{workshop.code}", "/console/", f"/console/ateliers/{int(workshop.id)}"):
        page = client.get(url).get_data(as_text=True)
        assert XSS_TITLE not in page, url
        assert "<script>alert" not in page, url


def test_hostile_ballot_comment_shows_as_text(app: Any, client: Any) -> None:
    # Live results: the projector page draws the tally (and so the hostile comment).
    step = make_choice_step(results_visibility="live")
    workshop = seed_workshop(app, [step], start=step.id)
    token = join(app, workshop)
    vote(app, workshop, token, step.id,
         ChoiceBallot(choices=["d-accord"], comment="<script>alert('commentaire')</script>"))
    log_in(client, app)
    for url in (f"/console/ateliers/{int(workshop.id)}/etapes/{step.id}",
                f"/console/ateliers/{int(workshop.id)}/projecteur"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert('commentaire')" not in page
        assert "&lt;script&gt;alert(&#39;commentaire&#39;)&lt;/script&gt;" in page


def test_hostile_option_labels_show_as_text(app: Any, client: Any) -> None:
    from workshops.model import Option

    options = [Option(id="a", label="<i>gras</i>"), Option(id="b", label="B")]
    step = make_dot_vote_step(options=options, budget=1, max_per_option=1,
                              results_visibility="live")
    workshop = seed_workshop(app, [step], start=step.id)
    vote(app, workshop, join(app, workshop), step.id, DotBallot(dots={"a": 1}))
    log_in(client, app)
    page = client.get(f"/console/ateliers/{int(workshop.id)}/projecteur").get_data(as_text=True)
    assert "<i>gras</i>" not in page
    assert "&lt;i&gt;gras&lt;/i&gt;" in page
