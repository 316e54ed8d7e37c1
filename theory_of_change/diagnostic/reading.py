"""Read a CSV or XLSX file into rows of raw cells, keeping each row's number.

CSV: the encoding is UTF-8 (with or without BOM) when the bytes decode strictly as
UTF-8, else Windows-1252 (what Excel writes on a French Windows); the separator (``;``,
tab or ``,``) is the one that splits the first lines into the most regular columns.
XLSX: read with openpyxl in read-only mode; a cell formatted as a percentage (Excel
stores ``0.769`` for ``76,9 %``) comes back as a :class:`Percent` in points (76.9).
Row numbers are those a spreadsheet shows, so messages point at the right line.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from .territories import normalise


class Percent(float):
    """A spreadsheet number formatted as a percentage, already converted to points."""


Cell = str | int | float | dt.datetime | dt.date | dt.time | None


class ReadError(ValueError):
    """A file that cannot be read as a table; the message is in French."""


@dataclass
class RawTable:
    """The non-empty rows of a file as ``(row number, cells)``, with how it was read."""

    file_name: str
    rows: list[tuple[int, list[Cell]]]
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)


ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 avec BOM",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
    "latin-1": "ISO-8859-1",
}
_DELIMITERS = (";", "\t", ",")
_SNIFF_LINES = 20


def read_table(data: bytes, file_name: str, sheet: str | None = None) -> RawTable:
    """Read the bytes of a CSV or XLSX file; :class:`ReadError` if it cannot be read."""
    lower = file_name.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0") or lower.endswith(".xls"):
        raise ReadError(
            f"« {file_name} » est un classeur Excel ancien (.xls) : enregistrez-le au format "
            ".xlsx ou CSV, puis importez-le à nouveau."
        )
    if lower.endswith(".ods"):
        raise ReadError(
            f"« {file_name} » est un classeur OpenDocument (.ods) : enregistrez-le au format "
            ".xlsx ou CSV, puis importez-le à nouveau."
        )
    if data.startswith(b"PK\x03\x04") or lower.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, file_name, sheet)
    if sheet is not None:
        raise ReadError(
            f"« {file_name} » est un fichier CSV : il n'a pas de feuilles (option « feuille » "
            f"« {sheet} » inutile)."
        )
    return _read_csv(data, file_name)


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding used (strict UTF-8 first)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8", errors="strict"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252", errors="strict"), "cp1252"
    except UnicodeDecodeError:
        # Bytes Windows-1252 leaves undefined: Latin-1 reads every byte.
        return data.decode("latin-1"), "latin-1"


def _read_csv(data: bytes, file_name: str) -> RawTable:
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ReadError(f"« {file_name} » n'est pas un fichier texte CSV (contenu binaire).")
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError as error:
        raise ReadError(f"« {file_name} » : encodage illisible ({error.reason}).") from error
    delimiter = sniff_delimiter(text)
    # strict: an unclosed quote is an error, not a cell swallowing the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[Cell]]] = []
    while True:
        # A row is numbered by the line it starts on (a quoted cell may span lines).
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise ReadError(
                f"« {file_name} », ligne {start} : ligne CSV illisible (guillemet non "
                "refermé ou mal placé ?)."
            ) from error
        if any(cell.strip() for cell in cells):
            rows.append((start, list(cells)))
    return RawTable(file_name, rows, "CSV", encoding=encoding, delimiter=delimiter)


def sniff_delimiter(text: str) -> str:
    """The separator that splits the first lines into the most regular columns."""
    lines = [line for line in text.splitlines() if line.strip()][:_SNIFF_LINES]
    best, best_score = ";", 0
    for delimiter in _DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if not counts:
            continue
        width, score = Counter(counts).most_common(1)[0]
        if width > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def _read_xlsx(data: bytes, file_name: str, sheet: str | None) -> RawTable:
    # Imported here: openpyxl is only needed for spreadsheets.
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ReadError(
            f"« {file_name} » n'est pas un classeur Excel (.xlsx) lisible : fichier abîmé ou "
            "d'un autre format. Ouvrez-le et enregistrez-le au format .xlsx ou CSV."
        ) from error
    try:
        names = list(workbook.sheetnames)
        chosen = _choose_sheet(names, sheet, file_name)
        worksheet = workbook[chosen]
        # The stored dimension may be wrong (files written by other tools): read them all.
        worksheet.reset_dimensions()
        rows: list[tuple[int, list[Cell]]] = []
        for row in worksheet.iter_rows():
            cells = [_xlsx_value(cell) for cell in row]
            if any(_filled(value) for value in cells):
                number = next(cell.row for cell in row if getattr(cell, "row", None))
                rows.append((number, cells))
    finally:
        workbook.close()
    return RawTable(file_name, rows, "XLSX", sheet=chosen, sheets=names)


def _choose_sheet(names: list[str], wanted: str | None, file_name: str) -> str:
    listed = ", ".join(f"« {name} »" for name in names)
    if wanted is None:
        if len(names) == 1:
            return names[0]
        raise ReadError(
            f"Le classeur « {file_name} » contient {len(names)} feuilles ({listed}) : "
            "précisez laquelle importer (option --sheet)."
        )
    for name in names:
        if normalise(name) == normalise(wanted):
            return name
    raise ReadError(
        f"Le classeur « {file_name} » n'a pas de feuille « {wanted} » ; feuilles : {listed}."
    )


def _xlsx_value(cell: object) -> Cell:
    value = getattr(cell, "value", None)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        number_format = getattr(cell, "number_format", "") or ""
        if "%" in number_format:
            # Excel keeps 76,9 % as 0.769; round away the binary noise of the product.
            return Percent(round(value * 100, 9))
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value
    return str(value)


def _filled(value: Cell) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return True
