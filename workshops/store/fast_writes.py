"""The statements every ballot runs, on SQLite's driver directly.

A durable vote of 1 000 ballots a second leaves the single writer about a millisecond per
ballot. On this kind of machine SQLAlchemy spends ~0.15 ms of Python around each
statement it runs — more than SQLite takes to run it — and a ballot needs three: find the
participant, record the message id, store the ballot. On SQLite these three run here on
the driver's cursor of the session's own connection, inside the session's transaction
(and SAVEPOINT), with SQL written once. Values are converted by the columns' own
SQLAlchemy types, so the rows are exactly those the ORM would write and read back.

Other databases (PostgreSQL) take the SQLAlchemy path of :mod:`workshops.store.workshops`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from .schema import BallotRow, IdeaRow, ParticipantRow, ProcessedMessage

_PARTICIPANT_SQL = (
    f"SELECT id, token FROM {ParticipantRow.__tablename__} WHERE workshop_id = ? AND token = ?"
)
_CLAIM_SQL = (
    f"INSERT INTO {ProcessedMessage.__tablename__} "
    "(participant_id, user_id, client_id, kind, created_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING"
)
_BALLOT_SQL = (
    f"INSERT INTO {BallotRow.__tablename__} "
    "(step_id, participant_id, body, cast_at, updated_at, revisions) VALUES (?, ?, ?, ?, ?, 1) "
    "ON CONFLICT (step_id, participant_id) DO UPDATE SET body = excluded.body, "
    f"updated_at = excluded.updated_at, revisions = {BallotRow.__tablename__}.revisions + 1"
)

_IDEA_SQL = (
    f"INSERT INTO {IdeaRow.__tablename__} "
    '(step_id, participant_id, "column", text, hidden, created_at, updated_at) '
    "VALUES (?, ?, ?, ?, 0, ?, ?) RETURNING id"
)
_RESULT_SQL = (
    f"UPDATE {ProcessedMessage.__tablename__} SET result = ? "
    "WHERE participant_id = ? AND client_id = ?"
)
_RECENT_IDEAS_SQL = (
    f"SELECT count(id) FROM {IdeaRow.__tablename__} WHERE participant_id = ? AND created_at >= ?"
)


def available(session: Session) -> bool:
    """Whether this session's database is SQLite (the only one these statements are for)."""
    return session.get_bind().dialect.name == "sqlite"


_DRIVER = "chemins.driver_connection"
"""``Session.info`` key: (SQLAlchemy connection, driver connection) of the transaction."""


def _cursor(session: Session) -> Any:
    # session.connection() begins the session's transaction if needed (BEGIN IMMEDIATE),
    # so the driver's cursor runs inside it. Asking for it costs as much as a statement:
    # the driver connection is kept while the session stays on the same connection.
    connection = session.connection()
    known = session.info.get(_DRIVER)
    if known is None or known[0] is not connection:
        known = (connection, connection.connection.dbapi_connection)
        session.info[_DRIVER] = known
    return known[1].cursor()


@functools.cache
def _converters(dialect: Dialect) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """The driver-level converters of a JSON body and of a UTC datetime for ``dialect``."""
    columns = BallotRow.__table__.c
    body = columns.body.type.dialect_impl(dialect).bind_processor(dialect)
    moment = columns.cast_at.type.dialect_impl(dialect).bind_processor(dialect)
    return (body or (lambda value: value)), (moment or (lambda value: value))


def participant_key(session: Session, workshop_id: int, token: str) -> tuple[int, str] | None:
    """``(id, token)`` of the workshop's participant holding ``token``, or ``None``."""
    cursor = _cursor(session)
    try:
        found = cursor.execute(_PARTICIPANT_SQL, (workshop_id, token)).fetchone()
    finally:
        cursor.close()
    return (int(found[0]), str(found[1])) if found is not None else None


def claim(
    session: Session, participant_id: int | None, user_id: int | None, client_id: str,
    kind: str, now: dt.datetime,
) -> bool:
    """Record a message id; ``False`` if this sender had already sent it."""
    _, moment = _converters(session.get_bind().dialect)
    cursor = _cursor(session)
    try:
        cursor.execute(_CLAIM_SQL, (participant_id, user_id, client_id, kind, moment(now)))
        return bool(cursor.rowcount)
    finally:
        cursor.close()


def put_ballot(
    session: Session, step_row_id: int, participant_id: int, body: dict[str, Any],
    now: dt.datetime,
) -> None:
    """Insert the participant's ballot on the step, or replace it (one more revision)."""
    json_body, moment = _converters(session.get_bind().dialect)
    cursor = _cursor(session)
    try:
        cursor.execute(
            _BALLOT_SQL,
            (step_row_id, participant_id, json_body(body), moment(now), moment(now)),
        )
    finally:
        cursor.close()


def add_idea(
    session: Session, step_row_id: int, participant_id: int, column: str, text: str,
    now: dt.datetime,
) -> int:
    """Insert a participant's idea; its row id."""
    _, moment = _converters(session.get_bind().dialect)
    cursor = _cursor(session)
    try:
        found = cursor.execute(
            _IDEA_SQL, (step_row_id, participant_id, column, text, moment(now), moment(now))
        ).fetchone()
    finally:
        cursor.close()
    return int(found[0])


def set_result(
    session: Session, participant_id: int, client_id: str, result: dict[str, Any]
) -> None:
    """Store what a participant's message produced, for the ack of its resends."""
    json_body, _ = _converters(session.get_bind().dialect)
    cursor = _cursor(session)
    try:
        cursor.execute(_RESULT_SQL, (json_body(result), participant_id, client_id))
    finally:
        cursor.close()


def count_recent_ideas(session: Session, participant_id: int, since: dt.datetime) -> int:
    """How many ideas the participant posted since ``since``."""
    _, moment = _converters(session.get_bind().dialect)
    cursor = _cursor(session)
    try:
        found = cursor.execute(_RECENT_IDEAS_SQL, (participant_id, moment(since))).fetchone()
    finally:
        cursor.close()
    return int(found[0])
