"""French wording of the exports: missing values, numbers, years, dates and wrapping."""

from __future__ import annotations

import datetime as dt

import pytest

from exports.labels import (
    NBSP,
    NNBSP,
    TO_COMPLETE,
    format_date,
    format_number,
    format_value,
    format_years,
    join_list,
    wrap_label,
)


@pytest.mark.parametrize("value", [None, "", "   ", []])
def test_a_missing_value_reads_a_completer_never_zero(value: object) -> None:
    assert format_value(value) == TO_COMPLETE == "à compléter"


def test_zero_is_a_known_value_and_stays_zero() -> None:
    assert format_value(0) == "0"


def test_numbers_use_the_french_decimal_comma_and_thousands_space() -> None:
    assert format_number(1234.5) == f"1{NNBSP}234,5"
    assert format_number(12.0) == "12"
    assert format_number(2.25) == "2,25"
    assert format_number(64900) == f"64{NNBSP}900"
    assert format_number(64900, grouping=False) == "64900"


def test_a_unit_is_glued_to_its_number() -> None:
    assert format_value(2.5, unit="ETP") == f"2,5{NBSP}ETP"


@pytest.mark.parametrize(
    ("years", "text"),
    [
        ([2025], "2025"),
        ([2026, 2025], "2025-2026"),
        ([2025, 2027], "2025, 2027"),
        ([2025, 2026, 2027, 2029], "2025-2027, 2029"),
        ([], TO_COMPLETE),
    ],
)
def test_years_are_written_as_in_the_seeds_plan(years: list[int], text: str) -> None:
    assert format_years(years) == text


def test_dates_are_written_in_french_words_whatever_the_locale() -> None:
    assert format_date(dt.date(2025, 6, 3)) == "3 juin 2025"
    assert format_date(dt.date(2027, 2, 1)) == "1er février 2027"


def test_join_list_skips_blanks_and_says_when_nothing_is_left() -> None:
    assert join_list(["Caf", " ", "RPE"]) == "Caf, RPE"
    assert join_list([]) == TO_COMPLETE


def test_wrapped_labels_keep_words_whole_and_about_28_characters() -> None:
    text = "Les familles et les futurs parents connaissent l'offre d'accueil du territoire"
    lines = wrap_label(text, 28)
    assert " ".join(lines) == text
    assert all(len(line) <= 28 for line in lines)
    assert len(lines) == 3


def test_a_colon_never_starts_a_wrapped_line() -> None:
    lines = wrap_label("Informer les familles du territoire : guichet unique et guide", 20)
    assert not any(line.startswith(":") for line in lines)
    assert any(f"territoire{NBSP}:" in line for line in lines)


def test_a_long_label_is_cut_with_an_ellipsis_after_max_lines() -> None:
    lines = wrap_label("mot " * 60, 20, max_lines=3)
    assert len(lines) == 3
    assert lines[-1].endswith("…")
