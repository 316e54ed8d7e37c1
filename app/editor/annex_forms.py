"""The forms of the territory, governance (annexe 5), SPPE sheet and evaluation (annexe 6)."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired

from app.console_forms import MultiCheckboxField, choices
from theory_of_change.editing.labels import BODY_KIND_LABELS, THEME_KIND_LABELS
from theory_of_change.model import (
    SPPE_DUTY_LABELS,
    SPPE_PROJECTION_LABELS,
    SPPE_STRUCTURE_LABELS,
    Project,
    SppeDuty,
    SppeStructureType,
    ThemeKind,
)
from theory_of_change.sppe import SPPE_EXTRA_LABELS

from .fields import LinesField
from .forms import (
    LONG,
    EditorForm,
    Layout,
    capital,
    commune_choices,
    enum_choices,
    short,
    theme_choices,
)

# --- Territory and themes --------------------------------------------------------------------


class ThemeForm(EditorForm):
    """A thématique of the convention."""

    label = StringField(
        lazy_gettext("Intitulé de la thématique"),
        validators=[DataRequired(lazy_gettext("Écrivez l'intitulé de la thématique.")), short()],
        description=lazy_gettext("Par exemple « Mobilité », « Habitat » ou « Numérique »."),
    )
    kind = SelectField(
        lazy_gettext("Type de thématique"), choices=enum_choices(THEME_KIND_LABELS),
        default=ThemeKind.other.value,
    )

    domain_fields = ("label", "kind")
    layout: ClassVar[Layout] = ((None, ("label", "kind")),)


class CommuneForm(EditorForm):
    """A commune of the territory."""

    name = StringField(
        lazy_gettext("Nom de la commune"),
        validators=[DataRequired(lazy_gettext("Écrivez le nom de la commune.")), short()],
    )
    population = StringField(
        lazy_gettext("Population"), render_kw={"inputmode": "numeric", "class": "short"},
        description=lazy_gettext(
            "Elle fixe les obligations SPPE de la commune quand elle est autorité organisatrice."
        ),
    )
    insee_code = StringField(lazy_gettext("Code INSEE"), render_kw={"class": "short"})

    domain_fields = ("name", "population", "insee_code")
    layout: ClassVar[Layout] = ((None, ("name", "population", "insee_code")),)


# --- Governance (annexe 5) -------------------------------------------------------------------


class BodyForm(EditorForm):
    """A steering or working body (Copil, Cotech, working group, circle)."""

    name = StringField(
        lazy_gettext("Nom de l'instance"),
        validators=[DataRequired(lazy_gettext("Écrivez le nom de l'instance.")), short()],
        description=lazy_gettext(
            "Par exemple « Comité de pilotage CTG » ou « Cercle de pilotage »."
        ),
    )
    kind = SelectField(
        lazy_gettext("Type d'instance"),
        choices=choices((key, capital(label)) for key, label in BODY_KIND_LABELS.items()),
        default="other",
    )
    members = LinesField(
        lazy_gettext(
            "Composition"
        ), description=lazy_gettext(
            "Un membre ou un collège par ligne."
        ), render_kw={"rows": 4}
    )
    frequency = StringField(
        lazy_gettext("Fréquence des réunions"), validators=[short()],
        description=lazy_gettext("Par exemple « deux fois par an »."),
    )

    domain_fields = ("name", "kind", "members", "frequency")
    layout: ClassVar[Layout] = ((None, ("name", "kind", "members", "frequency")),)


class CooperationOfficerForm(EditorForm):
    """A chargé(e) de coopération CTG: missions, themes and funded FTE."""

    name = StringField(
        lazy_gettext("Nom ou poste"),
        validators=[DataRequired(lazy_gettext("Écrivez le nom ou l'intitulé du poste.")), short()],
    )
    missions = LinesField(
        lazy_gettext(
            "Missions"
        ), description=lazy_gettext(
            "Une mission par ligne."
        ), render_kw={"rows": 4}
    )
    themes = MultiCheckboxField(lazy_gettext("Thématiques suivies"))
    fte = StringField(
        lazy_gettext(
            "ETP financés"
        ), description=lazy_gettext(
            "En équivalents temps plein, par exemple 0,5."
        ),
        render_kw={"class": "short"},
    )

    domain_fields = ("name", "missions", "themes", "fte")
    layout: ClassVar[Layout] = ((None, ("name", "missions", "themes", "fte")),)

    def setup(self, project: Project, current: Any | None = None) -> None:
        """The themes of the project."""
        self.themes.choices = choices(theme_choices(project))


# --- SPPE ------------------------------------------------------------------------------------


class SppeRowForm(EditorForm):
    """A structure (or group of structures) of the fiche action SPPE."""

    structure_type = SelectField(
        lazy_gettext("Type de structure"), choices=enum_choices(SPPE_STRUCTURE_LABELS),
        default=SppeStructureType.eaje_psu.value,
    )
    name_address = TextAreaField(
        lazy_gettext("Nom et adresse"), validators=[short(LONG)], render_kw={"rows": 2}
    )
    commune = SelectField(lazy_gettext("Commune"))
    current_places = StringField(
        lazy_gettext(
            "Places actuelles"
        ), description=lazy_gettext(
            "Pour un RPE : le nombre d'ETP."
        ),
        render_kw={"class": "short"},
    )
    supported_places = StringField(
        lazy_gettext("Places soutenues par la collectivité"), render_kw={"class": "short"}
    )
    projection = SelectField(lazy_gettext("Projection à 5 ans"))
    projection_places = StringField(
        lazy_gettext(
            "Nombre de places concernées"
        ), render_kw={"inputmode": "numeric", "class": "short"}
    )
    projection_year = StringField(
        lazy_gettext("Année"), render_kw={"inputmode": "numeric", "class": "short"}
    )
    jobs_and_skills = TextAreaField(
        lazy_gettext(
            "Emplois et compétences nécessaires"
        ), validators=[short(LONG)], render_kw={"rows": 2}
    )
    investment_type = TextAreaField(
        lazy_gettext("Projet d'investissement"), validators=[short(LONG)], render_kw={"rows": 2},
        description=lazy_gettext(
            "Rénovation, construction, transplantation, aménagement, extension…"
        ),
    )
    investment_means = TextAreaField(
        lazy_gettext(
            "Moyens, freins et calendrier"
        ), validators=[short(LONG)], render_kw={"rows": 2},
        description=lazy_gettext(
            "Les moyens humains et d'ingénierie, les freins identifiés, le calendrier prévisionnel."
        ),
    )

    domain_fields = (
        "structure_type", "name_address", "commune", "current_places", "supported_places",
        "projection", "projection_places", "projection_year", "jobs_and_skills",
        "investment_type", "investment_means",
    )
    layout: ClassVar[Layout] = (
        (lazy_gettext(
            "La structure"
        ), ("structure_type", "name_address", "commune", "current_places",
                          "supported_places")),
        (lazy_gettext("Projection à 5 ans"), ("projection", "projection_places", "projection_year",
                                "jobs_and_skills")),
        (lazy_gettext("Investissement"), ("investment_type", "investment_means")),
    )
    add_layout: ClassVar[Layout | None] = (
        (None, ("structure_type", "name_address", "commune", "current_places")),
    )

    def setup(self, project: Project, current: Any | None = None) -> None:
        """Communes and the projection's choices."""
        self.commune.choices = choices(
            [("", _("— tout le territoire —")), *commune_choices(project)]
        )
        self.projection.choices = [
            SelectChoice("", _("— à préciser —")), *enum_choices(SPPE_PROJECTION_LABELS)
        ]


class DutyCoverageForm(EditorForm):
    """How an SPPE duty is met, by the EPCI or one commune."""

    duty = SelectField(
        lazy_gettext("Obligation"), choices=enum_choices(SPPE_DUTY_LABELS),
        default=SppeDuty.needs_inventory.value,
    )
    authority = SelectField(
        lazy_gettext("Autorité organisatrice"),
        description=lazy_gettext(
            "Le territoire signataire, ou une commune quand elle exerce la compétence."
        ),
    )
    activities = MultiCheckboxField(lazy_gettext("Actions qui y répondent"))
    note = TextAreaField(lazy_gettext(
        "Précisions"
    ), validators=[short(LONG)], render_kw={"rows": 2})

    domain_fields = ("duty", "authority", "activities", "note")
    layout: ClassVar[Layout] = ((None, ("duty", "authority", "activities", "note")),)

    def setup(self, project: Project, current: Any | None = None) -> None:
        """The authorities (territory, communes) and the actions."""
        self.authority.choices = choices(
            [
                ("", _("%(name)s (territoire signataire)", name=project.territory.name)),
                *commune_choices(project),
            ]
        )
        self.activities.choices = choices(
            (activity.id, activity.title) for activity in project.activities
        )


class SppeExtraForm(EditorForm):
    """The extra elements of the SPPE sheet, asked over 10 000 inhabitants."""

    vulnerable_families = TextAreaField(capital(SPPE_EXTRA_LABELS["vulnerable_families"]),
                                        validators=[short(LONG)], render_kw={"rows": 3})
    insertion_oriented_care = TextAreaField(
        capital(SPPE_EXTRA_LABELS["insertion_oriented_care"]), validators=[short(LONG)],
        render_kw={"rows": 3},
    )
    quality_support = TextAreaField(capital(SPPE_EXTRA_LABELS["quality_support"]),
                                    validators=[short(LONG)], render_kw={"rows": 3})
    indicators = TextAreaField(capital(SPPE_EXTRA_LABELS["indicators"]),
                               validators=[short(LONG)], render_kw={"rows": 3})
    partnerships = TextAreaField(capital(SPPE_EXTRA_LABELS["partnerships"]),
                                 validators=[short(LONG)], render_kw={"rows": 3})

    domain_fields = (
        "vulnerable_families", "insertion_oriented_care", "quality_support", "indicators",
        "partnerships",
    )
    layout: ClassVar[Layout] = ((None, domain_fields),)


# --- Evaluation (annexe 6) -------------------------------------------------------------------


class EvaluationForm(EditorForm):
    """How the convention is followed and evaluated."""

    continuous_follow_up = TextAreaField(
        lazy_gettext("Suivi continu"), validators=[short(LONG)], render_kw={"rows": 3},
        description=lazy_gettext(
            "Comment le tableau de suivi des actions est tenu à jour, et par qui."
        ),
    )
    annual_checkpoint = TextAreaField(
        lazy_gettext("Point d'étape annuel"), validators=[short(LONG)], render_kw={"rows": 3}
    )
    mid_term_evaluation = TextAreaField(
        lazy_gettext("Évaluation à mi-parcours"), validators=[short(LONG)], render_kw={"rows": 3}
    )
    final_evaluation = TextAreaField(
        lazy_gettext("Évaluation finale"), validators=[short(LONG)], render_kw={"rows": 3}
    )
    interim_report_year = StringField(
        lazy_gettext(
            "Année du rapport intermédiaire"
        ), render_kw={"inputmode": "numeric", "class": "short"}
    )
    final_report_year = StringField(
        lazy_gettext("Année du rapport final"), render_kw={"inputmode": "numeric", "class": "short"}
    )

    domain_fields = (
        "continuous_follow_up", "annual_checkpoint", "mid_term_evaluation", "final_evaluation",
        "interim_report_year", "final_report_year",
    )
    layout: ClassVar[Layout] = (
        (lazy_gettext("Suivi"), ("continuous_follow_up", "annual_checkpoint")),
        (lazy_gettext("Évaluations"), ("mid_term_evaluation", "final_evaluation")),
        (lazy_gettext("Les deux rapports écrits"), ("interim_report_year", "final_report_year")),
    )
