"""The database: SQLite settings, constraints that hold under any code, accounts, projects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import make_project
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from workshops import store
from workshops.store import (
    BallotRow,
    IdeaRow,
    IdeaVote,
    ParticipantRow,
    ProcessedMessage,
    StepRow,
    Store,
    WorkshopRow,
)
from workshops.store import workshops as rows
from workshops.store.workshops import Sender


@pytest.fixture
def db_store(tmp_path: Path) -> Iterator[Store]:
    """A real SQLite file with the schema."""
    opened = Store.open(store.sqlite_url(tmp_path / "chemins.sqlite3"))
    opened.create_schema()
    yield opened
    opened.dispose()


@pytest.fixture
def step_and_participants(db_store: Store) -> tuple[int, int, int]:
    """A project, a workshop, one dot-vote step row and two participants: their ids."""
    with db_store.session() as session:
        store.save_project(session, make_project())
        project = store.find_project(session, "projet-test")
        assert project is not None
        workshop = WorkshopRow(project_id=project.id, title="Atelier", code="ACDEFG", groups=[])
        session.add(workshop)
        session.flush()
        step = StepRow(workshop_id=workshop.id, key="vote", position=0, kind="dot_vote",
                       config={}, status="open")
        first = ParticipantRow(workshop_id=workshop.id, token="tok-1")
        second = ParticipantRow(workshop_id=workshop.id, token="tok-2")
        session.add_all([step, first, second])
        session.flush()
        return step.id, first.id, second.id


def test_sqlite_runs_in_wal_mode_with_full_sync_and_foreign_keys(db_store: Store) -> None:
    with db_store.session() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_creating_the_schema_twice_keeps_the_rows(db_store: Store) -> None:
    with db_store.session() as session:
        store.create_user(session, "anim@example.fr", "motdepasse")
    db_store.create_schema()
    with db_store.read_session() as session:
        assert [u.email for u in store.list_users(session)] == ["anim@example.fr"]


def test_the_database_refuses_a_second_ballot_row_for_the_same_step_and_participant(
    db_store: Store, step_and_participants: tuple[int, int, int]
) -> None:
    step_id, participant_id, _ = step_and_participants
    with pytest.raises(IntegrityError), db_store.session() as session:
        session.add(BallotRow(step_id=step_id, participant_id=participant_id, body={"a": 1}))
        session.add(BallotRow(step_id=step_id, participant_id=participant_id, body={"b": 1}))
        session.flush()


def test_voting_again_replaces_the_ballot(
    db_store: Store, step_and_participants: tuple[int, int, int]
) -> None:
    step_id, first, second = step_and_participants
    with db_store.session() as session:
        rows.put_ballot(session, step_id, first, {"kind": "dot_vote", "dots": {"a": 1}})
        rows.put_ballot(session, step_id, second, {"kind": "dot_vote", "dots": {"b": 1}})
        rows.put_ballot(session, step_id, first, {"kind": "dot_vote", "dots": {"c": 1}})
    with db_store.read_session() as session:
        ballots = session.scalars(select(BallotRow).order_by(BallotRow.participant_id)).all()
        assert [(b.participant_id, b.body["dots"], b.revisions) for b in ballots] == [
            (first, {"c": 1}, 2),
            (second, {"b": 1}, 1),
        ]


def test_an_idea_is_upvoted_once_per_participant(
    db_store: Store, step_and_participants: tuple[int, int, int]
) -> None:
    step_id, first, second = step_and_participants
    with db_store.session() as session:
        idea = IdeaRow(step_id=step_id, participant_id=first, column="c", text="Idée")
        session.add(idea)
        session.flush()
        assert rows.add_upvote(session, idea.id, second) is True
        assert rows.add_upvote(session, idea.id, second) is False
        idea_id = idea.id
    with pytest.raises(IntegrityError), db_store.session() as session:
        session.add(IdeaVote(idea_id=idea_id, participant_id=second))
        session.flush()
    with db_store.read_session() as session:
        assert rows.voters_of(session, [idea_id]) == {idea_id: {second}}


def test_a_client_message_id_is_recorded_once_per_sender(
    db_store: Store, step_and_participants: tuple[int, int, int]
) -> None:
    _, first, second = step_and_participants
    with db_store.session() as session:
        assert rows.remember(session, Sender(participant_id=first), "m-1", "cast_ballot")[0]
        assert not rows.remember(session, Sender(participant_id=first), "m-1", "cast_ballot")[0]
        # The same id from someone else is another message.
        assert rows.remember(session, Sender(participant_id=second), "m-1", "cast_ballot")[0]
    with pytest.raises(IntegrityError), db_store.session() as session:
        session.add(ProcessedMessage(participant_id=first, client_id="m-1", kind="upvote"))
        session.flush()


def test_a_password_is_stored_hashed_and_checked(db_store: Store) -> None:
    with db_store.session() as session:
        user = store.create_user(session, " Anim@Example.fr ", "un mot de passe", "Camille")
        assert user.email == "anim@example.fr"
        assert "un mot de passe" not in user.password_hash
    with db_store.read_session() as session:
        assert store.authenticate(session, "ANIM@example.fr", "un mot de passe") is not None
        assert store.authenticate(session, "anim@example.fr", "mauvais") is None
        assert store.authenticate(session, "personne@example.fr", "un mot de passe") is None


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("pas-une-adresse", "motdepasse", "n'est pas une adresse électronique valide"),
        ("a@b.fr", "court", "au moins 8 caractères"),
    ],
)
def test_a_bad_account_is_refused_in_french(
    db_store: Store, email: str, password: str, message: str
) -> None:
    with pytest.raises(store.AccountError, match=message), db_store.session() as session:
        store.create_user(session, email, password)


def test_an_address_has_one_account(db_store: Store) -> None:
    with db_store.session() as session:
        store.create_user(session, "a@b.fr", "motdepasse")
    with pytest.raises(store.AccountError, match="existe déjà"), db_store.session() as session:
        store.create_user(session, "A@B.FR", "motdepasse")


def test_a_login_link_works_once_and_only_before_it_expires(db_store: Store) -> None:
    with db_store.session() as session:
        user = store.create_user(session, "a@b.fr", "motdepasse")
        token = store.create_login_token(session, user.id, dt.timedelta(minutes=5))
        stale = store.create_login_token(session, user.id, dt.timedelta(minutes=-1))
    with db_store.session() as session:
        used = store.consume_login_token(session, token)
        assert used is not None and used.email == "a@b.fr"
    with db_store.session() as session:
        assert store.consume_login_token(session, token) is None
        assert store.consume_login_token(session, stale) is None
        assert store.consume_login_token(session, "inconnu") is None


def test_saving_a_project_adds_a_revision_and_keeps_the_history(db_store: Store) -> None:
    project = make_project()
    with db_store.session() as session:
        assert store.save_project(session, project, author="Camille") == 1
        renamed = project.model_copy(update={"title": "CTG renommée"})
        assert store.save_project(session, renamed, author="Dominique") == 2
    with db_store.read_session() as session:
        row = store.find_project(session, "projet-test")
        assert row is not None
        assert store.load_project(session, row.id).title == "CTG renommée"
        history = store.project_revisions(session, row.id)
        assert [(r.revision, r.author, r.body["title"]) for r in history] == [
            (2, "Dominique", "CTG renommée"),
            (1, "Camille", "CTG du Test 2025-2029"),
        ]


def test_a_project_file_imports_and_exports_as_the_same_model(
    db_store: Store, tmp_path: Path
) -> None:
    from theory_of_change.files import loads_project, save_project

    path = save_project(make_project(), tmp_path / "projet.yaml")
    with db_store.session() as session:
        project_id = store.import_project_file(session, path, author="Camille")
    with db_store.read_session() as session:
        exported = store.export_project_yaml(session, project_id)
    assert loads_project(exported) == make_project()


def test_timestamps_come_back_aware_in_utc(
    db_store: Store, step_and_participants: tuple[int, int, int]
) -> None:
    _, first, _ = step_and_participants
    with db_store.read_session() as session:
        participant = session.get(ParticipantRow, first)
        assert participant is not None
        assert participant.created_at.tzinfo is not None
        assert participant.created_at.utcoffset() == dt.timedelta(0)
