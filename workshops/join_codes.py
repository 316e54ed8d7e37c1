"""Join codes: six characters a participant can read off a projector and type on a phone.

The alphabet leaves out every character that reads like another one (0/O, 1/I/L, 5/S,
2/Z, 8/B), so a code read from the back of a village hall is typed right. What people
type is normalised first: case, spaces, dashes, full-width characters, accents added by a
phone's autocorrection and Greek or Cyrillic capitals that look like Latin ones.
"""

from __future__ import annotations

import random
import secrets
import unicodedata
from collections.abc import Container

JOIN_CODE_LENGTH = 6
JOIN_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
"""Twenty letters and five digits: none of 0 O 1 I L 5 S 2 Z 8 B."""

JOIN_CODE_PATTERN = rf"^[{JOIN_CODE_ALPHABET}]{{{JOIN_CODE_LENGTH}}}$"

_LEFT_OUT = "0O1IL5S2Z8B"

# Capitals of other scripts that a phone keyboard or a copy-paste may produce instead of
# the Latin letter the participant meant.
_HOMOGLYPHS = str.maketrans(
    {
        "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "К": "K", "М": "M", "О": "O",
        "Р": "P", "Т": "T", "Х": "X", "У": "Y",
        "Α": "A", "Β": "B", "Ε": "E", "Η": "H", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
        "Ρ": "P", "Τ": "T", "Χ": "X", "Υ": "Y", "Ζ": "Z", "Ι": "I",
    }
)
_SEPARATORS = frozenset(" \t\r\n-‐‑‒–—―_.·/")

_MAX_ATTEMPTS = 10_000


class JoinCodeError(ValueError):
    """A typed code that cannot be a join code; the message is French."""


def new_join_code(taken: Container[str], rng: random.Random | None = None) -> str:
    """Draw a join code that is not in ``taken``.

    ``rng`` makes the draw reproducible in tests; without it the operating system's
    random source is used, so codes cannot be guessed from one another. With 25⁶
    (about 244 million) codes a collision is rare; we retry until the code is free.
    """
    chooser = rng if rng is not None else secrets.SystemRandom()
    for _ in range(_MAX_ATTEMPTS):
        code = "".join(chooser.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if code not in taken:
            return code
    raise RuntimeError("impossible de trouver un code d'accès libre")


def normalise_code(text: str) -> str:
    """Put a typed code in canonical form: upper case, no separator, lookalikes mapped.

    Full-width and accented characters become plain ones (``é`` → ``E``), Greek and
    Cyrillic capitals that look like Latin letters become those letters; spaces, dashes,
    dots and underscores are dropped. The result is not checked: see :func:`check_code`.

    >>> normalise_code(" kx7-9ha ")
    'KX79HA'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    upper = without_accents.upper().translate(_HOMOGLYPHS)
    return "".join(ch for ch in upper if ch not in _SEPARATORS)


def is_join_code(text: str) -> bool:
    """Whether ``text`` is already a canonical join code."""
    return len(text) == JOIN_CODE_LENGTH and all(ch in JOIN_CODE_ALPHABET for ch in text)


def check_code(text: str) -> str:
    """Normalise a typed code and return it, or raise :class:`JoinCodeError` saying why.

    The message tells the participant what to fix (length, a character that never
    appears in a code), not merely that the code is wrong.
    """
    code = normalise_code(text)
    if not code:
        raise JoinCodeError("Saisissez le code à 6 caractères affiché à l'écran.")
    for ch in code:
        if ch in _LEFT_OUT:
            raise JoinCodeError(
                f"Le caractère « {ch} » n'apparaît jamais dans un code d'accès : "
                "relisez le code affiché à l'écran."
            )
        if ch not in JOIN_CODE_ALPHABET:
            raise JoinCodeError(
                f"Le caractère « {ch} » n'est pas permis : un code d'accès ne contient que "
                "des lettres et des chiffres."
            )
    if len(code) != JOIN_CODE_LENGTH:
        raise JoinCodeError(
            f"Un code d'accès compte {JOIN_CODE_LENGTH} caractères ; vous en avez saisi "
            f"{len(code)}."
        )
    return code
