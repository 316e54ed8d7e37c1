"""An action's follow-up (annexe 6): its status, the indicator's baseline and target, and
the value observed each year of the convention with a comment — what the follow-up table
(:mod:`exports.tracker`) lays out, one column per year.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_babel import gettext as _

from app.permissions import Role, require_project_role
from theory_of_change import editing
from theory_of_change.editing.labels import quoted

from . import bp
from .follow_up_forms import FollowUpForm, follow_up_view
from .items import find_item, item_heading, item_title
from .kinds import BY_SLUG
from .pages import STEP_PAGES, PageResult
from .rendering import render_project_page
from .saving import Conflict, form_for, merge_untouched, save_edit
from .workspace import open_workspace

ACTIONS = BY_SLUG["actions"]


@bp.route("/<int:project_id>/actions/<key>/suivi", methods=["GET", "POST"])
@require_project_role(Role.editor)
def follow_up(project_id: int, key: str) -> PageResult:
    """The follow-up of an action: status, baseline and target, values observed by year."""
    ws = open_workspace(project_id)
    located = find_item(ws.project, ACTIONS, key)
    if located is None:
        abort(404)
    form = FollowUpForm()
    form.setup(ws.project, located.item)
    conflict: Conflict | None = None
    status = 200
    if request.method == "GET":
        form.load(located.item)
        form.revision.data = str(ws.revision)
    elif form.validate_on_submit():
        fields = form.fields()
        outcome = save_edit(
            project_id, ws.project, form,
            lambda project: editing.set_follow_up(project, key, **fields),
        )
        if outcome.saved:
            flash(_("Suivi de l'action %(title)s enregistré.", title=quoted(located.item.title)),
                  "success")
            return redirect(request.path)
        status = outcome.status
        if outcome.conflict is not None:
            conflict = outcome.conflict
            form.revision.data = str(conflict.current_revision)
            ws = open_workspace(project_id)
            theirs = find_item(ws.project, ACTIONS, key)
            if theirs is None:
                form.form_errors.append(_(
                    "L'action a été supprimée entre-temps : ce suivi ne peut plus être "
                    "enregistré. Copiez ce que vous aviez écrit si vous voulez le garder."
                ))
            else:
                base = find_item(conflict.base, ACTIONS, key) if conflict.base else None
                form.setup(ws.project, theirs.item)
                merge_untouched(
                    form, [*form.domain_fields, "observations"],
                    form_for(FollowUpForm, conflict.base, base.item)
                    if base and conflict.base else None,
                    form_for(FollowUpForm, ws.project, theirs.item),
                )
                located = theirs
    else:
        status = 422
    return render_project_page(
        "editor/follow_up.html",
        ws,
        active=ACTIONS.page,
        defaults=STEP_PAGES[ACTIONS.page].defaults,
        current=key,
        status=status,
        key=key,
        item=located.item,
        item_name=item_title(ACTIONS, located.item),
        heading=item_heading(ACTIONS, located.item),
        form=form,
        view=follow_up_view(ws.project, located.item),
        conflict=conflict.view if conflict else None,
        node_id=key,
    )
