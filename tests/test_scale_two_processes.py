"""Two server processes on one PostgreSQL and one Redis: one live workshop, nothing lost.

Both processes are real ``chemins serve`` (gunicorn) on two ports of 127.0.0.1, sharing
the database, the Redis bus and the secret key, as behind nginx. The facilitator works on
process A, the projector watches on process B, phones are on both. Then A is killed with
SIGKILL in the middle of a vote: its phones reconnect to B with their token and resend
what was not acknowledged, and B's projector ends with exactly the ballots of the
database. Every wait has a generous timeout; no assertion is about time.
"""

from __future__ import annotations

import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import (
    FacilitatorActions,
    LiveServer,
    Message,
    PhoneActions,
    ProtocolFailure,
    WebsocketClient,
)
from redis_server import RedisServer, RedisUnavailable
from sqlalchemy import select

from theory_of_change.demo import demo_project
from workshops import service
from workshops.model import ResultsVisibility
from workshops.store import BallotRow, ParticipantRow, StepRow, migrate

pytestmark = pytest.mark.slow

PHONES = 12
"""Phones on each process."""
STEP = "priorisation"
WAIT_S = 30.0


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    """A real Redis on 127.0.0.1 for this module; skipped with the reason if it cannot run."""
    try:
        server = RedisServer.start()
    except RedisUnavailable as reason:
        pytest.skip(str(reason))
    yield server
    server.stop()


@pytest.fixture
def servers(
    postgres_url: str, redis_server: RedisServer, tmp_path: Path
) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Processes A and B on one upgraded PostgreSQL database and one Redis."""
    migrate.upgrade(postgres_url)
    shared = {
        "DATABASE_URL": postgres_url,
        "REDIS_URL": redis_server.url,
        "CHEMINS_REDIS_PREFIX": f"deux-{tmp_path.name}",
        # A cookie signed by one process must open the other (docs/deploy.md).
        "CHEMINS_SECRET_KEY": "clé partagée par les deux processus",
    }
    first = LiveServer(tmp_path / "a", env=dict(shared))
    second = LiveServer(tmp_path / "b", env=dict(shared))
    try:
        first.start()  # loads the demo project; B then finds it
        second.start()
        yield first, second
    finally:
        first.stop()
        second.stop()


def _projector(server: LiveServer, cookie: str, workshop_id: int) -> WebsocketClient:
    client = WebsocketClient(server.ws_url, {"Cookie": cookie})
    client.send({"type": "hello", "protocol": 1, "role": "projector",
                 "workshop_id": str(workshop_id)})
    welcome = client.wait_for(lambda m: m["type"] in ("welcome", "error"), "welcome")
    assert welcome["type"] == "welcome", welcome
    return client


def _ballot(options: list[str], n: int) -> Message:
    return {"kind": "dot_vote", "dots": dict.fromkeys(options[n % 9 : n % 9 + 3], 1)}


def _dots(ballots: list[Message]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for ballot in ballots:
        total.update(ballot["dots"])
    return dict(total)


def _shown(projector: WebsocketClient) -> tuple[int, dict[str, int]]:
    tally = projector.results.get(STEP) or {"voters": 0, "rows": []}
    return tally["voters"], {row["option_id"]: row["dots"] for row in tally["rows"]
                             if row["dots"]}


def _stored(server: LiveServer, workshop_id: int) -> dict[str, list[Message]]:
    """Ballots of the vote in PostgreSQL, by participant token (a list: to count them)."""
    with server.database() as session:
        rows = session.execute(
            select(ParticipantRow.token, BallotRow.body)
            .join(BallotRow, BallotRow.participant_id == ParticipantRow.id)
            .join(StepRow, StepRow.id == BallotRow.step_id)
            .where(StepRow.workshop_id == workshop_id, StepRow.key == STEP)
        ).all()
    stored: dict[str, list[Message]] = {}
    for token, body in rows:
        stored.setdefault(token, []).append(body)
    return stored


def _metrics(server: LiveServer) -> str:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{server.base_url}/metrics", timeout=15) as response:
        return str(response.read().decode("utf-8"))


def test_two_processes_share_votes_and_presence_and_a_killed_one_loses_nothing(
    servers: tuple[LiveServer, LiveServer],
) -> None:
    a, b = servers
    facilitator = FacilitatorActions(a)
    facilitator.log_in()
    project = demo_project()
    workshop_id = facilitator.create_workshop(facilitator.project_id(project.id), "Forum")
    # The vote « en direct »: the projector shows the tally while people vote.
    facilitator.add_steps([
        step.model_copy(update={"results_visibility": ResultsVisibility.live})
        if step.id == STEP else step
        for step in service.demo_steps(project)
    ])
    code = facilitator.connect()["state"]["workshop"]["code"]
    facilitator.open_workshop()
    projector = _projector(b, facilitator.cookie_header, workshop_id)

    phones_a = [PhoneActions(a, code) for _ in range(PHONES)]
    phones_b = [PhoneActions(b, code) for _ in range(PHONES)]
    tokens = [phone.join(f"P{n}") for n, phone in enumerate(phones_a + phones_b)]
    # B's projector counts the phones connected to A too.
    projector.wait_for(
        lambda m: m["type"] == "presence" and m["presence"]["phones"] == 2 * PHONES
        and m["presence"]["participants"] == 2 * PHONES,
        "présence des deux processus", WAIT_S,
    )

    facilitator.start_step(STEP)
    step = phones_a[0].wait_step(STEP, "open")["current_step"]
    options = [option["id"] for option in step["options"]]
    ballots = {token: _ballot(options, n) for n, token in enumerate(tokens)}

    # Half of A's phones vote: B's projector shows exactly their ballots.
    first = phones_a[: PHONES // 2]
    for phone in first:
        assert phone.cast_ballot(STEP, ballots[phone.token])["type"] == "ack"
    expected = (len(first), _dots([ballots[p.token] for p in first]))
    projector.wait_until(lambda: _shown(projector) == expected, "les votes de A sur B", WAIT_S)
    for phone in phones_b:
        assert phone.cast_ballot(STEP, ballots[phone.token])["type"] == "ack"

    # The other half of A's phones vote, and A is killed in the middle: after the acks of
    # the first three, while the last three ballots are on their way.
    rest = phones_a[PHONES // 2 :]
    client_ids = {phone.token: f"dernier-{n}" for n, phone in enumerate(rest)}
    for phone in rest[:3]:
        ack = phone.cast_ballot(STEP, ballots[phone.token], client_id=client_ids[phone.token])
        assert ack["type"] == "ack"
    for phone in rest[3:]:
        phone.send({"type": "cast_ballot", "client_id": client_ids[phone.token],
                    "step_id": STEP, "ballot": ballots[phone.token]})
    a.kill()
    acknowledged = {phone.token for phone in rest[:3]}
    for phone in rest[3:]:
        with pytest.raises(ProtocolFailure, match="connexion fermée"):
            phone.wait_until(lambda: False, "la fin de la connexion")
        if any(m.get("type") == "ack" and m.get("client_id") == client_ids[phone.token]
               for m in phone.received):
            acknowledged.add(phone.token)
    # Acknowledged means committed: each such ballot is in PostgreSQL, once.
    stored = _stored(b, workshop_id)
    for token in acknowledged | {p.token for p in first + phones_b}:
        assert stored.get(token) == [ballots[token]]

    # A's phones come back through B with their token; the unacknowledged ones resend.
    projector.received.clear()
    for phone in phones_a:
        phone.url = b.ws_url
        welcome = phone.reconnect()
        assert welcome["participant"]["token"] == phone.token
        if phone.token in acknowledged or phone in first:
            assert welcome["state"]["me"]["ballot"] == ballots[phone.token]
    for phone in rest:
        if phone.token not in acknowledged:
            resent = phone.cast_ballot(STEP, ballots[phone.token],
                                       client_id=client_ids[phone.token])
            assert resent["type"] == "ack"

    stored = _stored(b, workshop_id)
    assert stored == {token: [ballots[token]] for token in tokens}
    final = (len(tokens), _dots([ballots[token] for token in tokens]))
    projector.wait_until(lambda: _shown(projector) == final, "le décompte final sur B", WAIT_S)
    # A's phones stopped counting on A once its presence expired: all are on B now.
    projector.wait_for(
        lambda m: m["type"] == "presence" and m["presence"]["phones"] == 2 * PHONES,
        "présence après la panne", WAIT_S,
    )
    metrics = _metrics(b)
    assert "chemins_bus_up 1.0" in metrics
    assert "chemins_bus_messages_received_total 0.0" not in metrics
    for phone in phones_a + phones_b:
        phone.close()
    projector.close()
    facilitator.close()
