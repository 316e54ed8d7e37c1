"""The Redis message bus between server processes, against a real ``redis-server``.

Two apps in this test process stand for two server processes: they share one SQLite file
(the database) and one Redis. The tickers never tick by themselves here: the tests call
``tick()``, so what each screen receives is exactly what one tick sends.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from factories import make_dot_vote_step, make_project
from redis_server import RedisServer, RedisUnavailable, free_port

from app.extensions import database, live
from app.live import Broadcaster, Connection
from app.live.bus import BusMessageError, MessageBus, decode_message, encode_changes
from workshops import service, store
from workshops.model import DotBallot, ResultsVisibility
from workshops.service import Changes

pytestmark = pytest.mark.slow  # a redis-server for the module

WAIT_S = 15.0
"""Generous bound of every wait for a message through Redis (a hung bus, not slowness)."""


class FakeSocket:
    """Records what the broadcaster sends to one screen."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, text: str) -> None:
        self.sent.append(text)

    def close(self, reason: int = 1000, message: str = "") -> None:
        pass

    def messages(self, kind: str | None = None) -> list[dict[str, Any]]:
        decoded = [json.loads(text) for text in self.sent]
        return [m for m in decoded if kind is None or m["type"] == kind]


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Wait until ``condition()`` holds; fail with ``what`` after :data:`WAIT_S`."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"pas de {what} en {WAIT_S} s"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    """A real Redis on 127.0.0.1 for this module; skipped with the reason if it cannot run."""
    try:
        server = RedisServer.start()
    except RedisUnavailable as reason:
        pytest.skip(str(reason))
    yield server
    server.stop()


def _config(tmp_path: Path, name: str, redis_url: str | None, prefix: str) -> dict[str, Any]:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / name),
        "SECRET_KEY": "clé de test",
        "DEMO": False,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'partagee.sqlite3'}",
        "BROADCAST_INTERVAL_MS": 3_600_000,
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": prefix,
    }


@pytest.fixture
def two_apps(
    tmp_path: Path, redis_server: RedisServer, request: pytest.FixtureRequest
) -> Iterator[tuple[Any, Any]]:
    """Two apps (two « processes ») on one database and one Redis, buses listening."""
    from app import create_app

    prefix = f"test-{request.node.name[:40]}"
    first = create_app(_config(tmp_path, "a", redis_server.url, prefix))
    database.create_schema(first)
    second = create_app(_config(tmp_path, "b", redis_server.url, prefix))
    hubs = [live.broadcaster(app) for app in (first, second)]
    for hub in hubs:
        assert hub.bus is not None
        hub.bus.start()
        assert hub.bus.wait_subscribed(WAIT_S), "le bus n'écoute pas"
    yield first, second
    for app in (first, second):
        live.broadcaster(app).stop()
        database.store(app).dispose()


def _voting(app: Any) -> tuple[int, list[str]]:
    with app.app_context(), database.session() as db:
        store.save_project(db, make_project())
        project = store.find_project(db, "projet-test")
        assert project is not None
        workshop = service.create_workshop(db, project.id, "Atelier")
        workshop_id = int(workshop.id)
        # « En direct »: the projector shows the tally while people vote.
        step = make_dot_vote_step(id="vote", results_visibility=ResultsVisibility.live)
        service.add_step(db, workshop_id, step)
        service.open_workshop(db, workshop_id)
        service.start_step(db, workshop_id, "vote")
        tokens = [service.join(db, workshop_id).participant.token for _ in range(6)]
    return workshop_id, tokens


def _screen(hub: Broadcaster, workshop_id: int, audience: Any) -> FakeSocket:
    socket = FakeSocket()
    conn = Connection(socket)
    assert hub.admit(conn)
    hub.enter(conn, workshop_id, audience)
    conn.start("{}", 0)
    socket.sent.clear()
    return socket


def _vote(app: Any, workshop_id: int, token: str, dots: dict[str, int], client_id: str) -> None:
    """What a handler does: commit the ballot, then publish what changed."""
    with app.app_context(), database.session() as db:
        ack = service.cast_ballot(db, workshop_id, token, "vote", DotBallot(dots=dots), client_id)
    live.broadcaster(app).publish(ack.changes)


def _pending(hub: Broadcaster, workshop_id: int) -> Changes | None:
    return hub.room(workshop_id).pending


def _results_due(hub: Broadcaster, workshop_id: int) -> bool:
    """Whether the room's next tick sends the vote step's results."""
    pending = _pending(hub, workshop_id)
    return pending is not None and pending.results == frozenset({"vote"})


# --- The messages --------------------------------------------------------------------------


def test_changes_travel_through_json_unchanged() -> None:
    changes = Changes(
        workshop_id=12, results=frozenset({"vote", "classement"}),
        new_ideas=frozenset({4, 2}), ideas=frozenset({9}), steps=True, presence=True,
    )
    text = encode_changes(changes, "processus-a")
    assert json.loads(text) == {
        "version": 1, "origin": "processus-a", "resync": False,
        "changes": {"workshop_id": 12, "results": ["classement", "vote"],
                    "new_ideas": [2, 4], "ideas": [9], "steps": True, "presence": True},
    }
    message = decode_message(text)
    assert message.origin == "processus-a"
    assert message.changes is not None and message.changes.to_changes() == changes


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("pas du JSON", "message"),
        ('{"version": 1, "origin": "a", "changes": {"workshop_id": "douze"}}',
         "changes.workshop_id"),
        ('{"version": 2, "origin": "a"}', "version"),
        ('{"version": 1, "origin": "a", "commande": "FLUSHALL"}', "commande"),
    ],
)
def test_a_message_that_is_not_the_bus_s_is_refused_in_french(text: str, where: str) -> None:
    with pytest.raises(BusMessageError, match=r"^message du bus illisible \(") as refused:
        decode_message(text)
    assert where in str(refused.value)


def test_without_redis_url_there_is_no_bus_and_redis_is_never_imported(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from app import create_app\n"
        "from app.extensions import live\n"
        f"app = create_app({{'TESTING': True, 'INSTANCE_PATH': {str(tmp_path)!r}, "
        "'SECRET_KEY': 'x', 'DEMO': False})\n"
        "print(live.broadcaster(app).bus, 'redis' in sys.modules)\n"
    )
    environment = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=False, env=environment)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["None", "False"]


# --- Two processes ---------------------------------------------------------------------------


def test_a_vote_published_by_one_process_reaches_the_other_s_projector(
    two_apps: tuple[Any, Any],
) -> None:
    first, second = two_apps
    workshop_id, tokens = _voting(first)
    hub_a, hub_b = live.broadcaster(first), live.broadcaster(second)
    phone_a = _screen(hub_a, workshop_id, "phone")
    projector_b = _screen(hub_b, workshop_id, "projector")
    hub_a.tick()
    hub_b.tick()
    for socket in (phone_a, projector_b):
        socket.sent.clear()

    _vote(first, workshop_id, tokens[0], {"opt-a": 2, "opt-b": 1}, "a-1")
    wait_for(lambda: _results_due(hub_b, workshop_id), "changement reçu par B")
    hub_b.tick()
    (results,) = projector_b.messages("results")
    assert results["tally"]["voters"] == 1
    assert {row["option_id"]: row["dots"] for row in results["tally"]["rows"]}["opt-a"] == 2
    # The publishing process marked its own room at once, without Redis.
    hub_a.tick()
    assert phone_a.messages("results")[0]["tally"]["voters"] == 1

    # And the other way round.
    _vote(second, workshop_id, tokens[1], {"opt-c": 1}, "b-1")
    wait_for(lambda: _results_due(hub_a, workshop_id), "changement reçu par A")
    hub_a.tick()
    assert phone_a.messages("results")[-1]["tally"]["voters"] == 2
    assert hub_a.stats.snapshot().bus_received >= 1
    assert hub_b.stats.snapshot().bus_published >= 1


def test_a_process_without_connections_in_a_workshop_ignores_its_changes(
    two_apps: tuple[Any, Any],
) -> None:
    first, second = two_apps
    workshop_id, tokens = _voting(first)
    hub_a, hub_b = live.broadcaster(first), live.broadcaster(second)
    received_before = hub_b.stats.snapshot().bus_received
    _vote(first, workshop_id, tokens[0], {"opt-a": 1}, "a-1")
    wait_for(lambda: hub_b.stats.snapshot().bus_received > received_before, "message reçu")
    # Nothing to compute in B: no room was made for a workshop nobody watches there.
    assert workshop_id not in hub_b.rooms
    assert _pending(hub_a, workshop_id) is not None


def test_presence_sent_to_staff_counts_the_phones_of_every_process(
    two_apps: tuple[Any, Any],
) -> None:
    first, second = two_apps
    workshop_id, _ = _voting(first)
    hub_a, hub_b = live.broadcaster(first), live.broadcaster(second)
    projector_b = _screen(hub_b, workshop_id, "projector")
    _screen(hub_b, workshop_id, "phone")
    hub_b.tick()
    assert projector_b.messages("presence")[-1]["presence"]["phones"] == 1

    for _ in range(3):
        _screen(hub_a, workshop_id, "phone")
    hub_a.tick()  # A records its three phones in Redis and tells the others
    wait_for(lambda: (_pending(hub_b, workshop_id) or Changes(0)).presence,
             "présence reçue par B")
    hub_b.tick()
    assert projector_b.messages("presence")[-1]["presence"]["phones"] == 4


# --- Presence of a process that vanished ------------------------------------------------------


def test_the_phones_of_a_process_that_stopped_renewing_its_presence_stop_counting(
    redis_server: RedisServer,
) -> None:
    resyncs: list[bool] = []
    quick = {"heartbeat": 0.1, "presence_ttl": 2.0, "prefix": "test-disparu"}
    killed = MessageBus(redis_server.url, on_changes=lambda c: None,
                        on_resync=lambda full: None, **quick)
    survivor = MessageBus(redis_server.url, on_changes=lambda c: None,
                          on_resync=resyncs.append, **quick)
    try:
        survivor.start()
        assert survivor.wait_subscribed(WAIT_S)
        assert killed.phones(7, 3) == 3  # recorded, but never renewed: as if killed
        assert survivor.phones(7, 2) == 5
        # Once its presence expired, the survivor's heartbeat notices and asks the
        # broadcaster to send presence again (not a full resend).
        wait_for(lambda: False in resyncs, "disparition remarquée")
        assert survivor.phones(7, 2) == 2
    finally:
        survivor.stop()
        killed.stop()


# --- Redis unreachable -------------------------------------------------------------------------


def test_without_redis_a_process_serves_its_own_screens_warns_once_and_recovers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from app import create_app

    port = free_port()
    app = create_app(_config(tmp_path, "seul", f"redis://127.0.0.1:{port}/0", "test-panne"))
    database.create_schema(app)
    hub = live.broadcaster(app)
    assert hub.bus is not None
    redis: RedisServer | None = None
    try:
        workshop_id, tokens = _voting(app)
        phone = _screen(hub, workshop_id, "phone")
        with caplog.at_level(logging.WARNING, logger="app.live.bus"):
            for n, token in enumerate(tokens[:3]):
                _vote(app, workshop_id, token, {"opt-a": 1}, f"v{n}")
            hub.tick()
            health = app.test_client().get("/healthz")
        assert phone.messages("results")[-1]["tally"]["voters"] == 3
        warnings = [r.getMessage() for r in caplog.records if r.name == "app.live.bus"]
        assert len(warnings) == 1, warnings
        assert warnings[0].startswith("Bus de messages (Redis) injoignable")
        assert health.status_code == 503
        body = health.get_json()
        assert (body["database"], body["bus"]) == ("ok", "indisponible")
        assert body["reason"].startswith("Bus de messages indisponible")
        assert str(port) not in health.get_data(as_text=True)

        redis = RedisServer.start(port=port)
        wait_for(hub.bus.check, "bus rétabli")
        health = app.test_client().get("/healthz")
        assert health.status_code == 200
        assert health.get_json() == {"status": "ok", "database": "ok", "bus": "ok"}
    finally:
        hub.stop()
        database.store(app).dispose()
        if redis is not None:
            redis.stop()
