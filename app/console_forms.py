"""The facilitator console's forms.

They check what a form can check (present, not too long, a whole number in range) with
French messages shown next to each field, WTForms' own messages included (its French
catalogue). Turning a step form into a domain step is :mod:`app.console_steps`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from flask_babel import LazyString, gettext, lazy_gettext
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
    RESULTS_VISIBILITY_LABELS,
    ParticipantGroup,
    ResultsVisibility,
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

REQUIRED_TITLE = lazy_gettext("Donnez un titre.")
WORD_TOO_LONG = lazy_gettext("40 caractères au plus.")
ID_TOO_LONG = lazy_gettext("Identifiant inconnu.")


def too_long(max_length: int) -> LazyString:
    """The message of a text longer than ``max_length`` characters, in the page's language."""
    return lazy_gettext(
        "Ce texte est trop long (%(max)s caractères au plus).", max=max_length
    )



class FrenchForm(FlaskForm):
    """A form whose built-in messages (invalid choice, not a number…) speak the page's language.

    French by default (the source language); WTForms' own catalogue of the language the
    request is answered in otherwise (English is WTForms' source).
    """

    class Meta:
        def get_translations(self, form: Any) -> Any:
            """WTForms' own catalogue of the page's language (French outside a request)."""
            return _wtforms_messages(_page_language())


def _page_language() -> str:
    # Imported here: app.i18n imports the settings, which this module must not need.
    from app.i18n import current_language

    return current_language()


@functools.cache
def _wtforms_messages(language: str) -> Any:
    """WTForms' catalogue for ``language`` (French also as ``fr_FR``), loaded once."""
    return get_translations(["fr_FR", "fr"] if language == "fr" else [language])


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
                    gettext("Un élément choisi n'existe pas (ou plus) : rechargez la page.")
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
        lazy_gettext("Projet"), coerce=int,
        validators=[InputRequired(lazy_gettext("Choisissez le projet de l'atelier."))],
    )
    title = StringField(
        lazy_gettext("Titre de l'atelier"),
        validators=[
            DataRequired(REQUIRED_TITLE),
            Length(max=TITLE_MAX_LENGTH, message=too_long(TITLE_MAX_LENGTH)),
        ],
    )
    groups = TextAreaField(
        lazy_gettext("Collèges des participants"),
        description=lazy_gettext(
            "Un collège par ligne. Les participants choisissent le leur en arrivant ; "
            "les résultats peuvent être lus par collège."
        ),
        default="\n".join(group.label for group in default_groups()),
        validators=[
            Length(max=5000, message=too_long(5000)),
        ],
        render_kw={"rows": 6},
    )

    def validate_groups(self, field: Field) -> None:
        """At most :data:`GROUPS_MAX` groups, each of a sensible length."""
        labels = lines(field.data)
        if len(labels) > GROUPS_MAX:
            raise ValidationError(gettext(
                "%(max)s collèges au plus (%(count)s saisis).", max=GROUPS_MAX, count=len(labels)
            ))
        for label in labels:
            if len(label) > 80:
                raise ValidationError(gettext(
                    "Le collège « %(label)s » dépasse 80 caractères.", label=short_label(label, 40)
                ))

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
NOTHING_WRITTEN = lazy_gettext("ne rien écrire dans le modèle")
PRIORITISE_TOP = lazy_gettext("prioriser les changements arrivés en tête")
TOP_IDEAS_TO_MODEL = lazy_gettext("transformer les idées arrivées en tête en éléments du modèle")
HIGH_WORD = lazy_gettext("Mot pour une note haute")
LOW_WORD = lazy_gettext("Mot pour une note basse")
WORD_NEEDED = lazy_gettext("Indiquez un mot.")


def between(low: int, high: int) -> LazyString:
    """The message of a number outside ``low``–``high``, in the page's language."""
    return lazy_gettext("Entre %(min)s et %(max)s.", min=low, max=high)


class StepForm(FrenchForm):
    """What every step has: a title and an optional instruction shown on the phones."""

    kind: StepKind

    title = StringField(
        lazy_gettext("Titre de l'étape"),
        description=lazy_gettext("Il s'affiche en grand sur les téléphones et au vidéoprojecteur."),
        validators=[
            DataRequired(REQUIRED_TITLE),
            Length(max=TITLE_MAX_LENGTH, message=too_long(TITLE_MAX_LENGTH)),
        ],
    )
    prompt = TextAreaField(
        lazy_gettext("Consigne (facultative)"),
        validators=[
            Optional(),
            Length(max=PROMPT_MAX_LENGTH, message=too_long(PROMPT_MAX_LENGTH)),
        ],
        render_kw={"rows": 2},
    )


class OptionsMixin(FrenchForm):
    """Options drawn from the model or a previous brainstorm, plus free ones."""

    picked = MultiCheckboxField(lazy_gettext("Options tirées du modèle ou d'un remue-méninges"))
    free_options = TextAreaField(
        lazy_gettext("Autres options"),
        description=lazy_gettext("Une option par ligne (300 caractères au plus chacune)."),
        validators=[Length(max=LINES_MAX_LENGTH, message=too_long(LINES_MAX_LENGTH))],
        render_kw={"rows": 3},
    )


class IdeasTargetMixin(FrenchForm):
    """What chosen ideas become in the model."""

    idea_target = RadioField(
        lazy_gettext("Les idées retenues deviennent"),
        choices=[
            SelectChoice("activity", lazy_gettext("des activités (actions nouvelles)")),
            SelectChoice(
                "marker", lazy_gettext("des marqueurs de progrès du changement de leur colonne")
            ),
            SelectChoice("stake", lazy_gettext("des enjeux")),
        ],
        default="activity",
    )


class TopKMixin(FrenchForm):
    """How many of the best-placed options are written back, and what a tie does."""

    top_k = IntegerField(
        lazy_gettext("Nombre d'options retenues"),
        default=5,
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_OPTIONS, message=between(1, MAX_OPTIONS)),
        ],
    )
    ties = RadioField(
        lazy_gettext("En cas d'égalité à la dernière place retenue"),
        choices=[
            SelectChoice(
                "leave_proposed",
                lazy_gettext("laisser les options à égalité en l'état (le groupe tranchera)"),
            ),
            SelectChoice("include_all", lazy_gettext("retenir toutes les options à égalité")),
        ],
        default="leave_proposed",
    )


RESULTS_VISIBILITY_HELP = {
    ResultsVisibility.live: lazy_gettext(
        "les téléphones et le vidéoprojecteur voient les résultats évoluer pendant le vote"
    ),
    ResultsVisibility.after_vote: lazy_gettext(
        "chaque téléphone voit les résultats une fois son vote envoyé ; le vidéoprojecteur "
        "n'affiche que le nombre de votants jusqu'à la clôture"
    ),
    ResultsVisibility.on_reveal: lazy_gettext(
        "téléphones et vidéoprojecteur n'affichent que le nombre de votants jusqu'à ce que "
        "vous révéliez les résultats (clore l'étape ne les révèle pas)"
    ),
}


class ResultsVisibilityMixin(FrenchForm):
    """When phones and projector see a vote's results (see :mod:`workshops.visibility`)."""

    results_visibility = RadioField(
        lazy_gettext("Affichage des résultats"),
        choices=[
            SelectChoice(
                mode.value,
                lazy_gettext(
                    "%(mode)s : %(help)s", mode=RESULTS_VISIBILITY_LABELS[mode], help=help_text
                ),
            )
            for mode, help_text in RESULTS_VISIBILITY_HELP.items()
        ],
        default=ResultsVisibility.after_vote.value,
    )


class ResultsVisibilityForm(ResultsVisibilityMixin):
    """Change when a running (or pending) vote step's results are shown."""


class BrainstormForm(StepForm, IdeasTargetMixin):
    """A brainstorm: columns tied to model nodes (changes, themes) or free."""

    kind = StepKind.brainstorm
    picked = MultiCheckboxField(lazy_gettext("Colonnes tirées du modèle"))
    free_columns = TextAreaField(
        lazy_gettext("Autres colonnes"),
        description=lazy_gettext("Une colonne par ligne."),
        validators=[Length(max=LINES_MAX_LENGTH, message=too_long(LINES_MAX_LENGTH))],
        render_kw={"rows": 3},
    )
    max_idea_length = IntegerField(
        lazy_gettext("Longueur maximale d'une idée (caractères)"),
        default=IDEA_MAX_LENGTH,
        validators=[
            InputRequired(lazy_gettext("Indiquez une longueur.")),
            NumberRange(min=20, max=IDEA_MAX_LENGTH, message=between(20, IDEA_MAX_LENGTH)),
        ],
    )
    writeback = RadioField(
        lazy_gettext("À la clôture"),
        choices=[
            SelectChoice(WRITEBACK_NONE, NOTHING_WRITTEN),
            SelectChoice(
                "ideas",
                lazy_gettext("transformer les idées que je choisirai en éléments du modèle"),
            ),
        ],
        default=WRITEBACK_NONE,
    )


class DotVoteForm(StepForm, OptionsMixin, TopKMixin, IdeasTargetMixin, ResultsVisibilityMixin):
    """A dot vote: N dots, at most k per option."""

    kind = StepKind.dot_vote
    budget = IntegerField(
        lazy_gettext("Nombre de gommettes par participant (N)"),
        default=5,
        validators=[
            InputRequired(lazy_gettext("Indiquez le nombre de gommettes.")),
            NumberRange(min=1, max=1000, message=between(1, 1000)),
        ],
    )
    max_per_option = IntegerField(
        lazy_gettext("Gommettes au plus sur une même option (k)"),
        default=1,
        validators=[
            InputRequired(lazy_gettext("Indiquez le maximum par option.")),
            NumberRange(min=1, max=1000, message=between(1, 1000)),
        ],
    )
    writeback = RadioField(
        lazy_gettext("À la clôture"),
        choices=[
            SelectChoice(WRITEBACK_NONE, NOTHING_WRITTEN),
            SelectChoice("prioritise", PRIORITISE_TOP),
            SelectChoice("ideas", TOP_IDEAS_TO_MODEL),
        ],
        default=WRITEBACK_NONE,
    )


class RankingForm(StepForm, OptionsMixin, TopKMixin, IdeasTargetMixin, ResultsVisibilityMixin):
    """A ranking, tallied by Schulze and Borda."""

    kind = StepKind.ranking
    method = RadioField(
        lazy_gettext("Méthode qui fait foi pour la priorisation"),
        choices=[
            SelectChoice("schulze", lazy_gettext("méthode de Schulze (Condorcet)")),
            SelectChoice("borda", lazy_gettext("décompte de Borda")),
        ],
        default="schulze",
    )
    writeback = RadioField(
        lazy_gettext("À la clôture"),
        choices=[
            SelectChoice(WRITEBACK_NONE, NOTHING_WRITTEN),
            SelectChoice("prioritise", PRIORITISE_TOP),
            SelectChoice("ideas", TOP_IDEAS_TO_MODEL),
        ],
        default=WRITEBACK_NONE,
    )


class RatingForm(StepForm, OptionsMixin, ResultsVisibilityMixin):
    """A rating from 1 to 5 on one or two criteria (two give the 2×2 matrix)."""

    kind = StepKind.rating
    # Defaults are callables: translated when each form is made, and plain str (a lazy
    # string would reach the step's model, which takes only str, if a field is not sent).
    criterion_1 = StringField(
        lazy_gettext("Premier critère"),
        default=lambda: gettext("Impact"),
        validators=[
            DataRequired(lazy_gettext("Nommez au moins un critère.")),
            Length(max=80, message=too_long(80)),
        ],
    )
    criterion_1_high = StringField(
        HIGH_WORD, default=lambda: gettext("fort"),
        validators=[DataRequired(WORD_NEEDED), Length(max=40, message=WORD_TOO_LONG)],
    )
    criterion_1_low = StringField(
        LOW_WORD, default=lambda: gettext("faible"),
        validators=[DataRequired(WORD_NEEDED), Length(max=40, message=WORD_TOO_LONG)],
    )
    criterion_2 = StringField(
        lazy_gettext(
            "Second critère (facultatif : avec deux critères, les résultats forment une "
            "matrice 2×2)"
        ),
        default=lambda: gettext("Faisabilité"),
        validators=[Optional(), Length(max=80, message=too_long(80))],
    )
    criterion_2_high = StringField(
        HIGH_WORD, default=lambda: gettext("forte"),
        validators=[Optional(), Length(max=40, message=too_long(40))],
    )
    criterion_2_low = StringField(
        LOW_WORD, default=lambda: gettext("faible"),
        validators=[Optional(), Length(max=40, message=too_long(40))],
    )


class ChoiceForm(StepForm, OptionsMixin, TopKMixin, IdeasTargetMixin, ResultsVisibilityMixin):
    """A single or multiple choice, with an optional comment (e.g. the vision vote)."""

    kind = StepKind.choice
    vision_answers = BooleanField(
        lazy_gettext(
            "Proposer les trois réponses du vote sur la vision (d'accord, d'accord avec "
            "modifications, pas d'accord)"
        )
    )
    multiple = BooleanField(lazy_gettext("Plusieurs réponses possibles"))
    allow_comment = BooleanField(
        lazy_gettext("Les participants peuvent ajouter un commentaire"), default=True
    )
    writeback = RadioField(
        lazy_gettext("À la clôture"),
        choices=[
            SelectChoice(WRITEBACK_NONE, NOTHING_WRITTEN),
            SelectChoice("vision", lazy_gettext("enregistrer le résultat du vote sur la vision")),
            SelectChoice("ideas", TOP_IDEAS_TO_MODEL),
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

DEFAULT_TITLES: dict[StepKind, LazyString] = {
    StepKind.brainstorm: lazy_gettext("Des idées pour chaque chemin de changement"),
    StepKind.dot_vote: lazy_gettext("Priorisation des changements"),
    StepKind.ranking: lazy_gettext("Classement des changements"),
    StepKind.rating: lazy_gettext("Impact et faisabilité"),
    StepKind.choice: lazy_gettext("Validez-vous la vision ?"),
}


def choices(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Choices of a select, radio or checkbox list from ``(value, label)`` pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


# --- Moderation -----------------------------------------------------------------------------


class EditIdeaForm(FrenchForm):
    """Rewrite an idea's text."""

    text = TextAreaField(
        lazy_gettext("Texte de l'idée"),
        validators=[
            DataRequired(lazy_gettext("L'idée ne peut pas être vide.")),
            Length(max=IDEA_MAX_LENGTH, message=too_long(IDEA_MAX_LENGTH)),
        ],
    )


class MoveIdeaForm(FrenchForm):
    """Move an idea to another column (the domain checks the column exists)."""

    column = StringField(
        lazy_gettext("Colonne"),
        validators=[
            DataRequired(lazy_gettext("Choisissez une colonne.")),
            Length(max=80, message=ID_TOO_LONG),
        ],
    )


class MergeIdeaForm(FrenchForm):
    """Fold a duplicate into another idea (the domain checks the target)."""

    into = StringField(
        lazy_gettext("Fusionner dans"),
        validators=[
            DataRequired(lazy_gettext("Choisissez une idée.")),
            Length(max=80, message=ID_TOO_LONG),
        ],
    )


class ClusterIdeaForm(FrenchForm):
    """Put an idea in a named cluster (empty: take it out)."""

    cluster = StringField(
        lazy_gettext("Regroupement"),
        validators=[
            Optional(),
            Length(max=CLUSTER_MAX_LENGTH, message=too_long(CLUSTER_MAX_LENGTH)),
        ],
    )


class CloseStepForm(FrenchForm):
    """Close a step; for a brainstorm, the ideas to turn into model nodes."""

    idea_ids = MultiCheckboxField(lazy_gettext("Idées à reprendre dans le modèle"))
    write_back = BooleanField(lazy_gettext("Écrire le résultat dans le modèle"), default=True)
