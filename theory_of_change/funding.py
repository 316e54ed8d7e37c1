"""The Caf's share of the renewal's costs, by the rules of its presentation of June 2025.

"Financement du diagnostic" gives two rules:

- **diagnostic**: 50 % of the cost, at most 7 500 € per initial diagnostic (a cost
  counted up to 15 000 €); the expense is committed in the last year of the current
  CTG to prepare the next one;
- **engineering** (ingénierie): 50 % of the cost, at most 24 000 € a year (a yearly cost
  counted up to 48 000 €); these expenses are one-off.

Amounts are :class:`~decimal.Decimal` euros rounded to the cent, and written the French
way: ``7 500 €``, ``7 500,50 €`` (a narrow no-break space between thousands and a
no-break space before « € » and « % », so an amount never breaks across two lines).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "DIAGNOSTIC_CAP",
    "DIAGNOSTIC_RULE",
    "ENGINEERING_RULE",
    "ENGINEERING_YEARLY_CAP",
    "CAF_RATE",
    "FundingError",
    "FundingResult",
    "YearFunding",
    "diagnostic_funding",
    "engineering_funding",
    "format_euros",
]

NNBSP = "\u202f"  # French thousands separator
NBSP = "\u00a0"  # before « € » and « % »

CAF_RATE = Decimal("0.5")
DIAGNOSTIC_CAP = Decimal("7500")
ENGINEERING_YEARLY_CAP = Decimal("24000")
CENT = Decimal("0.01")
_FORM_NOISE = re.compile(r"[\s€]")


class FundingError(ValueError):
    """A cost the helper cannot take; the message says why, in French."""


def format_euros(amount: Decimal) -> str:
    """An amount the French way: ``7 500 €``, ``7 500,50 €``, ``0 €``.

    Whole amounts lose their cents; others keep two decimals.
    """
    value = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "−" if value < 0 else ""
    value = abs(value)
    if value == value.to_integral_value():
        text = f"{int(value):,d}"
    else:
        text = f"{value:,.2f}"
    text = text.replace(",", "\0").replace(".", ",").replace("\0", NNBSP)
    return f"{sign}{text}{NBSP}€"


_PERCENT = f"50{NBSP}%"

DIAGNOSTIC_RULE = (
    f"Diagnostic : la Caf finance {_PERCENT} du coût, dans la limite de "
    f"{format_euros(DIAGNOSTIC_CAP)} par diagnostic initial (coût global plafonné à "
    f"{format_euros(DIAGNOSTIC_CAP / CAF_RATE)}). La dépense est engagée lors de la dernière "
    "année de la CTG, pour préparer la suivante."
)
"""The diagnostic rule, in the presentation's words."""

ENGINEERING_RULE = (
    f"Ingénierie : la Caf finance {_PERCENT} du coût, dans la limite de "
    f"{format_euros(ENGINEERING_YEARLY_CAP)} par an (coût global plafonné à "
    f"{format_euros(ENGINEERING_YEARLY_CAP / CAF_RATE)} par an). Ces dépenses ont un "
    "caractère ponctuel."
)
"""The engineering rule, in the presentation's words."""


@dataclass(frozen=True)
class YearFunding:
    """The Caf's share of one year of engineering costs."""

    year: int
    cost: Decimal
    amount: Decimal
    capped: bool
    explanation: str


@dataclass(frozen=True)
class FundingResult:
    """The Caf's share of a cost: ``amount``, the ``rule`` applied and the ``explanation``.

    ``capped`` says whether a ceiling reduced the amount (for engineering, in at least one
    year); ``years`` details engineering year by year (empty for a diagnostic).
    """

    amount: Decimal
    cost: Decimal
    capped: bool
    rule: str
    explanation: str
    years: tuple[YearFunding, ...] = ()


def _as_cost(value: object, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise FundingError(f"{what} doit être un montant en euros, par exemple 18000 ou 18000.50.")
    try:
        # A form sends text, written the French way: "18 000,50 €".
        text = _FORM_NOISE.sub("", value).replace(",", ".") if isinstance(value, str) else value
        cost = Decimal(text)
    except InvalidOperation:
        raise FundingError(
            f"{what} doit être un montant en euros, par exemple 18000 ou 18000.50 "
            f"(et non « {value} »)."
        ) from None
    if not cost.is_finite():
        raise FundingError(f"{what} doit être un montant en euros fini.")
    if cost < 0:
        raise FundingError(f"{what} ne peut pas être négatif ({format_euros(cost)}).")
    return cost.quantize(CENT, rounding=ROUND_HALF_UP)


def _share(cost: Decimal, cap: Decimal) -> tuple[Decimal, bool, str]:
    """The capped share of ``cost`` and the sentence that explains it."""
    half = (cost * CAF_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
    sentence = f"{_PERCENT} de {format_euros(cost)} = {format_euros(half)}"
    if half > cap:
        return cap.quantize(CENT), True, f"{sentence}, plafonné à {format_euros(cap)}"
    return half, False, sentence


def diagnostic_funding(cost: Decimal | int | str) -> FundingResult:
    """The Caf's share of an initial diagnostic: 50 % of ``cost``, at most 7 500 €.

    For 18 000 € the amount is 7 500 € and the explanation reads « 50 % de 18 000 € =
    9 000 €, plafonné à 7 500 € ».

    Raises :class:`FundingError` (in French) for a negative or unreadable cost.
    """
    value = _as_cost(cost, "Le coût du diagnostic")
    amount, capped, sentence = _share(value, DIAGNOSTIC_CAP)
    return FundingResult(
        amount=amount, cost=value, capped=capped, rule=DIAGNOSTIC_RULE, explanation=sentence
    )


def engineering_funding(yearly_costs: Mapping[int, Decimal | int | str]) -> FundingResult:
    """The Caf's share of engineering costs: 50 % of each year's cost, at most 24 000 € a year.

    ``yearly_costs`` maps a year to that year's cost; years are reported in order and the
    explanation gives each year's computation then the total. Raises
    :class:`FundingError` (in French) for a negative or unreadable cost or an odd year.
    """
    years: list[YearFunding] = []
    for year in sorted(yearly_costs):
        if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2100:
            raise FundingError(f"L'année « {year} » n'est pas une année valable (1990 à 2100).")
        cost = _as_cost(yearly_costs[year], f"Le coût d'ingénierie de {year}")
        amount, capped, sentence = _share(cost, ENGINEERING_YEARLY_CAP)
        years.append(
            YearFunding(
                year=year,
                cost=cost,
                amount=amount,
                capped=capped,
                explanation=f"{year} : {sentence}",
            )
        )
    total = sum((y.amount for y in years), Decimal("0.00"))
    cost_total = sum((y.cost for y in years), Decimal("0.00"))
    if not years:
        explanation = "Aucun coût d'ingénierie n'est déclaré."
    elif len(years) == 1:
        explanation = years[0].explanation
    else:
        explanation = " ; ".join(y.explanation for y in years) + f" ; total {format_euros(total)}"
    return FundingResult(
        amount=total,
        cost=cost_total,
        capped=any(y.capped for y in years),
        rule=ENGINEERING_RULE,
        explanation=explanation,
        years=tuple(years),
    )
