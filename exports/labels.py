"""French wording shared by every export: missing values, numbers, years, dates, wrapping.

A value nobody has filled in is written "à compléter", never 0 nor an empty string, so
a reader of the convention sees at once what is still missing.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Iterable

TO_COMPLETE = "à compléter"

# Narrow no-break space: the French thousands separator and the space before « ; : ! ? ».
NNBSP = "\u202f"
NBSP = "\u00a0"

_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

# Control characters XML 1.0 forbids (all but tab, line feed and carriage return): pasted
# text sometimes carries them, and one would make a DOCX, ODT or SVG unreadable.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPACE_BEFORE = re.compile(r" ([:;!?»])")
_SPACE_AFTER = re.compile(r"(«) ")


def xml_safe(text: str) -> str:
    """The text without the control characters XML cannot hold."""
    return _XML_INVALID.sub("", text)


def is_missing(value: object) -> bool:
    """Whether a value counts as not filled in (``None``, blank text, empty list)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset | dict):
        return len(value) == 0
    return False


def format_number(value: float | int, *, grouping: bool = True) -> str:
    """Write a number the French way: ``1 234,5`` (``1234,5`` without grouping).

    Whole floats lose their ``,0``; other values keep at most two decimals.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        text = f"{value:,d}" if grouping else str(value)
    else:
        text = f"{value:,.2f}" if grouping else f"{value:.2f}"
        text = text.rstrip("0").rstrip(".")
    # Python groups with "," and marks decimals with "."; swap through a placeholder.
    return text.replace(",", "\0").replace(".", ",").replace("\0", NNBSP)


def format_value(value: object, *, unit: str | None = None, grouping: bool = True) -> str:
    """A value for a document: numbers in French, missing values as "à compléter"."""
    if is_missing(value):
        return TO_COMPLETE
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | float):
        text = format_number(value, grouping=grouping)
        return f"{text}{NBSP}{unit}" if unit else text
    return str(value).strip()


def format_years(years: Iterable[int]) -> str:
    """Years as the plan writes them: ``2025-2026``, ``2025, 2027``, ``2025-2027, 2029``."""
    ordered = sorted(set(years))
    if not ordered:
        return TO_COMPLETE
    runs: list[list[int]] = [[ordered[0]]]
    for year in ordered[1:]:
        if year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def format_date(day: dt.date) -> str:
    """A date in words, independent of the machine's locale: ``3 juin 2025``."""
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {_MONTHS[day.month - 1]} {day.year}"


def join_list(items: Iterable[str], *, separator: str = ", ") -> str:
    """Non-empty items joined, or "à compléter" when there is none."""
    kept = [item.strip() for item in items if item and item.strip()]
    return separator.join(kept) if kept else TO_COMPLETE


def french_spacing(text: str) -> str:
    """Glue « ; : ! ? » to the word before, so a line never starts with them."""
    return _SPACE_AFTER.sub(f"\\1{NBSP}", _SPACE_BEFORE.sub(f"{NBSP}\\1", text))


def wrap_label(text: str, width: int = 28, max_lines: int | None = None) -> list[str]:
    """Wrap French text into lines of about ``width`` characters.

    Words are never cut, and « : ; ! ? » stay with the word before them. With
    ``max_lines``, the last kept line ends with an ellipsis when text is left over.
    """
    cleaned = french_spacing(" ".join(xml_safe(text).split()))
    if not cleaned:
        return []
    lines = textwrap.wrap(
        cleaned, width=width, break_long_words=False, break_on_hyphens=False
    )
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        if len(last) > width - 2:
            last = last[: width - 2].rsplit(" ", 1)[0]
        lines[-1] = last.rstrip(" ,;:.") + "…"
    return lines
