"""The forms of the chain of reasoning: stakes, vision, changes and their links, progress
markers, activities with their action sheets, strategic axes and their sub-objectives.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from app.console_forms import MultiCheckboxField, choices
from theory_of_change.editing.labels import truncate
from theory_of_change.model import (
    ACTIVITY_KIND_LABELS,
    ACTIVITY_STATUS_LABELS,
    MARKER_LEVEL_LABELS,
    ActivityKind,
    ActivityStatus,
    ChangeStatus,
    MarkerLevel,
    Project,
)

from .fields import LinesField, LinksField, ScheduleField
from .forms import (
    LONG,
    NO_CHOICE,
    EditorForm,
    Layout,
    axis_choices,
    change_choices,
    commune_choices,
    enum_choices,
    short,
    theme_choices,
)

CHANGE_STATUS_CHOICES = [
    (ChangeStatus.proposed.value, lazy_gettext("Proposé")),
    (ChangeStatus.prioritised.value, lazy_gettext("Priorisé")),
    (ChangeStatus.set_aside.value, lazy_gettext("Écarté")),
]


# --- Diagnostic stakes -----------------------------------------------------------------------


class StakeForm(EditorForm):
    """An enjeu drawn from the shared diagnostic."""

    title = StringField(
        lazy_gettext("Intitulé de l'enjeu"),
        validators=[DataRequired(lazy_gettext("Écrivez l'intitulé de l'enjeu.")), short()],
        description=lazy_gettext(
            "Un enjeu prioritaire tiré du diagnostic partagé, par exemple « Rééquilibrer l'offre "
            "d'accueil du jeune enfant entre les communes »."
        ),
    )
    theme = SelectField(lazy_gettext("Thématique"), validate_choice=True)
    description = TextAreaField(
        lazy_gettext("Description"),
        validators=[short(LONG)],
        description=lazy_gettext(
            "Ce que montrent les données froides (chiffres du portrait de territoire) et chaudes "
            "(paroles recueillies)."
        ),
        render_kw={"rows": 4},
    )
    retained = BooleanField(
        lazy_gettext("Enjeu retenu pour la convention"),
        default=True,
        description=lazy_gettext(
            "Décochez pour garder la trace d'un enjeu du diagnostic sans le retenir."
        ),
    )

    domain_fields = ("title", "theme", "description", "retained")
    layout: ClassVar[Layout] = ((None, ("title", "theme", "description", "retained")),)
    add_layout: ClassVar[Layout | None] = ((None, ("title", "theme", "description")),)

    def setup(self, project: Project, current: Any | None = None) -> None:
        """Themes of the project, or none."""
        self.theme.choices = choices([("", _("— sans thématique —")), *theme_choices(project)])


# --- Vision ----------------------------------------------------------------------------------


class VisionForm(EditorForm):
    """The collective vision, « En 2037, territoire… »."""

    text = TextAreaField(
        lazy_gettext("Texte de la vision"),
        validators=[DataRequired(lazy_gettext("Écrivez le texte de la vision.")), short(LONG)],
        description=lazy_gettext(
            "Écrite collectivement, elle décrit la situation souhaitée dans 10 à 15 ans et "
            "commence par « En 2037, territoire… ». Partez des enjeux prioritaires validés."
        ),
        render_kw={"rows": 8},
    )
    horizon_year = StringField(
        lazy_gettext("Horizon"),
        description=lazy_gettext(
            "L'année visée, par exemple 2037. Laissez vide pour reprendre l'année qui ouvre le "
            "texte (« En 2037, … »)."
        ),
        render_kw={"inputmode": "numeric", "class": "short"},
    )

    domain_fields = ("text", "horizon_year")
    layout: ClassVar[Layout] = ((None, ("text", "horizon_year")),)

    def fields(self, current: Any | None = None, *, adding: bool = False) -> dict[str, Any]:
        """An empty horizon lets the domain read it from the text (« En 2037, … »)."""
        result = super().fields(current, adding=adding)
        if not str(result.get("horizon_year") or "").strip():
            result["horizon_year"] = None
        return result


# --- Changes ---------------------------------------------------------------------------------


class ChangeForm(EditorForm):
    """A change, the stakes it answers and its place in the pathways."""

    statement = TextAreaField(
        lazy_gettext("Énoncé du changement"),
        validators=[DataRequired(lazy_gettext("Écrivez l'énoncé du changement.")), short(LONG)],
        description=lazy_gettext(
            "Le changement chez les acteurs, écrit comme s'il était déjà là : « Les familles "
            "connaissent les modes d'accueil du territoire »."
        ),
        render_kw={"rows": 3},
    )
    actors = LinesField(
        lazy_gettext("Acteurs qui changent"),
        description=lazy_gettext("Un acteur par ligne : familles, assistantes maternelles, élus…"),
        render_kw={"rows": 3},
    )
    themes = MultiCheckboxField(lazy_gettext("Thématiques"))
    status = SelectField(
        lazy_gettext(
            "Statut"
        ), choices=choices(CHANGE_STATUS_CHOICES), default=ChangeStatus.proposed.value,
        description=lazy_gettext(
            "Priorisé : retenu par le cercle de pilotage parmi les changements proposés."
        ),
    )
    priority_rank = StringField(
        lazy_gettext("Rang de priorité"),
        description=lazy_gettext(
            "1 pour le plus prioritaire ; laissez vide s'il n'est pas priorisé."
        ),
        render_kw={"inputmode": "numeric", "class": "short"},
    )
    addresses = MultiCheckboxField(
        lazy_gettext("Enjeux auxquels il répond"),
    )
    preconditions = LinksField(
        lazy_gettext("Changements qui doivent se produire avant"),
        description=lazy_gettext(
            "Cochez les changements préalables (préconditions). Pour chacun, écrivez l'hypothèse "
            "qui relie les deux : « si … alors … »."
        ),
    )
    leads_to_vision = BooleanField(
        lazy_gettext("Ce changement mène directement à la vision"),
        description=lazy_gettext("Cochez-le pour le dernier changement d'un chemin de changement."),
    )
    vision_hypothesis = TextAreaField(
        lazy_gettext("Hypothèse vers la vision"),
        validators=[short(LONG)],
        description=lazy_gettext(
            "Pourquoi ce changement rapproche-t-il de la vision ? « Si …, alors … »."
        ),
        render_kw={"rows": 2},
    )
    hypotheses = LinesField(
        lazy_gettext("Autres hypothèses"),
        description=lazy_gettext(
            "Une hypothèse par ligne : ce qui doit être vrai pour que ce changement se produise."
        ),
        render_kw={"rows": 3},
    )

    domain_fields = (
        "statement", "actors", "themes", "status", "priority_rank", "addresses",
        "preconditions", "leads_to_vision", "vision_hypothesis", "hypotheses",
    )
    layout: ClassVar[Layout] = (
        (lazy_gettext(
            "Le changement"
        ), ("statement", "actors", "themes", "status", "priority_rank")),
        (lazy_gettext("Les enjeux du diagnostic"), ("addresses",)),
        (lazy_gettext("Le chemin de changement"),
         ("preconditions", "leads_to_vision", "vision_hypothesis", "hypotheses")),
    )
    add_layout: ClassVar[Layout | None] = (
        (None, ("statement", "themes", "addresses", "leads_to_vision")),
    )

    def setup(self, project: Project, current: Any | None = None) -> None:
        """Themes, stakes and the other changes of the project."""
        self.themes.choices = choices(theme_choices(project))
        self.addresses.choices = choices([(stake.id, stake.title) for stake in project.stakes])
        self.preconditions.choices = change_choices(project, getattr(current, "id", None))


# --- Progress markers ------------------------------------------------------------------------


class MarkerForm(EditorForm):
    """A progress marker of a change, graded expect / like / love to see."""

    change = SelectField(
        lazy_gettext("Changement observé"),
        validators=[InputRequired(lazy_gettext(
            "Choisissez le changement que ce marqueur montre."
        ))],
    )
    level = RadioField(
        lazy_gettext("Niveau"),
        choices=enum_choices(MARKER_LEVEL_LABELS),
        default=MarkerLevel.expect.value,
        description=lazy_gettext(
            "Du plus probable au plus ambitieux : on s'attend à voir, on aimerait voir, on "
            "adorerait voir."
        ),
    )
    text = TextAreaField(
        lazy_gettext("Ce que l'on verra"),
        validators=[DataRequired(lazy_gettext("Écrivez ce que l'on verra.")), short(LONG)],
        description=lazy_gettext(
            "Un signe observable que le changement est en train de se produire : « Les familles "
            "appellent le guichet unique avant la naissance »."
        ),
        render_kw={"rows": 2},
    )
    actor = StringField(lazy_gettext("Acteur concerné"), validators=[short()])
    indicator = StringField(
        lazy_gettext(
            "Indicateur"
        ), validators=[short()], description=lazy_gettext(
            "Comment le mesurer, si c'est possible."
        )
    )
    baseline = StringField(lazy_gettext("Valeur de départ"), render_kw={"class": "short"})
    target = StringField(lazy_gettext("Cible"), render_kw={"class": "short"})
    year = StringField(lazy_gettext(
        "Année de la cible"
    ), render_kw={"inputmode": "numeric", "class": "short"})

    domain_fields = ("change", "level", "text", "actor", "indicator", "baseline", "target", "year")
    layout: ClassVar[Layout] = (
        (None, ("change", "level", "text", "actor")),
        (lazy_gettext("Mesure (facultatif)"), ("indicator", "baseline", "target", "year")),
    )
    add_layout: ClassVar[Layout | None] = ((None, ("change", "level", "text")),)

    def setup(self, project: Project, current: Any | None = None) -> None:
        """The changes a marker can show."""
        self.change.choices = choices(
            [("", _("— choisissez un changement —")), *change_choices(project)]
        )


# --- Activities and action sheets ------------------------------------------------------------


class ActivityForm(EditorForm):
    """An action of the plan: its kind, axis, years, communes and the changes it serves."""

    title = StringField(
        lazy_gettext("Intitulé de l'action"),
        validators=[DataRequired(lazy_gettext("Écrivez l'intitulé de l'action.")), short()],
        description=lazy_gettext(
            "Commencez par un verbe : « Créer un guichet unique d'information des familles »."
        ),
    )
    kind = SelectField(
        lazy_gettext("Type d'action"),
        choices=enum_choices(ACTIVITY_KIND_LABELS),
        default=ActivityKind.existing.value,
        description=lazy_gettext(
            "Les projets phares, les actions expérimentales et les actions nouvelles ont une fiche "
            "action."
        ),
    )
    status = SelectField(
        lazy_gettext("Avancement"), choices=enum_choices(ACTIVITY_STATUS_LABELS),
        default=ActivityStatus.planned.value,
    )
    axis = SelectField(lazy_gettext("Axe stratégique"))
    sub_objective = SelectField(
        lazy_gettext(
            "Sous-objectif"
        ), description=lazy_gettext(
            "Il doit appartenir à l'axe stratégique choisi."
        )
    )
    themes = MultiCheckboxField(lazy_gettext("Thématiques"))
    years = MultiCheckboxField(lazy_gettext("Années de mise en œuvre"))
    scope = MultiCheckboxField(
        lazy_gettext("Communes concernées"),
        description=lazy_gettext("Aucune case cochée : l'action concerne tout le territoire."),
    )
    contributes_to = LinksField(
        lazy_gettext("Changements auxquels l'action contribue"),
        description=lazy_gettext(
            "Cochez les changements que l'action aide à produire. Pour chacun, écrivez l'hypothèse "
            ": « si nous menons cette action, alors … »."
        ),
    )

    domain_fields = (
        "title", "kind", "status", "axis", "sub_objective", "themes", "years", "scope",
        "contributes_to",
    )
    layout: ClassVar[Layout] = (
        (lazy_gettext(
            "L'action"
        ), ("title", "kind", "status", "axis", "sub_objective", "themes", "years",
                      "scope")),
        (lazy_gettext("Les changements visés"), ("contributes_to",)),
    )
    add_layout: ClassVar[Layout | None] = (
        (None, ("title", "kind", "axis", "themes", "contributes_to")),
    )

    def setup(self, project: Project, current: Any | None = None) -> None:
        """Axes and sub-objectives, themes, convention years, communes and changes."""
        self.axis.choices = choices([("", _("— sans axe stratégique —")), *axis_choices(project)])
        numbers = {axis.id: n for n, axis in enumerate(project.sorted_axes(), start=1)}
        self.sub_objective.choices = choices(
            [NO_CHOICE] + [
                (sub.id, _("Axe %(number)s · %(title)s", number=numbers[axis.id],
                            title=truncate(sub.title, 80)))
                for axis in project.sorted_axes()
                for sub in axis.sub_objectives
            ]
        )
        self.themes.choices = choices(theme_choices(project))
        years = set(project.convention.years()) | set(getattr(current, "years", []) or [])
        self.years.choices = choices([(str(year), str(year)) for year in sorted(years)])
        self.scope.choices = choices(commune_choices(project))
        self.contributes_to.choices = change_choices(project)

    def fields(self, current: Any | None = None, *, adding: bool = False) -> dict[str, Any]:
        """Years as numbers; the rest as the base form gives it."""
        result = super().fields(current, adding=adding)
        if "years" in result:
            result["years"] = sorted(int(year) for year in result["years"] if year.isdigit())
        return result


class ActionSheetForm(EditorForm):
    """The fiche action, with the fields of the Caf's template."""

    initial_diagnostic = TextAreaField(
        lazy_gettext("Diagnostic initial"), validators=[short(LONG)], render_kw={"rows": 3},
        description=lazy_gettext(
            "Ce que le diagnostic partagé dit du besoin auquel l'action répond."
        ),
    )
    objectives = LinesField(
        lazy_gettext(
            "Objectifs visés"
        ), description=lazy_gettext(
            "Un objectif par ligne."
        ), render_kw={"rows": 3}
    )
    description = TextAreaField(
        lazy_gettext("Descriptif de l'action"), validators=[short(LONG)], render_kw={"rows": 5},
        description=lazy_gettext("Les modalités de mise en œuvre : ce qui sera fait, où, comment."),
    )
    lead = StringField(
        lazy_gettext("Pilote"), validators=[short()],
        description=lazy_gettext("Le service ou la structure responsable de l'action."),
    )
    partners = LinesField(
        lazy_gettext(
            "Partenaires"
        ), description=lazy_gettext(
            "Un partenaire par ligne."
        ), render_kw={"rows": 3}
    )
    target_public = TextAreaField(
        lazy_gettext("Public cible"), validators=[short(LONG)], render_kw={"rows": 2},
        description=lazy_gettext("Les personnes à qui l'action s'adresse."),
    )
    schedule = ScheduleField(
        lazy_gettext("Calendrier et principales étapes"),
        description=lazy_gettext(
            "Une étape par ligne, sous la forme « période : étape », par exemple « 2026 : "
            "lancement du groupe de travail »."
        ),
        render_kw={"rows": 4},
    )
    expected_results = LinesField(
        lazy_gettext("Nous aurons réussi si…"),
        description=lazy_gettext("Les résultats attendus, un par ligne."),
        render_kw={"rows": 3},
    )
    indicators = LinesField(
        lazy_gettext(
            "Indicateurs d'évaluation"
        ), description=lazy_gettext(
            "Un indicateur par ligne."
        ),
        render_kw={"rows": 3},
    )
    baseline = StringField(lazy_gettext(
        "Valeur de départ de l'indicateur"
    ), render_kw={"class": "short"})
    target = StringField(lazy_gettext("Valeur cible"), render_kw={"class": "short"})

    domain_fields = (
        "initial_diagnostic", "objectives", "description", "lead", "partners",
        "target_public", "schedule", "expected_results", "indicators", "baseline", "target",
    )
    layout: ClassVar[Layout] = (
        (lazy_gettext("Pourquoi"), ("initial_diagnostic", "objectives")),
        (lazy_gettext(
            "Quoi, avec qui, pour qui"
        ), ("description", "lead", "partners", "target_public")),
        (lazy_gettext("Quand"), ("schedule",)),
        (lazy_gettext(
            "Nous aurons réussi si…"
        ), ("expected_results", "indicators", "baseline", "target")),
    )


# --- Strategic axes --------------------------------------------------------------------------


class AxisForm(EditorForm):
    """An axe stratégique of the action plan."""

    title = StringField(
        lazy_gettext("Intitulé de l'axe stratégique"),
        validators=[DataRequired(lazy_gettext(
            "Écrivez l'intitulé de l'axe stratégique."
        )), short()],
        description=lazy_gettext(
            "Une orientation qui regroupe des actions, par exemple « Faciliter la continuité des "
            "parcours de la petite enfance à l'âge adulte »."
        ),
    )
    order = StringField(
        lazy_gettext("Rang dans le plan d'action"),
        description=lazy_gettext("1 pour le premier axe. Laissez vide pour le placer en dernier."),
        render_kw={"inputmode": "numeric", "class": "short"},
    )

    domain_fields = ("title", "order")
    layout: ClassVar[Layout] = ((None, ("title", "order")),)
    add_layout: ClassVar[Layout | None] = ((None, ("title",)),)

    def fields(self, current: Any | None = None, *, adding: bool = False) -> dict[str, Any]:
        """An empty rank when editing keeps the current one."""
        result = super().fields(current, adding=adding)
        if current is not None and not str(result.get("order", "")).strip():
            result["order"] = current.order
        return result


class SubObjectiveForm(EditorForm):
    """A sub-objective of a strategic axis."""

    axis = SelectField(
        lazy_gettext("Axe stratégique"),
        validators=[InputRequired(lazy_gettext("Choisissez l'axe stratégique du sous-objectif."))],
    )
    title = StringField(
        lazy_gettext("Intitulé du sous-objectif"),
        validators=[DataRequired(lazy_gettext("Écrivez l'intitulé du sous-objectif.")), short()],
    )

    domain_fields = ("title",)
    layout: ClassVar[Layout] = ((None, ("title",)),)
    add_layout: ClassVar[Layout | None] = ((None, ("axis", "title")),)

    def setup(self, project: Project, current: Any | None = None) -> None:
        """The axes a sub-objective can belong to."""
        self.axis.choices = choices([("", _("— choisissez un axe —")), *axis_choices(project)])

    def add_arguments(self) -> dict[str, Any]:
        """The axis the new sub-objective belongs to."""
        return {"axis_id": self.axis.data or None}
