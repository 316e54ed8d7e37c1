"""The forms of projects: creating one, importing a project file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf.file import FileField
from wtforms import BooleanField, Field, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, ValidationError

from app.console_forms import FrenchForm, choices
from theory_of_change.model import TerritoryKind

from .forms import short


def _year_choices(around: int) -> Iterable[int]:
    return range(around - 2, around + 8)


class NewProjectForm(FrenchForm):
    """A new CTG renewal project: its title, territory and convention period."""

    title = StringField(
        lazy_gettext("Titre du projet"),
        validators=[DataRequired(lazy_gettext("Donnez un titre au projet.")), short()],
        description=lazy_gettext(
            "Par exemple « CTG 2025-2029 de la communauté de communes du Pays de Retz »."
        ),
    )
    territory_name = StringField(
        lazy_gettext("Collectivité signataire"),
        validators=[DataRequired(lazy_gettext("Écrivez le nom de la collectivité.")), short()],
        description=lazy_gettext(
            "La commune ou l'intercommunalité qui signe la convention avec la Caf."
        ),
    )
    territory_kind = RadioField(
        lazy_gettext("Type de collectivité"),
        choices=choices([(TerritoryKind.epci.value, lazy_gettext("Intercommunalité (EPCI)")),
                         (TerritoryKind.commune.value, lazy_gettext("Commune"))]),
        default=TerritoryKind.epci.value,
    )
    department = StringField(lazy_gettext("Département"), validators=[short()])
    population = StringField(
        lazy_gettext("Population"), render_kw={"inputmode": "numeric", "class": "short"},
        description=lazy_gettext(
            "Elle fixe les obligations du service public de la petite enfance."
        ),
    )
    start_year = SelectField(lazy_gettext("Première année de la convention"), coerce=int)
    end_year = SelectField(lazy_gettext("Dernière année de la convention"), coerce=int)

    def setup(self, today: dt.date | None = None) -> None:
        """Years around this one; by default a convention from this year, for five years."""
        year = (today or dt.date.today()).year
        years = [(value, str(value)) for value in _year_choices(year)]
        self.start_year.choices = choices(years)
        self.end_year.choices = choices(years)
        if self.start_year.data is None:
            self.start_year.data = year
        if self.end_year.data is None:
            self.end_year.data = year + 4

    def validate_end_year(self, field: Field) -> None:
        """A CTG lasts four to five years: the end comes after the start, within six years."""
        start = self.start_year.data
        if isinstance(start, int) and isinstance(field.data, int):
            if field.data < start:
                raise ValidationError(_("La dernière année précède la première."))
            if field.data - start > 6:
                raise ValidationError(_("Une CTG dure 4 à 5 ans : la période dépasse 6 ans."))


class ImportForm(FrenchForm):
    """A project file (YAML or JSON) to import."""

    file = FileField(
        lazy_gettext("Fichier du projet"),
        description=lazy_gettext(
            "Un fichier YAML (.yaml, .yml) ou JSON (.json) exporté de Chemins ou écrit à la main."
        ),
        render_kw={"accept": ".yaml,.yml,.json"},
    )
    replace = BooleanField(
        lazy_gettext("Remplacer le projet existant qui porte le même identifiant"),
        description=lazy_gettext(
            "Le fichier devient alors la version courante du projet ; les versions précédentes "
            "restent dans l'historique."
        ),
    )
