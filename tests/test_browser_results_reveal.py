"""Results kept until revealed, in real browsers: the projector, a phone and the console.

The facilitator runs a dot vote « à la révélation »: the projector shows how many voted
and that the results are hidden, the phone that voted says the facilitator will reveal
them; one click on « Révéler les résultats » in the console and both show the results,
without a reload. Any error in a browser's console or a failed request fails the test.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_support import (
    PROJECTOR_VIEWPORT,
    WAIT_MS,
    PageWatch,
    chromium_missing,
    facilitator_context,
    join_as,
    phone_context,
)
from factories import make_dot_vote_step, make_options
from live_server import FacilitatorActions, LiveServer
from playwright.sync_api import expect

pytestmark = pytest.mark.slow

if chromium_missing():  # pragma: no cover - make test installs it
    pytest.skip("chromium absent : « make test » l'installe", allow_module_level=True)


def test_the_projector_and_a_phone_show_the_results_once_the_facilitator_reveals_them(
    browser: Any, live_server: LiveServer, facilitator: FacilitatorActions
) -> None:
    vote = make_dot_vote_step(id="vote", title="Vote secret", options=make_options(3),
                              budget=2, max_per_option=1, results_visibility="on_reveal")
    code = facilitator.run_step(vote, "Atelier à la révélation")
    workshop_id = facilitator.workshop_id
    facilitator.close()
    watches: list[PageWatch] = []

    screens = facilitator_context(browser, facilitator, live_server, PROJECTOR_VIEWPORT)
    screen = screens.new_page()
    screen.set_default_timeout(WAIT_MS)
    watches.append(PageWatch(screen))
    screen.goto(f"{live_server.base_url}/console/ateliers/{workshop_id}/projecteur")
    expect(screen.locator("#live-state")).to_have_class(re.compile("online"))

    phones = phone_context(browser)
    phone = phones.new_page()
    phone.set_default_timeout(WAIT_MS)
    watches.append(PageWatch(phone))
    phone.goto(f"{live_server.base_url}/j/{code}")
    join_as(phone, "Camille", "Habitants")
    phone.get_by_role("button", name="Ajouter une gommette à « Option B »").click()
    phone.get_by_role("button", name="Envoyer mon vote").click()
    expect(phone.locator(".submit-bar .state")).to_have_class(re.compile(r"\bok\b"))

    # Hidden: the count only, on both screens.
    expect(phone.locator(".my-results")).to_contain_text(
        "Les résultats seront dévoilés par l'animation.")
    expect(phone.locator(".my-results")).to_contain_text("1 personne a voté pour l'instant.")
    expect(phone.locator(".my-results table")).to_have_count(0)
    expect(screen.locator("#results [data-role=results-hidden]")).to_have_text(
        "Résultats masqués jusqu'à leur révélation")
    expect(screen.locator("#results [data-role=voters]")).to_have_text("1 votant")
    expect(screen.locator("#step-status")).to_have_text("Vote en cours")
    expect(screen.locator("#results table")).to_have_count(0)

    desks = facilitator_context(browser, facilitator, live_server)
    desk = desks.new_page()
    desk.set_default_timeout(WAIT_MS)
    watches.append(PageWatch(desk))
    desk.goto(f"{live_server.base_url}/console/ateliers/{workshop_id}/etapes/vote")
    expect(desk.locator("#results-visibility")).to_have_text("à la révélation")
    desk.get_by_role("button", name="Révéler les résultats").click()
    expect(desk.locator("#results-revealed")).to_be_visible()

    # Revealed: both screens draw the results by themselves.
    expect(screen.locator("#results tbody tr").first).to_contain_text("Option B")
    expect(screen.locator("#results [data-role=voters]")).to_have_text(
        "1 votant · 1 gommette posée")
    expect(screen.locator("#results [data-role=results-hidden]")).to_have_count(0)
    expect(screen.locator("#step-status")).to_have_text("Vote en cours · résultats en direct")
    expect(phone.locator(".my-results caption")).to_have_text(
        "Résultats en direct (1 votant)")
    expect(phone.locator(".my-results tbody tr").first).to_contain_text("Option B")

    # The mode is a radio group the keyboard drives; revealed results stay revealed.
    desk.get_by_role("radio", name=re.compile("^à la révélation")).focus()
    desk.keyboard.press("ArrowUp")
    expect(desk.get_by_role("radio", name=re.compile("^après avoir voté"))).to_be_checked()
    desk.keyboard.press("Tab")
    expect(desk.get_by_role("button", name="Appliquer ce mode")).to_be_focused()
    desk.keyboard.press("Enter")
    expect(desk.locator("#results-visibility")).to_have_text("après avoir voté")
    expect(screen.locator("#results tbody tr").first).to_contain_text("Option B")

    assert [error for watch in watches for error in watch.errors] == []
    for context in (screens, phones, desks):
        context.close()
