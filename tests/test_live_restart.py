"""The server is killed in the middle of a vote: nothing acknowledged is lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import FacilitatorActions, LiveServer, PhoneActions
from sqlalchemy import func, select

from theory_of_change.demo import demo_project
from workshops import service
from workshops.store import BallotRow, IdeaRow

pytestmark = pytest.mark.slow

PHONES = 6


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server of this test's own, since the test kills it."""
    live = LiveServer(tmp_path / "instance")
    live.start()
    yield live
    live.stop()


def _counts(server: LiveServer) -> tuple[int, int]:
    with server.database() as session:
        ideas = session.scalar(select(func.count(IdeaRow.id)))
        ballots = session.scalar(select(func.count(BallotRow.id)))
    return ideas or 0, ballots or 0


def test_a_server_killed_mid_vote_restarts_with_every_acknowledged_idea_and_ballot(
    server: LiveServer,
) -> None:
    facilitator = FacilitatorActions(server)
    facilitator.log_in()
    project = demo_project()
    workshop_id = facilitator.create_workshop(facilitator.project_id(project.id), "Redémarrage")
    facilitator.add_steps(service.demo_steps(project))
    code = facilitator.connect()["state"]["workshop"]["code"]
    facilitator.open_workshop()
    phones = [PhoneActions(server, code) for _ in range(PHONES)]
    tokens = [phone.join(f"P{n}") for n, phone in enumerate(phones)]

    facilitator.start_step("actions")
    column = phones[0].wait_step("actions", "open")["current_step"]["columns"][0]["id"]
    idea_ids = [phone.post_idea("actions", column, f"Idée {n}") for n, phone in enumerate(phones)]
    facilitator.close_step("actions")
    facilitator.start_step("priorisation")
    step = phones[0].wait_step("priorisation", "open")["current_step"]
    options = [option["id"] for option in step["options"]]
    ballots = {n: {"kind": "dot_vote", "dots": dict.fromkeys(options[n : n + 5], 1)}
               for n in range(4)}
    for n, ballot in ballots.items():
        ack = phones[n].cast_ballot("priorisation", ballot, client_id=f"bulletin-{n}")
        assert ack["type"] == "ack"

    server.kill()
    # Acknowledged means committed: the database holds all of it with no server running.
    assert _counts(server) == (PHONES, 4)

    server.start()
    for n, phone in enumerate(phones):
        welcome = phone.reconnect()
        assert welcome["participant"]["token"] == tokens[n]
        assert welcome["participant"]["nickname"] == f"P{n}"
        state = welcome["state"]
        assert state["current_step"]["id"] == "priorisation"
        assert state["current_step"]["status"] == "open"
        assert state["me"]["ballot"] == ballots.get(n)
        assert state["results"]["voters"] == 4
    for n in (4, 5):
        ballot = {"kind": "dot_vote", "dots": dict.fromkeys(options[:5], 1)}
        assert phones[n].cast_ballot("priorisation", ballot)["type"] == "ack"
    # A phone resends a ballot acknowledged before the crash: counted once.
    resend = phones[0].cast_ballot("priorisation", ballots[0], client_id="bulletin-0")
    assert (resend["type"], resend["duplicate"]) == ("ack", True)
    for phone in phones:
        phone.wait_until(
            lambda phone=phone: phone.results.get("priorisation", {}).get("voters") == PHONES,
            "les six bulletins",
        )
    assert phones[0].results["priorisation"]["dots_cast"] == 5 * PHONES

    # The facilitator's session survived the restart (the key lives in the instance folder).
    facilitator.connect(workshop_id)
    closing = facilitator.close_step("priorisation")
    assert "priorisé" in closing["detail"]
    with server.database() as session:
        ideas = session.scalars(select(IdeaRow.id).order_by(IdeaRow.id)).all()
    assert [str(i) for i in ideas] == idea_ids
    for phone in phones:
        phone.close()
    facilitator.close()
