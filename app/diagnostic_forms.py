"""Forms of the diagnostic page: import a file, edit a draft stake, record and link quotes.

Every form carries the project's revision it was loaded at (``revision``), so a save made
on top of someone else's newer one is refused rather than overwriting it. The messages
are French and shown next to their field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from app.console_forms import FrenchForm, MultiCheckboxField, too_long

SHORT_MAX = 300
LONG_MAX = 10_000
SHEET_MAX = 100

INCOMPLETE = lazy_gettext("Formulaire incomplet : rechargez la page.")
_REVISION = Regexp(r"^[0-9]{1,9}$", message=INCOMPLETE)


class RevisionForm(FrenchForm):
    """A button that changes the project: only the revision it was shown at (and CSRF)."""

    revision = HiddenField(validators=[InputRequired(INCOMPLETE), _REVISION])

    def revision_number(self) -> int:
        """The revision the page was loaded at."""
        return int(self.revision.data)


class ImportForm(RevisionForm):
    """A portrait de territoire or a Caf open-data file, CSV or XLSX."""

    file = FileField(
        lazy_gettext("Fichier à importer (CSV ou XLSX)"),
        validators=[
            FileRequired(lazy_gettext("Choisissez le fichier du portrait ou des données ouvertes."))
        ],
        description=lazy_gettext(
            "Portrait de territoire de la Caf ou export des données ouvertes "
            "(colonnes numcom, nomcom, annee, txcouv_…). Séparateur « ; » ou « , », UTF-8 ou "
            "Windows-1252."
        ),
        render_kw={"accept": ".csv,.txt,.xlsx,.xlsm"},
    )
    sheet = StringField(
        lazy_gettext("Feuille du classeur (facultatif)"),
        description=lazy_gettext(
            "Pour un classeur XLSX de plusieurs feuilles ; vide : la première."
        ),
        validators=[
            Optional(),
            Length(max=SHEET_MAX, message=too_long(SHEET_MAX)),
        ],
    )
    mapping = FileField(
        lazy_gettext("Correspondance des colonnes (facultatif, YAML)"),
        description=lazy_gettext(
            "Quand les intitulés de colonnes diffèrent de ceux de la Caf : un petit "
            "fichier « colonnes : intitulé → indicateur » (voir docs/diagnostic.md)."
        ),
        render_kw={"accept": ".yaml,.yml"},
    )
    replace = BooleanField(lazy_gettext("Remplacer tous les chiffres déjà importés"))


class DraftStakeForm(RevisionForm):
    """A proposed stake, corrected before it is accepted."""

    title = StringField(
        lazy_gettext("Intitulé de l'enjeu"),
        validators=[
            DataRequired(lazy_gettext("Donnez un intitulé à l'enjeu.")),
            Length(max=SHORT_MAX, message=too_long(SHORT_MAX)),
        ],
    )
    description = TextAreaField(
        lazy_gettext("Description"),
        validators=[Length(max=LONG_MAX, message=too_long(LONG_MAX))],
        render_kw={"rows": 10},
    )
    theme = SelectField(lazy_gettext("Thématique"), validate_choice=True)


class QuoteForm(RevisionForm):
    """What someone said, with who said it and where, linked to stakes."""

    quote = TextAreaField(
        lazy_gettext("Citation"),
        validators=[
            DataRequired(lazy_gettext("Écrivez la citation.")),
            Length(max=LONG_MAX, message=too_long(LONG_MAX)),
        ],
        render_kw={"rows": 3},
    )
    group = StringField(
        lazy_gettext("Collège (facultatif)"),
        description=lazy_gettext("Élus, professionnels, partenaires, associations, habitants…"),
        validators=[Optional(), Length(max=SHORT_MAX, message=too_long(SHORT_MAX))],
    )
    workshop = StringField(
        lazy_gettext("Atelier ou entretien (facultatif)"),
        validators=[Optional(), Length(max=SHORT_MAX, message=too_long(SHORT_MAX))],
    )
    theme = SelectField(lazy_gettext("Thématique"), validate_choice=True)
    stakes = MultiCheckboxField(lazy_gettext("Enjeux qu'elle étaye"))


class LinkQuoteForm(RevisionForm):
    """Link a quote to one more stake."""

    stake = SelectField(
        lazy_gettext("Enjeu"), validators=[InputRequired(lazy_gettext("Choisissez un enjeu."))],
        validate_choice=True,
    )
