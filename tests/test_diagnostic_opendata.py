"""Caf open-data exports: levels from their columns, several years, coverage trends."""

from __future__ import annotations

import pytest
from factories import DIAGNOSTIC_FILES, make_project

from theory_of_change.diagnostic.importer import (
    DiagnosticImportError,
    import_bytes,
    import_file,
    import_into_project,
)
from theory_of_change.diagnostic.model import TerritoryLevel
from theory_of_change.diagnostic.tensions import TensionKind, find_tensions

OPEN_DATA = DIAGNOSTIC_FILES / "opendata-deux-annees.csv"


def test_open_data_rows_take_their_level_codes_and_years_from_the_columns() -> None:
    result = import_file(OPEN_DATA)
    report = result.report
    assert report.layout == "opendata"
    assert report.delimiter == ","
    assert report.years == [2021, 2022]
    assert report.rows_per_level == {TerritoryLevel.commune: 6, TerritoryLevel.department: 4}
    assert [(c.heading, c.indicator) for c in report.columns] == [
        ("txcouv_com", "taux-couverture"),
        ("txcouv_eaje_com", "taux-couverture-eaje"),
        ("pl_am_com", "places-assmat"),
    ]
    assert report.ignored == ["nbenf_moins3"]
    moutiers = [row for row in result.figures if row.code == "44106"]
    assert [(row.year, row.values["taux-couverture"]) for row in moutiers] == [
        (2021, 47.5),
        (2022, 41.0),
    ]
    assert moutiers[0].values["taux-couverture-eaje"] is None
    assert moutiers[0].epci_code == "200067866"
    assert moutiers[0].department_code == "44"
    department = next(r for r in result.figures if r.level is TerritoryLevel.department)
    assert (department.name, department.code, department.epci_code) == (
        "Loire-Atlantique",
        "44",
        None,
    )


def test_a_coverage_falling_every_year_is_a_tension_with_both_years() -> None:
    project, _ = import_into_project(make_project(), import_file(OPEN_DATA))
    report = find_tensions(project.diagnostic)
    falling = report.of_kind(TensionKind.coverage_falling)
    assert [t.territory_label for t in falling] == ["Les Moutiers-en-Retz"]
    assert (falling[0].value, falling[0].reference, falling[0].year) == (41.0, 47.5, 2022)
    assert "47,5\u00a0% en 2021, 41\u00a0% en 2022" in falling[0].message
    assert "6,5\u00a0points de moins" in falling[0].message
    # Pornic lost 0.7 point: under the 2-point threshold, no tension.
    assert TensionKind.coverage_falling not in report.commune("Pornic").kinds()


def test_each_commune_is_compared_with_its_own_department_for_the_same_year() -> None:
    project, _ = import_into_project(make_project(), import_file(OPEN_DATA))
    report = find_tensions(project.diagnostic)
    below = {t.territory_label: t for t in report.of_kind(TensionKind.coverage_below_reference)}
    assert set(below) == {"Les Moutiers-en-Retz", "Les Sables-d'Olonne"}
    assert (
        below["Les Moutiers-en-Retz"].reference,
        below["Les Moutiers-en-Retz"].reference_label,
    ) == (
        76.2,
        "Loire-Atlantique",
    )
    assert (
        below["Les Sables-d'Olonne"].reference,
        below["Les Sables-d'Olonne"].reference_label,
    ) == (
        86.0,
        "Vendée",
    )
    assert below["Les Sables-d'Olonne"].year == 2022


def test_an_epci_open_data_file_is_read_at_the_epci_level() -> None:
    data = (
        b"numepci;nomepci;numdep;nomdep;annee;txcouv_epci;pl_eaje_epci\n"
        b"200067866;CA Pornic Agglo Pays de Retz;44;Loire-Atlantique;2022;76,9;312\n"
    )
    result = import_bytes(data, "txcouv_pe_epci.csv")
    row = result.figures[0]
    assert (row.level, row.code, row.department_code) == (TerritoryLevel.epci, "200067866", "44")
    assert row.values == {"taux-couverture": 76.9, "places-eaje": 312}


def test_homonym_communes_of_a_national_file_are_told_apart_by_their_code() -> None:
    data = (
        b"numcom;nomcom;numdep;nomdep;annee;txcouv_com\n"
        b"93066;Saint-Denis;93;Seine-Saint-Denis;2022;30,5\n"
        b"97411;Saint-Denis;974;La R\xc3\xa9union;2022;41,2\n"
        b"93066;Saint-Denis;93;Seine-Saint-Denis;2022;31\n"
    )
    with pytest.raises(DiagnosticImportError) as error:
        import_bytes(data, "national.csv")
    assert error.value.problems == [
        "ligne 4 : « Saint-Denis » (commune) pour 2022 figure déjà ligne 2"
    ]
    result = import_bytes(data.rsplit(b"\n", 2)[0] + b"\n", "national.csv")
    assert sorted((row.territory, row.label) for row in result.figures) == [
        ("commune-saint-denis-93066", "Saint-Denis (93066)"),
        ("commune-saint-denis-97411", "Saint-Denis (97411)"),
    ]
