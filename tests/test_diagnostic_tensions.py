"""The tensions one reads off the seed's portrait, with their figures and adjustable rules."""

from __future__ import annotations

import pytest
from factories import make_diagnostic_project

from theory_of_change.diagnostic.importer import import_bytes, merge_import
from theory_of_change.diagnostic.model import Diagnostic, TerritoryLevel
from theory_of_change.diagnostic.settings import TensionSettings
from theory_of_change.diagnostic.tensions import TensionKind, TensionReport, find_tensions


@pytest.fixture(scope="module")
def seed_report() -> TensionReport:
    return find_tensions(make_diagnostic_project().diagnostic)


def _labels(report: TensionReport, kind: TensionKind) -> set[str]:
    return {tension.territory_label for tension in report.of_kind(kind)}


def test_low_coverage_communes_are_flagged_against_the_department(
    seed_report: TensionReport,
) -> None:
    below = {
        t.territory_label: t for t in seed_report.of_kind(TensionKind.coverage_below_reference)
    }
    assert {"Les Moutiers-en-Retz", "La Plaine-sur-Mer"} <= set(below)
    moutiers = below["Les Moutiers-en-Retz"]
    assert (moutiers.value, moutiers.reference, moutiers.reference_label, moutiers.threshold) == (
        41,
        76,
        "Loire-Atlantique",
        10,
    )
    assert moutiers.message == (
        "Les Moutiers-en-Retz : taux de couverture petite enfance de 41\u00a0%, 35\u00a0points "
        "sous Loire-Atlantique (76\u00a0%) ; alerte au-delà de 10\u00a0points d'écart."
    )
    assert below["La Plaine-sur-Mer"].value == 57
    # Exactly 10 points under (Villeneuve-en-Retz, 66 %) is not "more than 10 points".
    assert "Villeneuve-en-Retz" not in below
    assert _labels(seed_report, TensionKind.coverage_below_floor) == {
        "Les Moutiers-en-Retz",
        "La Plaine-sur-Mer",
    }


def test_prefailles_above_100_percent_is_not_a_zone_of_insufficient_provision(
    seed_report: TensionReport,
) -> None:
    prefailles = seed_report.commune("commune-prefailles")
    assert not any(t.insufficient_provision for t in prefailles.tensions)
    zones = {zone.label for zone in seed_report.insufficient_provision_zones()}
    assert "Les Moutiers-en-Retz" in zones
    assert prefailles.label not in zones


def test_childminder_retirements_where_the_share_of_60_plus_is_about_twice_the_department(
    seed_report: TensionReport,
) -> None:
    ageing = seed_report.of_kind(TensionKind.childminders_ageing)
    assert {t.territory_label for t in ageing} == {
        "Pornic",
        "La Bernerie-en-Retz",
        "Saint-Michel-Chef-Chef",
    }
    assert {(t.value, t.reference) for t in ageing} == {(20, 11)}
    assert "1,8 fois celle de Loire-Atlantique (11\u00a0%)" in ageing[0].message


def test_young_children_trends_and_working_parents_use_their_thresholds(
    seed_report: TensionReport,
) -> None:
    assert _labels(seed_report, TensionKind.young_children_rising) == {
        "Chaumes-en-Retz",
        "Saint-Michel-Chef-Chef",
        "Vue",
    }
    assert _labels(seed_report, TensionKind.young_children_falling) == {
        "La Plaine-sur-Mer",
        "Les Moutiers-en-Retz",
        "Prefailles",
        "Sainte-Pazanne",
    }
    assert _labels(seed_report, TensionKind.working_parents_high) == {
        "Chauve",
        "Cheix-en-Retz",
        "Prefailles",
        "Vue",
    }
    assert seed_report.notes == []


def test_adjusted_settings_change_the_result() -> None:
    diagnostic = make_diagnostic_project().diagnostic
    strict = find_tensions(diagnostic, TensionSettings(coverage_gap_points=20))
    assert _labels(strict, TensionKind.coverage_below_reference) == {"Les Moutiers-en-Retz"}
    against_epci = find_tensions(
        diagnostic, TensionSettings(reference_level=TerritoryLevel.epci, childminders_ratio=2)
    )
    moutiers = against_epci.of_kind(TensionKind.coverage_below_reference)[0]
    assert moutiers.reference_label == "CA PORNIC AGGLO PAYS DE RETZ"
    assert moutiers.reference == 77
    assert _labels(against_epci, TensionKind.childminders_ageing) == {
        "Pornic",
        "La Bernerie-en-Retz",
        "Saint-Michel-Chef-Chef",
    }
    # The project's own settings are used by default.
    tuned = diagnostic.model_copy(update={"settings": TensionSettings(coverage_floor_percent=45)})
    assert _labels(find_tensions(tuned), TensionKind.coverage_below_floor) == {
        "Les Moutiers-en-Retz"
    }


def _diagnostic(csv_text: str) -> Diagnostic:
    diagnostic, _ = merge_import(Diagnostic(), import_bytes(csv_text.encode(), "t.csv"))
    return diagnostic


def test_a_missing_value_triggers_nothing_and_a_missing_department_falls_back_to_the_epci() -> None:
    diagnostic = _diagnostic(
        "niveau;territoire;taux de couverture petite enfance\n"
        "commune;PORNIC;XXX\ncommune;VUE;50 %\nepci;CA PORNIC AGGLO;77 %\n"
    )
    report = find_tensions(diagnostic)
    assert report.commune("Pornic").tensions == []
    vue = report.commune("Vue")
    assert vue.kinds() == {TensionKind.coverage_below_reference, TensionKind.coverage_below_floor}
    assert vue.tensions[0].reference_label == "CA PORNIC AGGLO"
    assert (
        "Aucun département dans les données : chaque commune est comparée à son EPCI."
        in report.notes
    )
    assert any("« part-assmat-60-ans-et-plus » absent" in note for note in report.notes)


def test_without_any_reference_only_fixed_thresholds_apply() -> None:
    report = find_tensions(
        _diagnostic("territoire;taux de couverture petite enfance\nVUE;50 %\nPORNIC;98 %\n")
    )
    assert report.commune("Vue").kinds() == {TensionKind.coverage_below_floor}
    assert "seules les règles à seuil fixe" in report.notes[-1]
