"""Workshop rows ↔ domain objects, and the queries the service needs.

Nothing here decides anything: :mod:`workshops.service` asks the domain, then calls
these functions to read and write rows. Domain ids are strings: a workshop's, an idea's
and a project's are their row ids written in decimal; a step's is the ``key`` its author
chose (unique within the workshop).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable, bindparam, event, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from workshops.model import (
    BALLOT_ADAPTER,
    STEP_ADAPTER,
    Ballot,
    Idea,
    Participant,
    ParticipantGroup,
    Step,
    Workshop,
)

from . import fast_writes
from .schema import (
    BallotRow,
    IdeaRow,
    IdeaVote,
    ParticipantRow,
    ProcessedMessage,
    StepRow,
    WorkshopRow,
    utcnow,
)


class RowNotFound(LookupError):
    """A row that does not exist (or not in this workshop)."""


def parse_row_id(text: str | int) -> int | None:
    """A domain id written in decimal as a row id, or ``None`` if it is not one."""
    if isinstance(text, int):
        return text
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def row_locks(session: Session) -> bool:
    """Whether ``SELECT … FOR UPDATE`` means something on this session's database.

    SQLite has no row locks (it ignores ``FOR UPDATE``): its write transactions start
    with ``BEGIN IMMEDIATE`` and run one at a time, which already serialises them.
    """
    return session.get_bind().dialect.name != "sqlite"


# --- Workshops and steps ------------------------------------------------------------------


def workshop_row(session: Session, workshop_id: int, *, lock: bool = False) -> WorkshopRow:
    """The workshop's row (locked for update when ``lock``); :class:`RowNotFound` if none.

    Without ``lock`` a row this session already holds is returned without a query: in a
    group-commit batch, hundreds of ballots of one workshop read it once.
    """
    locking = lock and row_locks(session)
    row = session.get(WorkshopRow, workshop_id, with_for_update=True if locking else None)
    if row is None:
        raise RowNotFound(workshop_id)
    keep(session, row)
    return row


_STATUSES = "chemins.statuses"
"""``Session.info`` key: workshop id → status, read once per transaction."""


def workshop_status(session: Session, workshop_id: int) -> str:
    """The workshop's status alone; :class:`RowNotFound` if there is no such workshop.

    What a ballot or an idea needs to know about its workshop: read as one column (the
    row's JSON columns stay unread), once per transaction — a group-commit batch of
    hundreds of ballots asks once. A row this session holds comes first: a unit of the
    same batch may have just closed the workshop.
    """
    held = session.identity_map.get(Session.identity_key(WorkshopRow, workshop_id))
    if held is not None:
        return str(held.status)
    known: dict[int, str] = session.info.setdefault(_STATUSES, {})
    status = known.get(workshop_id)
    if status is None:
        status = session.scalar(select(WorkshopRow.status).where(WorkshopRow.id == workshop_id))
        if status is None:
            raise RowNotFound(workshop_id)
        known[workshop_id] = status
    return status


_KEPT = "chemins.kept"


def keep(session: Session, row: Any) -> None:
    """Keep ``row`` in this session's identity map until its transaction ends.

    The identity map holds rows weakly: without this, a row nobody references is
    forgotten between two ballots of a batch and read again.
    """
    session.info.setdefault(_KEPT, set()).add(row)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # Rows kept and steps remembered hold for one transaction only: the next one must
    # read what other connections committed meanwhile.
    if transaction.parent is None:
        for key in (_KEPT, _STEP_IDS, _STEPS, _STATUSES):
            session.info.pop(key, None)


def workshop_by_code(session: Session, code: str) -> WorkshopRow | None:
    """The workshop whose join code is ``code`` (canonical form), or ``None``."""
    return session.scalars(select(WorkshopRow).where(WorkshopRow.code == code)).first()


class TakenCodes:
    """The join codes in use, as a container the domain's code generator can ask."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and workshop_by_code(self._session, code) is not None


def step_rows(session: Session, workshop_id: int) -> list[StepRow]:
    """The workshop's steps in running order."""
    return list(
        session.scalars(
            select(StepRow)
            .where(StepRow.workshop_id == workshop_id)
            .order_by(StepRow.position, StepRow.id)
        )
    )


_STEP_IDS = "chemins.step_ids"
"""``Session.info`` key: (workshop id, step key) → step row id, found once per transaction."""


def step_row(session: Session, workshop_id: int, key: str, *, lock: bool = False) -> StepRow:
    """The step ``key`` of the workshop; :class:`RowNotFound` if none.

    Without ``lock`` the row id found once in this transaction is reused (no query when
    the session already holds the row, as in a group-commit batch).
    """
    lock = lock and row_locks(session)
    known: dict[tuple[int, str], int] = session.info.setdefault(_STEP_IDS, {})
    row_id = known.get((workshop_id, key))
    if row_id is not None and not lock:
        row = session.get(StepRow, row_id)
        if row is not None and row.workshop_id == workshop_id and row.key == key:
            return row
    query = select(StepRow).where(StepRow.workshop_id == workshop_id, StepRow.key == key)
    if lock:
        query = query.with_for_update()
    row = session.scalars(query).first()
    if row is None:
        raise RowNotFound(key)
    known[(workshop_id, key)] = row.id
    keep(session, row)
    return row


def step_config(step: Step) -> dict[str, Any]:
    """What the ``config`` column holds: the domain step without its status."""
    config = step.model_dump(mode="json")
    config.pop("status", None)
    return config


def to_step(row: StepRow) -> Step:
    """The domain step of a row."""
    return STEP_ADAPTER.validate_python({**row.config, "status": row.status})


_STEPS = "chemins.steps"
"""``Session.info`` key: step row id → (status, config, domain step), for one transaction."""


def cached_step(session: Session, row: StepRow) -> Step:
    """:func:`to_step`, validated once per transaction while the row's status and config stay.

    A vote of many ballots validates its step once per group-commit batch, not per ballot.
    """
    cache: dict[int, tuple[str, Any, Step]] = session.info.setdefault(_STEPS, {})
    cached = cache.get(row.id)
    if cached is not None and cached[0] == row.status and cached[1] is row.config:
        return cached[2]
    step = to_step(row)
    cache[row.id] = (row.status, row.config, step)
    return step


def to_workshop(row: WorkshopRow, steps: Iterable[StepRow]) -> Workshop:
    """The domain workshop of a row and its step rows."""
    return Workshop(
        id=str(row.id),
        title=row.title,
        project_id=str(row.project_id),
        code=row.code,
        status=row.status,
        groups=[ParticipantGroup.model_validate(group) for group in row.groups],
        steps=[to_step(step) for step in steps],
        current_step=row.current_step,
    )


def workshop_header(row: WorkshopRow) -> Workshop:
    """The domain workshop of a row without its steps (title, code, status, groups)."""
    return Workshop(
        id=str(row.id),
        title=row.title,
        project_id=str(row.project_id),
        code=row.code,
        status=row.status,
        groups=[ParticipantGroup.model_validate(group) for group in row.groups],
    )


def load_workshop(session: Session, workshop_id: int, *, lock: bool = False) -> Workshop:
    """The domain workshop ``workshop_id``, with its steps."""
    row = workshop_row(session, workshop_id, lock=lock)
    return to_workshop(row, step_rows(session, workshop_id))


def list_workshop_rows(session: Session) -> list[WorkshopRow]:
    """Every workshop, newest first."""
    return list(session.scalars(select(WorkshopRow).order_by(WorkshopRow.id.desc())))


def next_position(session: Session, workshop_id: int) -> int:
    """The position after the workshop's last step."""
    last = session.scalar(
        select(func.max(StepRow.position)).where(StepRow.workshop_id == workshop_id)
    )
    return 0 if last is None else last + 1


# --- Participants -------------------------------------------------------------------------


def participant_by_token(
    session: Session, workshop_id: int, token: str
) -> ParticipantRow | None:
    """The workshop's participant holding ``token``, or ``None``."""
    return session.scalars(
        select(ParticipantRow).where(
            ParticipantRow.workshop_id == workshop_id, ParticipantRow.token == token
        )
    ).first()


@dataclass(frozen=True)
class ParticipantKey:
    """A participant's row id and token: what the write path needs of a participant."""

    id: int
    token: str


_PARTICIPANT_KEY = (
    select(ParticipantRow.__table__.c.id, ParticipantRow.__table__.c.token)
    .where(
        ParticipantRow.__table__.c.workshop_id == bindparam("workshop_id"),
        ParticipantRow.__table__.c.token == bindparam("token"),
    )
)


def participant_key(session: Session, workshop_id: int, token: str) -> ParticipantKey | None:
    """The id and token of the workshop's participant holding ``token``, or ``None``.

    Every ballot and upvote reads it: one statement, no ORM row.
    """
    if fast_writes.available(session):
        key = fast_writes.participant_key(session, workshop_id, token)
        return ParticipantKey(id=key[0], token=key[1]) if key is not None else None
    found = session.connection().execute(
        _PARTICIPANT_KEY, {"workshop_id": workshop_id, "token": token}
    ).first()
    return ParticipantKey(id=found[0], token=found[1]) if found is not None else None


def participant_by_join_id(
    session: Session, workshop_id: int, client_id: str
) -> ParticipantRow | None:
    """The participant created by the ``join`` message ``client_id``, or ``None``."""
    return session.scalars(
        select(ParticipantRow).where(
            ParticipantRow.workshop_id == workshop_id,
            ParticipantRow.join_client_id == client_id,
        )
    ).first()


def to_participant(row: ParticipantRow) -> Participant:
    """The domain participant of a row."""
    return Participant(token=row.token, nickname=row.nickname, group=row.group_id)


def count_participants(session: Session, workshop_id: int) -> int:
    """How many participants joined the workshop."""
    return session.scalar(
        select(func.count(ParticipantRow.id)).where(ParticipantRow.workshop_id == workshop_id)
    ) or 0


# --- Ideas --------------------------------------------------------------------------------


def idea_row(session: Session, step_row_id: int, idea_id: str) -> IdeaRow:
    """The idea ``idea_id`` of a step; :class:`RowNotFound` if it is not one of its ideas."""
    row_id = parse_row_id(idea_id)
    row = session.get(IdeaRow, row_id) if row_id is not None else None
    if row is None or row.step_id != step_row_id:
        raise RowNotFound(idea_id)
    return row


def idea_rows(
    session: Session, step_row_id: int, related_to: Iterable[int] | None = None
) -> list[IdeaRow]:
    """The ideas of a step, in the order they were posted.

    With ``related_to``, only those ideas and the ideas merged into one of them: all a
    moderation of those ideas can read or change, without loading the whole wall.
    """
    query = select(IdeaRow).where(IdeaRow.step_id == step_row_id)
    if related_to is not None:
        ids = sorted(set(related_to))
        query = query.where(or_(IdeaRow.id.in_(ids), IdeaRow.merged_into_id.in_(ids)))
    return list(session.scalars(query.order_by(IdeaRow.id)))


def add_idea(
    session: Session, step_row_id: int, participant_id: int, column: str, text: str,
    now: dt.datetime,
) -> int:
    """Insert a participant's idea (visible, in no cluster); its row id."""
    if fast_writes.available(session):
        return fast_writes.add_idea(session, step_row_id, participant_id, column, text, now)
    row = IdeaRow(step_id=step_row_id, participant_id=participant_id, column=column, text=text,
                  created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    return row.id


def set_processed_result(
    session: Session, participant_id: int, client_id: str, result: dict[str, Any]
) -> None:
    """Keep what a participant's message produced, for the ack of its resends."""
    if fast_writes.available(session):
        fast_writes.set_result(session, participant_id, client_id, result)
        return
    session.execute(
        update(ProcessedMessage)
        .where(ProcessedMessage.participant_id == participant_id,
               ProcessedMessage.client_id == client_id)
        .values(result=result)
    )


def count_recent_ideas(session: Session, participant_id: int, since: dt.datetime) -> int:
    """How many ideas the participant posted since ``since`` (for the rate limit)."""
    if fast_writes.available(session):
        return fast_writes.count_recent_ideas(session, participant_id, since)
    return session.scalar(
        select(func.count(IdeaRow.id)).where(
            IdeaRow.participant_id == participant_id, IdeaRow.created_at >= since
        )
    ) or 0


def ideas_by(session: Session, step_row_id: int, participant_id: int) -> list[IdeaRow]:
    """The ideas the participant posted in this step, in the order they were posted."""
    return list(
        session.scalars(
            select(IdeaRow)
            .where(IdeaRow.step_id == step_row_id, IdeaRow.participant_id == participant_id)
            .order_by(IdeaRow.id)
        )
    )


def count_ideas_by(session: Session, step_row_id: int, participant_id: int) -> int:
    """How many ideas the participant posted in this step."""
    return session.scalar(
        select(func.count(IdeaRow.id)).where(
            IdeaRow.step_id == step_row_id, IdeaRow.participant_id == participant_id
        )
    ) or 0


def _chunks(ids: Sequence[int], size: int = 500) -> Iterator[Sequence[int]]:
    # Keeps IN lists under SQLite's bound-parameter limit on large walls.
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def voters_of(session: Session, idea_ids: Sequence[int]) -> dict[int, set[int]]:
    """Participant ids who upvoted each idea."""
    voters: dict[int, set[int]] = {idea_id: set() for idea_id in idea_ids}
    for chunk in _chunks(list(idea_ids)):
        for idea_id, participant_id in session.execute(
            select(IdeaVote.idea_id, IdeaVote.participant_id).where(IdeaVote.idea_id.in_(chunk))
        ):
            voters[idea_id].add(participant_id)
    return voters


def children_of(session: Session, idea_ids: Sequence[int]) -> list[IdeaRow]:
    """Ideas merged into one of ``idea_ids``."""
    children: list[IdeaRow] = []
    for chunk in _chunks(list(idea_ids)):
        children.extend(
            session.scalars(
                select(IdeaRow).where(IdeaRow.merged_into_id.in_(chunk)).order_by(IdeaRow.id)
            )
        )
    return children


def ideas_by_id(session: Session, idea_ids: Sequence[int]) -> list[IdeaRow]:
    """The ideas with these row ids (missing ones left out), in id order."""
    rows: list[IdeaRow] = []
    for chunk in _chunks(sorted(set(idea_ids))):
        rows.extend(session.scalars(select(IdeaRow).where(IdeaRow.id.in_(chunk))))
    return sorted(rows, key=lambda row: row.id)


def idea_views(session: Session, rows: Sequence[IdeaRow]) -> list[dict[str, Any]]:
    """The wall's view of ``rows``: upvotes of merged duplicates folded into their target.

    Returns dicts with the fields of ``app.protocol.IdeaView`` (no author, no voters).
    """
    ids = [row.id for row in rows]
    children = children_of(session, ids)
    voters = voters_of(session, ids + [child.id for child in children])
    merged: dict[int, list[IdeaRow]] = {}
    for child in children:
        if child.merged_into_id is not None:
            merged.setdefault(child.merged_into_id, []).append(child)
    views = []
    for row in rows:
        supporters = set(voters.get(row.id, set()))
        for child in merged.get(row.id, []):
            supporters |= voters.get(child.id, set())
        views.append(
            {
                "id": str(row.id),
                "step_id": "",  # filled by the caller, who knows the step's key
                "column": row.column,
                "text": row.text,
                "upvotes": len(supporters),
                "cluster": row.cluster,
                "merged": [{"id": str(c.id), "text": c.text} for c in merged.get(row.id, [])],
                "hidden": row.hidden,
                "merged_into": str(row.merged_into_id) if row.merged_into_id else None,
            }
        )
    return views


def domain_ideas(
    session: Session, step: StepRow, related_to: Iterable[int] | None = None
) -> list[Idea]:
    """The step's ideas as domain objects, with author and upvoter tokens.

    ``related_to`` limits them as :func:`idea_rows` does.
    """
    rows = idea_rows(session, step.id, related_to)
    voters = voters_of(session, [row.id for row in rows])
    participant_ids = {row.participant_id for row in rows if row.participant_id is not None}
    participant_ids |= {p for group in voters.values() for p in group}
    tokens = tokens_of(session, participant_ids)
    return [
        Idea(
            id=str(row.id),
            step_id=step.key,
            column=row.column,
            text=row.text,
            author=tokens.get(row.participant_id) if row.participant_id else None,
            hidden=row.hidden,
            merged_into=str(row.merged_into_id) if row.merged_into_id else None,
            cluster=row.cluster,
            upvoters=sorted(tokens[p] for p in voters.get(row.id, set()) if p in tokens),
        )
        for row in rows
    ]


def tokens_of(session: Session, participant_ids: Iterable[int]) -> dict[int, str]:
    """Participant id → token."""
    tokens: dict[int, str] = {}
    for chunk in _chunks(sorted(set(participant_ids))):
        for pid, token in session.execute(
            select(ParticipantRow.id, ParticipantRow.token).where(ParticipantRow.id.in_(chunk))
        ):
            tokens[pid] = token
    return tokens


def groups_of(session: Session, workshop_id: int) -> dict[str, str | None]:
    """Token → collège id of every participant of the workshop."""
    return {
        token: group
        for token, group in session.execute(
            select(ParticipantRow.token, ParticipantRow.group_id).where(
                ParticipantRow.workshop_id == workshop_id
            )
        )
    }


def upvoted_by(session: Session, step_row_id: int, participant_id: int) -> list[str]:
    """Ids of the step's ideas the participant upvoted."""
    return [
        str(idea_id)
        for idea_id in session.scalars(
            select(IdeaVote.idea_id)
            .join(IdeaRow, IdeaRow.id == IdeaVote.idea_id)
            .where(IdeaRow.step_id == step_row_id, IdeaVote.participant_id == participant_id)
            .order_by(IdeaVote.idea_id)
        )
    ]


def add_upvote(session: Session, idea_id: int, participant_id: int) -> bool:
    """Record an upvote; ``False`` if the participant had already upvoted this idea."""
    existing = session.scalars(
        select(IdeaVote).where(
            IdeaVote.idea_id == idea_id, IdeaVote.participant_id == participant_id
        )
    ).first()
    if existing is not None:
        return False
    try:
        with session.begin_nested():
            session.add(IdeaVote(idea_id=idea_id, participant_id=participant_id))
    except IntegrityError:
        return False  # a concurrent transaction recorded it first (PostgreSQL)
    return True


def remove_upvote(session: Session, idea_id: int, participant_id: int) -> bool:
    """Withdraw an upvote; ``False`` if there was none."""
    existing = session.scalars(
        select(IdeaVote).where(
            IdeaVote.idea_id == idea_id, IdeaVote.participant_id == participant_id
        )
    ).first()
    if existing is None:
        return False
    session.delete(existing)
    session.flush()
    return True


def distinct_authors(session: Session, step_row_id: int) -> int:
    """How many participants posted at least one idea in the step."""
    return session.scalar(
        select(func.count(func.distinct(IdeaRow.participant_id))).where(
            IdeaRow.step_id == step_row_id, IdeaRow.participant_id.is_not(None)
        )
    ) or 0


# --- Ballots ------------------------------------------------------------------------------


def ballot_of(session: Session, step_row_id: int, participant_id: int) -> BallotRow | None:
    """The participant's ballot on the step, or ``None``."""
    return session.scalars(
        select(BallotRow).where(
            BallotRow.step_id == step_row_id, BallotRow.participant_id == participant_id
        )
    ).first()


_INSERTS: dict[str, Callable[[Any], Any]] = {
    "sqlite": sqlite_insert,
    "postgresql": postgresql_insert,
}
_STATEMENTS: dict[tuple[str, str], Executable] = {}


def _ballot_upsert(insert: Callable[[Any], Any]) -> Executable:
    statement = insert(BallotRow.__table__)
    return statement.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=["step_id", "participant_id"],
        set_={
            "body": statement.excluded.body,
            "updated_at": statement.excluded.updated_at,
            "revisions": BallotRow.__table__.c.revisions + 1,
        },
    )


def _claim_insert(insert: Callable[[Any], Any]) -> Executable:
    # RETURNING tells whether a row was inserted: rowcount is -1 on PostgreSQL here.
    table = ProcessedMessage.__table__
    return insert(table).on_conflict_do_nothing().returning(table.c.id)  # type: ignore[no-any-return]


def _statement(session: Session, name: str) -> Executable | None:
    """A prepared ``INSERT … ON CONFLICT`` (built once per database kind), or ``None``.

    Built once and run with parameters, so the write path of a vote does not rebuild a
    statement per ballot (SQLite takes the faster :mod:`.fast_writes` instead).
    """
    dialect = session.get_bind().dialect.name
    insert = _INSERTS.get(dialect)
    if insert is None:
        return None
    key = (dialect, name)
    statement = _STATEMENTS.get(key)
    if statement is None:
        build = _ballot_upsert if name == "ballot" else _claim_insert
        statement = _STATEMENTS[key] = build(insert)
    return statement


def put_ballot(
    session: Session, step_row_id: int, participant_id: int, body: dict[str, Any]
) -> None:
    """Store the participant's ballot on the step, replacing the one they cast before.

    One ``INSERT … ON CONFLICT DO UPDATE`` statement on SQLite and PostgreSQL: the unique
    constraint (step, participant) decides between a first ballot and a re-vote, even
    between concurrent transactions. A :class:`BallotRow` this session loaded before is
    not refreshed (nothing on the write path loads one).
    """
    now = utcnow()
    if fast_writes.available(session):
        fast_writes.put_ballot(session, step_row_id, participant_id, body, now)
        return
    statement = _statement(session, "ballot")
    if statement is not None:
        session.connection().execute(
            statement,
            {"step_id": step_row_id, "participant_id": participant_id, "body": body,
             "cast_at": now, "updated_at": now, "revisions": 1},
        )
        return
    _put_ballot_rows(session, step_row_id, participant_id, body, now)


def _put_ballot_rows(
    session: Session, step_row_id: int, participant_id: int, body: dict[str, Any],
    now: dt.datetime,
) -> None:
    """:func:`put_ballot` with ORM rows, for databases without ``ON CONFLICT``."""
    row = ballot_of(session, step_row_id, participant_id)
    if row is None:
        try:
            with session.begin_nested():
                row = BallotRow(
                    step_id=step_row_id, participant_id=participant_id, body=body,
                    cast_at=now, updated_at=now,
                )
                session.add(row)
            return
        except IntegrityError:
            # Another transaction inserted it meanwhile: replace that one.
            row = ballot_of(session, step_row_id, participant_id)
            if row is None:  # pragma: no cover - the constraint just said it exists
                raise
    row.body = body
    row.updated_at = now
    row.revisions += 1
    session.flush()


def step_ballots(session: Session, step_row_id: int) -> list[tuple[Ballot, str | None]]:
    """Every ballot of the step with its voter's collège, in casting order."""
    rows = session.execute(
        select(BallotRow.body, ParticipantRow.group_id)
        .join(ParticipantRow, ParticipantRow.id == BallotRow.participant_id)
        .where(BallotRow.step_id == step_row_id)
        .order_by(BallotRow.cast_at, BallotRow.id)
    )
    return [(BALLOT_ADAPTER.validate_python(body), group) for body, group in rows]


def count_ballots(session: Session, step_row_id: int) -> int:
    """How many participants have a ballot on the step."""
    return session.scalar(
        select(func.count(BallotRow.id)).where(BallotRow.step_id == step_row_id)
    ) or 0


# --- Processed client messages ------------------------------------------------------------


@dataclass(frozen=True)
class Sender:
    """Who sent a client message: a participant or a facilitator account."""

    participant_id: int | None = None
    user_id: int | None = None


def processed(session: Session, sender: Sender, client_id: str) -> ProcessedMessage | None:
    """The record of an already applied message, or ``None``."""
    query = select(ProcessedMessage).where(ProcessedMessage.client_id == client_id)
    if sender.participant_id is not None:
        query = query.where(ProcessedMessage.participant_id == sender.participant_id)
    elif sender.user_id is not None:
        query = query.where(ProcessedMessage.user_id == sender.user_id)
    else:
        return None
    return session.scalars(query).first()


def remember(
    session: Session, sender: Sender, client_id: str, kind: str
) -> tuple[bool, ProcessedMessage | None]:
    """Record that ``client_id`` is being applied, in the caller's transaction.

    Returns ``(True, record)`` the first time, ``(False, earlier record)`` for a resend.
    The caller rolls back with its own work if that fails, so a message is recorded
    exactly when its effect is.
    """
    earlier = processed(session, sender, client_id)
    if earlier is not None:
        return False, earlier
    record = ProcessedMessage(
        participant_id=sender.participant_id, user_id=sender.user_id, client_id=client_id,
        kind=kind,
    )
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:
        return False, processed(session, sender, client_id)
    return True, record


def claim(session: Session, sender: Sender, client_id: str, kind: str) -> bool:
    """Record that ``client_id`` is being applied; ``False`` if it was already (a resend).

    :func:`remember` in one ``INSERT … ON CONFLICT DO NOTHING`` statement, for the write
    path of ballots and upvotes. The caller's transaction (or SAVEPOINT) undoes it with
    its own work if that fails, so a message is recorded exactly when its effect is.
    """
    if fast_writes.available(session):
        return fast_writes.claim(
            session, sender.participant_id, sender.user_id, client_id, kind, utcnow()
        )
    statement = _statement(session, "claim")
    if statement is None:
        first, _ = remember(session, sender, client_id, kind)
        return first
    inserted = session.connection().execute(
        statement,
        {"participant_id": sender.participant_id, "user_id": sender.user_id,
         "client_id": client_id, "kind": kind, "result": None, "created_at": utcnow()},
    ).first()
    return inserted is not None
