"""French numbers as the portrait de territoire writes them.

``76,9 %``, ``16 130`` (thousands grouped by a space, a no-break space or a narrow
no-break space), ``-16 %`` (with a hyphen or a true minus sign), ``1 633``. Secret or
missing values ("XXX", "XX", "s", empty) are *missing*: :func:`parse_number` returns
``None`` for them, never zero. Anything else raises :class:`NumberError` with a French
reason that the importer places after the row and column.

Decimals are marked by a comma, or by a single dot as in open-data exports; a comma is
never a thousands separator (``16,130`` reads sixteen point thirteen).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from theory_of_change.model import UNKNOWN_MARKERS

# Spaces that may group thousands or precede "%": space, no-break, narrow no-break, thin.
_SPACES = "\u0020\u00a0\u202f\u2009"
_SPACE_RUN = re.compile(f"[{_SPACES}]+")
# One pass reads every accepted form: sign (hyphen, minus sign, en dash), digits grouped
# by threes with any of the spaces, a comma or dot decimal part, an optional "%".
_NUMBER = re.compile(
    rf"""^[{_SPACES}]*
    (?P<sign>[-+\u2212\u2013])?[{_SPACES}]?
    (?P<int>\d{{1,3}}(?:[{_SPACES}]\d{{3}})+|\d+)
    (?:[.,](?P<frac>\d+))?
    [{_SPACES}]*(?P<percent>%)?[{_SPACES}]*$""",
    re.VERBOSE,
)
_GROUPING = re.compile(f"[{_SPACES}]")


class NumberError(ValueError):
    """A cell that is neither a number nor a marker of a missing value."""


@dataclass(frozen=True)
class ParsedNumber:
    """A number read from a cell, and whether the cell wrote it as a percentage."""

    value: int | float
    percent: bool


def is_missing_marker(text: str) -> bool:
    """Whether a cell's text marks a secret or missing value ("XXX", "s", empty…)."""
    return _SPACE_RUN.sub(" ", text).strip().casefold() in UNKNOWN_MARKERS


def parse_number(text: str) -> ParsedNumber | None:
    """Read a French number; ``None`` for a missing-value marker.

    >>> parse_number("76,9 %")
    ParsedNumber(value=76.9, percent=True)
    >>> parse_number("16\\u202f130")
    ParsedNumber(value=16130, percent=False)
    >>> parse_number("XXX") is None
    True
    """
    match = _NUMBER.match(text)
    if match is None:
        if is_missing_marker(text):
            return None
        raise NumberError(f"« {text.strip()} » n'est pas un nombre")
    digits = _GROUPING.sub("", match["int"])
    sign = 1 if match["sign"] in (None, "+") else -1
    percent = match["percent"] is not None
    if match["frac"] is None:
        return ParsedNumber(sign * int(digits), percent)
    return ParsedNumber(sign * float(f"{digits}.{match['frac']}"), percent)


def parse_year(text: str) -> int | None:
    """Read a year ("2023", "2023,0" from a spreadsheet); ``None`` when missing."""
    if is_missing_marker(text):
        return None
    cleaned = text.strip()
    if re.fullmatch(r"\d{4}(?:[.,]0+)?", cleaned):
        year = int(cleaned[:4])
        if 1990 <= year <= 2100:
            return year
    raise NumberError(f"« {cleaned} » n'est pas une année (entre 1990 et 2100)")


NBSP = "\u00a0"


def format_number(value: int | float, *, decimals: int = 1) -> str:
    """Write a number the French way: ``16 130``, ``76,9``, ``-16`` (no-break spaces)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        text = f"{value:,d}"
    else:
        text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", NBSP).replace("-", "\u2212")


def format_value(value: int | float | None, percent: bool, *, missing: str = "n.d.") -> str:
    """A value with its unit (``41 %``, ``16 130``), or ``missing`` when unknown."""
    if value is None:
        return missing
    text = format_number(value)
    return f"{text}{NBSP}%" if percent else text
