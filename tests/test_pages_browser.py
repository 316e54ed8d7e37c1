"""The pages' scripts in a real browser: Debian's Chromium (headless, driven by Playwright)
against the real server (``chemins serve``), with phones on the websocket.

Checks what only a browser can: the phone page joins, votes and confirms only on the
server's ack, a reload is the same person with the same ballot, the page follows the
facilitator by itself and comes back after the server restarts; the projector updates
its count and its bars live. Any error in the browser's console (a script error, a
Content-Security-Policy violation, a failed request) fails the test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import join_as
from factories import make_brainstorm_step, make_choice_step, make_dot_vote_step, make_options
from live_server import FacilitatorActions, LiveServer, PhoneActions
from playwright.sync_api import expect

from theory_of_change.demo import demo_project

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 15_000

if shutil.which(CHROMIUM) is None:  # pragma: no cover - make test installs it
    pytest.skip("chromium absent : « make test » l'installe", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Console:
    """The errors a page reports in the browser's console."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", lambda r: self.errors.append(f"{r.url} {r.failure}"))


@pytest.fixture(scope="module")
def facilitator(live_server: LiveServer) -> Iterator[FacilitatorActions]:
    """One facilitator for the module: the one-time link logs in only once."""
    actions = FacilitatorActions(live_server)
    actions.log_in()
    yield actions
    actions.close()


@pytest.fixture
def running(facilitator: FacilitatorActions) -> dict[str, Any]:
    """A workshop of the demo project: a dot vote (running) then a choice."""
    facilitator.close()
    vote = make_dot_vote_step(options=make_options(3), budget=2, max_per_option=1,
                              results_visibility="live")
    choice = make_choice_step(writeback=None)
    facilitator.create_workshop(facilitator.project_id(demo_project().id), "Atelier du navigateur")
    facilitator.add_steps([vote, choice])
    welcome = facilitator.connect()
    facilitator.open_workshop()
    facilitator.start_step(vote.id)
    return {"code": welcome["state"]["workshop"]["code"], "vote": vote, "choice": choice}


def _phone(browser: Any, server: LiveServer, code: str) -> tuple[Any, Any, Console]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="fr-FR")
    page = context.new_page()
    console = Console(page)
    page.goto(f"{server.base_url}/j/{code}")
    return context, page, console


def _join(page: Any) -> None:
    join_as(page, "Camille", "Habitants")
    page.wait_for_selector(".stepper", timeout=WAIT_MS)


def _ballots(server: LiveServer) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from workshops.store import BallotRow

    with server.database() as session:
        return [row.body for row in session.scalars(select(BallotRow).order_by(BallotRow.id))]


def test_a_phone_joins_votes_and_is_the_same_person_with_the_same_ballot_after_a_reload(
    browser: Any, live_server: LiveServer, running: dict[str, Any]
) -> None:
    before = len(_ballots(live_server))
    context, page, console = _phone(browser, live_server, running["code"])
    page.wait_for_selector("#join:not([hidden])", timeout=WAIT_MS)
    _join(page)
    page.get_by_role("button", name="Ajouter une gommette à « Option A »").click()
    page.get_by_role("button", name="Ajouter une gommette à « Option C »").click()
    assert page.locator(".budget strong").inner_text() == "0 / 2"
    # Budget spent: the "+" of option B refuses, and says so.
    plus_b = page.get_by_role("button", name="Ajouter une gommette à « Option B »")
    assert plus_b.get_attribute("aria-disabled") == "true"
    assert "enregistré" not in page.locator(".submit-bar .state").inner_text()

    page.get_by_role("button", name="Envoyer mon vote").click()
    page.wait_for_selector(".submit-bar .state.ok", timeout=WAIT_MS)
    assert "Votre vote est enregistré" in page.locator(".submit-bar .state").inner_text()
    ballots = _ballots(live_server)
    assert len(ballots) == before + 1
    assert ballots[-1] == {"kind": "dot_vote", "dots": {"opt-a": 1, "opt-c": 1}}

    page.reload()
    page.wait_for_selector(".option.chosen", timeout=WAIT_MS)
    assert page.locator(".option.chosen").count() == 2
    assert page.locator("#join").is_hidden()
    assert "Votre vote est enregistré" in page.locator(".submit-bar .state").inner_text()
    assert page.get_by_role("button", name="Modifier mon vote").is_visible()
    assert page.locator("#connection").inner_text() == "En ligne"
    assert console.errors == []
    context.close()


def test_the_phone_follows_the_facilitator_and_the_projector_updates_live(
    browser: Any, live_server: LiveServer, facilitator: FacilitatorActions,
    running: dict[str, Any],
) -> None:
    projector = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    projector.add_cookies([{"name": c.name, "value": c.value or "", "url": live_server.base_url}
                           for c in facilitator.cookies])
    screen = projector.new_page()
    screen_console = Console(screen)
    screen.goto(f"{live_server.base_url}/console/ateliers/{facilitator.workshop_id}/projecteur")
    screen.wait_for_selector("#live-state.online", timeout=WAIT_MS)
    assert screen.locator("#participant-count").inner_text() == "0"

    desk = projector.new_page()
    desk_console = Console(desk)
    desk.goto(f"{live_server.base_url}/console/ateliers/{facilitator.workshop_id}"
              f"/etapes/{running['vote'].id}")
    desk.wait_for_selector("#live-state.online", timeout=WAIT_MS)

    context, page, console = _phone(browser, live_server, running["code"])
    _join(page)
    expect(screen.locator("#participant-count")).to_have_text("1", timeout=WAIT_MS)
    expect(desk.locator("#presence-participants")).to_have_text("1", timeout=WAIT_MS)
    expect(desk.locator("#presence-phones")).to_have_text("1", timeout=WAIT_MS)

    other = PhoneActions(live_server, running["code"])
    other.join(nickname="Dominique", group="elus")
    other.cast_ballot(running["vote"].id, {"kind": "dot_vote", "dots": {"opt-b": 1}})
    expect(screen.locator("#voter-count")).to_have_text("1 a voté", timeout=WAIT_MS)
    first_row = screen.locator("#results tbody tr").first
    assert "Option B" in first_row.inner_text()
    assert first_row.locator("rect.fill").get_attribute("width") == "100.00"
    expect(desk.locator("#presence-voters")).to_have_text("1", timeout=WAIT_MS)
    expect(desk.locator("#results tbody tr").first).to_contain_text("Option B")
    other.close()

    facilitator.close_step(running["vote"].id)
    page.wait_for_selector("text=Cette étape est close", timeout=WAIT_MS)
    facilitator.start_step(running["choice"].id)
    page.wait_for_selector("text=Choisissez une réponse", timeout=WAIT_MS)
    assert page.get_by_role("radio", name="Pas d'accord").is_visible()
    screen.wait_for_selector("#step-title:has-text('Validez-vous la vision ?')", timeout=WAIT_MS)
    assert console.errors == []
    assert screen_console.errors == []
    assert desk_console.errors == []
    context.close()
    projector.close()


def test_ideas_posted_from_a_phone_reach_the_wall_and_the_console_live(
    browser: Any, live_server: LiveServer, facilitator: FacilitatorActions
) -> None:
    step = make_brainstorm_step()
    facilitator.close()
    code = facilitator.run_step(step, "Idées en direct")

    desk_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    desk_context.add_cookies([{"name": c.name, "value": c.value or "",
                               "url": live_server.base_url} for c in facilitator.cookies])
    desk = desk_context.new_page()
    desk_console = Console(desk)
    desk.goto(f"{live_server.base_url}/console/ateliers/{facilitator.workshop_id}"
              f"/etapes/{step.id}")
    desk.wait_for_selector("#live-state.online", timeout=WAIT_MS)

    context, page, console = _phone(browser, live_server, code)
    join_as(page, "Alix")
    page.get_by_label("Colonne", exact=True).select_option(label="Changement pour l'enfance")
    idea = page.get_by_label("Votre idée", exact=True)
    idea.fill("Des ateliers parents-enfants le samedi")
    assert page.locator("#idee-compteur").inner_text() == "38 / 280 caractères"
    page.get_by_role("button", name="Envoyer l'idée").click()
    page.wait_for_selector("#idee-etat.ok", timeout=WAIT_MS)
    assert idea.input_value() == ""
    card = page.locator(".phone-idea", has_text="Des ateliers parents-enfants le samedi")
    expect(card).to_be_visible(timeout=WAIT_MS)

    upvote = card.get_by_role("button", name="Soutenir cette idée (0 soutien)")
    upvote.click()
    expect(card.get_by_role("button", name="Retirer mon soutien (1 soutien)")).to_have_attribute(
        "aria-pressed", "true", timeout=WAIT_MS)

    column = desk.locator('[data-column-id="col-enfance"]')
    expect(column.locator(".idea-text")).to_have_text(
        ["Des ateliers parents-enfants le samedi"], timeout=WAIT_MS)
    expect(column.locator(".idea-meta")).to_contain_text("▲ 1 soutien", timeout=WAIT_MS)
    assert console.errors == []
    assert desk_console.errors == []
    context.close()
    desk_context.close()


def test_a_vote_sent_while_the_server_is_down_arrives_once_it_is_back(
    browser: Any, live_server: LiveServer, running: dict[str, Any]
) -> None:
    before = len(_ballots(live_server))
    context, page, console = _phone(browser, live_server, running["code"])
    _join(page)
    live_server.kill()
    page.wait_for_selector("#connection.offline", timeout=WAIT_MS)
    page.get_by_role("button", name="Ajouter une gommette à « Option B »").click()
    page.get_by_role("button", name="Envoyer mon vote").click()
    assert "Hors ligne" in page.locator(".submit-bar .state").inner_text()

    live_server.start()
    page.wait_for_selector("#connection.online", timeout=30_000)
    page.wait_for_selector(".submit-bar .state.ok", timeout=WAIT_MS)
    ballots = _ballots(live_server)
    assert len(ballots) == before + 1
    assert ballots[-1] == {"kind": "dot_vote", "dots": {"opt-b": 1}}
    # While the server was down the browser logged failed connections; nothing else.
    assert [e for e in console.errors if "WebSocket" not in e and "/ws" not in e] == []
    context.close()
