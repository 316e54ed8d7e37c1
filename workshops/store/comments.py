"""Comments on the nodes of a project (a stake, a change, an action, the vision…).

Every member may comment, viewers included: the Caf's advisor reads the model and says
what she thinks of it without being able to change it. A comment names its node by id;
it stays if the node is later deleted (the history can bring the node back).
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from theory_of_change.editing import EditError, locate
from theory_of_change.model import VISION_ID, Project

from .projects import load_project
from .schema import CommentRow, utcnow

COMMENT_MAX_LENGTH = 2000


class CommentError(ValueError):
    """A comment that cannot be saved; the message is French."""


def _thousands(number: int) -> str:
    return f"{number:,d}".replace(",", "\u202f")  # French thousands: a narrow space


def node_title(project: Project, node_id: str) -> str | None:
    """The label of the node ``node_id`` (the vision, a stake, a change…), else ``None``."""
    if node_id == VISION_ID:
        return "La vision" if project.vision is not None else None
    try:
        located = locate(project, node_id)
    except EditError:
        return None
    return str(getattr(located.item, located.spec.title_field))


def add_comment(
    session: Session, project_id: int, node_id: str, text: str, *, user_id: int | None,
    author: str,
) -> CommentRow:
    """Add ``author``'s comment on node ``node_id``; raises :class:`CommentError` in French.

    The text is trimmed; it must not be empty nor longer than 2 000 characters, and the
    node must exist in the project's current version.
    """
    cleaned = text.strip()
    if not cleaned:
        raise CommentError("Écrivez votre commentaire avant de l'envoyer.")
    if len(cleaned) > COMMENT_MAX_LENGTH:
        raise CommentError(
            f"Le commentaire dépasse {_thousands(COMMENT_MAX_LENGTH)} caractères "
            f"({_thousands(len(cleaned))}) : raccourcissez-le."
        )
    if node_title(load_project(session, project_id), node_id) is None:
        raise CommentError(f"L'élément « {node_id} » n'existe pas dans le projet.")
    row = CommentRow(
        project_id=project_id, node_id=node_id, user_id=user_id, author=author[:300],
        text=cleaned, created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def node_comments(session: Session, project_id: int, node_id: str) -> list[CommentRow]:
    """The comments on one node, oldest first (a conversation reads downwards)."""
    return list(
        session.scalars(
            select(CommentRow)
            .where(CommentRow.project_id == project_id, CommentRow.node_id == node_id)
            .order_by(CommentRow.created_at, CommentRow.id)
        )
    )


def project_comments(session: Session, project_id: int) -> list[CommentRow]:
    """Every comment of a project, newest first."""
    return list(
        session.scalars(
            select(CommentRow)
            .where(CommentRow.project_id == project_id)
            .order_by(CommentRow.created_at.desc(), CommentRow.id.desc())
        )
    )


def comment_counts(session: Session, project_id: int) -> Counter[str]:
    """How many comments each node of a project has."""
    return Counter(
        session.scalars(select(CommentRow.node_id).where(CommentRow.project_id == project_id))
    )
