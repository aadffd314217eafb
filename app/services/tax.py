"""Line amounts, Japanese consumption tax per category, document discounts and totals.

Every line has a tax category (課税 10%, 軽減 8%, 免税 0% exports, 非課税, 不課税). The
qualified-invoice rules (適格請求書) allow one rounding of tax per rate per document: the lines of
a category are summed, the document-level discount is allocated to the categories in proportion
to their amounts (largest remainder, so the shares sum exactly to the discount), and the tax of a
rate is computed once from what is left, rounded to the currency's minor unit with the
organization's rounding mode (round down by default).

- Tax-exclusive prices (外税): tax = amount x rate / 100.
- Tax-inclusive prices (内税): the amount is the rate's total with tax; the tax is extracted once
  per rate, tax = total x rate / (100 + rate), and the amount without tax is total - tax.

Line amounts (quantity x unit price less the line's discount) are rounded half-up to the minor
unit first, as they are printed. A discount line (値引) is a line with a negative unit price in
its own category; a category's net amount cannot be negative. Everything is Decimal; nothing
here touches the database.

A document in another currency (app.money.needs_rate) carries an exchange rate (yen per unit).
The qualified-invoice rules want its consumption tax per rate in yen (税率ごとに区分した消費税額等
は円換算した金額を記載). Of the two ways the NTA's Q&A accepts, Kizuna converts each rate's amount
without tax (内税: with tax) to yen, rounded half-up to the yen, and computes the rate's tax from that
yen amount once, with the organization's rounding, exactly as for a yen document. The other way
(converting the tax computed in the currency) rounds twice, in cents and then in yen, so the printed
yen tax would not be the rate applied to the printed yen amount; this way the buyer can check the yen
tax from the yen amount on the page, and one rounding per rate and document holds in yen too.
Yen equivalents of other amounts (totals, balances in reports) are app.money.to_yen.

Old data had only a rate: 10 is standard, 8 reduced, and 0 is read as 非課税 (exempt), the
category the old "0%" stood for first (`category_of_rate`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from app.i18n import N_
from app.models.transactions import DiscountType, TaxCategory
from app.money import minor_unit, needs_rate, to_yen

__all__ = ["DiscountType", "TaxCategory"]  # the stored enums, with the rules below

STANDARD_RATE = Decimal(10)
REDUCED_RATE = Decimal(8)
TAX_RATES = (STANDARD_RATE, REDUCED_RATE, Decimal(0))  # item masters keep a rate; 0: not taxed

# Toward / away from zero: a rate's amount is never negative, so these are round down / up.
ROUNDING = {"down": ROUND_DOWN, "half_up": ROUND_HALF_UP, "up": ROUND_UP}
_HUNDRED = Decimal(100)
_ZERO = Decimal(0)


# In the order summaries list them.
CATEGORY_RATES = {
    TaxCategory.STANDARD: STANDARD_RATE,
    TaxCategory.REDUCED: REDUCED_RATE,
    TaxCategory.EXPORT: _ZERO,
    TaxCategory.EXEMPT: _ZERO,
    TaxCategory.OUT_OF_SCOPE: _ZERO,
}
TAXED = (TaxCategory.STANDARD, TaxCategory.REDUCED)
# How a line's category is written in pages (templates format msgids: %% is a percent sign),
# its name inside a message, and its summary row.
CATEGORY_LABELS = {
    TaxCategory.STANDARD: N_("10%% (standard)"),
    TaxCategory.REDUCED: N_("8%% (reduced)"),
    TaxCategory.EXPORT: N_("Export (tax-free)"),
    TaxCategory.EXEMPT: N_("Non-taxable"),
    TaxCategory.OUT_OF_SCOPE: N_("Out of scope"),
}
CATEGORY_NAMES = {
    TaxCategory.STANDARD: N_("Standard rate"),
    TaxCategory.REDUCED: N_("Reduced rate"),
    TaxCategory.EXPORT: N_("Export (tax-free)"),
    TaxCategory.EXEMPT: N_("Non-taxable"),
    TaxCategory.OUT_OF_SCOPE: N_("Out of scope"),
}
SUMMARY_LABELS = {
    TaxCategory.STANDARD: N_("10%% taxable"),
    TaxCategory.REDUCED: N_("8%% taxable (reduced)"),
    TaxCategory.EXPORT: N_("Tax-free (export)"),
    TaxCategory.EXEMPT: N_("Non-taxable"),
    TaxCategory.OUT_OF_SCOPE: N_("Out of scope"),
}


def category_of_rate(rate: Decimal | int | str) -> TaxCategory | None:
    """The category a bare rate stands for: 10 standard, 8 reduced, 0 exempt (非課税)."""
    rate = Decimal(rate)
    for category in (TaxCategory.STANDARD, TaxCategory.REDUCED, TaxCategory.EXEMPT):
        if CATEGORY_RATES[category] == rate:
            return category
    return None


@dataclass(frozen=True)
class RateTotal:
    """One category of a document: its amount without tax after the document discount, its tax
    (one rounding), and the share of the document discount it took."""

    rate: Decimal
    subtotal: Decimal
    tax: Decimal
    category: TaxCategory = TaxCategory.STANDARD
    discount: Decimal = _ZERO
    # A foreign-currency document: the amount without tax and the tax in yen (see the module).
    subtotal_jpy: Decimal | None = None
    tax_jpy: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax

    @property
    def in_yen(self) -> bool:
        return self.subtotal_jpy is not None and self.tax_jpy is not None

    @property
    def taxed(self) -> bool:
        return self.category in TAXED

    @property
    def label(self) -> str:
        """The msgid naming its summary row: a taxed rate, or a category without tax by its name."""
        return SUMMARY_LABELS[self.category]

    def as_json(self) -> dict[str, str]:
        data = {"rate": str(self.rate), "subtotal": str(self.subtotal), "tax": str(self.tax),
                "category": self.category.value, "discount": str(self.discount)}
        if self.in_yen:
            data.update(subtotal_jpy=str(self.subtotal_jpy), tax_jpy=str(self.tax_jpy))
        return data

    @classmethod
    def from_json(cls, data: dict[str, str]) -> "RateTotal":
        category = TaxCategory(data["category"]) if data.get("category") else (
            category_of_rate(data["rate"]) or TaxCategory.EXEMPT)
        yen = [Decimal(data[k]) if data.get(k) not in (None, "") else None for k in ("subtotal_jpy", "tax_jpy")]
        return cls(Decimal(data["rate"]), Decimal(data["subtotal"]), Decimal(data["tax"]), category,
                   Decimal(data.get("discount", "0")), *yen)


@dataclass(frozen=True)
class Totals:
    rates: tuple[RateTotal, ...]  # in CATEGORY_RATES order, only categories that occur
    subtotal: Decimal  # without tax, after the discount
    tax: Decimal
    total: Decimal
    discount: Decimal = _ZERO  # the document-level discount (lines' own discounts not included)
    inclusive: bool = False  # prices include tax (内税)


@dataclass(frozen=True)
class Pricing:
    """How a document turns its lines into totals: the organization's rounding, 外税/内税 and the
    document-level discount (an amount, or a percent of the lines' sum)."""

    rounding: str = "down"
    inclusive: bool = False
    discount_type: DiscountType = DiscountType.AMOUNT
    discount_value: Decimal = _ZERO
    exchange_rate: Decimal | None = None  # yen per unit of a foreign currency (ignored for yen)


class DiscountTooLarge(ValueError):
    """The document discount is more than the lines' sum."""


class NegativeCategory(ValueError):
    """A category's discount lines are more than its other lines."""

    def __init__(self, category: TaxCategory) -> None:
        super().__init__(category.value)
        self.category = category


def _exp(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))


def canonical_rate(rate: Decimal | int | str) -> Decimal:
    """10, 10.00 and "10" are one rate: integral rates lose their decimals."""
    rate = Decimal(rate)
    return rate.quantize(Decimal(1)) if rate == rate.to_integral_value() else rate.normalize()


def line_amount(quantity: Decimal, rate: Decimal, discount: Decimal, currency: str) -> Decimal:
    gross = quantity * rate * (_HUNDRED - discount) / _HUNDRED
    return gross.quantize(_exp(currency), rounding=ROUND_HALF_UP)


def _category(value: TaxCategory | Decimal | int | str) -> TaxCategory:
    if isinstance(value, TaxCategory):
        return value
    if isinstance(value, str) and value in TaxCategory._value2member_map_:
        return TaxCategory(value)
    category = category_of_rate(value)
    if category is None:
        raise ValueError(f"no tax category has the rate {value}")
    return category


def discount_amount(base: Decimal, pricing: Pricing, currency: str) -> Decimal:
    """The document discount in money: the amount, or the percent of `base` rounded half-up."""
    if pricing.discount_type == DiscountType.PERCENT:
        return (base * pricing.discount_value / _HUNDRED).quantize(_exp(currency), rounding=ROUND_HALF_UP)
    return pricing.discount_value


def allocate(amount: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """`amount` split in proportion to `weights` (none negative, sum > 0) in minor units, by
    largest remainder (ties: the earlier weight), so the shares sum exactly to `amount`."""
    unit = _exp(currency)
    whole = sum(weights, _ZERO)
    units = (amount / unit).to_integral_value(rounding=ROUND_HALF_UP)
    exact = [units * w / whole for w in weights]
    shares = [e.to_integral_value(rounding=ROUND_DOWN) for e in exact]
    left = int(units - sum(shares, _ZERO))
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return [(s * unit).quantize(unit) for s in shares]


def billed_share(discount: Decimal, whole: Decimal, before: Decimal, after: Decimal, currency: str) -> Decimal:
    """The part of a category's document `discount` that goes with lines of the category worth
    `after - before` when `before` of its `whole` amount was billed already (a sales order billed
    in parts): the discount of what is billed so far, rounded half-up, less that of what was
    billed before. The parts add up to `discount` exactly once the whole category is billed."""
    def so_far(amount: Decimal) -> Decimal:
        if amount == whole or not whole:
            return discount if amount == whole else _ZERO
        return (discount * amount / whole).quantize(_exp(currency), rounding=ROUND_HALF_UP)
    return so_far(after) - so_far(before)


def _rate_tax(net: Decimal, rate: Decimal, inclusive: bool, unit: Decimal, mode: str) -> tuple[Decimal, Decimal]:
    """(amount without tax, tax) of one rate's `net` amount (内税: `net` includes the tax)."""
    if inclusive:
        tax = (net * rate / (_HUNDRED + rate)).quantize(unit, rounding=mode)
        return net - tax, tax
    return net, (net * rate / _HUNDRED).quantize(unit, rounding=mode)


def totals(lines: Iterable[tuple[Decimal, TaxCategory | Decimal]], currency: str,
           rounding: str | Pricing = "down") -> Totals:
    """`lines` are (amount, tax category) pairs, amounts already rounded by `line_amount` (a bare
    rate is read by `category_of_rate`). Raises DiscountTooLarge or NegativeCategory."""
    pricing = rounding if isinstance(rounding, Pricing) else Pricing(rounding=rounding)
    by_category: dict[TaxCategory, Decimal] = {}
    for amount, category in lines:
        category = _category(category)
        by_category[category] = by_category.get(category, _ZERO) + amount
    for category, amount in by_category.items():
        if amount < 0:
            raise NegativeCategory(category)
    categories = [c for c in CATEGORY_RATES if c in by_category]
    gross = [by_category[c] for c in categories]
    base = sum(gross, _ZERO)
    discount = discount_amount(base, pricing, currency)
    if discount > base:
        raise DiscountTooLarge()
    shares = allocate(discount, gross, currency) if discount else [_ZERO] * len(gross)
    mode, unit = ROUNDING[pricing.rounding], _exp(currency)
    fx = pricing.exchange_rate if needs_rate(currency) else None
    rows = []
    for category, amount, share in zip(categories, gross, shares, strict=True):
        rate, net = CATEGORY_RATES[category], amount - share
        subtotal, tax = _rate_tax(net, rate, pricing.inclusive, unit, mode)
        yen: tuple[Decimal, Decimal] | tuple[None, None] = (None, None)
        if fx is not None:  # the same computation on the rate's amount converted to yen
            yen = _rate_tax(to_yen(net, currency, fx), rate, pricing.inclusive, Decimal(1), mode)
        rows.append(RateTotal(rate, subtotal, tax, category, share, *yen))
    subtotal = sum((r.subtotal for r in rows), _ZERO)
    tax = sum((r.tax for r in rows), _ZERO)
    return Totals(tuple(rows), subtotal, tax, subtotal + tax, discount, pricing.inclusive)
