"""French numbers of the portrait de territoire: read exactly, missing stays missing."""

from __future__ import annotations

import pytest

from theory_of_change.diagnostic.numbers import (
    NumberError,
    ParsedNumber,
    format_number,
    format_value,
    parse_number,
    parse_year,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("76,9 %", ParsedNumber(76.9, True)),
        ("76,9%", ParsedNumber(76.9, True)),
        ("16 130", ParsedNumber(16130, False)),
        ("16\u00a0130", ParsedNumber(16130, False)),
        ("16\u202f130", ParsedNumber(16130, False)),
        ("1 234 567,5", ParsedNumber(1234567.5, False)),
        ("-16 %", ParsedNumber(-16, True)),
        ("\u221216\u202f%", ParsedNumber(-16, True)),
        ("- 16 %", ParsedNumber(-16, True)),
        ("+26 %", ParsedNumber(26, True)),
        ("259 %", ParsedNumber(259, True)),
        ("0 %", ParsedNumber(0, True)),
        ("98.4", ParsedNumber(98.4, False)),
        ("  41 ", ParsedNumber(41, False)),
    ],
)
def test_french_number_formats_are_read_exactly(text: str, expected: ParsedNumber) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["XXX", "XX", "xxx", "s", "", "   ", "\u00a0", "nc"])
def test_secret_or_missing_markers_are_missing_never_zero(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize("text", ["abc", "12 5", "1,2,3", "76,9 % env.", "1 2345", "--3"])
def test_a_text_that_is_not_a_number_is_refused_in_french(text: str) -> None:
    with pytest.raises(NumberError) as error:
        parse_number(text)
    assert str(error.value) == f"« {text.strip()} » n'est pas un nombre"


def test_a_comma_is_a_decimal_mark_never_a_thousands_separator() -> None:
    assert parse_number("16,130") == ParsedNumber(16.13, False)


def test_years_are_read_from_text_or_spreadsheet_numbers() -> None:
    assert parse_year("2023") == 2023
    assert parse_year("2023,0") == 2023
    assert parse_year("XXX") is None
    with pytest.raises(NumberError, match="n'est pas une année"):
        parse_year("23")


def test_numbers_are_written_the_french_way() -> None:
    assert format_number(16130) == "16\u00a0130"
    assert format_number(76.9) == "76,9"
    assert format_number(-16) == "\u221216"
    assert format_value(41, True) == "41\u00a0%"
    assert format_value(None, True) == "n.d."
