"""The facilitator console's forms.

They check what a form can check (present, not too long, a whole number in range) with
French messages shown next to each field, WTForms' own messages included (its French
catalogue). Turning a step form into a domain step is :mod:`app.console_steps`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.i18n import get_translations
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from theory_of_change.slugs import unique_slug
from workshops.model import (
    IDEA_MAX_LENGTH,
    MAX_OPTIONS,
    ParticipantGroup,
    StepKind,
    default_groups,
)
from workshops.options import (
    short_label,
)

TITLE_MAX_LENGTH = 300
PROMPT_MAX_LENGTH = 1000
LINES_MAX_LENGTH = 20_000
GROUPS_MAX = 30
CLUSTER_MAX_LENGTH = 80

REQUIRED_TITLE = "Donnez un titre."
WORD_TOO_LONG = "40 caractères au plus."
ID_TOO_LONG = "Identifiant inconnu."
TOO_LONG = "Ce texte est trop long ({max} caractères au plus)."



_FRENCH_MESSAGES = get_translations(["fr_FR", "fr"])


class FrenchForm(FlaskForm):
    """A form whose built-in messages (invalid choice, not a number…) are French."""

    class Meta:
        def get_translations(self, form: Any) -> Any:
            """WTForms' own French catalogue (flask-wtf's needs Flask-Babel)."""
            return _FRENCH_MESSAGES


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (the templates group them by source)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        """Refuse values that are not among the choices (a forged form)."""
        known = {choice.value for choice in self.choices or []}
        for value in self.data or []:
            if value not in known:
                raise ValidationError(
                    "Un élément choisi n'existe pas (ou plus) : rechargez la page."
                )


def lines(text: str | None) -> list[str]:
    """Non-empty lines of a textarea, spaces collapsed, duplicates dropped (first kept)."""
    seen: dict[str, None] = {}
    for line in (text or "").splitlines():
        cleaned = " ".join(line.split())
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


# --- Workshops ------------------------------------------------------------------------------


class WorkshopForm(FrenchForm):
    """Create a workshop from a project, with its participant groups (collèges)."""

    project = SelectField(
        "Projet", coerce=int, validators=[InputRequired("Choisissez le projet de l'atelier.")]
    )
    title = StringField(
        "Titre de l'atelier",
        validators=[
            DataRequired(REQUIRED_TITLE),
            Length(max=TITLE_MAX_LENGTH, message=TOO_LONG.format(max=TITLE_MAX_LENGTH)),
        ],
    )
    groups = TextAreaField(
        "Collèges des participants",
        description="Un collège par ligne. Les participants choisissent le leur en arrivant ; "
        "les résultats peuvent être lus par collège.",
        default="\n".join(group.label for group in default_groups()),
        validators=[
            Length(max=5000, message=TOO_LONG.format(max=5000)),
        ],
        render_kw={"rows": 6},
    )

    def validate_groups(self, field: Field) -> None:
        """At most :data:`GROUPS_MAX` groups, each of a sensible length."""
        labels = lines(field.data)
        if len(labels) > GROUPS_MAX:
            raise ValidationError(f"{GROUPS_MAX} collèges au plus ({len(labels)} saisis).")
        for label in labels:
            if len(label) > 80:
                raise ValidationError(
                    f"Le collège « {short_label(label, 40)} » dépasse 80 caractères."
                )

    def parsed_groups(self) -> list[ParticipantGroup]:
        """The groups typed, one per line, with ids made from their labels."""
        groups: list[ParticipantGroup] = []
        taken: set[str] = set()
        for label in lines(self.groups.data):
            group_id = unique_slug(label, taken)
            taken.add(group_id)
            groups.append(ParticipantGroup(id=group_id, label=label))
        return groups


class ConfirmForm(FrenchForm):
    """A form with nothing but its CSRF token (open, close, start…)."""


# --- Steps ----------------------------------------------------------------------------------

WRITEBACK_NONE = "none"


class StepForm(FrenchForm):
    """What every step has: a title and an optional instruction shown on the phones."""

    kind: StepKind

    title = StringField(
        "Titre de l'étape",
        description="Il s'affiche en grand sur les téléphones et au vidéoprojecteur.",
        validators=[
            DataRequired(REQUIRED_TITLE),
            Length(max=TITLE_MAX_LENGTH, message=TOO_LONG.format(max=TITLE_MAX_LENGTH)),
        ],
    )
    prompt = TextAreaField(
        "Consigne (facultative)",
        validators=[
            Optional(),
            Length(max=PROMPT_MAX_LENGTH, message=TOO_LONG.format(max=PROMPT_MAX_LENGTH)),
        ],
        render_kw={"rows": 2},
    )


class OptionsMixin(FrenchForm):
    """Options drawn from the model or a previous brainstorm, plus free ones."""

    picked = MultiCheckboxField("Options tirées du modèle ou d'un remue-méninges")
    free_options = TextAreaField(
        "Autres options",
        description="Une option par ligne (300 caractères au plus chacune).",
        validators=[Length(max=LINES_MAX_LENGTH, message=TOO_LONG.format(max=LINES_MAX_LENGTH))],
        render_kw={"rows": 3},
    )


class IdeasTargetMixin(FrenchForm):
    """What chosen ideas become in the model."""

    idea_target = RadioField(
        "Les idées retenues deviennent",
        choices=[
            SelectChoice("activity", "des activités (actions nouvelles)"),
            SelectChoice("marker", "des marqueurs de progrès du changement de leur colonne"),
            SelectChoice("stake", "des enjeux"),
        ],
        default="activity",
    )


class TopKMixin(FrenchForm):
    """How many of the best-placed options are written back, and what a tie does."""

    top_k = IntegerField(
        "Nombre d'options retenues",
        default=5,
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_OPTIONS, message=f"Entre 1 et {MAX_OPTIONS}."),
        ],
    )
    ties = RadioField(
        "En cas d'égalité à la dernière place retenue",
        choices=[
            SelectChoice(
                "leave_proposed", "laisser les options à égalité en l'état (le groupe tranchera)"
            ),
            SelectChoice("include_all", "retenir toutes les options à égalité"),
        ],
        default="leave_proposed",
    )


class BrainstormForm(StepForm, IdeasTargetMixin):
    """A brainstorm: columns tied to model nodes (changes, themes) or free."""

    kind = StepKind.brainstorm
    picked = MultiCheckboxField("Colonnes tirées du modèle")
    free_columns = TextAreaField(
        "Autres colonnes",
        description="Une colonne par ligne.",
        validators=[Length(max=LINES_MAX_LENGTH, message=TOO_LONG.format(max=LINES_MAX_LENGTH))],
        render_kw={"rows": 3},
    )
    max_idea_length = IntegerField(
        "Longueur maximale d'une idée (caractères)",
        default=IDEA_MAX_LENGTH,
        validators=[
            InputRequired("Indiquez une longueur."),
            NumberRange(min=20, max=IDEA_MAX_LENGTH, message=f"Entre 20 et {IDEA_MAX_LENGTH}."),
        ],
    )
    writeback = RadioField(
        "À la clôture",
        choices=[
            SelectChoice(WRITEBACK_NONE, "ne rien écrire dans le modèle"),
            SelectChoice("ideas", "transformer les idées que je choisirai en éléments du modèle"),
        ],
        default=WRITEBACK_NONE,
    )


class DotVoteForm(StepForm, OptionsMixin, TopKMixin, IdeasTargetMixin):
    """A dot vote: N dots, at most k per option."""

    kind = StepKind.dot_vote
    budget = IntegerField(
        "Nombre de gommettes par participant (N)",
        default=5,
        validators=[
            InputRequired("Indiquez le nombre de gommettes."),
            NumberRange(min=1, max=1000, message="Entre 1 et 1000."),
        ],
    )
    max_per_option = IntegerField(
        "Gommettes au plus sur une même option (k)",
        default=1,
        validators=[
            InputRequired("Indiquez le maximum par option."),
            NumberRange(min=1, max=1000, message="Entre 1 et 1000."),
        ],
    )
    writeback = RadioField(
        "À la clôture",
        choices=[
            SelectChoice(WRITEBACK_NONE, "ne rien écrire dans le modèle"),
            SelectChoice("prioritise", "prioriser les changements arrivés en tête"),
            SelectChoice("ideas", "transformer les idées arrivées en tête en éléments du modèle"),
        ],
        default=WRITEBACK_NONE,
    )


class RankingForm(StepForm, OptionsMixin, TopKMixin, IdeasTargetMixin):
    """A ranking, tallied by Schulze and Borda."""

    kind = StepKind.ranking
    method = RadioField(
        "Méthode qui fait foi pour la priorisation",
        choices=[
            SelectChoice("schulze", "méthode de Schulze (Condorcet)"),
            SelectChoice("borda", "décompte de Borda"),
        ],
        default="schulze",
    )
    writeback = RadioField(
        "À la clôture",
        choices=[
            SelectChoice(WRITEBACK_NONE, "ne rien écrire dans le modèle"),
            SelectChoice("prioritise", "prioriser les changements arrivés en tête"),
            SelectChoice("ideas", "transformer les idées arrivées en tête en éléments du modèle"),
        ],
        default=WRITEBACK_NONE,
    )


class RatingForm(StepForm, OptionsMixin):
    """A rating from 1 to 5 on one or two criteria (two give the 2×2 matrix)."""

    kind = StepKind.rating
    criterion_1 = StringField(
        "Premier critère",
        default="Impact",
        validators=[
            DataRequired("Nommez au moins un critère."),
            Length(max=80, message=TOO_LONG.format(max=80)),
        ],
    )
    criterion_1_high = StringField(
        "Mot pour une note haute", default="fort",
        validators=[DataRequired("Indiquez un mot."), Length(max=40, message=WORD_TOO_LONG)],
    )
    criterion_1_low = StringField(
        "Mot pour une note basse", default="faible",
        validators=[DataRequired("Indiquez un mot."), Length(max=40, message=WORD_TOO_LONG)],
    )
    criterion_2 = StringField(
        "Second critère (facultatif : avec deux critères, les résultats forment une matrice 2×2)",
        default="Faisabilité",
        validators=[Optional(), Length(max=80, message=TOO_LONG.format(max=80))],
    )
    criterion_2_high = StringField(
        "Mot pour une note haute", default="forte",
        validators=[Optional(), Length(max=40, message=TOO_LONG.format(max=40))],
    )
    criterion_2_low = StringField(
        "Mot pour une note basse", default="faible",
        validators=[Optional(), Length(max=40, message=TOO_LONG.format(max=40))],
    )


class ChoiceForm(StepForm, OptionsMixin, TopKMixin, IdeasTargetMixin):
    """A single or multiple choice, with an optional comment (e.g. the vision vote)."""

    kind = StepKind.choice
    vision_answers = BooleanField(
        "Proposer les trois réponses du vote sur la vision (d'accord, d'accord avec "
        "modifications, pas d'accord)"
    )
    multiple = BooleanField("Plusieurs réponses possibles")
    allow_comment = BooleanField("Les participants peuvent ajouter un commentaire", default=True)
    writeback = RadioField(
        "À la clôture",
        choices=[
            SelectChoice(WRITEBACK_NONE, "ne rien écrire dans le modèle"),
            SelectChoice("vision", "enregistrer le résultat du vote sur la vision"),
            SelectChoice("ideas", "transformer les idées arrivées en tête en éléments du modèle"),
        ],
        default=WRITEBACK_NONE,
    )


STEP_FORMS: dict[StepKind, type[StepForm]] = {
    StepKind.brainstorm: BrainstormForm,
    StepKind.dot_vote: DotVoteForm,
    StepKind.ranking: RankingForm,
    StepKind.rating: RatingForm,
    StepKind.choice: ChoiceForm,
}

DEFAULT_TITLES: dict[StepKind, str] = {
    StepKind.brainstorm: "Des idées pour chaque chemin de changement",
    StepKind.dot_vote: "Priorisation des changements",
    StepKind.ranking: "Classement des changements",
    StepKind.rating: "Impact et faisabilité",
    StepKind.choice: "Validez-vous la vision ?",
}


def choices(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Choices of a select, radio or checkbox list from ``(value, label)`` pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


# --- Moderation -----------------------------------------------------------------------------


class EditIdeaForm(FrenchForm):
    """Rewrite an idea's text."""

    text = TextAreaField(
        "Texte de l'idée",
        validators=[
            DataRequired("L'idée ne peut pas être vide."),
            Length(max=IDEA_MAX_LENGTH, message=TOO_LONG.format(max=IDEA_MAX_LENGTH)),
        ],
    )


class MoveIdeaForm(FrenchForm):
    """Move an idea to another column (the domain checks the column exists)."""

    column = StringField(
        "Colonne",
        validators=[DataRequired("Choisissez une colonne."), Length(max=80, message=ID_TOO_LONG)],
    )


class MergeIdeaForm(FrenchForm):
    """Fold a duplicate into another idea (the domain checks the target)."""

    into = StringField(
        "Fusionner dans",
        validators=[DataRequired("Choisissez une idée."), Length(max=80, message=ID_TOO_LONG)],
    )


class ClusterIdeaForm(FrenchForm):
    """Put an idea in a named cluster (empty: take it out)."""

    cluster = StringField(
        "Regroupement",
        validators=[
            Optional(),
            Length(max=CLUSTER_MAX_LENGTH, message=TOO_LONG.format(max=CLUSTER_MAX_LENGTH)),
        ],
    )


class CloseStepForm(FrenchForm):
    """Close a step; for a brainstorm, the ideas to turn into model nodes."""

    idea_ids = MultiCheckboxField("Idées à reprendre dans le modèle")
    write_back = BooleanField("Écrire le résultat dans le modèle", default=True)
