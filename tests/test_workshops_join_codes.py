"""Join codes: an unambiguous alphabet and forgiving normalisation of what people type."""

from __future__ import annotations

import random

import pytest

from workshops.join_codes import (
    JOIN_CODE_ALPHABET,
    JoinCodeError,
    check_code,
    is_join_code,
    new_join_code,
    normalise_code,
)


def test_the_alphabet_leaves_out_every_lookalike() -> None:
    assert set(JOIN_CODE_ALPHABET).isdisjoint(set("0O1IL5S2Z8B"))
    assert len(set(JOIN_CODE_ALPHABET)) == len(JOIN_CODE_ALPHABET) == 25


def test_new_codes_have_six_characters_of_the_alphabet() -> None:
    rng = random.Random(3)
    codes = [new_join_code(set(), rng) for _ in range(200)]
    assert all(len(code) == 6 and set(code) <= set(JOIN_CODE_ALPHABET) for code in codes)
    assert len(set(codes)) == 200


def test_a_new_code_is_never_one_already_taken() -> None:
    first = new_join_code(set(), random.Random(7))
    # Same seed: the first draw is the taken code, so the function must draw again.
    second = new_join_code({first}, random.Random(7))
    assert second != first and is_join_code(second)


@pytest.mark.parametrize(
    "typed",
    [
        " kx7-9ha ",  # lower case, spaces, dash
        "KX7 9HA",
        "kx7_9h.a",
        "ＫＸ７９ＨＡ",  # full-width characters from some phone keyboards
        "КХ79НА",  # Cyrillic К, Х, Н, А
        "kx79hà",  # an accent added by autocorrection
    ],
)
def test_typed_codes_are_normalised(typed: str) -> None:
    assert normalise_code(typed) == "KX79HA"
    assert check_code(typed) == "KX79HA"


def test_a_character_never_used_in_codes_gets_a_precise_message() -> None:
    with pytest.raises(JoinCodeError, match="Le caractère « O » n'apparaît jamais"):
        check_code("KXO9HA")


def test_a_code_of_the_wrong_length_or_with_symbols_is_explained() -> None:
    with pytest.raises(JoinCodeError, match="compte 6 caractères ; vous en avez saisi 5"):
        check_code("KX79H")
    with pytest.raises(JoinCodeError, match="« ! » n'est pas permis"):
        check_code("KX79H!")
    with pytest.raises(JoinCodeError, match="Saisissez le code"):
        check_code(" - ")
