"""Comments on a project's nodes: every member, viewers included, reads and comments.

The editor's node forms include ``editor/_comments.html`` (the conversation and a form
posting here); each node also has its own comments page, and the project one page with
every comment, newest first, linking to its node.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.auth import current_user, safe_next
from app.console_forms import FrenchForm
from app.extensions import database
from app.history import current_project
from app.permissions import Role, require_project_role
from workshops.store.comments import (
    COMMENT_MAX_LENGTH,
    CommentError,
    add_comment,
    node_comments,
    node_title,
    project_comments,
)
from workshops.store.schema import CommentRow

bp = Blueprint("comments", __name__, url_prefix="/console/projets/<int:project_id>/commentaires")


class CommentForm(FrenchForm):
    """A comment, and the page to go back to once it is posted."""

    text = TextAreaField(
        lazy_gettext("Votre commentaire"),
        validators=[
            DataRequired(lazy_gettext("Écrivez votre commentaire avant de l'envoyer.")),
            Length(max=COMMENT_MAX_LENGTH,
                   message=lazy_gettext("%(max)s caractères au plus.", max=COMMENT_MAX_LENGTH)),
        ],
    )
    next = HiddenField()


def comments_of_node(project_id: int, node_id: str) -> list[CommentRow]:
    """The comments on one node, oldest first (for ``editor/_comments.html``)."""
    with database.read_session() as db:
        return node_comments(db, project_id, node_id)


@bp.app_context_processor
def _comment_helpers() -> dict[str, Any]:
    return {"comments_of_node": comments_of_node, "comment_max_length": COMMENT_MAX_LENGTH}


def _node_page(project_id: int, node_id: str, form: CommentForm) -> str:
    project, _revision = current_project(project_id)
    title = node_title(project, node_id)
    if title is None:
        abort(404)
    return render_template(
        "comments/node.html", project=project, project_id=project_id, node_id=node_id,
        node_title=title, form=form, comments=comments_of_node(project_id, node_id),
    )


@bp.get("/")
@require_project_role(Role.viewer)
def index(project_id: int) -> str:
    """Every comment of the project, newest first, each linking to its node."""
    project, _revision = current_project(project_id)
    with database.read_session() as db:
        comments = project_comments(db, project_id)
    titles = {comment.node_id: node_title(project, comment.node_id) for comment in comments}
    return render_template(
        "comments/index.html", project=project, project_id=project_id, comments=comments,
        titles=titles,
    )


@bp.get("/<node_id>")
@require_project_role(Role.viewer)
def node(project_id: int, node_id: str) -> str:
    """The conversation on one node, and the form to add to it."""
    return _node_page(project_id, node_id, CommentForm(formdata=None))


@bp.post("/<node_id>")
@require_project_role(Role.viewer)
def add(project_id: int, node_id: str) -> str | Response | tuple[str, int]:
    """Post a comment (viewers may: commenting changes nothing in the model)."""
    form = CommentForm()
    user = current_user()
    assert user is not None  # require_project_role logged them in
    if form.validate_on_submit():
        try:
            with database.session() as db:
                add_comment(db, project_id, node_id, form.text.data, user_id=user.id,
                            author=user.name)
        except CommentError as error:
            form.text.errors = [str(error)]
        else:
            flash(_("Commentaire ajouté."), "success")
            back = form.next.data or url_for("comments.node", project_id=project_id,
                                             node_id=node_id)
            return redirect(safe_next(back.split("#", 1)[0]) + "#commentaires")
    return _node_page(project_id, node_id, form), 400
