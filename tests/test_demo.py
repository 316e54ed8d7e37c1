"""The built-in demo project (Pornic Agglo Pays de Retz) is faithful to the seed and clean.

The seed is the Caf's presentation of 3 June 2025 (``../shared/seeds/``) and its portrait
tables (``../shared/data/``). The figures below are transcribed from those tables so the
test runs in a fresh clone; when the tables are present, every figure of the demo is also
compared with them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from theory_of_change.checks import Severity, run_checks
from theory_of_change.demo import DEMO_FILE, demo_project, demo_yaml
from theory_of_change.files import dumps_project, loads_project
from theory_of_change.graph import pathways
from theory_of_change.model import (
    KINDS_NEEDING_SHEET,
    SHEET_REQUIRED_FIELDS,
    ChangeStatus,
    MarkerLevel,
    Project,
    QuantitativeEvidence,
    SppeDuty,
    SppeProjection,
    SppeStructureType,
    TerritoryKind,
)
from theory_of_change.slugs import slugify

PORTRAIT_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"

SEED_COMMUNES = [
    "Chaumes-en-Retz",
    "Chauvé",
    "Cheix-en-Retz",
    "La Bernerie-en-Retz",
    "La Plaine-sur-Mer",
    "Les Moutiers-en-Retz",
    "Pornic",
    "Port-Saint-Père",
    "Préfailles",
    "Rouans",
    "Saint-Hilaire-de-Chaléons",
    "Saint-Michel-Chef-Chef",
    "Sainte-Pazanne",
    "Villeneuve-en-Retz",
    "Vue",
]
# As the portrait writes them (upper case, no accents, no hyphens).
PORTRAIT_COMMUNES = [
    "CHAUMES EN RETZ", "CHAUVE", "CHEIX EN RETZ", "LA BERNERIE EN RETZ", "LA PLAINE SUR MER",
    "LES MOUTIERS EN RETZ", "PORNIC", "PORT SAINT PERE", "PREFAILLES", "ROUANS",
    "SAINT HILAIRE DE CHALEONS", "SAINT MICHEL CHEF CHEF", "SAINTE PAZANNE",
    "VILLENEUVE EN RETZ", "VUE",
]

# (seed wording kept in the sheet description, years, verb the rewritten title starts with)
SEED_ACTIONS = [
    ("Formalisation d'une stratégie d'accompagnement à 360", [2025], "Formaliser"),
    ("Cadre d'échanges sur des situations problématiques concernant les 12/25 ans",
     [2025, 2026], "Créer"),
    ("Mise en œuvre de l'action « repérer pour mieux prévenir »", [2025], "Mettre en œuvre"),
    ("Médiation par les pairs sur les temps péri-éducatifs", [2027], "Développer"),
    ("Confortation du temps d' ateliers Ville dans le parcours global de l'enfant", [2026],
     "Conforter"),
]

# (indicator, territory, value, departmental reference) transcribed from the portrait.
SEED_FIGURES = [
    ("taux de couverture petite enfance (%)", "Les Moutiers-en-Retz", 41, 76),
    ("taux de couverture petite enfance (%)", "CA Pornic Agglo Pays de Retz", 76.9, 76.2),
    ("part assistantes maternelles 60 ans et plus (%)", "Pornic", 20, 11),
    ("part assistantes maternelles 60 ans et plus (%)", "La Bernerie-en-Retz", 20, 11),
    ("part assistantes maternelles 60 ans et plus (%)", "Saint-Michel-Chef-Chef", 20, 11),
    ("nombre de naissances", "CA Pornic Agglo Pays de Retz", 576, 16130),
    ("enfants 00-02 ans", "CA Pornic Agglo Pays de Retz", 1633, 43670),
    ("part enfants 0-2 ans avec parents biactifs ou monoparents actifs occupés (%)",
     "CA Pornic Agglo Pays de Retz", 74, 65),
    ("assistantes maternelles agréées", "CA Pornic Agglo Pays de Retz", 433, 8963),
    ("assistantes maternelles actives", "CA Pornic Agglo Pays de Retz", 295, 6474),
]


@pytest.fixture(scope="module")
def demo() -> Project:
    """The demo project, loaded once: tests only read it."""
    return demo_project()


def quantitative_evidence(project: Project) -> list[QuantitativeEvidence]:
    """Every figure cited as evidence by the project's stakes."""
    return [
        item
        for stake in project.stakes
        for item in stake.evidence
        if isinstance(item, QuantitativeEvidence)
    ]


def portrait_number(text: str) -> float:
    """Read a portrait figure: "1 633" → 1633, "76,9 %" → 76.9, "-24 %" → -24."""
    return float(text.replace("%", "").replace(" ", "").replace(",", "."))


def test_demo_file_is_packaged_and_its_text_is_the_loaded_project(demo: Project) -> None:
    assert DEMO_FILE.is_file()
    assert DEMO_FILE.parent.parent.name == "theory_of_change"
    text = demo_yaml()
    assert text.startswith("# Projet de démonstration")
    assert loads_project(text) == demo
    assert demo.territory.name == "CA Pornic Agglo Pays de Retz"


def test_each_call_returns_a_fresh_project_that_callers_may_edit() -> None:
    first = demo_project()
    first.title = "Modifié"
    assert demo_project().title != "Modifié"


def test_demo_survives_a_save_and_load_unchanged(demo: Project) -> None:
    assert loads_project(dumps_project(demo)) == demo


def test_territory_is_the_epci_of_the_fifteen_seed_communes(demo: Project) -> None:
    territory = demo.territory
    assert territory.kind == TerritoryKind.epci
    assert territory.early_childhood_competence == TerritoryKind.epci
    assert territory.department == "Loire-Atlantique"
    assert [c.name for c in territory.communes] == SEED_COMMUNES
    assert [slugify(c.name) for c in territory.communes] == [
        slugify(name) for name in PORTRAIT_COMMUNES
    ]
    assert all(c.population for c in territory.communes)
    pornic = next(c for c in territory.communes if c.name == "Pornic")
    assert 15_000 <= pornic.population <= 17_000
    # Over 10 000 inhabitants: the agglomeration has every SPPE duty.
    assert territory.total_population() > 10_000


def test_convention_and_signatories_follow_the_seed(demo: Project) -> None:
    assert (demo.convention.start_year, demo.convention.end_year) == (2025, 2029)
    assert "2025 - 2029" in demo.title
    names = [s.name for s in demo.signatories]
    assert any("Caisse d'allocations familiales de Loire-Atlantique" == n for n in names)
    assert any("Pornic Agglo" in n for n in names)
    assert any("Département" in n for n in names)


def test_themes_add_mobility_housing_and_digital_to_the_defaults(demo: Project) -> None:
    ids = [t.id for t in demo.themes]
    assert ids[:6] == [
        "petite-enfance", "enfance", "jeunesse", "parentalite", "acces-aux-droits",
        "animation-vie-sociale",
    ]
    assert {"mobilite", "habitat", "numerique"} <= set(ids)
    covered = {theme for activity in demo.activities for theme in activity.themes}
    assert covered == set(ids)


def test_vision_is_the_seed_text_opening_en_2037(demo: Project) -> None:
    assert demo.vision is not None
    text = demo.vision.text
    assert text.startswith("En 2037, nous, acteurs des 15 communes de Pornic agglo")
    assert "forces vives*" in text
    assert "permanents ou de passage" in text
    assert "attention particulière aux publics les plus vulnérables" in text
    assert demo.vision.horizon_year == 2037
    # The file must say that the opening was added to the seed's text.
    assert "ce préfixe est un AJOUT" in demo_yaml()


def test_twelve_changes_of_which_five_prioritised_ranked_one_to_five(demo: Project) -> None:
    assert len(demo.changes) == 12
    prioritised = [c for c in demo.changes if c.status == ChangeStatus.prioritised]
    assert sorted(c.priority_rank for c in prioritised) == [1, 2, 3, 4, 5]
    assert all(c.leads_to_vision and c.vision_hypothesis for c in prioritised)
    others = [c for c in demo.changes if c.status != ChangeStatus.prioritised]
    assert all(c.priority_rank is None and not c.leads_to_vision for c in others)
    assert any(c.status == ChangeStatus.set_aside for c in others)


def test_every_kept_change_lies_on_a_pathway_to_the_vision(demo: Project) -> None:
    found = pathways(demo)
    assert len(found) == 5
    on_pathways = {change for pathway in found for change in pathway.changes}
    kept = {c.id for c in demo.changes if c.status != ChangeStatus.set_aside}
    assert on_pathways == kept
    assert all(len(p.changes) >= 2 for p in found)
    for change in demo.changes:
        for link in change.preconditions:
            assert link.hypothesis and link.hypothesis.startswith("Si ")
            assert ", alors " in link.hypothesis


def test_every_kept_change_has_the_three_marker_levels(demo: Project) -> None:
    for change in demo.changes:
        levels = {m.level for m in demo.markers if m.change == change.id}
        if change.status == ChangeStatus.set_aside:
            assert levels == set()
        else:
            assert levels == set(MarkerLevel), change.id
    assert all(m.actor and m.indicator and m.target is not None for m in demo.markers)


def test_strategic_axes_are_the_seed_three_in_order(demo: Project) -> None:
    titles = [axis.title for axis in demo.sorted_axes()]
    assert titles[0].startswith("Faciliter la continuité des parcours (éducatifs, culturels")
    assert titles[1].startswith("Veiller à l'équité dans l'accès aux droits")
    assert titles[2] == "Décloisonner les réseaux et fédérer les acteurs autour de projets communs"
    assert [s.title for s in demo.sorted_axes()[0].sub_objectives] == [
        "Prendre en compte l'enfant dans sa globalité",
        "Construire un environnement favorable à l'épanouissement de l'enfant, du jeune",
    ]
    used_axes = {activity.axis for activity in demo.activities}
    assert used_axes == {axis.id for axis in demo.axes}


@pytest.mark.parametrize(("wording", "years", "verb"), SEED_ACTIONS)
def test_seed_example_action_exists_with_its_years(
    demo: Project, wording: str, years: list[int], verb: str
) -> None:
    matches = [a for a in demo.activities if wording in (a.sheet.description or "")]
    assert len(matches) == 1
    activity = matches[0]
    assert activity.years == years
    assert activity.title.startswith(verb)
    assert activity.axis == demo.sorted_axes()[0].id
    assert activity.contributes_to


def test_every_action_needing_a_sheet_has_a_complete_one(demo: Project) -> None:
    needing = [a for a in demo.activities if a.kind in KINDS_NEEDING_SHEET]
    assert len(needing) >= 3
    for activity in needing:
        sheet = activity.sheet
        missing = [name for name in SHEET_REQUIRED_FIELDS if not getattr(sheet, name)]
        assert missing == [], activity.id
        assert sheet.initial_diagnostic, activity.id
        assert sheet.target is not None, activity.id
        assert all(r.startswith("Nous aurons réussi si") for r in sheet.expected_results)


def test_some_actions_are_scoped_to_communes(demo: Project) -> None:
    micro_creche = demo.activity("act-micro-creche-sud")
    assert "les-moutiers-en-retz" in micro_creche.scope
    assert sum(1 for a in demo.activities if a.scope) >= 3
    assert any(not a.scope for a in demo.activities)


def test_sppe_rows_keep_the_portrait_unknowns_unknown(demo: Project) -> None:
    rows = demo.sppe.rows
    assert {row.structure_type for row in rows} == set(SppeStructureType)
    existing = [row for row in rows if row.projection != SppeProjection.creation]
    # The portrait's "XXX": unknown, never zero.
    assert all(row.current_places is None for row in existing)
    assert all(row.supported_places is None for row in existing)
    created = [row for row in rows if row.projection == SppeProjection.creation]
    assert [(r.commune, r.projection_places, r.projection_year) for r in created] == [
        ("les-moutiers-en-retz", 12, 2028)
    ]


def test_sppe_covers_every_duty_of_an_authority_over_ten_thousand(demo: Project) -> None:
    duties = {coverage.duty: coverage for coverage in demo.sppe.duties}
    assert set(duties) == set(SppeDuty)
    activity_ids = {a.id for a in demo.activities}
    assert all(c.activities and set(c.activities) <= activity_ids for c in duties.values())
    assert all(value for value in demo.sppe.extra.model_dump().values())


def test_governance_has_the_seed_three_circles_and_evaluation_two_reports(
    demo: Project,
) -> None:
    bodies = demo.governance.bodies
    assert [b.name for b in bodies] == [
        "Cercle de pilotage (conseil des maires)",
        "Cercle projet de territoire",
        "Cercle projet de territoire élargi",
    ]
    assert all(b.kind == "circle" and b.members and b.frequency for b in bodies)
    assert "Maires des 15 communes" in bodies[0].members
    officer = demo.governance.cooperation_officers[0]
    assert "Conduite des diagnostics territoriaux ou thématiques" in officer.missions
    evaluation = demo.evaluation
    assert evaluation.interim_report_year in demo.convention
    assert evaluation.final_report_year == demo.convention.end_year
    assert all([evaluation.continuous_follow_up, evaluation.annual_checkpoint,
                evaluation.mid_term_evaluation, evaluation.final_evaluation])
    assert all(f.caf_funding is None for f in demo.facilities)


@pytest.mark.parametrize(("indicator", "territory", "value", "reference"), SEED_FIGURES)
def test_portrait_figure_is_cited_with_its_departmental_reference(
    demo: Project, indicator: str, territory: str, value: float, reference: float
) -> None:
    matches = [
        e for e in quantitative_evidence(demo)
        if e.indicator == indicator and e.territory == territory
    ]
    assert [(e.value, e.reference, e.reference_territory) for e in matches] == [
        (value, reference, "Loire-Atlantique")
    ]


@pytest.mark.skipif(not PORTRAIT_DIR.is_dir(), reason="tables du portrait absentes")
def test_every_cited_figure_matches_the_portrait_tables(demo: Project) -> None:
    tables = {
        "tensions": PORTRAIT_DIR / "portrait-pornic-petite-enfance.csv",
        "synthèse": PORTRAIT_DIR / "synthese-petite-enfance.csv",
    }
    rows: dict[str, dict[str, dict[str, str]]] = {}
    for key, path in tables.items():
        with path.open(encoding="utf-8", newline="") as handle:
            rows[key] = {
                slugify(row["territoire"]): row for row in csv.DictReader(handle, delimiter=";")
            }
    figures = quantitative_evidence(demo)
    assert len(figures) >= 20
    for figure in figures:
        table = rows["tensions" if "tensions" in (figure.source or "") else "synthèse"]
        column = figure.indicator.removesuffix(" (%)")
        row = table[slugify(figure.territory or "")]
        assert figure.value == portrait_number(row[column]), (figure.territory, column)
        department = table[slugify(figure.reference_territory or "")]
        assert figure.reference == portrait_number(department[column]), column


def test_qualitative_evidence_says_who_spoke_and_that_it_is_illustrative(
    demo: Project,
) -> None:
    quotes = [e for s in demo.stakes for e in s.evidence if e.kind == "qualitative"]
    assert {q.group for q in quotes} == {"élus", "professionnels", "habitants"}
    assert all("illustrative" in (q.source or "") for q in quotes)


def test_notes_say_where_the_content_comes_from(demo: Project) -> None:
    assert demo.notes is not None
    assert "3 juin 2025" in demo.notes
    assert "inventés" in demo.notes
    assert "APPROXIMATIVES" in demo_yaml()


def test_demo_has_no_error_finding(demo: Project) -> None:
    findings = run_checks(demo)
    errors = [f"{f.rule}: {f.message}" for f in findings if f.severity == Severity.error]
    assert errors == []
    # What remains is only the SPPE figures the portrait leaves unknown.
    assert {f.rule for f in findings} <= {"sppe-row-incomplete"}
