"""The renewal calendar of a CTG: its milestones and where the project stands.

The Caf's presentation of 3 June 2025 gives the calendar of the renewal, from the
information meeting to the councils' votes in March 2027; :func:`default_milestones`
is that calendar, which every new project starts from and the cooperation officer then
edits (dates shift, a step is added, each step is marked done).

Self-contained on purpose, like :mod:`theory_of_change.diagnostic.model`:
:mod:`theory_of_change.model` imports :class:`Milestone` to give ``Project`` its
``milestones`` field, so nothing here imports the project model at run time.

The presentation gives most steps by month ("juillet à octobre 2025"): such a step starts
on the first day of its first month and ends on the last day of its last month, so a step
"until October" is late only once October is over.
"""

from __future__ import annotations

import calendar as _gregorian
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, model_validator

from .slugs import Slug

if TYPE_CHECKING:
    from .model import Project

__all__ = [
    "MILESTONE_STATUS_LABELS",
    "Milestone",
    "MilestoneStatus",
    "Milestones",
    "Standing",
    "default_milestones",
    "format_day",
    "format_period",
    "month_end",
    "where_we_stand",
]

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


class MilestoneStatus(StrEnum):
    """Where a step of the calendar stands, as the cooperation officer marks it."""

    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    late = "late"


MILESTONE_STATUS_LABELS = {
    MilestoneStatus.planned: "à venir",
    MilestoneStatus.in_progress: "en cours",
    MilestoneStatus.done: "terminée",
    MilestoneStatus.late: "en retard",
}


class Milestone(BaseModel):
    """A step of the renewal calendar, from ``start`` to ``end`` (both included)."""

    # Same behaviour as theory_of_change.model.Model, which cannot be imported here.
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: Slug
    title: Title
    start: dt.date
    end: dt.date
    status: MilestoneStatus = MilestoneStatus.planned

    @model_validator(mode="after")
    def _ordered(self) -> Milestone:
        if self.end < self.start:
            raise ValueError("la date de fin de l'étape précède sa date de début")
        return self


def _unique_ids(milestones: list[Milestone]) -> list[Milestone]:
    seen: set[str] = set()
    for milestone in milestones:
        if milestone.id in seen:
            raise ValueError(f"l'étape du calendrier « {milestone.id} » est définie deux fois")
        seen.add(milestone.id)
    return milestones


Milestones = Annotated[list[Milestone], AfterValidator(_unique_ids)]
"""The type of ``Project.milestones``: a list whose ids are unique."""


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month (``month_end(2026, 2)`` is 28 February 2026)."""
    return dt.date(year, month, _gregorian.monthrange(year, month)[1])


def _months(
    title: str, milestone_id: str, first: tuple[int, int], last: tuple[int, int]
) -> Milestone:
    return Milestone(
        id=milestone_id,
        title=title,
        start=dt.date(first[0], first[1], 1),
        end=month_end(*last),
    )


def default_milestones() -> list[Milestone]:
    """The renewal calendar of the Caf's presentation (June 2025 → March 2027), all planned.

    Each call returns new objects, so a project may edit its own copy.
    """
    return [
        Milestone(
            id="jalon-reunion-information",
            title=(
                "Réunion d'information à destination des territoires en renouvellement de CTG "
                "à la Chapelle-sur-Erdre"
            ),
            start=dt.date(2025, 6, 3),
            end=dt.date(2025, 6, 3),
        ),
        _months(
            "Mise en œuvre de l'évaluation de l'ancienne CTG",
            "jalon-evaluation-ancienne-ctg",
            (2025, 7),
            (2025, 10),
        ),
        _months(
            "Élaboration du diagnostic de la future CTG",
            "jalon-diagnostic",
            (2025, 11),
            (2026, 3),
        ),
        _months(
            "Présentation de l'évaluation et du diagnostic aux nouveaux élus suite aux "
            "élections municipales",
            "jalon-presentation-nouveaux-elus",
            (2026, 6),
            (2026, 6),
        ),
        _months(
            "Définition des enjeux, des orientations et du plan d'action",
            "jalon-enjeux-plan-action",
            (2026, 6),
            (2026, 10),
        ),
        _months(
            "Déclinaison des fiches actions notamment pour les projets phares et les actions "
            "nouvelles",
            "jalon-fiches-actions",
            (2026, 10),
            (2026, 12),
        ),
        _months(
            "Écriture puis finalisation de la CTG",
            "jalon-ecriture-finalisation",
            (2026, 12),
            (2027, 1),
        ),
        _months("Validation par la Caf", "jalon-validation-caf", (2027, 2), (2027, 2)),
        _months(
            "Validation par les conseils communaux et communautaires",
            "jalon-validation-conseils",
            (2027, 3),
            (2027, 3),
        ),
    ]


# --- Dates in words --------------------------------------------------------------------------


def format_day(day: dt.date) -> str:
    """A date in words, whatever the machine's locale: ``3 juin 2025``, ``1er mars 2027``."""
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def _whole_months(start: dt.date, end: dt.date) -> bool:
    return start.day == 1 and end == month_end(end.year, end.month)


def format_period(start: dt.date, end: dt.date) -> str:
    """A period as the presentation writes it.

    ``juin 2026`` (one whole month), ``juillet à octobre 2025``, ``décembre 2026 à janvier
    2027`` (whole months), ``3 juin 2025`` (one day), else ``du 3 juin au 12 juillet 2025``.
    """
    if start == end:
        return format_day(start)
    if _whole_months(start, end):
        first, last = MONTHS[start.month - 1], MONTHS[end.month - 1]
        if (start.year, start.month) == (end.year, end.month):
            return f"{first} {start.year}"
        if start.year == end.year:
            return f"{first} à {last} {end.year}"
        return f"{first} {start.year} à {last} {end.year}"
    if start.year == end.year:
        opening = format_day(start).rsplit(" ", 1)[0]
        return f"du {opening} au {format_day(end)}"
    return f"du {format_day(start)} au {format_day(end)}"


def _end_in_words(milestone: Milestone) -> str:
    if _whole_months(milestone.start, milestone.end):
        return f"fin {MONTHS[milestone.end.month - 1]} {milestone.end.year}"
    return f"le {format_day(milestone.end)}"


def _start_in_words(milestone: Milestone) -> str:
    if _whole_months(milestone.start, milestone.end):
        return f"en {MONTHS[milestone.start.month - 1]} {milestone.start.year}"
    return f"le {format_day(milestone.start)}"


# --- Where we stand --------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Where a project stands in its calendar on ``today``.

    ``current``: the steps under way; ``late``: the steps whose end has passed (or marked
    late) and that are not done; ``upcoming``: the next steps to start (those sharing the
    earliest start after today); ``sentences``: all of it in French, for the dashboard.
    """

    today: dt.date
    current: tuple[Milestone, ...]
    late: tuple[Milestone, ...]
    upcoming: tuple[Milestone, ...]
    done: tuple[Milestone, ...]
    sentences: tuple[str, ...]

    @property
    def summary(self) -> str:
        """The sentences as one paragraph."""
        return " ".join(self.sentences)


def is_late(milestone: Milestone, today: dt.date) -> bool:
    """Whether a step is late: marked so, or its end has passed and it is not done."""
    if milestone.status is MilestoneStatus.done:
        return False
    return milestone.status is MilestoneStatus.late or milestone.end < today


def is_current(milestone: Milestone, today: dt.date) -> bool:
    """Whether a step is under way: not done nor late, and its dates (or its mark) say so."""
    if milestone.status is MilestoneStatus.done or is_late(milestone, today):
        return False
    return milestone.start <= today or milestone.status is MilestoneStatus.in_progress


def _quoted(milestone: Milestone) -> str:
    return f"« {milestone.title} »"


def _stand(milestones: Sequence[Milestone], today: dt.date) -> Standing:
    ordered = sorted(milestones, key=lambda m: (m.start, m.end))
    done = tuple(m for m in ordered if m.status is MilestoneStatus.done)
    late = tuple(m for m in ordered if is_late(m, today))
    current = tuple(m for m in ordered if is_current(m, today))
    settled = {m.id for m in (*done, *late, *current)}
    waiting = [m for m in ordered if m.id not in settled]
    upcoming = tuple(m for m in waiting if m.start == waiting[0].start) if waiting else ()

    sentences = [f"Nous sommes le {format_day(today)}."]
    if not ordered:
        sentences.append("Le calendrier de renouvellement ne compte aucune étape.")
    elif len(done) == len(ordered):
        sentences.append("Toutes les étapes du calendrier de renouvellement sont terminées.")
    else:
        if not done and not late and not current:
            sentences.append("Le calendrier de renouvellement n'a pas encore commencé.")
        for milestone in current:
            sentences.append(
                f"Étape en cours : {_quoted(milestone)} "
                f"({format_period(milestone.start, milestone.end)})."
            )
        for milestone in late:
            if milestone.end < today:
                sentences.append(
                    f"En retard : {_quoted(milestone)} devait être terminée "
                    f"{_end_in_words(milestone)}."
                )
            else:
                sentences.append(
                    f"En retard : {_quoted(milestone)} est signalée en retard "
                    f"(échéance {_end_in_words(milestone)})."
                )
        if upcoming:
            names = " et ".join(_quoted(m) for m in upcoming)
            label = "Prochaine étape" if len(upcoming) == 1 else "Prochaines étapes"
            sentences.append(f"{label} : {names}, {_start_in_words(upcoming[0])}.")
        elif not current and not late:
            sentences.append("Il ne reste aucune étape à venir.")
    return Standing(
        today=today,
        current=current,
        late=late,
        upcoming=upcoming,
        done=done,
        sentences=tuple(sentences),
    )


def where_we_stand(project: Project, today: dt.date) -> Standing:
    """Where ``project`` stands in its renewal calendar on ``today``, in French sentences.

    A step is *late* when it is marked late, or its end has passed and it is not done; it
    is *current* when it is neither done nor late and has started (or is marked in
    progress ahead of its dates); the *upcoming* steps are the next to start.
    """
    return _stand(project.milestones, today)
