"""Fast lookups in a diagnostic's figures: series per territory, references, latest values.

A diagnostic may hold thousands of rows (a department's communes over several years);
the tension rules and the exports ask many questions of it, so the rows are indexed
once here rather than scanned for each question.
"""

from __future__ import annotations

from collections import defaultdict

from .model import Diagnostic, TerritoryFigures, TerritoryLevel, year_order

Number = int | float


class FigureTable:
    """An index of a diagnostic's figures by territory (rows oldest year first)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic
        rows: dict[str, list[TerritoryFigures]] = defaultdict(list)
        for row in diagnostic.figures:
            rows[row.territory].append(row)
        self._rows = {
            key: sorted(found, key=lambda r: year_order(r.year)) for key, found in rows.items()
        }
        self._by_level: dict[TerritoryLevel, list[TerritoryFigures]] = defaultdict(list)
        for found in self._rows.values():
            self._by_level[found[-1].level].append(found[-1])
        for found in self._by_level.values():
            found.sort(key=lambda row: (row.label.casefold(), row.territory))

    def territories(self, level: TerritoryLevel) -> list[TerritoryFigures]:
        """The latest row of each territory of a level, sorted by label."""
        return list(self._by_level.get(level, []))

    def row(self, territory: str) -> TerritoryFigures | None:
        """The latest row of a territory."""
        found = self._rows.get(territory)
        return found[-1] if found else None

    def series(self, territory: str, indicator: str) -> list[tuple[int | None, Number]]:
        """The known values of an indicator for a territory, oldest year first."""
        points: list[tuple[int | None, Number]] = []
        for row in self._rows.get(territory, []):
            value = row.values.get(indicator)
            if value is not None:
                points.append((row.year, value))
        return points

    def latest(self, territory: str, indicator: str) -> tuple[int | None, Number] | None:
        """The most recent known value of an indicator for a territory, with its year."""
        points = self.series(territory, indicator)
        return points[-1] if points else None

    def value_at(self, territory: str, indicator: str, year: int | None) -> Number | None:
        """The value of an indicator for a territory in one year, else ``None``."""
        for row in self._rows.get(territory, []):
            if row.year == year:
                return row.values.get(indicator)
        return None

    def reference_value(
        self, territory: str, indicator: str, year: int | None
    ) -> tuple[int | None, Number] | None:
        """A reference's value for the same year when known, else its latest one."""
        same_year = self.value_at(territory, indicator, year)
        if same_year is not None:
            return year, same_year
        return self.latest(territory, indicator)

    def reference_for(
        self, commune: TerritoryFigures, level: TerritoryLevel
    ) -> TerritoryFigures | None:
        """The commune's department or EPCI row: matched on its code, else the only one."""
        candidates = self._by_level.get(level, [])
        parent_code = (
            commune.department_code if level is TerritoryLevel.department else commune.epci_code
        )
        if parent_code:
            # A commune that names its parent is never compared with another territory.
            return next((c for c in candidates if c.code == parent_code), None)
        if len(candidates) == 1:
            return candidates[0]
        return None
