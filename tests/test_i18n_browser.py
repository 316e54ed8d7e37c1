"""The language switch in a real browser: Debian's Chromium against the real server.

A participant on a 360×740 phone joins a workshop in French, switches to English in the
middle of a dot vote, votes (an error from the server and the live results included), then
switches back to French and finds the ballot as they left it. The projector, opened by a
browser that asks for English, draws its live results in English. Any script error, CSP
violation or failed request fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import (
    PROJECTOR_VIEWPORT,
    WAIT_MS,
    PageWatch,
    chromium_missing,
    phone_context,
)
from factories import make_dot_vote_step, make_options
from live_server import FacilitatorActions, LiveServer, PhoneActions
from playwright.sync_api import expect

pytestmark = pytest.mark.slow

if chromium_missing():  # pragma: no cover - make test installs it
    pytest.skip("chromium absent : « make test » l'installe", allow_module_level=True)


@pytest.fixture(scope="module")
def facilitator(live_server: LiveServer) -> Iterator[FacilitatorActions]:
    """One facilitator for the module: the one-time link logs in only once."""
    actions = FacilitatorActions(live_server)
    actions.log_in()
    yield actions
    actions.close()


@pytest.fixture
def dot_vote(facilitator: FacilitatorActions) -> dict[str, Any]:
    """A running workshop whose current step is a dot vote on three options (2 dots)."""
    facilitator.close()
    step = make_dot_vote_step(options=make_options(3), budget=2, max_per_option=2)
    return {"code": facilitator.run_step(step, "Atelier bilingue"), "step": step}


def _ballots(server: LiveServer) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from workshops.store import BallotRow

    with server.database() as session:
        return [row.body for row in session.scalars(select(BallotRow).order_by(BallotRow.id))]


def test_a_participant_switches_to_english_mid_vote_and_back_without_losing_the_ballot(
    browser: Any, live_server: LiveServer, dot_vote: dict[str, Any]
) -> None:
    context = phone_context(browser)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    watch = PageWatch(page)
    html = page.locator("html")
    state = page.locator(".submit-bar .state")
    page.goto(f"{live_server.base_url}/j/{dot_vote['code']}")
    expect(html).to_have_attribute("lang", "fr")
    page.get_by_role("button", name="Participer").click()
    page.get_by_role("button", name="Ajouter une gommette à « Option A »").click()
    expect(page.locator(".budget strong")).to_have_text("1 / 2")

    # The switch opens the page, above the ballot, named in the language it offers.
    switch = page.locator(".language-bar").get_by_role("link", name="English")
    expect(switch).to_have_attribute("hreflang", "en")
    switch.click()
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("#connection")).to_have_text("Online")
    expect(page.locator(".step-head .kind")).to_have_text("Dot vote")
    expect(page.locator(".budget-label")).to_have_text("Dots left")
    expect(page.locator(".budget small")).to_have_text("at most 2 dots per option")
    expect(page.get_by_role("button", name="Send my vote")).to_be_visible()
    # The ballot being filled in came through the reload.
    expect(page.locator(".budget strong")).to_have_text("1 / 2")

    # An empty ballot: the server refuses it in French; the phone explains in English.
    page.get_by_role("button", name="Remove a dot from “Option A”").click()
    page.get_by_role("button", name="Send my vote").click()
    expect(state).to_have_text("This vote is not valid: check your answers.")
    expect(state).to_have_class("state error")

    page.get_by_role("button", name="Add a dot to “Option A”").click()
    page.get_by_role("button", name="Add a dot to “Option C”").click()
    page.get_by_role("button", name="Send my vote").click()
    expect(state).to_have_text("✓ Your vote is saved. You can change it while the step is open.")
    expect(page.locator(".my-results caption")).to_have_text("Live results (1 voter)")
    expect(page.locator(".my-results th")).to_have_text(["Rank", "Option", "Dots"])

    page.locator(".language-bar").get_by_role("link", name="Français").click()
    expect(html).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Modifier mon vote")).to_be_visible()
    expect(state).to_have_text("✓ Votre vote est enregistré.")
    expect(page.locator(".option.chosen .label")).to_have_text(["Option A", "Option C"])
    expect(page.locator(".budget strong")).to_have_text("0 / 2")
    expect(page.locator(".my-results caption")).to_have_text("Résultats en direct (1 votant)")
    assert _ballots(live_server)[-1] == {"kind": "dot_vote", "dots": {"opt-a": 1, "opt-c": 1}}
    assert watch.errors == []
    context.close()


def test_a_projector_asking_for_english_draws_its_live_results_in_english(
    browser: Any, live_server: LiveServer, facilitator: FacilitatorActions,
    dot_vote: dict[str, Any],
) -> None:
    context = browser.new_context(viewport=PROJECTOR_VIEWPORT, locale="en-GB")
    context.add_cookies([{"name": c.name, "value": c.value or "", "url": live_server.base_url}
                         for c in facilitator.cookies])
    screen = context.new_page()
    screen.set_default_timeout(WAIT_MS)
    watch = PageWatch(screen)
    screen.goto(f"{live_server.base_url}/console/ateliers/{facilitator.workshop_id}/projecteur")
    expect(screen.locator("html")).to_have_attribute("lang", "en")
    expect(screen.locator("#live-text")).to_have_text("Live")
    expect(screen.locator("#step-kind")).to_have_text("Dot vote")

    phone = PhoneActions(live_server, dot_vote["code"])
    phone.join(nickname="Sam")
    phone.cast_ballot(dot_vote["step"].id, {"kind": "dot_vote", "dots": {"opt-b": 2}})
    phone.close()
    # Results after the vote: the projector counts the voters and keeps the tally back.
    expect(screen.locator("#voter-count")).to_have_text("1 has voted")
    expect(screen.locator("#participant-label")).to_have_text("participant")
    expect(screen.locator("#results [data-role=voters]")).to_have_text("1 voter")
    expect(screen.locator("#results [data-role=results-hidden]")).to_have_text(
        "Results hidden until voting ends")
    expect(screen.locator("#step-status")).to_have_text("Voting open")

    facilitator.close_step(dot_vote["step"].id)
    expect(screen.locator("#step-status")).to_have_text("Final results")
    expect(screen.locator("#results [data-role=voters]")).to_have_text("1 voter · 2 dots placed")
    expect(screen.locator("#results caption")).to_have_text("Dot vote results")
    expect(screen.locator("#results thead th")).to_have_text(["Rank", "Option", "Chart", "Dots"])
    assert watch.errors == []
    context.close()
