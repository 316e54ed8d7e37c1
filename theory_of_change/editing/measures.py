"""Read a measure as a form gives it: a number when it is one, else the text.

Indicators' baselines, targets and observed values, and the figures given for a stake,
may be numbers (« 120 », « 76,9 », « 1 234,5 ») or words (« à établir en 2025 »). A
number typed in a form arrives as text; kept as text it would sort and sum wrongly in
the follow-up table, so it is stored as a number. An empty field means unknown, never 0.
"""

from __future__ import annotations

import re
from typing import Any

Measure = float | int | str | None

_SPACES = re.compile(r"[\s\u00a0\u202f]")
_NUMBER = re.compile(r"^[+-]?(?:\d+|\d{1,3}(?:[\s\u00a0\u202f]\d{3})+)(?:[.,]\d+)?$")


def parse_measure(value: Any) -> Measure:
    """``value`` as a measure: ``None`` when blank, a number when it reads as one, else text.

    >>> parse_measure("1 234,5"), parse_measure("45"), parse_measure(" à établir ")
    (1234.5, 45, 'à établir')
    """
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, int | float):
        return value
    text = " ".join(str(value).split())
    if not text:
        return None
    if _NUMBER.match(text):
        plain = _SPACES.sub("", text).replace(",", ".")
        return float(plain) if "." in plain else int(plain)
    return text
