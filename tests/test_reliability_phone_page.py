"""The phone page keeps an unacknowledged ballot across a reload and resends it once.

Debian's Chromium (headless, driven by Playwright) on the real server; Playwright sits
on the page's websocket and loses the server's ``ack`` of the ballot, as a wifi drop
right after sending would. The ballot is then in the database but the page does not
know it: after a reload, the page must resend it with the same ``client_id`` (kept in
localStorage), and the server must count it once.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import join_as
from factories import make_dot_vote_step, make_options
from live_server import FacilitatorActions, LiveServer
from sqlalchemy import select

from workshops.store import BallotRow

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


class LossyLink:
    """Sits on the page's websocket; while ``lose_acks`` is set, the server's acks vanish."""

    def __init__(self) -> None:
        self.lose_acks = False
        self.sent: list[dict[str, Any]] = []
        self.lost: list[dict[str, Any]] = []

    def route(self, ws: Any) -> None:
        server = ws.connect_to_server()

        def upward(message: str | bytes) -> None:
            self.sent.append(json.loads(message))
            server.send(message)

        def downward(message: str | bytes) -> None:
            parsed = json.loads(message)
            if self.lose_acks and parsed.get("type") == "ack":
                self.lost.append(parsed)
                return
            ws.send(message)

        ws.on_message(upward)
        server.on_message(downward)


def test_a_ballot_whose_ack_was_lost_is_resent_after_a_reload_and_counted_once(
    browser: Any, live_server: LiveServer
) -> None:
    facilitator = FacilitatorActions(live_server)
    facilitator.log_in()
    vote = make_dot_vote_step(options=make_options(3), budget=2, max_per_option=1)
    code = facilitator.run_step(vote, "Ack perdu")

    link = LossyLink()
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route_web_socket("**/ws", link.route)
    page.goto(f"{live_server.base_url}/j/{code}")
    join_as(page, "Camille")
    page.wait_for_selector(".stepper", timeout=WAIT_MS)

    link.lose_acks = True
    page.get_by_role("button", name="Ajouter une gommette à « Option B »").click()
    page.get_by_role("button", name="Envoyer mon vote").click()
    waited = 0
    while not link.lost:  # Playwright runs the link's callbacks while the page waits
        page.wait_for_timeout(50)
        waited += 50
        assert waited < WAIT_MS, "le serveur n'a pas répondu au bulletin"
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.endsWith(':outbox'))"
                         ".length") == 1
    sent = [m for m in link.sent if m["type"] == "cast_ballot"]
    assert len(sent) == 1
    # The server recorded it; the page, without the ack, still waits for it.
    with live_server.database() as session:
        assert _ballots(session) == [({"kind": "dot_vote", "dots": {"opt-b": 1}}, 1)]
    assert "enregistré" not in page.locator(".submit-bar .state").inner_text()
    assert [m["client_id"] for m in link.lost] == [sent[0]["client_id"]]

    link.lose_acks = False
    page.reload()
    # The welcome already shows the recorded ballot; the outbox empties only once the
    # resent ballot's own ack arrives, which may come a moment later.
    page.wait_for_function(
        "() => Object.keys(localStorage).filter(k => k.endsWith(':outbox')).length === 0",
        timeout=WAIT_MS,
    )
    page.wait_for_selector(".submit-bar .state.ok", timeout=WAIT_MS)
    assert "Votre vote est enregistré" in page.locator(".submit-bar .state").inner_text()
    resent = [m for m in link.sent if m["type"] == "cast_ballot"]
    assert [m["client_id"] for m in resent] == [sent[0]["client_id"]] * 2
    assert resent[1]["ballot"] == sent[0]["ballot"]
    with live_server.database() as session:  # counted once: not even a second revision
        assert _ballots(session) == [({"kind": "dot_vote", "dots": {"opt-b": 1}}, 1)]
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.endsWith(':outbox'))"
                         ".length") == 0
    assert errors == []
    context.close()
    facilitator.close()


def _ballots(session: Any) -> list[tuple[dict[str, Any], int]]:
    return [(row.body, row.revisions) for row in session.scalars(select(BallotRow))]
