"""The database schema: SQLAlchemy 2.0 typed ORM classes, one per table.

The schema is portable: nothing here is specific to SQLite or PostgreSQL (JSON bodies
become ``JSONB`` on PostgreSQL). Constraints carry stable names from the naming
convention so that migrations can alter them. Every change here needs a migration
(``chemins db revision "…"`` writes it, see :mod:`workshops.store.migrate`):
``tests/test_migrations.py`` fails while the migrations and these classes differ.

What holds a business rule stays in the domain; the tables only make the rules that must
hold under concurrency impossible to break: one ballot per participant and step, one
upvote per participant and idea, one processing per client message id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

EMAIL_LENGTH = 254
TOKEN_LENGTH = 64
KEY_LENGTH = 80
CLIENT_ID_LENGTH = 64
TITLE_LENGTH = 300


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every database (SQLite keeps none of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        """Store UTC; refuse naive datetimes, whose zone nobody knows."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime (UTC)")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Read back an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


JsonBody = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with the naming convention and the JSON / datetime types."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JsonBody,
        list[Any]: JsonBody,
    }


# --- Accounts -----------------------------------------------------------------------------


class User(Base):
    """A facilitator account (created with ``chemins user add``)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LoginToken(Base):
    """A one-time log-in link; only the SHA-256 of the token is stored."""

    __tablename__ = "login_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(TOKEN_LENGTH), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]


# --- Projects -----------------------------------------------------------------------------


class ProjectRow(Base):
    """A project's current body (the model as JSON) and its revision number."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(KEY_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    body: Mapped[dict[str, Any]]
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(TITLE_LENGTH))


class ProjectRevision(Base):
    """Every saved version of a project, for the history and to undo."""

    __tablename__ = "project_revisions"
    __table_args__ = (UniqueConstraint("project_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    author: Mapped[str | None] = mapped_column(String(TITLE_LENGTH))
    note: Mapped[str | None] = mapped_column(Text)


class RevisionSummary(Base):
    """What a revision changed, in French (« Changement ajouté : « … » »), written on save.

    A table of its own rather than a column of ``project_revisions``: databases made
    before it keep working (``create_schema`` adds missing tables, never columns).
    """

    __tablename__ = "revision_summaries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("project_revisions.id", ondelete="CASCADE"), unique=True
    )
    summary: Mapped[str] = mapped_column(Text)


class ProjectMember(Base):
    """A user's role on a project: ``owner``, ``editor`` or ``viewer``.

    A project without any member row is open to every facilitator as owner (projects
    made before roles existed, the demo).
    """

    __tablename__ = "project_members"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CommentRow(Base):
    """A comment on a node of a project (a stake, a change, an action…), by a user."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_project_node", "project_id", "node_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    node_id: Mapped[str] = mapped_column(String(KEY_LENGTH))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# --- Workshops ----------------------------------------------------------------------------


class WorkshopRow(Base):
    """A live workshop run from a project."""

    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    groups: Mapped[list[Any]]
    current_step: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]


class StepRow(Base):
    """A step; ``config`` is the domain ``Step`` dumped, without its status (a column)."""

    __tablename__ = "steps"
    __table_args__ = (UniqueConstraint("workshop_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    config: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    opened_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JsonBody)


class ParticipantRow(Base):
    """An anonymous participant; ``join_client_id`` makes a resent ``join`` idempotent."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("workshop_id", "join_client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(TOKEN_LENGTH), unique=True)
    nickname: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    group_id: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    join_client_id: Mapped[str | None] = mapped_column(String(CLIENT_ID_LENGTH))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class IdeaRow(Base):
    """A brainstorm idea (post-it)."""

    __tablename__ = "ideas"
    __table_args__ = (Index("ix_ideas_participant_created", "participant_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("steps.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    column: Mapped[str] = mapped_column(String(KEY_LENGTH))
    text: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="SET NULL"), index=True
    )
    cluster: Mapped[str | None] = mapped_column(String(TITLE_LENGTH))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class IdeaVote(Base):
    """One participant's upvote of one idea (at most one: a database constraint)."""

    __tablename__ = "idea_votes"
    __table_args__ = (UniqueConstraint("idea_id", "participant_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class BallotRow(Base):
    """A participant's ballot on a step; voting again replaces ``body`` (one row per pair)."""

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("step_id", "participant_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("steps.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE")
    )
    body: Mapped[dict[str, Any]]
    cast_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revisions: Mapped[int] = mapped_column(Integer, default=1)


class ProcessedMessage(Base):
    """A client message already applied: a resend with the same id is acknowledged only.

    The sender is a participant or a facilitator (``user_id``); each pair is unique.
    """

    __tablename__ = "processed_messages"
    __table_args__ = (
        UniqueConstraint("participant_id", "client_id"),
        UniqueConstraint("user_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(CLIENT_ID_LENGTH))
    kind: Mapped[str] = mapped_column(String(32))
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonBody)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
