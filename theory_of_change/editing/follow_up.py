"""The follow-up of the actions (annexe 6): status, indicator's baseline and target, and
the value observed each year of the convention, with a comment.

These are what the follow-up table (:mod:`exports.tracker`) lays out, one column per
year. A value typed as a number is stored as a number; a blank value is unknown, never
0 (a year with only a comment says the value is still to come). Observations are kept
in year order, one per year.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Activity, ActivityStatus, Project
from .items import locate
from .kinds import ItemKind, item_at
from .labels import quoted
from .measures import parse_measure
from .validation import EditError, commit, dump

ObservationInput = tuple[Any, Any]
"""An observation as a form gives it: ``(value, comment)``, each possibly blank."""


def set_observation(
    project: Project, activity_id: str, year: Any, value: Any, comment: Any = None
) -> Project:
    """A new project where the action records ``value`` (and ``comment``) for ``year``.

    It replaces that year's observation if there was one. The year must be one of the
    convention's (or one already observed, to correct it after the period changed).
    """
    activity, path = _activity(project, activity_id)
    chosen = _year(project, activity, year)
    value, comment = parse_measure(value), _comment(comment, chosen)
    if value is None and comment is None:
        raise EditError(
            f"Écrivez la valeur observée en {chosen}, ou un commentaire (« mesure en cours »).",
            "value",
        )
    data = dump(project)
    sheet = item_at(data, path)["sheet"]
    sheet["observations"] = _with(sheet["observations"], chosen, value, comment)
    return commit(data, (*path, "sheet"))


def remove_observation(project: Project, activity_id: str, year: Any) -> Project:
    """A new project where the action has no observation for ``year`` any more."""
    activity, path = _activity(project, activity_id)
    chosen = _as_year(year)
    if chosen not in {o.year for o in activity.sheet.observations}:
        raise EditError(
            f"L'action {quoted(activity.title)} n'a pas de valeur observée en {year}.", "year"
        )
    data = dump(project)
    sheet = item_at(data, path)["sheet"]
    sheet["observations"] = [o for o in sheet["observations"] if o["year"] != chosen]
    return commit(data, (*path, "sheet"))


def set_follow_up(
    project: Project,
    activity_id: str,
    /,
    *,
    status: ActivityStatus | str | None = None,
    baseline: Any = None,
    target: Any = None,
    observations: Mapping[Any, ObservationInput] | None = None,
) -> Project:
    """Save an action's whole follow-up at once, as its « Suivi » form gives it.

    ``status`` (kept when ``None``), the indicator's ``baseline`` and ``target`` (blank:
    unknown), and ``observations`` by year: ``(value, comment)``; a year whose value and
    comment are both blank loses its observation, years not given keep theirs.
    """
    activity, path = _activity(project, activity_id)
    data = dump(project)
    item = item_at(data, path)
    if status is not None:
        item["status"] = _status(status)
    sheet = item["sheet"]
    sheet["baseline"] = parse_measure(baseline)
    sheet["target"] = parse_measure(target)
    for year, (value, comment) in (observations or {}).items():
        chosen = _year(project, activity, year)
        value, comment = parse_measure(value), _comment(comment, chosen)
        if value is None and comment is None:
            sheet["observations"] = [o for o in sheet["observations"] if o["year"] != chosen]
        else:
            sheet["observations"] = _with(sheet["observations"], chosen, value, comment)
    return commit(data, path, Activity)


def observation_years(project: Project, activity: Activity) -> list[int]:
    """The years an action's follow-up shows: the convention's, plus any already observed."""
    return sorted(set(project.convention.years()) | {o.year for o in activity.sheet.observations})


# --- Helpers -----------------------------------------------------------------------------------


def _activity(project: Project, activity_id: str) -> tuple[Activity, tuple[Any, ...]]:
    located = locate(project, activity_id, ItemKind.activity)
    return located.item, located.path


def _as_year(year: Any) -> int:
    text = str(year).strip() if year is not None else ""
    if isinstance(year, bool) or not text.isdigit():
        raise EditError(f"« {text} » n'est pas une année : écrivez-la en chiffres.", "year")
    return int(text)


def _year(project: Project, activity: Activity, year: Any) -> int:
    chosen = _as_year(year)
    period = project.convention
    if chosen not in period and chosen not in {o.year for o in activity.sheet.observations}:
        raise EditError(
            f"{chosen} est hors de la convention ({period.start_year}–{period.end_year}) : "
            "le suivi porte sur ses années.",
            "year",
        )
    return chosen


COMMENT_LIMIT = 10_000


def _comment(comment: Any, year: int) -> str | None:
    text = str(comment).strip() if comment is not None else ""
    if len(text) > COMMENT_LIMIT:
        raise EditError(
            f"Le commentaire de {year} est trop long ({COMMENT_LIMIT:,} caractères au plus)."
            .replace(",", "\u202f"),
            "observations",
        )
    return text or None


def _status(status: ActivityStatus | str) -> ActivityStatus:
    try:
        return ActivityStatus(status)
    except ValueError:
        raise EditError(
            "Choisissez l'avancement : à venir, en cours, réalisé ou abandonné.", "status"
        ) from None


def _with(
    observations: list[dict[str, Any]], year: int, value: Any, comment: str | None
) -> list[dict[str, Any]]:
    kept = [o for o in observations if o["year"] != year]
    kept.append({"year": year, "value": value, "comment": comment})
    return sorted(kept, key=lambda o: o["year"])
