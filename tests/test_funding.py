"""The Caf's share of diagnostic and engineering costs, by the seed's rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from theory_of_change.funding import (
    DIAGNOSTIC_RULE,
    ENGINEERING_RULE,
    FundingError,
    diagnostic_funding,
    engineering_funding,
    format_euros,
)

NNBSP, NBSP = "\u202f", "\u00a0"


def plain(text: str) -> str:
    """The text with French no-break spaces shown as ordinary spaces, to compare easily."""
    return text.replace(NNBSP, " ").replace(NBSP, " ")


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        (Decimal("7500"), "7 500 €"),
        (Decimal("0"), "0 €"),
        (Decimal("1234567.5"), "1 234 567,50 €"),
        (Decimal("999.994"), "999,99 €"),
        (Decimal("-1000"), "−1 000 €"),
    ],
)
def test_euros_are_written_the_french_way(amount: Decimal, written: str) -> None:
    assert plain(format_euros(amount)) == written


def test_euros_never_break_between_digits_or_before_the_sign() -> None:
    assert format_euros(Decimal("7500")) == f"7{NNBSP}500{NBSP}€"


def test_diagnostic_below_the_cap_is_half_the_cost() -> None:
    result = diagnostic_funding(Decimal("10000"))
    assert result.amount == Decimal("5000.00")
    assert result.capped is False
    assert plain(result.explanation) == "50 % de 10 000 € = 5 000 €"
    assert result.rule == DIAGNOSTIC_RULE


def test_diagnostic_at_the_cap_gets_exactly_7500_without_ceiling() -> None:
    result = diagnostic_funding(Decimal("15000"))
    assert result.amount == Decimal("7500.00")
    assert result.capped is False
    assert plain(result.explanation) == "50 % de 15 000 € = 7 500 €"


def test_diagnostic_above_the_cap_is_capped_at_7500() -> None:
    result = diagnostic_funding(Decimal("18000"))
    assert result.amount == Decimal("7500.00")
    assert result.capped is True
    assert plain(result.explanation) == "50 % de 18 000 € = 9 000 €, plafonné à 7 500 €"


def test_diagnostic_rounds_half_cents_up() -> None:
    assert diagnostic_funding(Decimal("0.01")).amount == Decimal("0.01")
    assert diagnostic_funding(Decimal("10000.05")).amount == Decimal("5000.03")


def test_costs_typed_in_a_form_are_read_the_french_way() -> None:
    assert diagnostic_funding(f"12{NNBSP}000,50 €").cost == Decimal("12000.50")
    assert diagnostic_funding(12000).amount == Decimal("6000.00")


@pytest.mark.parametrize(
    ("cost", "message"),
    [
        (Decimal("-1"), "Le coût du diagnostic ne peut pas être négatif (−1 €)."),
        ("-2 000", "Le coût du diagnostic ne peut pas être négatif (−2 000 €)."),
        ("beaucoup", "Le coût du diagnostic doit être un montant en euros, par exemple 18000 "
                     "ou 18000.50 (et non « beaucoup »)."),
        (Decimal("NaN"), "Le coût du diagnostic doit être un montant en euros fini."),
        (1.5, "Le coût du diagnostic doit être un montant en euros, par exemple 18000 ou "
              "18000.50."),
        (True, "Le coût du diagnostic doit être un montant en euros, par exemple 18000 ou "
               "18000.50."),
    ],
)
def test_bad_diagnostic_costs_are_refused_in_french(cost: object, message: str) -> None:
    with pytest.raises(FundingError) as caught:
        diagnostic_funding(cost)  # type: ignore[arg-type]
    assert plain(str(caught.value)) == message


def test_engineering_caps_each_year_separately_and_adds_the_years() -> None:
    result = engineering_funding(
        {2027: Decimal("48000"), 2026: Decimal("60000"), 2028: Decimal("10000")}
    )
    assert [year.year for year in result.years] == [2026, 2027, 2028]
    assert [year.amount for year in result.years] == [
        Decimal("24000.00"), Decimal("24000.00"), Decimal("5000.00")
    ]
    assert [year.capped for year in result.years] == [True, False, False]
    assert result.amount == Decimal("53000.00")
    assert result.cost == Decimal("118000.00")
    assert result.capped is True
    assert plain(result.explanation) == (
        "2026 : 50 % de 60 000 € = 30 000 €, plafonné à 24 000 € ; "
        "2027 : 50 % de 48 000 € = 24 000 € ; "
        "2028 : 50 % de 10 000 € = 5 000 € ; total 53 000 €"
    )
    assert result.rule == ENGINEERING_RULE


def test_engineering_for_one_year_below_the_cap_is_not_capped() -> None:
    result = engineering_funding({2026: Decimal("20000")})
    assert result.amount == Decimal("10000.00")
    assert result.capped is False
    assert plain(result.explanation) == "2026 : 50 % de 20 000 € = 10 000 €"


def test_engineering_without_costs_is_zero_and_says_so() -> None:
    result = engineering_funding({})
    assert result.amount == Decimal("0")
    assert result.explanation == "Aucun coût d'ingénierie n'est déclaré."


def test_engineering_refuses_negative_costs_and_odd_years_in_french() -> None:
    with pytest.raises(FundingError) as caught:
        engineering_funding({2026: Decimal("-5")})
    assert plain(str(caught.value)) == (
        "Le coût d'ingénierie de 2026 ne peut pas être négatif (−5 €)."
    )
    with pytest.raises(FundingError) as caught:
        engineering_funding({26: Decimal("5")})
    assert str(caught.value) == "L'année « 26 » n'est pas une année valable (1990 à 2100)."


def test_rules_state_the_caps_of_the_presentation() -> None:
    assert "7 500 € par diagnostic initial" in plain(DIAGNOSTIC_RULE)
    assert "plafonné à 15 000 €" in plain(DIAGNOSTIC_RULE)
    assert "24 000 € par an" in plain(ENGINEERING_RULE)
    assert "plafonné à 48 000 € par an" in plain(ENGINEERING_RULE)
