"""Stable, human-readable identifiers for every node of a project."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Annotated

from pydantic import StringConstraints

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=80)]
"""An identifier such as ``chg-acces-modes-accueil``: lower case, digits and hyphens."""

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 60) -> str:
    """Turn French text into a slug: accents dropped, words joined by hyphens.

    >>> slugify("Renforcer l'offre d'accueil à Préfailles")
    'renforcer-l-offre-d-accueil-a-prefailles'
    """
    ascii_text = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    )
    slug = _NON_ALNUM.sub("-", ascii_text).strip("-")
    if len(slug) > max_length:
        # Cut on a word boundary so the id stays readable.
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug or "element"


def unique_slug(text: str, taken: Iterable[str], prefix: str = "") -> str:
    """Return a slug for ``text`` (with ``prefix``) that is not in ``taken``."""
    taken_set = set(taken)
    base = f"{prefix}{slugify(text)}"
    candidate = base
    counter = 2
    while candidate in taken_set:
        candidate = f"{base}-{counter}"
        counter += 1
    return candidate
