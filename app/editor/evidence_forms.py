"""The forms of a stake's evidence — figures ("cold" data) and quotes ("hot" data) — and
what the stake's page lists of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired

from app.console_forms import choices
from theory_of_change.editing.labels import format_number
from theory_of_change.model import Project, QualitativeEvidence, QuantitativeEvidence, Stake
from workshops.model import DEFAULT_GROUPS

from .forms import LONG, EditorForm, Layout, short, theme_choices
from .settings_forms import SuggestionsField

FIGURE_PREFIX = "chiffre-"
QUOTE_PREFIX = "parole-"


class FigureForm(EditorForm):
    """A figure of the portrait de territoire (or other "cold" data) behind a stake."""

    indicator = StringField(
        lazy_gettext("Indicateur"),
        validators=[
            DataRequired(
                lazy_gettext(
                    "Écrivez l'indicateur, par exemple « taux de couverture petite enfance (%) »."
                )
            ),
            short(),
        ],
        description=lazy_gettext(
            "Ce que le chiffre mesure, avec son unité : « taux de couverture petite enfance (%) »."
        ),
    )
    territory = StringField(
        lazy_gettext("Territoire"), validators=[short()],
        description=lazy_gettext("La commune ou l'intercommunalité dont c'est le chiffre."),
    )
    value = StringField(
        lazy_gettext("Valeur"), validators=[short()], render_kw={"class": "short"},
        description=lazy_gettext(
            "Laissez vide si le chiffre est secret ou inconnu (« XXX » dans le portrait) : il ne "
            "vaut pas 0."
        ),
    )
    year = StringField(lazy_gettext("Année"), render_kw={"inputmode": "numeric", "class": "short"})
    reference = StringField(
        lazy_gettext("Valeur de référence"), validators=[short()], render_kw={"class": "short"},
        description=lazy_gettext("Le même chiffre sur le territoire de comparaison."),
    )
    reference_territory = StringField(
        lazy_gettext("Territoire de référence"), validators=[short()],
        description=lazy_gettext("Le département, l'intercommunalité… auquel on compare."),
    )
    source = StringField(
        lazy_gettext("Source"), validators=[short()],
        description=lazy_gettext("Par exemple « Portrait de territoire Caf — Petite enfance »."),
    )

    domain_fields = (
        "indicator", "territory", "value", "year", "reference", "reference_territory", "source",
    )
    layout: ClassVar[Layout] = (
        (lazy_gettext("Le chiffre"), ("indicator", "territory", "value", "year")),
        (lazy_gettext("La comparaison"), ("reference", "reference_territory")),
        (lazy_gettext("D'où il vient"), ("source",)),
    )

    def setup(self, project: Project, current: Any | None = None) -> None:
        """Nothing to choose: every field is typed."""


class QuoteForm(EditorForm):
    """What people said ("hot" data) behind a stake."""

    quote = TextAreaField(
        lazy_gettext("Parole recueillie"),
        validators=[DataRequired(lazy_gettext("Écrivez la parole recueillie.")), short(LONG)],
        description=lazy_gettext(
            "Les mots des élus, professionnels, partenaires ou habitants, tels qu'ils ont été dits."
        ),
        render_kw={"rows": 3},
    )
    group = SuggestionsField(
        lazy_gettext("Collège"), validators=[short()],
        description=lazy_gettext(
            "Qui l'a dit : élus, professionnels, partenaires, associations, habitants…"
        ),
    )
    source = StringField(
        lazy_gettext(
            "Source"
        ), validators=[short()], description=lazy_gettext(
            "L'atelier ou l'entretien où elle a été dite."
        )
    )
    theme = SelectField(lazy_gettext("Thématique"))

    domain_fields = ("quote", "group", "source", "theme")
    layout: ClassVar[Layout] = ((None, domain_fields),)

    def setup(self, project: Project, current: Any | None = None) -> None:
        """The project's themes; the usual participant groups as suggestions."""
        self.theme.choices = choices([("", _("— sans thématique —")), *theme_choices(project)])
        used = [
            e.group for s in project.stakes for e in s.evidence
            if isinstance(e, QualitativeEvidence) and e.group
        ]
        self.group.suggestions = list(
            dict.fromkeys([group.label.lower() for group in DEFAULT_GROUPS] + used)
        )


EVIDENCE_FORMS: dict[str, type[EditorForm]] = {
    "quantitative": FigureForm,
    "qualitative": QuoteForm,
}


def measure_text(value: Any) -> str:
    """A figure as the page shows it: ``76,9``, ``1 234``; a dash when unknown."""
    if value is None or value == "":
        return "—"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


@dataclass(frozen=True)
class EvidenceView:
    """A stake's evidence as its page lists it, each with its position (from 1) for the
    address of its form, and the forms that add a figure or a quote."""

    figures: list[tuple[int, QuantitativeEvidence]]
    quotes: list[tuple[int, QualitativeEvidence]]
    figure_form: EditorForm
    quote_form: EditorForm
    themes: dict[str, str]


def evidence_view(
    project: Project, stake: Stake, revision: int, forms: dict[str, EditorForm] | None = None
) -> EvidenceView:
    """The stake's figures and quotes, and the adding forms (``forms`` when sent back)."""
    given = forms or {}
    built: dict[str, EditorForm] = {}
    for kind, prefix in (("quantitative", FIGURE_PREFIX), ("qualitative", QUOTE_PREFIX)):
        form = given.get(kind)
        if form is None:
            form = EVIDENCE_FORMS[kind](formdata=None, prefix=prefix)
            form.revision.data = str(revision)
        form.setup(project)
        built[kind] = form
    figures = [
        (number, item) for number, item in enumerate(stake.evidence, start=1)
        if isinstance(item, QuantitativeEvidence)
    ]
    quotes = [
        (number, item) for number, item in enumerate(stake.evidence, start=1)
        if isinstance(item, QualitativeEvidence)
    ]
    themes = {theme.id: theme.label for theme in project.themes}
    return EvidenceView(figures, quotes, built["quantitative"], built["qualitative"], themes)
