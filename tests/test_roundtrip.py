"""Property test: a project saved then loaded is the same project, and its text is stable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from factories import (
    make_activity,
    make_axis,
    make_change,
    make_commune,
    make_marker,
    make_project,
    make_sheet,
    make_stake,
    make_territory,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from theory_of_change.files import dumps_project, loads_project
from theory_of_change.model import (
    ActivityKind,
    ActivityStatus,
    Body,
    ChangeStatus,
    ConventionPeriod,
    CooperationOfficer,
    Decision,
    DutyCoverage,
    Evaluation,
    Facility,
    FacilityType,
    Governance,
    Link,
    MarkerLevel,
    Project,
    QualitativeEvidence,
    QuantitativeEvidence,
    ScheduleStep,
    Signatory,
    SppeDuty,
    SppeProjection,
    SppeRow,
    SppeSheet,
    SppeStructureType,
    StrategicAxis,
    SubObjective,
    TerritoryKind,
    Theme,
    ThemeKind,
    Vision,
    default_themes,
)

# Texts people really type, and those that trip YAML up: accents, quotes, colons, "#",
# leading spaces on inner lines, words YAML reads as booleans or numbers, indicators.
FRENCH_LETTERS = "abcdefghijklmnopqrstuvwxyzéèêëàâäîïôöùûüçœæÉÈÀÇŒ0123456789"
PUNCTUATION = " '’\"«»:#-,.;!?…%&*|>@`{}[]~=\n\t"
TRICKY = [
    "oui",
    "Non",
    "yes",
    "null",
    "~",
    "2025",
    "12:30",
    "1e3",
    "0x1F",
    "3,5",
    "=",
    "- tiret",
    "#pas un commentaire",
    "a: b",
    "« guillemets »",
    "l'apostrophe",
    '"entre guillemets"',
    "  espaces devant",
    "fin de ligne  \nsuite",
    "ligne 1\n  ligne en retrait\n# dièse en début de ligne",
    "*étoile",
    "&ancre",
    "!étiquette",
    "%pourcent",
    "@arobase",
    "? question",
    "| barre",
    "> chevron",
    "---",
    "...",
    "saut de ligne Unicode\u2028et NEL\x85",
]

fragment = st.one_of(
    st.text(alphabet=FRENCH_LETTERS + PUNCTUATION, min_size=1, max_size=30),
    st.sampled_from(TRICKY),
)
raw_text = st.lists(fragment, min_size=1, max_size=4).map("".join)
long_text = raw_text.map(str.strip)
short_text = raw_text.map(str.strip).filter(lambda text: 0 < len(text) <= 300)
statement_text = long_text.filter(bool)
years = st.integers(min_value=1990, max_value=2100)
measures = st.one_of(
    st.none(),
    st.integers(min_value=-10**6, max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False),
    short_text,
)


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``None`` or a value of ``strategy``."""
    return st.none() | strategy


def some_of(draw: st.DrawFn, items: list[str], max_size: int = 3) -> list[str]:
    """A few distinct items of ``items``, in a random order."""
    if not items:
        return []
    return draw(st.lists(st.sampled_from(items), max_size=max_size, unique=True))


def links(draw: st.DrawFn, targets: list[str]) -> list[Any]:
    """Links to ``targets``: a bare id or a Link carrying its hypothesis."""
    return [
        draw(st.just(target) | st.builds(Link, to=st.just(target), hypothesis=long_text))
        for target in some_of(draw, targets)
    ]


@st.composite
def evidence(draw: st.DrawFn, theme_ids: list[str]) -> Any:
    """Quantitative (with figures or unknowns) or qualitative evidence behind a stake."""
    if draw(st.booleans()):
        return QuantitativeEvidence(
            indicator=draw(short_text),
            territory=draw(optional(short_text)),
            value=draw(st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False),
                                 short_text)),
            reference=draw(optional(st.floats(allow_nan=False, allow_infinity=False))),
            year=draw(optional(years)),
            source=draw(optional(short_text)),
        )
    return QualitativeEvidence(
        quote=draw(long_text),
        group=draw(optional(short_text)),
        theme=draw(optional(st.sampled_from(theme_ids))),
    )


@st.composite
def projects(draw: st.DrawFn) -> Project:
    """A valid project of random size whose links all resolve."""
    communes = [
        make_commune(
            id=f"commune-{index}",
            name=draw(short_text),
            population=draw(optional(st.integers(min_value=0, max_value=500_000))),
            insee_code=draw(optional(st.from_regex(r"[0-9][0-9AB][0-9]{3}", fullmatch=True))),
        )
        for index in range(draw(st.integers(0, 3)))
    ]
    commune_ids = [commune.id for commune in communes]
    start = draw(st.integers(min_value=1990, max_value=2094))
    fields: dict[str, Any] = {
        "id": draw(st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,3}", fullmatch=True)),
        "title": draw(short_text),
        "territory": make_territory(
            name=draw(short_text),
            kind=draw(st.sampled_from(TerritoryKind)),
            population=draw(optional(st.integers(min_value=0, max_value=2_000_000))),
            department=draw(optional(short_text)),
            communes=communes,
            early_childhood_competence=draw(st.sampled_from(TerritoryKind)),
        ),
        "convention": ConventionPeriod(start_year=start, end_year=start + draw(st.integers(0, 6))),
        "signatories": [
            Signatory(name=draw(short_text), role=draw(optional(short_text)))
            for _ in range(draw(st.integers(0, 2)))
        ],
        "vision": draw(optional(st.builds(Vision, text=long_text, horizon_year=years))),
        "notes": draw(optional(long_text)),
    }

    themes = default_themes()
    if draw(st.booleans()):
        themes = themes + [Theme(id="mobilite", label=draw(short_text), kind=ThemeKind.other)]
        fields["themes"] = themes
    theme_ids = [theme.id for theme in themes]

    stakes = [
        make_stake(
            id=f"enjeu-{index}",
            title=draw(short_text),
            theme=draw(optional(st.sampled_from(theme_ids))),
            description=draw(optional(long_text)),
            retained=draw(st.booleans()),
            evidence=draw(st.lists(evidence(theme_ids), max_size=2)),
        )
        for index in range(draw(st.integers(0, 4)))
    ]
    stake_ids = [stake.id for stake in stakes]

    changes = []
    for index in range(draw(st.integers(0, 5))):
        earlier = [change.id for change in changes]
        changes.append(
            make_change(
                id=f"chg-{index}",
                statement=draw(statement_text),
                actors=draw(st.lists(short_text, max_size=2)),
                themes=some_of(draw, theme_ids),
                hypotheses=draw(st.lists(long_text, max_size=2)),
                status=draw(st.sampled_from(ChangeStatus)),
                priority_rank=draw(optional(st.integers(min_value=1, max_value=20))),
                addresses=some_of(draw, stake_ids),
                preconditions=links(draw, earlier),
                leads_to_vision=draw(st.booleans()),
                vision_hypothesis=draw(optional(long_text)),
            )
        )
    change_ids = [change.id for change in changes]

    markers = [
        make_marker(
            id=f"mq-{index}",
            change=draw(st.sampled_from(change_ids)),
            text=draw(statement_text),
            level=draw(st.sampled_from(MarkerLevel)),
            actor=draw(optional(short_text)),
            indicator=draw(optional(short_text)),
            baseline=draw(measures),
            target=draw(measures),
            year=draw(optional(years)),
        )
        for index in range(draw(st.integers(0, 6)) if change_ids else 0)
    ]

    axes: list[StrategicAxis] = [
        make_axis(
            id=f"axe-{index}",
            title=draw(short_text),
            order=index + 1,
            sub_objectives=[
                SubObjective(id=f"so-{index}-{sub}", title=draw(short_text))
                for sub in range(draw(st.integers(0, 2)))
            ],
        )
        for index in range(draw(st.integers(0, 2)))
    ]

    activities = []
    for index in range(draw(st.integers(0, 4))):
        axis = draw(optional(st.sampled_from(axes))) if axes else None
        sub_ids = [sub.id for sub in axis.sub_objectives] if axis else []
        sheet = make_sheet(
            objectives=draw(st.lists(long_text, max_size=2)),
            description=draw(optional(long_text)),
            lead=draw(optional(short_text)),
            partners=draw(st.lists(short_text, max_size=2)),
            target_public=draw(optional(long_text)),
            schedule=[
                ScheduleStep(period=draw(short_text), text=draw(statement_text))
                for _ in range(draw(st.integers(0, 2)))
            ],
            baseline=draw(measures),
            target=draw(measures),
        )
        activities.append(
            make_activity(
                id=f"act-{index}",
                title=draw(short_text),
                kind=draw(st.sampled_from(ActivityKind)),
                axis=axis.id if axis else None,
                sub_objective=draw(optional(st.sampled_from(sub_ids))) if sub_ids else None,
                themes=some_of(draw, theme_ids),
                years=draw(st.lists(years, max_size=3)),
                scope=some_of(draw, commune_ids),
                contributes_to=links(draw, change_ids),
                status=draw(st.sampled_from(ActivityStatus)),
                sheet=sheet if draw(st.booleans()) else make_sheet(**EMPTY_SHEET),
            )
        )
    activity_ids = [activity.id for activity in activities]

    fields["sppe"] = SppeSheet(
        rows=[
            SppeRow(
                structure_type=draw(st.sampled_from(SppeStructureType)),
                name_address=draw(optional(long_text)),
                commune=draw(optional(st.sampled_from(commune_ids))) if commune_ids else None,
                current_places=draw(optional(st.floats(min_value=0, max_value=1e6))),
                projection=draw(optional(st.sampled_from(SppeProjection))),
                projection_places=draw(optional(st.integers(-100, 100))),
            )
            for _ in range(draw(st.integers(0, 2)))
        ],
        duties=[
            DutyCoverage(duty=duty, activities=some_of(draw, activity_ids), note=draw(
                optional(long_text)))
            for duty in draw(st.lists(st.sampled_from(SppeDuty), max_size=2, unique=True))
        ],
    )
    fields["facilities"] = [
        Facility(
            id=f"structure-{index}",
            type=draw(st.sampled_from(FacilityType)),
            name=draw(short_text),
            commune=draw(optional(st.sampled_from(commune_ids))) if commune_ids else None,
            caf_funding=draw(optional(st.floats(min_value=0, max_value=1e7))),
        )
        for index in range(draw(st.integers(0, 2)))
    ]
    fields["governance"] = Governance(
        bodies=[
            Body(
                id=f"instance-{index}",
                name=draw(short_text),
                kind=draw(st.sampled_from(["copil", "cotech", "working_group", "circle", "other"])),
                members=draw(st.lists(short_text, max_size=2)),
            )
            for index in range(draw(st.integers(0, 2)))
        ],
        cooperation_officers=[
            CooperationOfficer(name=draw(short_text), fte=draw(optional(st.floats(0, 10))))
            for _ in range(draw(st.integers(0, 1)))
        ],
    )
    fields["evaluation"] = Evaluation(
        mid_term_evaluation=draw(optional(long_text)), final_report_year=draw(optional(years))
    )
    fields["decisions"] = [
        Decision(
            date=draw(
                st.datetimes(
                    min_value=dt.datetime(2000, 1, 1),
                    max_value=dt.datetime(2099, 12, 31),
                    timezones=st.none() | st.just(dt.UTC),
                )
            ),
            summary=draw(long_text),
            nodes=some_of(draw, change_ids + activity_ids),
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    fields.update(
        stakes=stakes, changes=changes, markers=markers, axes=axes, activities=activities
    )
    return make_project(**fields)


EMPTY_SHEET: dict[str, Any] = {
    "objectives": [],
    "description": None,
    "lead": None,
    "partners": [],
    "target_public": None,
    "schedule": [],
    "expected_results": [],
    "indicators": [],
}

TRICKY_NOTES = "\n".join(TRICKY)
ROUND_TRIP_SETTINGS = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@ROUND_TRIP_SETTINGS
@given(projects())
@example(make_project(notes=TRICKY_NOTES, title="oui: « 2025 » # pas un commentaire"))
def test_yaml_round_trip_gives_back_the_same_project_and_the_same_text(project: Project) -> None:
    text = dumps_project(project, "yaml")
    loaded = loads_project(text, "yaml")
    assert loaded == project
    assert dumps_project(loaded, "yaml") == text


@ROUND_TRIP_SETTINGS
@given(projects())
@example(make_project(notes=TRICKY_NOTES))
def test_json_round_trip_gives_back_the_same_project_and_the_same_text(project: Project) -> None:
    text = dumps_project(project, "json")
    loaded = loads_project(text, "json")
    assert loaded == project
    assert dumps_project(loaded, "json") == text
