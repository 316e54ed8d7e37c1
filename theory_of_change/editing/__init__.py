"""The editor's operations on a project, free of any web framework.

Every operation takes a :class:`~theory_of_change.model.Project` and returns a new,
fully validated one — the given project is never modified — or raises
:class:`EditError`, whose ``field`` names the form field at fault and whose ``message``
says why in French (``problems`` lists them all). The console's pages call these
functions and show the result; no business rule lives in the pages.

- :mod:`.items`: add and update stakes, changes, markers, activities (and their action
  sheets), axes and sub-objectives, themes, communes, facilities, governance bodies,
  cooperation officers, SPPE rows and duties, calendar steps;
- :mod:`.links`: preconditions (refusing loops), stakes addressed, hypotheses, the link
  to the vision, activities' contributions, markers' change and level;
- :mod:`.sections`: the vision, the evaluation arrangements, the SPPE extra elements;
- :mod:`.deletion`: what depends on an item, and deleting it (cutting links on request);
- :mod:`.project_settings`: title and notes, territory, convention period, signatories;
- :mod:`.evidence`: a stake's figures and quotes; :mod:`.follow_up`: the actions' follow-up.
"""

from __future__ import annotations

from .deletion import (
    Dependent,
    DependentsError,
    Effect,
    delete_cooperation_officer,
    delete_duty_coverage,
    delete_node,
    delete_row,
    delete_sppe_row,
    dependents_of,
)
from .evidence import add_evidence, delete_evidence, evidence_at, update_evidence
from .follow_up import remove_observation, set_follow_up, set_observation
from .items import (
    add_activity,
    add_axis,
    add_body,
    add_change,
    add_commune,
    add_cooperation_officer,
    add_duty_coverage,
    add_facility,
    add_item,
    add_marker,
    add_milestone,
    add_sppe_row,
    add_stake,
    add_sub_objective,
    add_theme,
    id_base,
    locate,
    locate_row,
    new_id,
    update_action_sheet,
    update_cooperation_officer,
    update_duty_coverage,
    update_fields,
    update_row,
    update_sppe_row,
)
from .kinds import KINDS, ItemKind, KindSpec, Located
from .links import (
    LinkInput,
    add_precondition,
    remove_precondition,
    set_addressed_stakes,
    set_contributions,
    set_hypotheses,
    set_leads_to_vision,
    set_marker_change,
    set_preconditions,
)
from .project_settings import (
    OutsidePeriod,
    PeriodChange,
    add_signatory,
    delete_signatory,
    set_convention_period,
    set_territory,
    update_project_settings,
    update_signatory,
)
from .sections import set_evaluation, set_sppe_extra, set_vision
from .validation import EditError, FieldProblem

__all__ = [
    "KINDS",
    "Dependent",
    "DependentsError",
    "EditError",
    "Effect",
    "FieldProblem",
    "ItemKind",
    "KindSpec",
    "LinkInput",
    "Located",
    "OutsidePeriod",
    "PeriodChange",
    "add_activity",
    "add_axis",
    "add_body",
    "add_change",
    "add_commune",
    "add_cooperation_officer",
    "add_duty_coverage",
    "add_evidence",
    "add_facility",
    "add_item",
    "add_marker",
    "add_milestone",
    "add_precondition",
    "add_signatory",
    "add_sppe_row",
    "add_stake",
    "add_sub_objective",
    "add_theme",
    "delete_cooperation_officer",
    "delete_duty_coverage",
    "delete_evidence",
    "delete_node",
    "delete_row",
    "delete_signatory",
    "delete_sppe_row",
    "dependents_of",
    "evidence_at",
    "id_base",
    "locate",
    "locate_row",
    "new_id",
    "remove_observation",
    "remove_precondition",
    "set_addressed_stakes",
    "set_contributions",
    "set_convention_period",
    "set_evaluation",
    "set_follow_up",
    "set_hypotheses",
    "set_leads_to_vision",
    "set_marker_change",
    "set_observation",
    "set_preconditions",
    "set_sppe_extra",
    "set_territory",
    "set_vision",
    "update_action_sheet",
    "update_cooperation_officer",
    "update_duty_coverage",
    "update_evidence",
    "update_fields",
    "update_project_settings",
    "update_row",
    "update_signatory",
    "update_sppe_row",
]
