"""The forms of a project's settings (title and notes, territory, convention period,
signatories) and of the facilities of annexe 3, plus two fields they need: a text
input with suggestions, and an amount in euros.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from flask_babel import LazyString, lazy_gettext
from flask_babel import gettext as _
from markupsafe import Markup, escape
from wtforms import Field, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, ValidationError
from wtforms.widgets import TextInput

from app.console_forms import choices
from theory_of_change.model import (
    FACILITY_TYPE_LABELS,
    UNKNOWN_MARKERS,
    FacilityType,
    Project,
    TerritoryKind,
)

from .forms import LONG, EditorForm, Layout, commune_choices, enum_choices, short

if TYPE_CHECKING:  # the workspace needs the kinds, which need these forms
    from .workspace import Workspace

# --- Fields ----------------------------------------------------------------------------------


class SuggestionsInput(TextInput):
    """A text input offering suggestions (``<datalist>``): any other text may be typed."""

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        """The input, tied to the list of the field's ``suggestions``."""
        list_id = f"{field.id}-suggestions"
        kwargs.setdefault("list", list_id)
        options = "".join(
            f'<option value="{escape(value)}"></option>'
            for value in getattr(field, "suggestions", [])
        )
        return Markup(f'{super().__call__(field, **kwargs)}<datalist id="{list_id}">'
                      f"{options}</datalist>")


class SuggestionsField(StringField):
    """A short text with suggestions taken from the project (names already used)."""

    widget = SuggestionsInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions: list[str] = []


_AMOUNT = re.compile(r"^-?(?:\d+|\d{1,3}(?:[\s\u00a0\u202f.]\d{3})+)(?:,\d{1,2}|\.\d{1,2})?$")
AMOUNT_HELP = lazy_gettext(
    "En euros par an, par exemple 12\u202f500 ou 12\u202f500,50. Laissez vide si le montant "
    "n'est pas connu : il ne vaut pas 0."
)


class AmountField(StringField):
    """An amount in euros: « 12 500 », « 12 500,50 € »; blank (or « XXX ») when unknown."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Keep the text typed, without the euro sign."""
        text = valuelist[0] if valuelist else ""
        self.data = re.sub(r"\s*(?:€|euros?)\s*$", "", str(text).strip(), flags=re.IGNORECASE)

    def pre_validate(self, form: Any) -> None:
        """A French message when the text is not an amount, or a negative one."""
        text = (self.data or "").strip()
        if not text or text.lower() in UNKNOWN_MARKERS:
            return
        if not _AMOUNT.match(text):
            raise ValidationError(
                _("Écrivez un montant en euros, par exemple 12\u202f500 ou 12\u202f500,50 ; "
                "laissez vide s'il n'est pas connu.")
            )
        if text.startswith("-"):
            raise ValidationError(_("Un montant ne peut pas être négatif."))

    def amount(self) -> str | None:
        """The amount for the domain: digits the French way, ``None`` when unknown."""
        text = (self.data or "").strip()
        if not text or text.lower() in UNKNOWN_MARKERS:
            return None
        if re.search(r"\.\d{3}(?:\D|$)", text):  # « 12.500 »: a dot grouping thousands
            text = text.replace(".", " ")
        return text


# --- The project's settings ------------------------------------------------------------------


class ProjectSettingsForm(EditorForm):
    """The project's title and free notes."""

    title = StringField(
        lazy_gettext("Titre du projet"),
        validators=[DataRequired(lazy_gettext("Donnez un titre au projet.")), short()],
        description=lazy_gettext(
            "Il ouvre chaque document de la convention, par exemple « CTG 2025-2029 de la "
            "communauté de communes du Pays de Retz »."
        ),
    )
    notes = TextAreaField(
        lazy_gettext("Notes"),
        validators=[short(LONG)],
        description=lazy_gettext(
            "Notes libres : d'où vient le contenu, ce qui reste à vérifier, avec qui."
        ),
        render_kw={"rows": 5},
    )

    domain_fields = ("title", "notes")
    layout: ClassVar[Layout] = ((None, ("title", "notes")),)


TERRITORY_KIND_CHOICES = (
    (TerritoryKind.epci.value, lazy_gettext("Intercommunalité (EPCI)")),
    (TerritoryKind.commune.value, lazy_gettext("Commune")),
)
COMPETENCE_CHOICES = (
    (TerritoryKind.epci.value,
     lazy_gettext("L'intercommunalité, qui exerce la compétence petite enfance")),
    (TerritoryKind.commune.value,
     lazy_gettext("Chaque commune (l'intercommunalité n'a pas la compétence)")),
)


class TerritoryForm(EditorForm):
    """The signing authority: its name, kind, population, department and competence."""

    name = StringField(
        lazy_gettext("Collectivité signataire"),
        validators=[DataRequired(lazy_gettext(
            "Écrivez le nom de la collectivité signataire."
        )), short()],
        description=lazy_gettext(
            "La commune ou l'intercommunalité qui signe la convention avec la Caf."
        ),
    )
    kind = RadioField(lazy_gettext("Type de collectivité"), choices=choices(TERRITORY_KIND_CHOICES))
    population = StringField(
        lazy_gettext("Population"),
        description=lazy_gettext(
            "Laissez vide pour reprendre la somme des populations des communes, quand elles sont "
            "toutes connues."
        ),
        render_kw={"inputmode": "numeric", "class": "short"},
    )
    department = StringField(lazy_gettext("Département"), validators=[short()])
    early_childhood_competence = RadioField(
        lazy_gettext("Autorité organisatrice de l'accueil du jeune enfant"),
        choices=choices(COMPETENCE_CHOICES),
        description=lazy_gettext(
            "Elle fixe qui remplit les obligations du service public de la petite enfance (fiche "
            "SPPE). Sans objet quand la collectivité signataire est une commune."
        ),
    )

    domain_fields = ("name", "kind", "population", "department", "early_childhood_competence")
    layout: ClassVar[Layout] = ((None, domain_fields),)


class PeriodForm(EditorForm):
    """The years the convention covers."""

    start_year = StringField(
        lazy_gettext("Première année"), render_kw={"inputmode": "numeric", "class": "short"},
        description=lazy_gettext("Par exemple 2025."),
    )
    end_year = StringField(
        lazy_gettext("Dernière année"), render_kw={"inputmode": "numeric", "class": "short"},
        description=lazy_gettext("Une CTG dure 4 à 5 ans : 2029 pour une convention 2025-2029."),
    )

    domain_fields = ("start_year", "end_year")
    layout: ClassVar[Layout] = ((None, domain_fields),)


class SignatoryForm(EditorForm):
    """A signatory of the convention."""

    name = StringField(
        lazy_gettext("Nom"),
        validators=[DataRequired(lazy_gettext("Écrivez le nom du signataire.")), short()],
        description=lazy_gettext(
            "Par exemple « Caisse d'allocations familiales de Loire-Atlantique »."
        ),
    )
    role = StringField(
        lazy_gettext("Qualité"), validators=[short()],
        description=lazy_gettext(
            "Par exemple « signataire, cofinanceur de la CTG » ou « partenaire »."
        ),
    )
    represented_by = StringField(
        lazy_gettext("Représenté par"), validators=[short()],
        description=lazy_gettext(
            "La personne qui signe et sa fonction, par exemple « la présidente »."
        ),
    )

    domain_fields = ("name", "role", "represented_by")
    layout: ClassVar[Layout] = ((None, domain_fields),)


# --- Facilities (annexe 3) -------------------------------------------------------------------


def signatory_suggestions(project: Project) -> list[str]:
    """Who may support a facility: the signatories, the territory, the names already used."""
    names = [signatory.name for signatory in project.signatories]
    names.append(project.territory.name)
    names.extend(f.signatory for f in project.facilities if f.signatory)
    return list(dict.fromkeys(names))


class FacilityForm(EditorForm):
    """An equipment or service supported by the signatories (annexe 3)."""

    type = SelectField(
        lazy_gettext("Type de structure"), choices=enum_choices(FACILITY_TYPE_LABELS),
        default=FacilityType.eaje_psu.value,
    )
    name = StringField(
        lazy_gettext("Nom"),
        validators=[DataRequired(lazy_gettext(
            "Écrivez le nom de l'équipement ou du service."
        )), short()],
        description=lazy_gettext(
            "Par exemple « Multi-accueil Les Lutins » ou « Relais petite enfance »."
        ),
    )
    address = StringField(lazy_gettext("Adresse"), validators=[short()])
    commune = SelectField(lazy_gettext("Commune"))
    signatory = SuggestionsField(
        lazy_gettext("Signataire qui le soutient"), validators=[short()],
        description=lazy_gettext("Choisissez dans la liste ou écrivez un autre nom."),
    )
    caf_funding = AmountField(
        lazy_gettext("Financement Caf"), description=AMOUNT_HELP, render_kw={"class": "short"}
    )
    authority_funding = AmountField(
        lazy_gettext("Financement de la collectivité"), description=AMOUNT_HELP,
        render_kw={"class": "short"},
    )

    domain_fields = (
        "type", "name", "address", "commune", "signatory", "caf_funding", "authority_funding",
    )
    layout: ClassVar[Layout] = (
        (lazy_gettext("La structure"), ("type", "name", "address", "commune", "signatory")),
        (lazy_gettext("Financements"), ("caf_funding", "authority_funding")),
    )

    def setup(self, project: Project, current: Any | None = None) -> None:
        """Communes of the territory and the names of possible signatories."""
        self.commune.choices = choices([("", _("— non précisée —")), *commune_choices(project)])
        self.signatory.suggestions = signatory_suggestions(project)

    def fields(self, current: Any | None = None, *, adding: bool = False) -> dict[str, Any]:
        """Amounts as numbers the French way, ``None`` when unknown (never 0)."""
        result = super().fields(current, adding=adding)
        for name in ("caf_funding", "authority_funding"):
            if name in result:
                result[name] = self[name].amount()
        return result


# --- The settings page's sections ------------------------------------------------------------


@dataclass(frozen=True)
class SettingsSection:
    """A part of the settings page saved by its own form.

    ``name`` is the form's name in the template, ``slug`` its address and the prefix of its
    fields (the page holds several forms), ``current`` what the form shows of a project.
    """

    name: str
    slug: str
    form: type[EditorForm]
    current: Callable[[Project], Any]
    saved: LazyString

    @property
    def prefix(self) -> str:
        """The prefix of the form's fields."""
        return f"{self.slug}-"


SETTINGS_SECTIONS: dict[str, SettingsSection] = {
    section.slug: section
    for section in (
        SettingsSection("project_form", "projet", ProjectSettingsForm, lambda p: p,
                        lazy_gettext("Titre et notes du projet enregistrés.")),
        SettingsSection("territory_form", "territoire", TerritoryForm, lambda p: p.territory,
                        lazy_gettext("Territoire signataire enregistré.")),
        SettingsSection("period_form", "periode", PeriodForm, lambda p: p.convention,
                        lazy_gettext("Période de la convention enregistrée.")),
    )
}


def loaded_section_form(section: SettingsSection, project: Project, revision: int) -> EditorForm:
    """The section's form showing ``project``, set to save on top of ``revision``."""
    form = section.form(formdata=None, prefix=section.prefix)
    form.setup(project)
    form.load(section.current(project))
    form.revision.data = str(revision)
    return form


def settings_page_forms(ws: Workspace) -> dict[str, EditorForm]:
    """Every section's form, as the settings page shows them before any edit."""
    return {
        section.name: loaded_section_form(section, ws.project, ws.revision)
        for section in SETTINGS_SECTIONS.values()
    }
