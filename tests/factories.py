"""Factories with valid defaults: ``make_change(**overrides)`` and friends.

Each factory returns a valid object; tests override only what they are about. The
default project (``make_project``) passes every coherence check with no error.
"""

from __future__ import annotations

from typing import Any

from theory_of_change.model import (
    ActionSheet,
    Activity,
    ActivityKind,
    Change,
    ChangeStatus,
    Commune,
    ConventionPeriod,
    DutyCoverage,
    MarkerLevel,
    ProgressMarker,
    Project,
    ScheduleStep,
    SppeDuty,
    SppeSheet,
    Stake,
    StrategicAxis,
    SubObjective,
    Territory,
    TerritoryKind,
    Vision,
)


def make_territory(**overrides: Any) -> Territory:
    """A small EPCI of two communes (3 000 inhabitants: only the base SPPE duties)."""
    fields: dict[str, Any] = {
        "name": "Communauté de communes du Test",
        "kind": TerritoryKind.epci,
        "department": "Loire-Atlantique",
        "communes": [
            Commune(id="alpha", name="Alpha", population=2000),
            Commune(id="beta", name="Bêta", population=1000),
        ],
    }
    fields.update(overrides)
    return Territory(**fields)


def make_stake(**overrides: Any) -> Stake:
    """A retained early-childhood stake."""
    fields: dict[str, Any] = {
        "id": "enjeu-accueil",
        "title": "Renforcer l'offre d'accueil du jeune enfant",
        "theme": "petite-enfance",
    }
    fields.update(overrides)
    return Stake(**fields)


def make_change(**overrides: Any) -> Change:
    """A prioritised change that addresses ``enjeu-accueil`` and leads to the vision."""
    fields: dict[str, Any] = {
        "id": "chg-familles-informees",
        "statement": "Les familles connaissent les modes d'accueil du territoire",
        "actors": ["familles"],
        "themes": ["petite-enfance"],
        "status": ChangeStatus.prioritised,
        "priority_rank": 1,
        "addresses": ["enjeu-accueil"],
        "leads_to_vision": True,
    }
    fields.update(overrides)
    return Change(**fields)


def make_marker(**overrides: Any) -> ProgressMarker:
    """An *expect to see* marker of ``chg-familles-informees``."""
    fields: dict[str, Any] = {
        "id": "mq-expect",
        "change": "chg-familles-informees",
        "text": "Les familles consultent le guide des modes d'accueil",
        "level": MarkerLevel.expect,
    }
    fields.update(overrides)
    return ProgressMarker(**fields)


def make_three_markers(change: str = "chg-familles-informees") -> list[ProgressMarker]:
    """The three levels of markers for one change."""
    return [
        make_marker(id=f"mq-{change}-{level.value}", change=change, level=level)
        for level in MarkerLevel
    ]


def make_sheet(**overrides: Any) -> ActionSheet:
    """A complete action sheet."""
    fields: dict[str, Any] = {
        "objectives": ["Informer chaque famille des modes d'accueil disponibles"],
        "description": "Un guichet unique et un guide papier et en ligne.",
        "lead": "Service petite enfance",
        "partners": ["Caf", "RPE"],
        "target_public": "Familles avec enfants de moins de 3 ans",
        "schedule": [ScheduleStep(period="2026", text="Création du guide")],
        "expected_results": ["90 % des familles connaissent le guichet"],
        "indicators": ["Nombre de familles reçues au guichet"],
    }
    fields.update(overrides)
    return ActionSheet(**fields)


def make_activity(**overrides: Any) -> Activity:
    """A new action with a complete sheet, contributing to ``chg-familles-informees``."""
    fields: dict[str, Any] = {
        "id": "act-guichet-unique",
        "title": "Créer un guichet unique d'information des familles",
        "kind": ActivityKind.new,
        "axis": "axe-1",
        "sub_objective": "so-1",
        "themes": ["petite-enfance"],
        "years": [2026],
        "contributes_to": ["chg-familles-informees"],
        "sheet": make_sheet(),
    }
    fields.update(overrides)
    return Activity(**fields)


def make_axis(**overrides: Any) -> StrategicAxis:
    """The first strategic axis with one sub-objective."""
    fields: dict[str, Any] = {
        "id": "axe-1",
        "title": "Faciliter la continuité des parcours",
        "order": 1,
        "sub_objectives": [SubObjective(id="so-1", title="Informer les familles")],
    }
    fields.update(overrides)
    return StrategicAxis(**fields)


def make_project(**overrides: Any) -> Project:
    """A small, complete project with no error finding.

    It covers the four mandatory themes with one stake each, one change per stake with
    three markers, and one activity per change.
    """
    themes = ["petite-enfance", "enfance", "jeunesse", "parentalite", "acces-aux-droits"]
    stakes = [make_stake()] + [
        make_stake(id=f"enjeu-{t}", title=f"Enjeu {t}", theme=t) for t in themes[1:]
    ]
    changes = [make_change()] + [
        make_change(
            id=f"chg-{t}",
            statement=f"Changement pour {t}",
            themes=[t],
            addresses=[f"enjeu-{t}"],
            priority_rank=index + 2,
        )
        for index, t in enumerate(themes[1:])
    ]
    markers = [m for change in changes for m in make_three_markers(change.id)]
    activities = [make_activity()] + [
        make_activity(
            id=f"act-{t}",
            title=f"Développer une action {t}",
            themes=[t],
            contributes_to=[f"chg-{t}"],
        )
        for t in themes[1:]
    ]
    fields: dict[str, Any] = {
        "id": "projet-test",
        "title": "CTG du Test 2025-2029",
        "territory": make_territory(),
        "convention": ConventionPeriod(start_year=2025, end_year=2029),
        "stakes": stakes,
        "vision": Vision(
            text="En 2037, territoire où chaque famille trouve sa place.", horizon_year=2037
        ),
        "changes": changes,
        "markers": markers,
        "axes": [make_axis()],
        "activities": activities,
        "sppe": SppeSheet(
            duties=[
                DutyCoverage(duty=SppeDuty.needs_inventory, activities=["act-guichet-unique"]),
                DutyCoverage(duty=SppeDuty.family_information, activities=["act-guichet-unique"]),
            ]
        ),
    }
    fields.update(overrides)
    return Project(**fields)


def make_commune(**overrides: Any) -> Commune:
    """A commune of 1 000 inhabitants."""
    fields: dict[str, Any] = {"id": "gamma", "name": "Gamma", "population": 1000}
    fields.update(overrides)
    return Commune(**fields)


def make_duty(duty: SppeDuty, **overrides: Any) -> DutyCoverage:
    """An SPPE duty met, for the whole territory, by ``act-guichet-unique``."""
    fields: dict[str, Any] = {"duty": duty, "activities": ["act-guichet-unique"]}
    fields.update(overrides)
    return DutyCoverage(**fields)


def revalidated(project: Project) -> Project:
    """The project validated afresh, after a test edited its nested objects in place.

    Editing ``project.change(...).preconditions`` only validates the change; this runs the
    project's own validation again, so a test never checks a project that could not be loaded.
    """
    return Project.model_validate(project.model_dump())


# --- Workshops (workshops/) -----------------------------------------------------------------

from workshops.model import (  # noqa: E402 - workshop factories are appended after the model's
    BrainstormStep,
    ChoiceStep,
    Column,
    Criterion,
    DotVoteStep,
    Idea,
    Option,
    Participant,
    RankingStep,
    RatingStep,
    RecordVisionVote,
    Workshop,
)
from workshops.options import vision_vote_options  # noqa: E402


def make_options(count: int = 4, prefix: str = "opt") -> list[Option]:
    """``count`` free options ``opt-a``, ``opt-b``… labelled "Option A", "Option B"…"""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [
        Option(id=f"{prefix}-{letters[i]}", label=f"Option {letters[i].upper()}")
        for i in range(count)
    ]


def make_brainstorm_step(**overrides: Any) -> BrainstormStep:
    """A brainstorm with one column per change of ``make_project`` it names."""
    fields: dict[str, Any] = {
        "id": "etape-idees",
        "title": "Quelles actions pour ces changements ?",
        "columns": [
            Column(id="col-familles", label="Les familles sont informées",
                   ref="chg-familles-informees"),
            Column(id="col-enfance", label="Changement pour l'enfance", ref="chg-enfance"),
        ],
    }
    fields.update(overrides)
    return BrainstormStep(**fields)


def make_dot_vote_step(**overrides: Any) -> DotVoteStep:
    """A dot vote on four free options: 3 dots, at most 2 on one option."""
    fields: dict[str, Any] = {
        "id": "etape-gommettes",
        "title": "Vote à gommettes",
        "options": make_options(4),
        "budget": 3,
        "max_per_option": 2,
    }
    fields.update(overrides)
    return DotVoteStep(**fields)


def make_ranking_step(**overrides: Any) -> RankingStep:
    """A ranking of four free options."""
    fields: dict[str, Any] = {
        "id": "etape-classement",
        "title": "Classez les options",
        "options": make_options(4),
    }
    fields.update(overrides)
    return RankingStep(**fields)


def make_rating_step(**overrides: Any) -> RatingStep:
    """A 1–5 rating of three options on impact and faisabilité."""
    fields: dict[str, Any] = {
        "id": "etape-notation",
        "title": "Impact et faisabilité",
        "options": make_options(3),
        "criteria": [
            Criterion(id="impact", label="Impact"),
            Criterion(id="faisabilite", label="Faisabilité", high_label="forte",
                      low_label="faible"),
        ],
    }
    fields.update(overrides)
    return RatingStep(**fields)


def make_choice_step(**overrides: Any) -> ChoiceStep:
    """The vote on the vision: single choice among the three usual answers, recorded."""
    fields: dict[str, Any] = {
        "id": "etape-vision",
        "title": "Validez-vous la vision ?",
        "options": vision_vote_options(),
        "writeback": RecordVisionVote(),
    }
    fields.update(overrides)
    return ChoiceStep(**fields)


def make_workshop(**overrides: Any) -> Workshop:
    """A draft workshop of ``make_project`` with one step of each kind."""
    fields: dict[str, Any] = {
        "id": "atelier-test",
        "title": "Atelier de priorisation",
        "project_id": "projet-test",
        "code": "KX79HA",
        "steps": [
            make_brainstorm_step(),
            make_dot_vote_step(),
            make_ranking_step(),
            make_rating_step(),
            make_choice_step(),
        ],
    }
    fields.update(overrides)
    return Workshop(**fields)


def make_participant(**overrides: Any) -> Participant:
    """An inhabitant with a nickname."""
    fields: dict[str, Any] = {"token": "jeton-habitant-1", "nickname": "Camille",
                              "group": "habitants"}
    fields.update(overrides)
    return Participant(**fields)


def make_idea(**overrides: Any) -> Idea:
    """An idea in the first column of ``make_brainstorm_step``."""
    fields: dict[str, Any] = {
        "id": "idee-1",
        "step_id": "etape-idees",
        "column": "col-familles",
        "text": "Un guide des modes d'accueil distribué à la maternité",
        "author": "jeton-habitant-1",
    }
    fields.update(overrides)
    return Idea(**fields)


def make_project_with_proposed_changes(count: int = 12) -> Project:
    """``make_project`` where ``count`` changes (at least its 5) are all proposed, unranked.

    The five changes of ``make_project`` come first, then ``chg-extra-6``…
    """
    base = make_project()
    changes = [
        change.model_copy(update={"status": ChangeStatus.proposed, "priority_rank": None})
        for change in base.changes
    ]
    changes += [
        make_change(
            id=f"chg-extra-{index}",
            statement=f"Changement proposé numéro {index}",
            status=ChangeStatus.proposed,
            priority_rank=None,
            leads_to_vision=False,
        )
        for index in range(len(changes) + 1, count + 1)
    ]
    return revalidated(base.model_copy(update={"changes": changes}))


# --- Exports (exports/) ---------------------------------------------------------------------

from theory_of_change.model import (  # noqa: E402 - export factories are appended last
    ActivityStatus,
    Link,
    Observation,
    Signatory,
    SppeProjection,
    SppeRow,
    SppeStructureType,
)


def make_sppe_row(**overrides: Any) -> SppeRow:
    """A fully known EAJE PSU row of the SPPE sheet (24 places, all supported)."""
    fields: dict[str, Any] = {
        "structure_type": SppeStructureType.eaje_psu,
        "name_address": "Multi-accueil Les Lutins, 2 rue des Écoles",
        "commune": "alpha",
        "current_places": 24,
        "supported_places": 24,
        "projection": SppeProjection.development,
        "projection_places": 6,
        "projection_year": 2027,
        "jobs_and_skills": "2 ETP d'auxiliaire de puériculture à créer",
        "investment_type": "extension",
        "investment_means": "Études en 2026, travaux en 2027",
    }
    fields.update(overrides)
    return SppeRow(**fields)


def make_observation(**overrides: Any) -> Observation:
    """A value observed in 2026 for an action's indicator."""
    fields: dict[str, Any] = {"year": 2026, "value": 120, "comment": "Ouverture en mars"}
    fields.update(overrides)
    return Observation(**fields)


def make_export_project(**overrides: Any) -> Project:
    """``make_project`` with what the exports lay out differently.

    Two axes; five actions of every kind: ``act-jeunesse`` (existing, axis 1 without
    sub-objective), ``act-guichet-unique`` (new, axis 1), ``act-acces-aux-droits`` (new,
    axis 2, in progress, baseline 12.5 and target 50), ``act-enfance`` (flagship, axis 2,
    commune ``alpha`` only, a link hypothesis) and ``act-parentalite`` (experimental, no
    axis, no years, an empty sheet, communes ``alpha`` and ``beta``). So the plan numbers
    them 1 jeunesse, 2 guichet, 3 accès aux droits (territory), 4 enfance, 5 parentalité
    (communes). Also a precondition with a hypothesis, a set-aside change, two
    signatories and two SPPE rows.
    """
    base = make_project()
    axes = [
        make_axis(),
        make_axis(
            id="axe-2",
            title="Veiller à l'équité dans l'accès aux droits",
            order=2,
            sub_objectives=[SubObjective(id="so-2", title="Rapprocher les services")],
        ),
    ]
    changes = [change.model_copy() for change in base.changes]
    changes[2] = changes[2].model_copy(
        update={
            "preconditions": [
                Link(
                    to="chg-familles-informees",
                    hypothesis="Si les familles sont informées, alors les jeunes viennent",
                )
            ]
        }
    )
    changes[4] = changes[4].model_copy(
        update={"status": ChangeStatus.set_aside, "priority_rank": None}
    )
    guichet = make_activity(
        sheet=make_sheet(observations=[make_observation()]),
    )
    activities = [
        guichet,
        make_activity(
            id="act-enfance",
            title="Ouvrir un accueil de loisirs à Alpha",
            kind=ActivityKind.flagship,
            axis="axe-2",
            sub_objective="so-2",
            themes=["enfance"],
            years=[2025, 2026, 2027],
            scope=["alpha"],
            contributes_to=[
                Link(to="chg-enfance", hypothesis="Si l'accueil est proche, alors il est utilisé")
            ],
        ),
        make_activity(
            id="act-jeunesse",
            title="Soutenir le point information jeunesse",
            kind=ActivityKind.existing,
            sub_objective=None,
            themes=["jeunesse"],
            years=[2027, 2029],
            contributes_to=["chg-jeunesse"],
        ),
        make_activity(
            id="act-parentalite",
            title="Expérimenter des cafés des parents itinérants",
            kind=ActivityKind.experimental,
            axis=None,
            sub_objective=None,
            themes=["parentalite"],
            years=[],
            scope=["alpha", "beta"],
            contributes_to=["chg-parentalite"],
            sheet=ActionSheet(),
        ),
        make_activity(
            id="act-acces-aux-droits",
            title="Organiser des permanences d'accès aux droits",
            axis="axe-2",
            sub_objective="so-2",
            themes=["acces-aux-droits"],
            years=[2028],
            status=ActivityStatus.in_progress,
            contributes_to=["chg-acces-aux-droits"],
            sheet=make_sheet(baseline=12.5, target=50),
        ),
    ]
    fields: dict[str, Any] = {
        "axes": axes,
        "changes": changes,
        "activities": activities,
        "signatories": [
            Signatory(name="Caf de Loire-Atlantique", role="Caf", represented_by="La directrice"),
            Signatory(name="Communauté de communes du Test", role="EPCI"),
        ],
        "sppe": SppeSheet(
            rows=[
                make_sppe_row(),
                make_sppe_row(
                    structure_type=SppeStructureType.mam,
                    name_address="MAM Les Petits Pas",
                    commune="beta",
                    current_places=None,
                    supported_places=None,
                    projection=SppeProjection.creation,
                    projection_places=None,
                    projection_year=2028,
                    jobs_and_skills=None,
                    investment_type=None,
                    investment_means=None,
                ),
            ],
            duties=base.sppe.duties,
        ),
    }
    fields.update(overrides)
    return make_project(**fields)


# --- Shared diagnostic (theory_of_change/diagnostic/) --------------------------------------

from pathlib import Path  # noqa: E402 - diagnostic factories are appended after the others

DIAGNOSTIC_FILES = Path(__file__).resolve().parent / "diagnostic_files"
SEED_PORTRAIT = DIAGNOSTIC_FILES / "portrait-pornic-petite-enfance.csv"
SEED_SYNTHESIS = DIAGNOSTIC_FILES / "synthese-petite-enfance.csv"


def make_diagnostic_project(*files: Path, **overrides: Any) -> Project:
    """``make_project(**overrides)`` with diagnostic files imported (the seed's portrait
    table by default: 15 communes, the EPCI and Loire-Atlantique)."""
    from theory_of_change.diagnostic.importer import (
        import_file,
        import_into_project,
        project_names,
    )

    project = make_project(**overrides)
    for path in files or (SEED_PORTRAIT,):
        result = import_file(path, known_names=project_names(project))
        project, _ = import_into_project(project, result)
    return project


# --- Editor, calendar (theory_of_change/editing, calendar) ----------------------------------

import datetime as _dt  # noqa: E402 - editor factories are appended after the others

from theory_of_change.calendar import Milestone, MilestoneStatus  # noqa: E402


def make_milestone(**overrides: Any) -> Milestone:
    """A planned calendar step over two whole months, September–October 2026."""
    fields: dict[str, Any] = {
        "id": "jalon-test",
        "title": "Atelier de priorisation des changements",
        "start": _dt.date(2026, 9, 1),
        "end": _dt.date(2026, 10, 31),
        "status": MilestoneStatus.planned,
    }
    fields.update(overrides)
    return Milestone(**fields)


# --- Workshop minutes (workshops/minutes.py, exports/minutes.py) --------------------------

import datetime as dt  # noqa: E402 - minutes factories are appended last
from dataclasses import dataclass  # noqa: E402

from theory_of_change.model import Decision  # noqa: E402
from workshops.model import (  # noqa: E402
    Ballot,
    ChoiceBallot,
    DotBallot,
    IdeasToNodes,
    PrioritiseChanges,
    RankingBallot,
    RatingBallot,
    StepStatus,
    WorkshopStatus,
)
from workshops.options import (  # noqa: E402
    VISION_AGREE,
    VISION_AGREE_WITH_CHANGES,
    VISION_DISAGREE,
    options_from_changes,
)
from workshops.tallies import tally  # noqa: E402
from workshops.writeback import apply_step_result  # noqa: E402

MINUTES_GROUPS = ["elus"] * 4 + ["professionnels"] * 3 + ["partenaires"] * 2 + [
    "habitants"
] * 2 + [None]
"""The collège of participants 1..12 of ``make_minutes_inputs``: 4 élus, 3 professionnels,
2 partenaires institutionnels, 2 habitants and one participant who gave none."""

MINUTES_DOTS = {
    "chg-familles-informees": 10,
    "chg-enfance": 9,
    "chg-jeunesse": 8,
    "chg-parentalite": 7,
    "chg-acces-aux-droits": 5,
    "chg-extra-6": 5,
    "chg-extra-7": 4,
    "chg-extra-8": 3,
    "chg-extra-9": 2,
    "chg-extra-10": 1,
}
"""Dots per change in the dot vote of ``make_minutes_inputs`` (the last two get none):
a tie at the 5th place between ``chg-acces-aux-droits`` and ``chg-extra-6``."""


@dataclass(frozen=True)
class MinutesInputs:
    """What ``build_minutes`` takes, as the store would hand it over, and the project."""

    workshop: Workshop
    participants: list[Participant]
    ideas: list[Idea]
    ballots: list[tuple[str, Ballot, str | None]]
    decisions: list[Decision]
    project: Project


def minutes_token(number: int) -> str:
    """The token of participant ``number`` (1..12) of ``make_minutes_inputs``."""
    return f"jeton-{number:02d}"


def make_minutes_participants() -> list[Participant]:
    """Twelve participants in the collèges of ``MINUTES_GROUPS``; only two nicknames."""
    nicknames = {1: "Camille", 5: "Dominique"}
    return [
        Participant(token=minutes_token(n), nickname=nicknames.get(n), group=group)
        for n, group in enumerate(MINUTES_GROUPS, start=1)
    ]


def make_minutes_ideas() -> list[Idea]:
    """Six ideas of ``make_brainstorm_step``: one merged into another, one hidden.

    Column « familles »: idee-1 (upvoted by 1, 2, 3) with idee-2 merged into it (upvoted by
    3 and 4: the merged card counts 4), idee-3 (upvoted by 5), idee-4 (hidden). Column
    « enfance »: idee-5 (upvoted by 1 and 6), idee-6 (no upvote).
    """
    t = minutes_token
    return [
        make_idea(id="idee-1", upvoters=[t(1), t(2), t(3)], author=t(7)),
        make_idea(id="idee-2", text="Distribuer le guide des modes d'accueil à la maternité",
                  merged_into="idee-1", upvoters=[t(3), t(4)], author=t(8)),
        make_idea(id="idee-3", text="Une permanence du relais petite enfance au marché",
                  upvoters=[t(5)], author=t(9)),
        make_idea(id="idee-4", text="Message hors sujet retiré par l'animation", hidden=True,
                  author=t(10)),
        make_idea(id="idee-5", column="col-enfance",
                  text="Un accueil de loisirs le mercredi à Bêta", upvoters=[t(1), t(6)],
                  author=t(11)),
        make_idea(id="idee-6", column="col-enfance",
                  text="Des ateliers parents-enfants le samedi matin", author=t(12)),
    ]


def _spread_dots(totals: dict[str, int], voters: int) -> list[dict[str, int]]:
    """One dot per option on ``totals[option]`` ballots, always the least-filled ones."""
    ballots: list[dict[str, int]] = [{} for _ in range(voters)]
    for option_id, count in totals.items():
        emptiest = sorted(range(voters), key=lambda i: (len(ballots[i]), i))[:count]
        for index in emptiest:
            ballots[index][option_id] = 1
    return ballots


def make_minutes_inputs() -> MinutesInputs:
    """A realistic closed workshop of ``make_project_with_proposed_changes(12)``.

    Twelve participants (``MINUTES_GROUPS``), five closed steps and a sixth never started:

    1. brainstorm (``make_minutes_ideas``), idee-1 turned into an action;
    2. dot vote, 5 dots among the 12 proposed changes, top 5 prioritised, dots as
       ``MINUTES_DOTS`` (tie at the 5th place, so 4 changes only are prioritised);
    3. ranking of three options as a Condorcet cycle: 5 × A B C, 4 × B C A, 3 × C A B
       (A beats B 8–4, B beats C 9–3, C beats A 7–5; Schulze A, B, C; Borda A 13, B 13, C 10);
    4. rating of four options on impact and faisabilité by six voters;
    5. vote on the vision: 7 d'accord, 4 avec modifications, 1 pas d'accord, 2 comments;
    6. a choice left pending.

    The decisions are those the real write-back produces, plus one of another workshop.
    """
    project = make_project_with_proposed_changes(12)
    closed = StepStatus.closed
    brainstorm = make_brainstorm_step(
        status=closed, prompt="Proposez des actions pour chacun des deux changements.",
        writeback=IdeasToNodes(target="activity"),
    )
    dot_vote = make_dot_vote_step(
        title="Priorisez 5 changements parmi 12",
        prompt="Placez vos 5 gommettes sur les changements qui comptent le plus.",
        options=options_from_changes(project), budget=5, max_per_option=1,
        writeback=PrioritiseChanges(top_k=5), status=closed,
    )
    ranking = make_ranking_step(
        title="Classez les trois pistes d'action",
        options=[
            Option(id="piste-laep", label="Ouvrir un lieu d'accueil enfants-parents"),
            Option(id="piste-mercredi", label="Développer l'accueil du mercredi"),
            Option(id="piste-pij", label="Créer un point information jeunesse itinérant"),
        ],
        status=closed,
    )
    rating = make_rating_step(
        title="Impact et faisabilité des actions",
        options=[
            Option(id="act-guide", label="Guide des modes d'accueil"),
            Option(id="act-navette", label="Navette vers l'accueil de loisirs"),
            Option(id="act-cafe", label="Cafés des parents itinérants"),
            Option(id="act-portail", label="Portail numérique des familles"),
        ],
        status=closed,
    )
    vision = make_choice_step(status=closed, prompt="En 2037, territoire où chaque famille "
                              "trouve sa place. Êtes-vous d'accord avec cette vision ?")
    later = make_choice_step(id="etape-suite", title="Date du prochain atelier", writeback=None,
                             options=make_options(2))
    workshop = make_workshop(
        title="Atelier du cercle projet de territoire",
        status=WorkshopStatus.closed,
        steps=[brainstorm, dot_vote, ranking, rating, vision, later],
    )
    participants = make_minutes_participants()
    ideas = make_minutes_ideas()
    group = {p.token: p.group for p in participants}

    ballots: list[tuple[str, Ballot, str | None]] = []

    def cast(step_id: str, number: int, ballot: Ballot) -> None:
        ballots.append((step_id, ballot, group[minutes_token(number)]))

    for number, dots in enumerate(_spread_dots(MINUTES_DOTS, 12), start=1):
        cast(dot_vote.id, number, DotBallot(dots=dots))
    orders = [["piste-laep", "piste-mercredi", "piste-pij"]] * 5 + [
        ["piste-mercredi", "piste-pij", "piste-laep"]
    ] * 4 + [["piste-pij", "piste-laep", "piste-mercredi"]] * 3
    for number, order in enumerate(orders, start=1):
        cast(ranking.id, number, RankingBallot(order=order))
    # Impact, faisabilité per option for voters 1..6: the guide is easy and useful, the
    # navette useful but hard, the café easy but of little impact, the portail neither.
    ratings = {
        "act-guide": [(5, 5), (4, 5), (5, 4), (4, 4), (5, 5), (4, 4)],
        "act-navette": [(5, 2), (4, 1), (5, 2), (4, 2), (4, 3), (5, 2)],
        "act-cafe": [(2, 5), (2, 4), (3, 5), (1, 4), (2, 4), (2, 5)],
        "act-portail": [(2, 2), (1, 2), (2, 1), (3, 2), (2, 3), (1, 2)],
    }
    for index in range(6):
        scores = {
            option: {"impact": pairs[index][0], "faisabilite": pairs[index][1]}
            for option, pairs in ratings.items()
        }
        cast(rating.id, index + 1, RatingBallot(scores=scores))
    answers = [VISION_AGREE] * 7 + [VISION_AGREE_WITH_CHANGES] * 4 + [VISION_DISAGREE]
    comments = {8: "Ajouter la mobilité des jeunes", 12: "Trop vague sur les moyens"}
    for number, answer in enumerate(answers, start=1):
        cast(vision.id, number, ChoiceBallot(choices=[answer], comment=comments.get(number)))

    def step_ballots(step_id: str) -> list[Ballot]:
        return [ballot for sid, ballot, _ in ballots if sid == step_id]

    when = dt.datetime(2025, 6, 12, 8, 30, tzinfo=dt.UTC)
    decisions: list[Decision] = [
        Decision(date=dt.datetime(2025, 5, 2, 9, 0, tzinfo=dt.UTC), workshop="Autre atelier",
                 step="Vote à gommettes", summary="Décision d'un autre atelier."),
    ]
    steps_written = [
        (brainstorm, tally(brainstorm, [], ideas=ideas), [ideas[0]]),
        (dot_vote, tally(dot_vote, step_ballots(dot_vote.id)), []),
        (vision, tally(vision, step_ballots(vision.id)), []),
    ]
    for minutes_offset, (step, result, chosen) in enumerate(steps_written):
        outcome = apply_step_result(
            project, workshop, step, result,
            when=when + dt.timedelta(minutes=40 * minutes_offset),
            author="Chargée de coopération", chosen_ideas=chosen,
        )
        project = outcome.project
        decisions.extend(outcome.decisions)
    return MinutesInputs(
        workshop=workshop,
        participants=participants,
        ideas=ideas,
        ballots=ballots,
        decisions=decisions,
        project=project,
    )
