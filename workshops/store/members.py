"""Who may do what on a project: owners, editors and viewers.

- a **viewer** (lecteur·rice, e.g. the Caf's advisor) reads every page and comments;
- an **editor** (éditeur·rice) also edits the model, the calendar, runs the history;
- an **owner** (propriétaire) also manages the members.

The project's creator is its owner. A project without any member (made before roles
existed, like the demo) is open to every facilitator as owner; the first member added to
it makes whoever adds them an owner too, so nobody is locked out by sharing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .projects import ProjectNotFound, get_project_row
from .schema import ProjectMember, ProjectRow, User
from .users import find_user


class Role(StrEnum):
    """A user's role on a project, from the least to the most rights."""

    viewer = "viewer"
    editor = "editor"
    owner = "owner"

    @property
    def rank(self) -> int:
        """Its place in viewer < editor < owner."""
        return _RANKS[self]

    def allows(self, minimum: Role) -> bool:
        """Whether this role gives at least the rights of ``minimum``."""
        return self.rank >= minimum.rank

    @property
    def label(self) -> str:
        """Its French name, as the pages write it."""
        return ROLE_LABELS[self]


_RANKS = {Role.viewer: 0, Role.editor: 1, Role.owner: 2}

ROLE_LABELS = {
    Role.owner: "propriétaire",
    Role.editor: "éditeur·rice",
    Role.viewer: "lecteur·rice",
}

ROLE_HELP = {
    Role.owner: "modifie le projet et gère ses membres",
    Role.editor: "modifie le projet",
    Role.viewer: "lit le projet et le commente",
}


class MemberError(ValueError):
    """A change of members that cannot be made; the message is French."""


@dataclass(frozen=True)
class Member:
    """A member of a project: the account and its role."""

    user_id: int
    email: str
    display_name: str | None
    role: Role

    @property
    def name(self) -> str:
        """The display name, else the address."""
        return self.display_name or self.email


def parse_role(value: str) -> Role:
    """The role named ``value`` (``owner``, ``editor``, ``viewer``), or :class:`MemberError`."""
    try:
        return Role(value)
    except ValueError:
        raise MemberError(
            "Choisissez un rôle : propriétaire, éditeur·rice ou lecteur·rice."
        ) from None


def _member_rows(session: Session, project_id: int) -> list[ProjectMember]:
    return list(
        session.scalars(select(ProjectMember).where(ProjectMember.project_id == project_id))
    )


def has_members(session: Session, project_id: int) -> bool:
    """Whether roles apply to this project (else every facilitator is owner)."""
    count = session.scalar(
        select(func.count()).select_from(ProjectMember)
        .where(ProjectMember.project_id == project_id)
    )
    return bool(count)


def project_role(session: Session, project_id: int, user_id: int) -> Role | None:
    """The role of ``user_id`` on project ``project_id``, ``None`` if they have none.

    A project without members gives every facilitator the owner's role. Raises
    :class:`~workshops.store.projects.ProjectNotFound` for an unknown project.
    """
    # Only whether the project exists: its body (the whole model) is not loaded.
    if session.scalar(select(ProjectRow.id).where(ProjectRow.id == project_id)) is None:
        raise ProjectNotFound(f"Le projet n°{project_id} n'existe pas.")
    rows = _member_rows(session, project_id)
    if not rows:
        return Role.owner
    for row in rows:
        if row.user_id == user_id:
            return Role(row.role)
    return None


def list_members(session: Session, project_id: int) -> list[Member]:
    """The members of a project, owners first, then by address."""
    get_project_row(session, project_id)
    rows = session.execute(
        select(ProjectMember.role, User)
        .join(User, User.id == ProjectMember.user_id)
        .where(ProjectMember.project_id == project_id)
    ).all()
    members = [
        Member(user_id=user.id, email=user.email, display_name=user.display_name,
               role=Role(role))
        for role, user in rows
    ]
    return sorted(members, key=lambda m: (-m.role.rank, m.email))


def projects_of_user(session: Session, user_id: int) -> list[tuple[ProjectRow, Role]]:
    """The projects ``user_id`` may open, with their role, by title."""
    roles = {
        row.project_id: Role(row.role)
        for row in session.scalars(select(ProjectMember).where(ProjectMember.user_id == user_id))
    }
    shared = set(session.scalars(select(ProjectMember.project_id).distinct()))
    visible: list[tuple[ProjectRow, Role]] = []
    for project in session.scalars(select(ProjectRow).order_by(ProjectRow.title, ProjectRow.id)):
        if project.id not in shared:
            visible.append((project, Role.owner))
        elif project.id in roles:
            visible.append((project, roles[project.id]))
    return visible


def add_member(
    session: Session, project_id: int, email: str, role: Role, *, by_user_id: int
) -> Member:
    """Give the account with address ``email`` the ``role`` on the project.

    ``by_user_id`` is who does it: on a project without members yet, they become its
    owner first. Raises :class:`MemberError` (French) for an address without an account
    or an account already a member.
    """
    get_project_row(session, project_id)
    user = find_user(session, email)
    if user is None:
        raise MemberError(
            f"Aucun compte n'existe pour « {email.strip()} ». Créez-le d'abord "
            "(commande « chemins user add »), puis ajoutez-le ici."
        )
    rows = _member_rows(session, project_id)
    if not rows and user.id != by_user_id:
        session.add(ProjectMember(project_id=project_id, user_id=by_user_id, role=Role.owner))
    elif any(row.user_id == user.id for row in rows):
        raise MemberError(
            f"{user.email} est déjà membre du projet : changez plutôt son rôle dans la liste."
        )
    if not rows and user.id == by_user_id:
        role = Role.owner  # the first member of an open project keeps the owner's rights
    session.add(ProjectMember(project_id=project_id, user_id=user.id, role=role.value))
    session.flush()
    return Member(user_id=user.id, email=user.email, display_name=user.display_name, role=role)


def _owners(rows: list[ProjectMember]) -> list[ProjectMember]:
    return [row for row in rows if row.role == Role.owner]


def _member_row(rows: list[ProjectMember], user_id: int) -> ProjectMember:
    for row in rows:
        if row.user_id == user_id:
            return row
    raise MemberError("Cette personne n'est pas membre du projet.")


def set_member_role(session: Session, project_id: int, user_id: int, role: Role) -> None:
    """Change a member's role; the last owner cannot stop being one (:class:`MemberError`)."""
    get_project_row(session, project_id)
    rows = _member_rows(session, project_id)
    row = _member_row(rows, user_id)
    if row.role == Role.owner and role is not Role.owner and len(_owners(rows)) == 1:
        raise MemberError(
            "C'est le ou la seule propriétaire du projet : nommez d'abord un·e autre "
            "propriétaire."
        )
    row.role = role.value
    session.flush()


def remove_member(session: Session, project_id: int, user_id: int) -> None:
    """Remove a member; the last owner cannot be removed (:class:`MemberError`)."""
    get_project_row(session, project_id)
    rows = _member_rows(session, project_id)
    row = _member_row(rows, user_id)
    if row.role == Role.owner and len(_owners(rows)) == 1:
        raise MemberError(
            "C'est le ou la seule propriétaire du projet : il ou elle ne peut pas être "
            "retiré·e. Nommez d'abord un·e autre propriétaire."
        )
    session.delete(row)
    session.flush()
