"""Line amounts, Japanese consumption tax per rate, and document totals.

The qualified-invoice rules (適格請求書) allow one rounding of tax per rate per document: the tax
of a rate is computed from the subtotal of the lines at that rate, then rounded to the
currency's minor unit with the organization's rounding mode (round down by default). Line
amounts (quantity x rate less the line's discount) are rounded half-up to the minor unit first,
as they are printed. Everything is Decimal; nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from collections.abc import Iterable

from app.money import minor_unit

STANDARD_RATE = Decimal(10)
REDUCED_RATE = Decimal(8)
TAX_RATES = (STANDARD_RATE, REDUCED_RATE, Decimal(0))  # 0: non-taxable (非課税・不課税)

# Amounts are never negative, so floor/ceiling are round down/up.
ROUNDING = {"down": ROUND_FLOOR, "half_up": ROUND_HALF_UP, "up": ROUND_CEILING}
_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class RateTotal:
    rate: Decimal
    subtotal: Decimal
    tax: Decimal

    def as_json(self) -> dict[str, str]:
        return {"rate": str(self.rate), "subtotal": str(self.subtotal), "tax": str(self.tax)}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> "RateTotal":
        return cls(Decimal(data["rate"]), Decimal(data["subtotal"]), Decimal(data["tax"]))


@dataclass(frozen=True)
class Totals:
    rates: tuple[RateTotal, ...]  # highest rate first, only rates that occur
    subtotal: Decimal
    tax: Decimal
    total: Decimal


def _exp(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))


def canonical_rate(rate: Decimal | int | str) -> Decimal:
    """10, 10.00 and "10" are one rate: integral rates lose their decimals."""
    rate = Decimal(rate)
    return rate.quantize(Decimal(1)) if rate == rate.to_integral_value() else rate.normalize()


def line_amount(quantity: Decimal, rate: Decimal, discount: Decimal, currency: str) -> Decimal:
    gross = quantity * rate * (_HUNDRED - discount) / _HUNDRED
    return gross.quantize(_exp(currency), rounding=ROUND_HALF_UP)


def totals(
    lines: Iterable[tuple[Decimal, Decimal]], currency: str, rounding: str = "down"
) -> Totals:
    """`lines` are (amount, tax rate) pairs; amounts already rounded by `line_amount`."""
    by_rate: dict[Decimal, Decimal] = {}
    for amount, rate in lines:
        rate = canonical_rate(rate)
        by_rate[rate] = by_rate.get(rate, Decimal(0)) + amount
    mode = ROUNDING[rounding]
    rows = tuple(
        RateTotal(rate, subtotal, (subtotal * rate / _HUNDRED).quantize(_exp(currency), rounding=mode))
        for rate, subtotal in sorted(by_rate.items(), reverse=True)
    )
    subtotal = sum((r.subtotal for r in rows), Decimal(0))
    tax = sum((r.tax for r in rows), Decimal(0))
    return Totals(rows, subtotal, tax, subtotal + tax)
