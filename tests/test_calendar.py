"""The renewal calendar: the seed's milestones as default, and where a project stands."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import make_milestone, make_project
from pydantic import ValidationError

from theory_of_change.calendar import (
    MilestoneStatus,
    default_milestones,
    format_period,
    month_end,
    where_we_stand,
)
from theory_of_change.files import dumps_project, loads_project
from theory_of_change.model import Project

# The "CALENDRIER DE RENOUVELLEMENT DES CTG" of the Caf's presentation of 3 June 2025,
# transcribed step by step: (period as the slide writes it, in lower case; the step).
SEED_CALENDAR = [
    ("3 juin 2025", "Réunion d'information à destination des territoires en renouvellement "
                    "de CTG à la Chapelle-sur-Erdre"),
    ("juillet à octobre 2025", "Mise en œuvre de l'évaluation de l'ancienne CTG"),
    ("novembre 2025 à mars 2026", "Élaboration du diagnostic de la future CTG"),
    ("juin 2026", "Présentation de l'évaluation et du diagnostic aux nouveaux élus suite aux "
                  "élections municipales"),
    ("juin à octobre 2026", "Définition des enjeux, des orientations et du plan d'action"),
    ("octobre à décembre 2026", "Déclinaison des fiches actions notamment pour les projets "
                                "phares et les actions nouvelles"),
    ("décembre 2026 à janvier 2027", "Écriture puis finalisation de la CTG"),
    ("février 2027", "Validation par la Caf"),
    ("mars 2027", "Validation par les conseils communaux et communautaires"),
]


def marked(project: Project, **statuses: MilestoneStatus) -> Project:
    """The project with some milestones (by id, ``-`` written ``_``) given a status."""
    milestones = [
        m.model_copy(update={"status": statuses.get(m.id.replace("-", "_"), m.status)})
        for m in project.milestones
    ]
    return project.model_copy(update={"milestones": milestones})


def test_default_milestones_are_the_seed_calendar_in_order() -> None:
    milestones = default_milestones()
    assert [(format_period(m.start, m.end), m.title) for m in milestones] == SEED_CALENDAR
    assert all(m.status is MilestoneStatus.planned for m in milestones)
    assert len({m.id for m in milestones}) == len(milestones)


def test_month_steps_run_from_the_first_to_the_last_day_of_their_months() -> None:
    evaluation = default_milestones()[1]
    assert (evaluation.start, evaluation.end) == (dt.date(2025, 7, 1), dt.date(2025, 10, 31))
    assert default_milestones()[7].end == dt.date(2027, 2, 28)
    assert month_end(2028, 2) == dt.date(2028, 2, 29)


def test_a_new_project_starts_from_its_own_copy_of_the_default_calendar() -> None:
    first, second = make_project(), make_project()
    assert first.milestones == default_milestones()
    first.milestones[0].status = MilestoneStatus.done
    assert second.milestones[0].status is MilestoneStatus.planned
    assert default_milestones()[0].status is MilestoneStatus.planned


def test_default_calendar_is_left_out_of_the_file_and_edits_round_trip_exactly() -> None:
    assert "milestones" not in dumps_project(make_project())
    edited = [*default_milestones()[:3], make_milestone(status=MilestoneStatus.in_progress)]
    project = make_project(milestones=edited)
    text = dumps_project(project)
    assert "  - id: jalon-test\n" in text and "    status: in_progress\n" in text
    assert loads_project(text) == project
    assert loads_project(dumps_project(project, "json"), "json") == project
    assert dumps_project(loads_project(text)) == text


def test_a_step_ending_before_it_starts_is_refused_in_french() -> None:
    with pytest.raises(ValidationError) as caught:
        make_milestone(start=dt.date(2026, 5, 1), end=dt.date(2026, 4, 30))
    assert "la date de fin de l'étape précède sa date de début" in str(caught.value)


def test_two_steps_with_the_same_id_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        make_project(milestones=[make_milestone(), make_milestone(title="Autre")])
    assert "l'étape du calendrier « jalon-test » est définie deux fois" in str(caught.value)


@pytest.mark.parametrize(
    ("start", "end", "written"),
    [
        (dt.date(2026, 6, 1), dt.date(2026, 6, 30), "juin 2026"),
        (dt.date(2026, 6, 3), dt.date(2026, 6, 3), "3 juin 2026"),
        (dt.date(2026, 6, 1), dt.date(2026, 6, 1), "1er juin 2026"),
        (dt.date(2026, 6, 3), dt.date(2026, 7, 12), "du 3 juin au 12 juillet 2026"),
        (dt.date(2026, 12, 15), dt.date(2027, 1, 10), "du 15 décembre 2026 au 10 janvier 2027"),
    ],
)
def test_periods_are_written_in_words(start: dt.date, end: dt.date, written: str) -> None:
    assert format_period(start, end) == written


def test_before_the_calendar_starts_the_first_step_comes_next() -> None:
    standing = where_we_stand(make_project(), dt.date(2025, 5, 20))
    assert standing.current == () and standing.late == ()
    assert [m.id for m in standing.upcoming] == ["jalon-reunion-information"]
    assert standing.sentences == (
        "Nous sommes le 20 mai 2025.",
        "Le calendrier de renouvellement n'a pas encore commencé.",
        "Prochaine étape : « Réunion d'information à destination des territoires en "
        "renouvellement de CTG à la Chapelle-sur-Erdre », le 3 juin 2025.",
    )


def test_a_one_day_step_is_current_on_its_day() -> None:
    standing = where_we_stand(make_project(), dt.date(2025, 6, 3))
    assert [m.id for m in standing.current] == ["jalon-reunion-information"]
    assert standing.late == ()
    assert [m.id for m in standing.upcoming] == ["jalon-evaluation-ancienne-ctg"]
    assert standing.sentences[-1] == (
        "Prochaine étape : « Mise en œuvre de l'évaluation de l'ancienne CTG », en juillet 2025."
    )


def test_steps_whose_end_has_passed_without_being_done_are_late() -> None:
    standing = where_we_stand(make_project(), dt.date(2025, 11, 15))
    assert [m.id for m in standing.current] == ["jalon-diagnostic"]
    assert [m.id for m in standing.late] == [
        "jalon-reunion-information", "jalon-evaluation-ancienne-ctg"
    ]
    assert [m.id for m in standing.upcoming] == [
        "jalon-presentation-nouveaux-elus", "jalon-enjeux-plan-action"
    ]
    assert standing.summary == (
        "Nous sommes le 15 novembre 2025. "
        "Étape en cours : « Élaboration du diagnostic de la future CTG » "
        "(novembre 2025 à mars 2026). "
        "En retard : « Réunion d'information à destination des territoires en renouvellement "
        "de CTG à la Chapelle-sur-Erdre » devait être terminée le 3 juin 2025. "
        "En retard : « Mise en œuvre de l'évaluation de l'ancienne CTG » devait être terminée "
        "fin octobre 2025. "
        "Prochaines étapes : « Présentation de l'évaluation et du diagnostic aux nouveaux élus "
        "suite aux élections municipales » et « Définition des enjeux, des orientations et du "
        "plan d'action », en juin 2026."
    )


def test_steps_marked_done_are_neither_late_nor_current() -> None:
    project = marked(
        make_project(),
        jalon_reunion_information=MilestoneStatus.done,
        jalon_evaluation_ancienne_ctg=MilestoneStatus.done,
    )
    standing = where_we_stand(project, dt.date(2025, 11, 15))
    assert standing.late == ()
    assert [m.id for m in standing.done] == [
        "jalon-reunion-information", "jalon-evaluation-ancienne-ctg"
    ]
    assert not any("En retard" in sentence for sentence in standing.sentences)


def test_overlapping_steps_are_all_current() -> None:
    project = marked(make_project(), **{
        m.id.replace("-", "_"): MilestoneStatus.done for m in default_milestones()[:3]
    })
    standing = where_we_stand(project, dt.date(2026, 6, 10))
    assert [m.id for m in standing.current] == [
        "jalon-presentation-nouveaux-elus", "jalon-enjeux-plan-action"
    ]
    assert [m.id for m in standing.upcoming] == ["jalon-fiches-actions"]


def test_a_step_marked_late_before_its_end_is_reported_late() -> None:
    project = make_project(milestones=[make_milestone(status=MilestoneStatus.late)])
    standing = where_we_stand(project, dt.date(2026, 9, 15))
    assert [m.id for m in standing.late] == ["jalon-test"] and standing.current == ()
    assert standing.sentences[1] == (
        "En retard : « Atelier de priorisation des changements » est signalée en retard "
        "(échéance fin octobre 2026)."
    )


def test_a_step_started_ahead_of_its_dates_is_current() -> None:
    project = make_project(milestones=[make_milestone(status=MilestoneStatus.in_progress)])
    standing = where_we_stand(project, dt.date(2026, 8, 20))
    assert [m.id for m in standing.current] == ["jalon-test"]
    assert standing.upcoming == ()


def test_when_every_step_is_done_the_dashboard_says_so() -> None:
    project = make_project(milestones=[make_milestone(status=MilestoneStatus.done)])
    standing = where_we_stand(project, dt.date(2027, 6, 1))
    assert standing.sentences == (
        "Nous sommes le 1er juin 2027.",
        "Toutes les étapes du calendrier de renouvellement sont terminées.",
    )


def test_a_project_without_steps_says_the_calendar_is_empty() -> None:
    standing = where_we_stand(make_project(milestones=[]), dt.date(2026, 1, 1))
    assert standing.sentences[1] == "Le calendrier de renouvellement ne compte aucune étape."
