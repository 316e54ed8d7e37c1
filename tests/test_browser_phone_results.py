"""A phone's results table in a real browser: rewritten in place as tallies arrive.

A tally reaches a phone up to ten times a second; rebuilding the whole table each time
makes the browser redo style and layout (``docs/performance.md``). The table is built once
per step and only its cells change: checked here with a mark set on the table, which a
rebuilt table would not carry, while two other phones' votes reorder its rows.
"""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import WAIT_MS, PageWatch, chromium_missing, join_as, phone_context
from factories import make_dot_vote_step, make_options
from live_server import FacilitatorActions, LiveServer, PhoneActions
from playwright.sync_api import expect

pytestmark = pytest.mark.slow

if chromium_missing():  # pragma: no cover - make test installs it
    pytest.skip("chromium absent : « make test » l'installe", allow_module_level=True)


def test_a_phone_rewrites_its_results_table_in_place_as_other_votes_arrive(
    browser: Any, live_server: LiveServer, facilitator: FacilitatorActions
) -> None:
    vote = make_dot_vote_step(id="vote", title="Vote en direct", options=make_options(3),
                              budget=2, max_per_option=2, results_visibility="live")
    code = facilitator.run_step(vote, "Atelier en direct")
    facilitator.close()

    phones = phone_context(browser)
    phone = phones.new_page()
    phone.set_default_timeout(WAIT_MS)
    watch = PageWatch(phone)
    phone.goto(f"{live_server.base_url}/j/{code}")
    join_as(phone, "Camille", "Habitants")
    phone.get_by_role("button", name="Ajouter une gommette à « Option B »").click()
    phone.get_by_role("button", name="Envoyer mon vote").click()
    expect(phone.locator(".my-results caption")).to_have_text("Résultats en direct (1 votant)")
    expect(phone.locator(".my-results tbody tr").first).to_contain_text("Option B")
    # Mark the table: a rebuilt one would not carry the mark.
    phone.evaluate("() => { document.querySelector('.my-results table').dataset.kept = 'oui'; }")

    others = [PhoneActions(live_server, code) for _ in range(2)]
    for other in others:
        other.join()
        ack = other.cast_ballot("vote", {"kind": "dot_vote", "dots": {"opt-c": 2}})
        assert ack["type"] == "ack"
    expect(phone.locator(".my-results caption")).to_have_text("Résultats en direct (3 votants)")
    expect(phone.locator(".my-results tbody tr").first).to_contain_text("Option C")
    expect(phone.locator(".my-results tbody tr").first).to_contain_text("4")
    expect(phone.locator(".my-results tbody tr").nth(1)).to_contain_text("Option B")
    expect(phone.locator(".my-results tbody tr")).to_have_count(3)
    assert phone.evaluate("() => document.querySelector('.my-results table').dataset.kept") == "oui"
    for other in others:
        other.close()
    assert watch.errors == []
    phones.close()
