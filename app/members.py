"""A project's members: who reads, edits or owns it, managed by its owners.

Every member sees the list (so a viewer knows whom to ask for more rights); only owners
add a member (by the address of an existing account), change a role or remove someone.
The last owner can be neither removed nor demoted (:mod:`workshops.store.members`).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response
from wtforms import EmailField, SelectField
from wtforms.validators import DataRequired, Length

from app.auth import current_user
from app.console_forms import FrenchForm, choices
from app.extensions import database
from app.history import current_project
from app.permissions import Role, require_project_role
from workshops.store.members import (
    ROLE_HELP,
    ROLE_LABELS,
    MemberError,
    add_member,
    has_members,
    list_members,
    remove_member,
    set_member_role,
)
from workshops.store.schema import EMAIL_LENGTH

bp = Blueprint("members", __name__, url_prefix="/console/projets/<int:project_id>/membres")

ROLE_PAIRS = [
    (role.value, f"{ROLE_LABELS[role].capitalize()} — {ROLE_HELP[role]}")
    for role in (Role.viewer, Role.editor, Role.owner)
]


class AddMemberForm(FrenchForm):
    """The address of an existing account and the role to give it."""

    email = EmailField(
        lazy_gettext("Adresse électronique du compte"),
        validators=[
            DataRequired(lazy_gettext("Saisissez l'adresse du compte à ajouter.")),
            Length(max=EMAIL_LENGTH, message=lazy_gettext("Cette adresse est trop longue.")),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    role = SelectField(
        lazy_gettext("Rôle"), choices=choices(ROLE_PAIRS), default=Role.viewer.value
    )


class RoleForm(FrenchForm):
    """A member's new role."""

    role = SelectField(lazy_gettext("Rôle"), choices=choices(ROLE_PAIRS))


def _page(project_id: int, form: AddMemberForm) -> str:
    project, _revision = current_project(project_id)
    with database.read_session() as db:
        members = list_members(db, project_id)
        shared = has_members(db, project_id)
    user = current_user()
    return render_template(
        "members/index.html", project=project, project_id=project_id, members=members,
        shared=shared, form=form, role_labels=ROLE_LABELS, role_choices=ROLE_PAIRS,
        me=user.id if user is not None else None,
    )


@bp.get("/")
@require_project_role(Role.owner)
def index(project_id: int) -> str:
    """The members and their roles; the forms to manage them, for owners."""
    return _page(project_id, AddMemberForm(formdata=None))


@bp.post("/ajouter")
@require_project_role(Role.owner)
def add(project_id: int) -> str | Response | tuple[str, int]:
    """Add the account with this address to the project, with the chosen role."""
    form = AddMemberForm()
    user = current_user()
    assert user is not None  # require_project_role logged them in
    if form.validate_on_submit():
        try:
            with database.session() as db:
                member = add_member(db, project_id, form.email.data, Role(form.role.data),
                                    by_user_id=user.id)
        except MemberError as error:
            form.email.errors = [str(error)]
        else:
            flash(
                _("%(name)s est désormais %(role)s du projet.", name=member.name,
                  role=ROLE_LABELS[member.role]),
                "success",
            )
            return redirect(url_for("members.index", project_id=project_id))
    return _page(project_id, form), 400


@bp.post("/<int:user_id>/role")
@require_project_role(Role.owner)
def change_role(project_id: int, user_id: int) -> Response:
    """Give a member another role (the last owner stays owner)."""
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choisissez un rôle dans la liste."), "error")
    else:
        try:
            with database.session() as db:
                set_member_role(db, project_id, user_id, Role(form.role.data))
        except MemberError as error:
            flash(str(error), "error")
        else:
            flash(_("Rôle changé : %(role)s.", role=ROLE_LABELS[Role(form.role.data)]), "success")
    return redirect(url_for("members.index", project_id=project_id))


@bp.post("/<int:user_id>/retirer")
@require_project_role(Role.owner)
def remove(project_id: int, user_id: int) -> Response:
    """Remove a member from the project (never its last owner).

    The CSRF token is checked before any view (``CSRFProtect``): nothing else to read.
    """
    try:
        with database.session() as db:
            remove_member(db, project_id, user_id)
    except MemberError as error:
        flash(str(error), "error")
    else:
        flash(_("Membre retiré·e du projet."), "success")
    return redirect(url_for("members.index", project_id=project_id))
