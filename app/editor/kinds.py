"""The kinds of items the editor's pages add, edit and delete, by their French URL slug.

Each kind has a form, the step page that lists it, and whether it is addressed by its
id (a stake, a change…) or by its position in a table (an SPPE row, a cooperation
officer), as :mod:`theory_of_change.editing.kinds` says.
"""

from __future__ import annotations

from dataclasses import dataclass

from theory_of_change.editing import KINDS, ItemKind, KindSpec

from .annex_forms import (
    BodyForm,
    CommuneForm,
    CooperationOfficerForm,
    DutyCoverageForm,
    SppeRowForm,
    ThemeForm,
)
from .chain_forms import (
    ActivityForm,
    AxisForm,
    ChangeForm,
    MarkerForm,
    StakeForm,
    SubObjectiveForm,
)
from .forms import EditorForm
from .settings_forms import FacilityForm, SignatoryForm


@dataclass(frozen=True)
class EditorKind:
    """How the pages handle one kind of item.

    ``slug`` is its part of the URL (``changements``), ``page`` the endpoint of the step
    page that lists it, ``form`` its form class; ``in_diagram`` says whether its items
    are nodes of the pathway diagram.
    """

    kind: ItemKind
    slug: str
    page: str
    form: type[EditorForm]
    in_diagram: bool = False

    @property
    def spec(self) -> KindSpec:
        """The domain's description of the kind (French nouns, id prefix…)."""
        return KINDS[self.kind]

    @property
    def by_position(self) -> bool:
        """Whether items are addressed by their position (rows without ids)."""
        return not self.spec.has_id


EDITOR_KINDS: tuple[EditorKind, ...] = (
    EditorKind(ItemKind.stake, "enjeux", "editor.stakes", StakeForm, in_diagram=True),
    EditorKind(ItemKind.change, "changements", "editor.changes", ChangeForm, in_diagram=True),
    EditorKind(ItemKind.marker, "marqueurs", "editor.markers", MarkerForm, in_diagram=True),
    EditorKind(ItemKind.activity, "actions", "editor.activities", ActivityForm, in_diagram=True),
    EditorKind(ItemKind.axis, "axes", "editor.axes", AxisForm),
    EditorKind(ItemKind.sub_objective, "sous-objectifs", "editor.axes", SubObjectiveForm),
    EditorKind(ItemKind.theme, "thematiques", "editor.territory", ThemeForm),
    EditorKind(ItemKind.commune, "communes", "editor.territory", CommuneForm),
    EditorKind(ItemKind.body, "instances", "editor.governance", BodyForm),
    EditorKind(
        ItemKind.cooperation_officer, "charges-de-cooperation", "editor.governance",
        CooperationOfficerForm,
    ),
    EditorKind(ItemKind.sppe_row, "lignes-sppe", "editor.sppe", SppeRowForm),
    EditorKind(ItemKind.duty_coverage, "obligations-sppe", "editor.sppe", DutyCoverageForm),
    EditorKind(ItemKind.facility, "equipements", "editor.facilities", FacilityForm),
    EditorKind(ItemKind.signatory, "signataires", "editor.settings", SignatoryForm),
)

BY_SLUG: dict[str, EditorKind] = {kind.slug: kind for kind in EDITOR_KINDS}
BY_KIND: dict[ItemKind, EditorKind] = {kind.kind: kind for kind in EDITOR_KINDS}
SLUGS: tuple[str, ...] = tuple(BY_SLUG)
