"""The store and the workshop actions on a real PostgreSQL, migrated by Alembic.

The same calls as on SQLite (``tests/test_service_workshops.py``), through the same
layer: only the URL differs. PostgreSQL has no single write lock, so the constraints and
row locks are what keep one ballot per participant here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from factories import (
    make_brainstorm_step,
    make_dot_vote_step,
    make_project_with_proposed_changes,
)
from sqlalchemy import func, select

from theory_of_change.model import ChangeStatus
from workshops import service, store
from workshops.model import DotBallot, Option, PrioritiseChanges
from workshops.store import BallotRow, IdeaRow, ParticipantRow, Store, migrate

CHANGES = ("enfance", "jeunesse", "parentalite")

pytestmark = pytest.mark.slow  # a PostgreSQL server for the session


@pytest.fixture
def db(postgres_url: str) -> Iterator[Store]:
    """A migrated PostgreSQL database holding the test project."""
    migrate.upgrade(postgres_url)
    opened = Store.open(postgres_url, pool_size=4)
    with opened.session() as session:
        store.save_project(session, make_project_with_proposed_changes(6))
    yield opened
    opened.dispose()


def _project_id(db: Store) -> int:
    with db.read_session() as session:
        row = store.find_project(session, "projet-test")
        assert row is not None
        return row.id


@pytest.fixture
def workshop(db: Store) -> int:
    """An open workshop: a running brainstorm, then a dot vote that prioritises a change."""
    options = [
        Option(id=f"chg-{name}", label=name, source="change", ref=f"chg-{name}")
        for name in CHANGES
    ]
    with db.session() as session:
        created = service.create_workshop(session, _project_id(db), "Atelier")
        workshop_id = int(created.id)
        service.add_step(session, workshop_id, make_brainstorm_step(id="idees"))
        service.add_step(session, workshop_id, make_dot_vote_step(
            id="vote", options=options, budget=2, max_per_option=1,
            writeback=PrioritiseChanges(top_k=1),
        ))
        service.open_workshop(session, workshop_id)
        service.start_step(session, workshop_id, "idees")
    return workshop_id


def _count(db: Store, model: type) -> int:
    with db.read_session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_workshop_runs_on_postgresql_from_joining_to_the_saved_project(
    db: Store, workshop: int
) -> None:
    with db.session() as session:
        first = service.join(session, workshop, nickname="Camille", client_id="join-1")
        again = service.join(session, workshop, nickname="Camille", client_id="join-1")
        other = service.join(session, workshop, nickname="Noé", group="elus")
    assert again.duplicate and again.participant.token == first.participant.token
    assert _count(db, ParticipantRow) == 2
    token = first.participant.token

    with db.session() as session:
        idea = service.post_idea(session, workshop, token, "idees", "col-familles",
                                 "Un guide des modes d'accueil", "idee-1")
        resent = service.post_idea(session, workshop, token, "idees", "col-familles",
                                   "Un guide des modes d'accueil", "idee-1")
    assert resent.duplicate and resent.idea_id == idea.idea_id
    assert _count(db, IdeaRow) == 1

    with db.session() as session:
        service.close_step(session, workshop, "idees")
        service.start_step(session, workshop, "vote")
        service.cast_ballot(session, workshop, token, "vote",
                            DotBallot(dots={"chg-enfance": 1}), "b-1")
        service.cast_ballot(session, workshop, token, "vote",
                            DotBallot(dots={"chg-jeunesse": 1, "chg-parentalite": 1}), "b-2")
        service.cast_ballot(session, workshop, other.participant.token, "vote",
                            DotBallot(dots={"chg-jeunesse": 1}), "c-1")
    assert _count(db, BallotRow) == 2
    with db.read_session() as session:
        result = service.step_results(session, workshop, "vote")
    assert not isinstance(result, dict)
    assert result.voters == 2
    assert {row.option_id: row.dots for row in result.rows} == {
        "chg-enfance": 0, "chg-jeunesse": 2, "chg-parentalite": 1
    }

    with db.session() as session:
        service.close_step(session, workshop, "vote", author="Camille")
    with db.read_session() as session:
        project = store.load_project(session, _project_id(db))
        history = store.project_revisions(session, _project_id(db))
        outcome = service.step_outcome(session, workshop, "vote")
    assert project.change("chg-jeunesse").status == ChangeStatus.prioritised
    assert outcome is not None and outcome["revision"] == 2
    assert [revision.author for revision in history] == ["Camille", None]


def test_a_resent_ballot_is_acknowledged_and_not_applied_again_on_postgresql(
    db: Store, workshop: int
) -> None:
    with db.session() as session:
        token = service.join(session, workshop).participant.token
        service.close_step(session, workshop, "idees")
        service.start_step(session, workshop, "vote")
        service.cast_ballot(session, workshop, token, "vote",
                            DotBallot(dots={"chg-enfance": 1}), "b-1")
        service.cast_ballot(session, workshop, token, "vote",
                            DotBallot(dots={"chg-jeunesse": 1}), "b-2")
        # The phone did not get the first acknowledgement and sends b-1 again.
        repeat = service.cast_ballot(session, workshop, token, "vote",
                                     DotBallot(dots={"chg-enfance": 1}), "b-1")
    assert repeat.duplicate
    with db.read_session() as session:
        ballot = session.scalars(select(BallotRow)).one()
    assert ballot.body["dots"] == {"chg-jeunesse": 1}


def test_ballots_sent_at_the_same_moment_by_one_phone_leave_one_ballot(
    db: Store, workshop: int
) -> None:
    with db.session() as session:
        token = service.join(session, workshop).participant.token
        service.close_step(session, workshop, "idees")
        service.start_step(session, workshop, "vote")
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def vote(n: int) -> None:
        barrier.wait()
        try:
            with db.session() as session:
                service.cast_ballot(session, workshop, token, "vote",
                                    DotBallot(dots={f"chg-{CHANGES[n % 3]}": 1}), f"b-{n}")
        except BaseException as error:  # the assertion below shows it
            errors.append(error)

    threads = [threading.Thread(target=vote, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with db.read_session() as session:
        ballots = session.scalars(select(BallotRow)).all()
    assert len(ballots) == 1
    assert ballots[0].revisions == 4


def test_saving_a_project_from_an_old_revision_conflicts_on_postgresql(db: Store) -> None:
    project = make_project_with_proposed_changes(6)
    with db.session() as session:
        saved = store.save_project(session, project.model_copy(update={"title": "Titre A"}),
                                   expected_revision=1)
    assert saved == 2
    with pytest.raises(store.RevisionConflict) as conflict, db.session() as session:
        store.save_project(session, project.model_copy(update={"title": "Titre B"}),
                           expected_revision=1)
    assert (conflict.value.current_revision, conflict.value.expected_revision) == (2, 1)
    with db.read_session() as session:
        assert store.load_project(session, _project_id(db)).title == "Titre A"
        assert [r.revision for r in store.project_revisions(session, _project_id(db))] == [2, 1]
