"""Persistence of accounts, projects and workshops (SQLAlchemy 2.0, no web framework).

``Store.open(url)`` connects to SQLite (default: one file) or PostgreSQL; the functions
below take a SQLAlchemy ``Session`` opened by ``Store.session()`` (writes) or
``Store.read_session()`` (reads). Workshop actions (join, vote, close a step…) are in
:mod:`workshops.service`, which validates with the domain before calling the store.
"""

from __future__ import annotations

from .engine import Store, create_schema, is_sqlite, make_engine, sqlite_url
from .projects import (
    ProjectNotFound,
    export_project_yaml,
    find_project,
    get_project_row,
    import_project_file,
    list_projects,
    load_project,
    project_revisions,
    save_project,
)
from .schema import (
    BallotRow,
    Base,
    IdeaRow,
    IdeaVote,
    LoginToken,
    ParticipantRow,
    ProcessedMessage,
    ProjectRevision,
    ProjectRow,
    StepRow,
    User,
    WorkshopRow,
)
from .users import (
    AccountError,
    authenticate,
    consume_login_token,
    create_login_token,
    create_user,
    find_user,
    get_user,
    list_users,
    set_password,
)

__all__ = [
    "AccountError",
    "BallotRow",
    "Base",
    "IdeaRow",
    "IdeaVote",
    "LoginToken",
    "ParticipantRow",
    "ProcessedMessage",
    "ProjectNotFound",
    "ProjectRevision",
    "ProjectRow",
    "StepRow",
    "Store",
    "User",
    "WorkshopRow",
    "authenticate",
    "consume_login_token",
    "create_login_token",
    "create_schema",
    "create_user",
    "export_project_yaml",
    "find_project",
    "find_user",
    "get_project_row",
    "get_user",
    "import_project_file",
    "is_sqlite",
    "list_projects",
    "list_users",
    "load_project",
    "make_engine",
    "project_revisions",
    "save_project",
    "set_password",
    "sqlite_url",
]
