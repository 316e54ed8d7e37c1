"""Import a portrait de territoire or a Caf open-data export into the diagnostic.

An import is all or nothing: :func:`import_bytes` either returns a complete
:class:`ImportResult` (figures, indicators, source and an :class:`ImportReport` of what
was recognised) or raises :class:`DiagnosticImportError` listing every problem in
French — a missing column, a text in a number column ("ligne 7, colonne « taux de
couverture petite enfance » : « abc » n'est pas un nombre"), an empty file… Every
rejected cell is fatal: a diagnostic built on a half-read table would mislead, so the
facilitator corrects the file (or maps the column to ``ignorer``) and imports again.

Missing or secret values ("XXX", "XX", "s", empty) are stored as ``None``, never zero;
rates above 100 % are kept (a small commune served by its neighbours).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from theory_of_change.model import Project
from theory_of_change.slugs import slugify

from .mapping import IGNORE, ColumnMapping
from .model import (
    Diagnostic,
    DiagnosticSource,
    Indicator,
    IndicatorUnit,
    TerritoryFigures,
    TerritoryLevel,
    level_label,
)
from .numbers import NumberError, is_missing_marker, parse_number, parse_year
from .opendata import ROLE_HEADINGS, is_opendata, opendata_indicator, row_territory
from .reading import ENCODING_LABELS, Cell, Percent, RawTable, ReadError, read_table
from .territories import display_label, guess_level, normalise, parse_level, territory_key

MAX_LISTED_PROBLEMS = 40
_HEADER_SEARCH_ROWS = 20


class DiagnosticImportError(Exception):
    """An import that failed, with every problem found (French); nothing was imported."""

    def __init__(self, file_name: str, problems: list[str]) -> None:
        self.file_name = file_name
        self.problems = problems
        super().__init__(self.message())

    def message(self) -> str:
        """The French message: a summary line, then one line per problem."""
        count = len(self.problems)
        plural = "s" if count > 1 else ""
        lines = [
            f"Import de « {self.file_name} » impossible ({count} problème{plural}) : "
            "rien n'a été importé."
        ]
        lines += [f"- {problem}" for problem in self.problems[:MAX_LISTED_PROBLEMS]]
        if count > MAX_LISTED_PROBLEMS:
            lines.append(f"- … et {count - MAX_LISTED_PROBLEMS} autres problèmes.")
        return "\n".join(lines)


class MappedColumn(BaseModel):
    """A file column the import recognised, and the indicator it feeds."""

    heading: str
    indicator: str
    label: str
    unit: IndicatorUnit


class ImportReport(BaseModel):
    """What an import recognised, for the facilitator to check."""

    file_name: str
    format: str
    layout: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = Field(default_factory=list)
    header_row: int
    identity: list[str] = Field(
        default_factory=list, description="Headings naming the territory, level, code, year."
    )
    columns: list[MappedColumn] = Field(default_factory=list)
    ignored: list[str] = Field(default_factory=list)
    rows_per_level: dict[TerritoryLevel, int] = Field(default_factory=dict)
    years: list[int] = Field(default_factory=list)
    missing_values: int = 0
    level_deduced: bool = False
    notes: list[str] = Field(default_factory=list)

    @property
    def rows(self) -> int:
        """How many territory rows were imported."""
        return sum(self.rows_per_level.values())

    def lines(self) -> list[str]:
        """The report in French, one line per fact."""
        how = self.format
        if self.delimiter:
            shown = "tabulation" if self.delimiter == "\t" else self.delimiter
            how += f", séparateur « {shown} »"
        if self.encoding:
            how += f", encodage {ENCODING_LABELS.get(self.encoding, self.encoding)}"
        if self.sheet:
            how += f", feuille « {self.sheet} »"
        layout = "export open data Caf" if self.layout == "opendata" else "portrait de territoire"
        lines = [
            f"Fichier « {self.file_name} » ({how}) — {layout}, en-tête ligne {self.header_row}."
        ]
        if self.identity:
            named = ", ".join(f"« {heading} »" for heading in self.identity)
            lines.append(f"Colonnes d'identification des territoires : {named}")
        lines.append(f"Colonnes d'indicateurs reconnues ({len(self.columns)}) :")
        for column in self.columns:
            unit = "%" if column.unit is IndicatorUnit.percent else "nombre"
            lines.append(f"  « {column.heading} » → {column.label} ({unit})")
        if self.ignored:
            ignored = ", ".join(f"« {heading} »" for heading in self.ignored)
            lines.append(f"Colonnes ignorées ({len(self.ignored)}) : {ignored}")
        per_level = ", ".join(
            f"{count} {_plural_level(level, count)}" for level, count in self.rows_per_level.items()
        )
        lines.append(f"Territoires importés : {self.rows} ({per_level})")
        years = ", ".join(map(str, self.years)) if self.years else "non précisée"
        lines.append(f"Année{'s' if len(self.years) > 1 else ''} : {years}")
        if self.missing_values:
            lines.append(
                f"Valeurs manquantes ou secrètes (XXX, vide…) : {self.missing_values}, "
                "gardées comme manquantes (jamais comptées zéro)."
            )
        if self.level_deduced:
            lines.append("Pas de colonne « niveau » : niveau déduit du nom de chaque territoire.")
        lines += self.notes
        return lines

    def text(self) -> str:
        """The report as one French text."""
        return "\n".join(self.lines())


@dataclass
class ImportResult:
    """A complete import: ready to merge into a diagnostic."""

    indicators: list[Indicator]
    figures: list[TerritoryFigures]
    source: DiagnosticSource
    report: ImportReport


@dataclass
class _Columns:
    """Where each role and indicator sits in the table (column indexes)."""

    roles: dict[str, int] = field(default_factory=dict)
    indicators: list[tuple[int, str, Indicator]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


# Public API ------------------------------------------------------------------------------


def import_file(
    path: Path,
    *,
    sheet: str | None = None,
    mapping: ColumnMapping | None = None,
    year: int | None = None,
    known_names: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Import a CSV or XLSX file from disk (see :func:`import_bytes`)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DiagnosticImportError(path.name, [_os_reason(error, path)]) from error
    return import_bytes(
        data, path.name, sheet=sheet, mapping=mapping, year=year, known_names=known_names, now=now
    )


def import_bytes(
    data: bytes,
    file_name: str,
    *,
    sheet: str | None = None,
    mapping: ColumnMapping | None = None,
    year: int | None = None,
    known_names: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Import the bytes of a CSV or XLSX file.

    ``sheet`` chooses a workbook's sheet, ``mapping`` adjusts the column mapping,
    ``year`` dates a table that has no year column, ``known_names`` (slug of a name →
    name, e.g. the project's communes) gives territories their proper spelling.
    Raises :class:`DiagnosticImportError` with every problem; never returns half a table.
    """
    if not data.strip():
        raise DiagnosticImportError(file_name, ["le fichier est vide"])
    try:
        table = read_table(data, file_name, sheet)
    except ReadError as error:
        raise DiagnosticImportError(file_name, [str(error)]) from error
    return import_table(table, mapping=mapping, year=year, known_names=known_names, now=now)


def import_table(
    table: RawTable,
    *,
    mapping: ColumnMapping | None = None,
    year: int | None = None,
    known_names: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Interpret rows already read (see :func:`import_bytes`)."""
    mapping = mapping or ColumnMapping()
    if not table.rows:
        raise DiagnosticImportError(table.file_name, ["le fichier est vide : aucune ligne"])
    header_index = _find_header(table.rows, mapping)
    header_row, header_cells = table.rows[header_index]
    headings = [_heading(cell) for cell in header_cells]
    layout = "opendata" if is_opendata({normalise(h) for h in headings if h}) else "portrait"
    problems: list[str] = []
    columns = _resolve_columns(headings, header_row, layout, mapping, problems)
    data_rows = table.rows[header_index + 1 :]
    if not problems and not data_rows:
        problems.append(
            f"le fichier ne contient que la ligne d'en-tête (ligne {header_row}) : "
            "aucune donnée à importer"
        )
    if problems:
        raise DiagnosticImportError(table.file_name, problems)

    if table.format == "CSV":
        # A spreadsheet pads short rows; a CSV row with fewer values was cut or misquoted.
        width = max((i + 1 for i, heading in enumerate(headings) if heading), default=0)
        problems += [
            f"ligne {number} : {len(cells)} valeur{'s' if len(cells) > 1 else ''} pour "
            f"{width} colonnes d'en-tête (séparateur ou guillemets mal placés ?)"
            for number, cells in data_rows
            if len(cells) < width
        ]
    figures, missing, level_deduced = _read_rows(
        table.file_name, data_rows, headings, columns, layout, year, known_names or {}, problems
    )
    if problems:
        raise DiagnosticImportError(table.file_name, problems)

    indicators = [indicator for _, _, indicator in columns.indicators]
    years = sorted({row.year for row in figures if row.year is not None})
    now = now or dt.datetime.now().replace(microsecond=0)
    source = DiagnosticSource(
        file_name=table.file_name,
        imported_at=now,
        layout=layout,  # type: ignore[arg-type]
        sheet=table.sheet,
        rows=len(figures),
        years=years,
    )
    per_level = Counter(row.level for row in figures)
    report = ImportReport(
        file_name=table.file_name,
        format=table.format,
        layout=layout,
        encoding=table.encoding,
        delimiter=table.delimiter,
        sheet=table.sheet,
        sheets=table.sheets,
        header_row=header_row,
        identity=[headings[index] for index in sorted(columns.roles.values())],
        columns=[
            MappedColumn(heading=heading, indicator=ind.id, label=ind.label, unit=ind.unit)
            for _, heading, ind in columns.indicators
        ],
        ignored=columns.ignored,
        rows_per_level={level: per_level[level] for level in TerritoryLevel if per_level[level]},
        years=years,
        missing_values=missing,
        level_deduced=level_deduced,
    )
    return ImportResult(indicators=indicators, figures=figures, source=source, report=report)


def merge_import(
    diagnostic: Diagnostic, result: ImportResult, *, replace: bool = False
) -> tuple[Diagnostic, int]:
    """A new diagnostic with the import's figures added; also how many values changed.

    A territory and year already present gets the new known values; a value the new
    file gives as missing never erases a known one. ``replace`` starts from an empty
    set of figures (quotes and settings are kept).
    """
    indicators = {} if replace else {i.id: i for i in diagnostic.indicators}
    for indicator in result.indicators:
        previous = indicators.get(indicator.id)
        if previous is not None and previous.unit is not indicator.unit:
            raise DiagnosticImportError(
                result.source.file_name,
                [
                    f"l'indicateur « {previous.label} » est déjà importé "
                    f"{_unit_words(previous.unit)} ; ce fichier le donne "
                    f"{_unit_words(indicator.unit)}"
                ],
            )
        indicators[indicator.id] = indicator
    rows = {} if replace else {(row.territory, row.year): row for row in diagnostic.figures}
    changed = 0
    for row in result.figures:
        key = (row.territory, row.year)
        previous_row = rows.get(key)
        if previous_row is None:
            rows[key] = row
            continue
        values = dict(previous_row.values)
        for indicator_id, value in row.values.items():
            if value is None and values.get(indicator_id) is not None:
                continue
            if indicator_id in values and values[indicator_id] != value:
                changed += 1
            values[indicator_id] = value
        sources = previous_row.sources + [s for s in row.sources if s not in previous_row.sources]
        rows[key] = previous_row.model_copy(
            update={
                "values": values,
                "sources": sources,
                "code": previous_row.code or row.code,
                "epci_code": previous_row.epci_code or row.epci_code,
                "department_code": previous_row.department_code or row.department_code,
            }
        )
    merged = Diagnostic(
        indicators=list(indicators.values()),
        figures=list(rows.values()),
        sources=([] if replace else list(diagnostic.sources)) + [result.source],
        quotes=list(diagnostic.quotes),
        settings=diagnostic.settings,
        dismissed_drafts=list(diagnostic.dismissed_drafts),
    )
    return merged, changed


def project_names(project: Project) -> dict[str, str]:
    """The project's territory and commune names by slug, to spell imported names properly."""
    names = {slugify(project.territory.name): project.territory.name}
    names.update({slugify(c.name): c.name for c in project.territory.communes})
    return names


def import_into_project(
    project: Project, result: ImportResult, *, replace: bool = False
) -> tuple[Project, int]:
    """A new project whose diagnostic holds the import (the given one is not changed)."""
    diagnostic, changed = merge_import(project.diagnostic, result, replace=replace)
    if changed:
        result.report.notes.append(
            f"{changed} valeur{'s' if changed > 1 else ''} déjà importée"
            f"{'s' if changed > 1 else ''} remplacée{'s' if changed > 1 else ''} "
            "par celles de ce fichier."
        )
    return project.model_copy(update={"diagnostic": diagnostic}), changed


def _os_reason(error: OSError, path: Path) -> str:
    if isinstance(error, FileNotFoundError):
        return f"fichier introuvable : « {path} »"
    if isinstance(error, IsADirectoryError):
        return f"« {path} » est un dossier, pas un fichier"
    if isinstance(error, PermissionError):
        return f"vous n'avez pas le droit de lire « {path} »"
    return f"impossible de lire « {path} » ({error.strerror or error})"


# Header and columns ----------------------------------------------------------------------


def _heading(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())


def _find_header(rows: list[tuple[int, list[Cell]]], mapping: ColumnMapping) -> int:
    """The index of the heading row: the first that names the territory, else the first."""
    territory = mapping.role_headings("territory") | set(ROLE_HEADINGS)
    for index, (_, cells) in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        if any(normalise(_heading(cell)) in territory for cell in cells):
            return index
    return 0


def _resolve_columns(
    headings: list[str],
    header_row: int,
    layout: str,
    mapping: ColumnMapping,
    problems: list[str],
) -> _Columns:
    columns = _Columns()
    heading_map = mapping.heading_map()
    known = mapping.known_indicators()
    roles = {
        normalise(h): role
        for role in ("territory", "level", "code", "year")
        for h in mapping.role_headings(role)
    }
    if layout == "opendata":
        roles = {**{k: v for k, v in roles.items() if v == "year"}, **ROLE_HEADINGS}
    seen: dict[str, int] = {}
    fed_by: dict[str, str] = {}
    for index, heading in enumerate(headings):
        key = normalise(heading)
        if not key:
            continue
        if key in seen:
            problems.append(
                f"ligne {header_row} : la colonne « {heading} » apparaît deux fois "
                f"(colonnes n° {seen[key] + 1} et {index + 1})"
            )
            continue
        seen[key] = index
        target = heading_map.get(key)
        if target is not None and normalise(target) == IGNORE:
            columns.ignored.append(heading)
            continue
        if target is None and key in roles:
            role = roles[key]
            if role not in columns.roles:
                columns.roles[role] = index
            else:
                columns.ignored.append(heading)
            continue
        indicator = known.get(target) if target else opendata_indicator(key, heading)
        if indicator is None:
            columns.ignored.append(heading)
            continue
        if indicator.id in fed_by:
            problems.append(
                f"ligne {header_row} : les colonnes « {fed_by[indicator.id]} » et « {heading} » "
                f"donnent toutes deux l'indicateur « {indicator.label} » ; indiquez « ignorer » "
                "pour l'une d'elles dans la correspondance"
            )
            continue
        fed_by[indicator.id] = heading
        columns.indicators.append((index, heading, indicator))

    present = set(seen)
    for wanted in mapping.columns:
        if normalise(wanted) not in present:
            problems.append(
                f"ligne {header_row} : colonne « {wanted} » (indiquée dans la correspondance) "
                f"absente du fichier ; colonnes présentes : {_listed(headings)}"
            )
    if layout == "portrait" and "territory" not in columns.roles:
        problems.append(
            f"ligne {header_row} : colonne « territoire » introuvable (le nom de chaque "
            f"territoire) ; colonnes présentes : {_listed(headings)}. Renommez la colonne ou "
            "indiquez-la sous « territoire » dans la correspondance."
        )
    if not columns.indicators and not problems:
        problems.append(
            f"ligne {header_row} : aucune colonne d'indicateur reconnue parmi "
            f"{_listed(headings)} ; associez les colonnes à des indicateurs dans la "
            "correspondance (--mapping)"
        )
    return columns


def _listed(headings: list[str]) -> str:
    return ", ".join(f"« {h} »" for h in headings if h) or "aucune"


# Rows ------------------------------------------------------------------------------------


def _read_rows(
    file_name: str,
    rows: list[tuple[int, list[Cell]]],
    headings: list[str],
    columns: _Columns,
    layout: str,
    default_year: int | None,
    known_names: Mapping[str, str],
    problems: list[str],
) -> tuple[list[TerritoryFigures], int, bool]:
    figures: list[tuple[int, dict[str, object]]] = []
    first_seen: dict[tuple[str, str | None, int | None], int] = {}
    codes_by_key: dict[str, set[str | None]] = {}
    missing = 0
    level_deduced = layout == "portrait" and "level" not in columns.roles
    width = len(headings)
    for number, cells in rows:
        extra = [cell for cell in cells[width:] if _text(cell)]
        if extra:
            problems.append(
                f"ligne {number} : {len(cells)} valeurs pour {width} colonnes d'en-tête "
                "(séparateur ou guillemets mal placés ?)"
            )
            continue
        where = _Where(number, headings, problems)
        territory = _row_territory(cells, columns, layout, where)
        row_year = _row_year(cells, columns, default_year, where)
        values: dict[str, int | float | None] = {}
        for index, heading, indicator in columns.indicators:
            cell = cells[index] if index < len(cells) else None
            try:
                value = _cell_value(cell, indicator.unit)
            except NumberError as error:
                problems.append(f"ligne {number}, colonne « {heading} » : {error}")
                continue
            if value is None:
                missing += 1
            values[indicator.id] = value
        if territory is None:
            continue
        level, name, code, epci_code, department_code = territory
        key = territory_key(level, name)
        if (key, code, row_year) in first_seen:
            year_text = f" pour {row_year}" if row_year else ""
            problems.append(
                f"ligne {number} : « {name} » ({level_label(level)}){year_text} figure déjà "
                f"ligne {first_seen[(key, code, row_year)]}"
            )
            continue
        first_seen[(key, code, row_year)] = number
        codes_by_key.setdefault(key, set()).add(code)
        figures.append(
            (
                number,
                {
                    "territory": key,
                    "name": name,
                    "label": display_label(name, level, known_names),
                    "level": level,
                    "code": code,
                    "epci_code": epci_code,
                    "department_code": department_code,
                    "year": row_year,
                    "values": values,
                    "sources": [file_name],
                },
            )
        )
    if problems:
        return [], missing, level_deduced
    # Homonyms (Saint-Denis in several departments) are told apart by their code.
    homonyms = {key for key, codes in codes_by_key.items() if len(codes) > 1}
    for _, row in figures:
        if row["territory"] in homonyms and row["code"]:
            row["territory"] = f"{row['territory']}-{slugify(str(row['code']))}"
            row["label"] = f"{row['label']} ({row['code']})"
    validated: list[TerritoryFigures] = []
    for number, row in figures:
        try:
            validated.append(TerritoryFigures.model_validate(row))
        except ValidationError as error:
            reasons = "; ".join(item["msg"] for item in error.errors())
            problems.append(f"ligne {number} : ligne refusée ({reasons})")
    return validated, missing, level_deduced


@dataclass
class _Where:
    """Where a row is, to word its problems."""

    number: int
    headings: list[str]
    problems: list[str]

    def problem(self, index: int, reason: str) -> None:
        self.problems.append(f"ligne {self.number}, colonne « {self.headings[index]} » : {reason}")


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime | dt.date | dt.time):
        return cell.isoformat()
    return str(cell).strip()


def _row_territory(
    cells: list[Cell], columns: _Columns, layout: str, where: _Where
) -> tuple[TerritoryLevel, str, str | None, str | None, str | None] | None:
    def cell(role: str) -> str:
        index = columns.roles.get(role)
        return _text(cells[index]) if index is not None and index < len(cells) else ""

    if layout == "opendata":
        found = row_territory({role: cell(role) for role in set(ROLE_HEADINGS.values())})
        if found is None:
            where.problems.append(
                f"ligne {where.number} : aucun territoire (colonnes nomcom, nomepci, nomdep "
                "et leurs codes vides)"
            )
            return None
        return (found.level, found.name, found.code, found.epci_code, found.department_code)

    index = columns.roles["territory"]
    name = cell("territory")
    if not name or is_missing_marker(name):
        where.problem(index, "nom du territoire manquant")
        return None
    level_text = cell("level")
    if "level" in columns.roles and level_text:
        level = parse_level(level_text)
        if level is None:
            where.problem(
                columns.roles["level"],
                f"« {level_text} » n'est pas un niveau connu "
                "(commune, EPCI, département, région, France)",
            )
            return None
    else:
        level = guess_level(name)
    code = cell("code") or None
    return (level, name, code, None, None)


def _row_year(
    cells: list[Cell], columns: _Columns, default_year: int | None, where: _Where
) -> int | None:
    index = columns.roles.get("year")
    if index is None or index >= len(cells):
        return default_year
    cell = cells[index]
    try:
        year = parse_year(_text(cell))
    except NumberError as error:
        where.problem(index, str(error))
        return None
    return year if year is not None else default_year


def _cell_value(cell: Cell, unit: IndicatorUnit) -> int | float | None:
    """The number of a cell for an indicator of this unit; ``None`` when missing."""
    if type(cell) is str:
        # The common case first: CSV cells are always text.
        parsed = parse_number(cell)
        if parsed is None:
            return None
        if parsed.percent and unit is IndicatorUnit.count:
            raise NumberError(
                f"« {cell.strip()} » est un pourcentage alors que la colonne attend un nombre"
            )
        return parsed.value
    if cell is None:
        return None
    if isinstance(cell, bool):
        raise NumberError(f"« {'VRAI' if cell else 'FAUX'} » n'est pas un nombre")
    if isinstance(cell, dt.datetime | dt.date | dt.time):
        raise NumberError(f"« {cell.isoformat()} » est une date, pas un nombre")
    if isinstance(cell, Percent):
        if unit is IndicatorUnit.count:
            raise NumberError(
                f"« {_tidy(float(cell))} % » est un pourcentage alors que la colonne attend "
                "un nombre"
            )
        return _tidy(float(cell))
    if isinstance(cell, int | float):
        return _tidy(cell)
    return _cell_value(str(cell), unit)


def _tidy(value: int | float) -> int | float:
    # Whole numbers stay integers so that the project file reads "41", not "41.0".
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _unit_words(unit: IndicatorUnit) -> str:
    return "en pourcentage" if unit is IndicatorUnit.percent else "en nombre"


def _plural_level(level: TerritoryLevel, count: int) -> str:
    label = level_label(level)
    if count > 1 and level in (
        TerritoryLevel.commune,
        TerritoryLevel.department,
        TerritoryLevel.region,
    ):
        return label + "s"
    return label
