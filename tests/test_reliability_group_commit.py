"""Group commit: many connections' writes in one transaction, each result after its commit."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import Future
from typing import Any

import pytest
from factories import make_dot_vote_step, make_project
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.extensions import database
from workshops import service, store
from workshops.model import DotBallot
from workshops.service import ServiceError
from workshops.store import Store, backup
from workshops.store.group_commit import GroupCommitter, WriterStopped, _Job

VOTERS = 40


@pytest.fixture
def voting(app: Any) -> tuple[Store, int, list[str]]:
    """The app's store, an open workshop whose dot vote runs, its participants' tokens."""
    with app.app_context(), database.session() as db:
        store.save_project(db, make_project())
        project = store.find_project(db, "projet-test")
        assert project is not None
        workshop_id = int(service.create_workshop(db, project.id, "Atelier").id)
        service.add_step(db, workshop_id, make_dot_vote_step(id="vote"))
        service.open_workshop(db, workshop_id)
        service.start_step(db, workshop_id, "vote")
        tokens = [service.join(db, workshop_id).participant.token for _ in range(VOTERS)]
    return database.store(app), workshop_id, tokens


def _ballot(workshop_id: int, token: str, client_id: str, dots: dict[str, int]) -> Any:
    return lambda db: service.cast_ballot(db, workshop_id, token, "vote",
                                          DotBallot(dots=dots), client_id)


def _on_disk(db_store: Store) -> sqlite3.Connection:
    """A connection of its own to the database file, as another process would see it."""
    return sqlite3.connect(backup.database_path(db_store.url))


def _gate(writer: GroupCommitter) -> tuple[threading.Event, Future[Any]]:
    """Hold the writer on a first unit until the event is set: what follows forms one batch."""
    entered, release = threading.Event(), threading.Event()

    def wait(_: Session) -> None:
        entered.set()
        release.wait(10)

    held = writer.submit(wait)
    assert entered.wait(10)
    return release, held


def test_ballots_of_many_threads_are_each_on_disk_when_their_result_arrives(
    voting: tuple[Store, int, list[str]],
) -> None:
    db_store, workshop_id, tokens = voting
    unseen: list[str] = []

    def vote(n: int) -> None:
        client_id = f"b{n}"
        ack = db_store.write(_ballot(workshop_id, tokens[n], client_id, {"opt-a": 1}))
        assert ack.client_id == client_id and not ack.duplicate
        with _on_disk(db_store) as other:
            found = other.execute(
                "SELECT count(*) FROM processed_messages WHERE client_id = ?", (client_id,)
            ).fetchone()[0]
        other.close()
        if found != 1:
            unseen.append(client_id)

    threads = [threading.Thread(target=vote, args=(n,)) for n in range(VOTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert unseen == []
    with _on_disk(db_store) as other:
        assert other.execute("SELECT count(*) FROM ballots").fetchone()[0] == VOTERS
    other.close()


def test_units_queued_together_are_committed_in_one_transaction(
    voting: tuple[Store, int, list[str]],
) -> None:
    db_store, workshop_id, tokens = voting
    writer = db_store.writer
    release, held = _gate(writer)
    batches_before = writer.stats.batches
    futures = [writer.submit(_ballot(workshop_id, token, f"lot-{n}", {"opt-b": 1}))
               for n, token in enumerate(tokens)]
    with _on_disk(db_store) as other:  # nothing is committed while the batch waits
        assert other.execute("SELECT count(*) FROM ballots").fetchone()[0] == 0
    other.close()
    release.set()
    held.result(10)
    assert [f.result(10).client_id for f in futures] == [f"lot-{n}" for n in range(VOTERS)]
    assert writer.stats.batches - batches_before == 2  # the gate's batch, then all ballots
    assert writer.stats.largest_batch == VOTERS


def test_a_refused_unit_is_undone_alone_and_the_rules_hold_inside_a_batch(
    voting: tuple[Store, int, list[str]],
) -> None:
    db_store, workshop_id, tokens = voting
    writer = db_store.writer
    release, held = _gate(writer)
    first = writer.submit(_ballot(workshop_id, tokens[0], "m-1", {"opt-a": 1}))
    refused = writer.submit(_ballot(workshop_id, tokens[1], "m-2", {"opt-a": 3}))
    resent = writer.submit(_ballot(workshop_id, tokens[0], "m-1", {"opt-a": 1}))
    revote = writer.submit(_ballot(workshop_id, tokens[0], "m-3", {"opt-c": 2}))
    other = writer.submit(_ballot(workshop_id, tokens[2], "m-4", {"opt-d": 1}))
    release.set()
    held.result(10)
    assert not first.result(10).duplicate
    with pytest.raises(ServiceError) as refusal:
        refused.result(10)
    assert refusal.value.code == "invalid_ballot"
    assert resent.result(10).duplicate  # the same client_id: counted once
    assert not revote.result(10).duplicate and not other.result(10).duplicate
    with _on_disk(db_store) as disk:
        ballots = disk.execute(
            "SELECT participant_id, body, revisions FROM ballots ORDER BY participant_id"
        ).fetchall()
        recorded = {row[0] for row in disk.execute("SELECT client_id FROM processed_messages")}
    disk.close()
    assert [(b[1], b[2]) for b in ballots] == [
        ('{"kind": "dot_vote", "dots": {"opt-c": 2}}', 2),  # one ballot, replaced once
        ('{"kind": "dot_vote", "dots": {"opt-d": 1}}', 1),
    ]
    assert recorded == {"m-1", "m-3", "m-4"}  # the refused message left no trace
    # ... so once corrected, the same client_id is accepted.
    assert not db_store.write(_ballot(workshop_id, tokens[1], "m-2", {"opt-a": 1})).duplicate


def test_when_the_commit_fails_no_unit_of_the_batch_is_acknowledged(
    voting: tuple[Store, int, list[str]],
) -> None:
    db_store, workshop_id, tokens = voting
    writer = db_store.writer
    release, held = _gate(writer)
    ballot = writer.submit(_ballot(workshop_id, tokens[0], "perdu", {"opt-a": 1}))

    def break_the_commit(db: Session) -> None:
        # A dangling reference, checked only at commit: the whole transaction fails.
        db.execute(text("PRAGMA defer_foreign_keys = ON"))
        db.execute(text("INSERT INTO ballots (step_id, participant_id, body, cast_at, "
                        "updated_at, revisions) VALUES (999, 999, '{}', '2026-01-01', "
                        "'2026-01-01', 1)"))

    breaker = writer.submit(break_the_commit)
    release.set()
    held.result(10)
    for future in (ballot, breaker):
        with pytest.raises(Exception, match="FOREIGN KEY"):
            future.result(10)
    with _on_disk(db_store) as disk:
        assert disk.execute("SELECT count(*) FROM ballots").fetchone()[0] == 0
    disk.close()
    # The writer goes on: the resent ballot is recorded this time.
    assert not db_store.write(_ballot(workshop_id, tokens[0], "perdu", {"opt-a": 1})).duplicate


def test_stopping_the_writer_runs_what_waits_and_a_later_write_restarts_it(
    voting: tuple[Store, int, list[str]],
) -> None:
    db_store, workshop_id, tokens = voting
    writer = db_store.writer
    release, held = _gate(writer)
    waiting = writer.submit(_ballot(workshop_id, tokens[0], "avant-arret", {"opt-a": 1}))
    stopper = threading.Thread(target=writer.stop)
    stopper.start()
    release.set()
    stopper.join(10)
    held.result(10)
    assert waiting.result(10).client_id == "avant-arret"  # queued before the stop: run
    assert not any(t.name == writer.name for t in threading.enumerate())
    assert not db_store.write(_ballot(workshop_id, tokens[1], "apres", {"opt-b": 1})).duplicate
    with _on_disk(db_store) as disk:
        assert disk.execute("SELECT count(*) FROM ballots").fetchone()[0] == 2
    disk.close()


def test_a_unit_queued_after_the_stop_fails_with_a_french_reason() -> None:
    writer = GroupCommitter(lambda: pytest.fail("no session is opened"))  # type: ignore[arg-type,return-value]
    writer.stop()  # never started: what is queued now has no thread to run it
    job: Future[Any] = Future()
    writer._queue.put(_Job(lambda db: None, job))
    writer.stop()
    with pytest.raises(WriterStopped, match="le serveur s'arrête"):
        job.result(1)


def test_on_postgresql_a_batch_keeps_the_same_rules(postgres_url: str) -> None:
    from workshops.store import migrate

    migrate.upgrade(postgres_url)
    db_store = Store.open(postgres_url, pool_size=2)
    try:
        with db_store.session() as db:
            store.save_project(db, make_project())
            project = store.find_project(db, "projet-test")
            assert project is not None
            workshop_id = int(service.create_workshop(db, project.id, "Atelier").id)
            service.add_step(db, workshop_id, make_dot_vote_step(id="vote"))
            service.open_workshop(db, workshop_id)
            service.start_step(db, workshop_id, "vote")
            tokens = [service.join(db, workshop_id).participant.token for _ in range(3)]
        writer = db_store.writer
        release, held = _gate(writer)
        first = writer.submit(_ballot(workshop_id, tokens[0], "m-1", {"opt-a": 1}))
        refused = writer.submit(_ballot(workshop_id, tokens[1], "m-2", {"opt-a": 3}))
        resent = writer.submit(_ballot(workshop_id, tokens[0], "m-1", {"opt-a": 1}))
        revote = writer.submit(_ballot(workshop_id, tokens[0], "m-3", {"opt-c": 2}))
        release.set()
        held.result(10)
        assert not first.result(10).duplicate and resent.result(10).duplicate
        assert not revote.result(10).duplicate
        with pytest.raises(ServiceError):
            refused.result(10)
        with db_store.read_session() as db:
            rows = db.execute(text("SELECT body, revisions FROM ballots")).all()
            recorded = set(db.scalars(text("SELECT client_id FROM processed_messages")))
        assert [(row[0]["dots"], row[1]) for row in rows] == [({"opt-c": 2}, 2)]
        assert recorded == {"m-1", "m-3"}
    finally:
        db_store.dispose()
