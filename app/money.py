"""Currencies and their minor units. Money is always Decimal; JPY has no minor unit."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.numbers import NumberPattern, format_decimal, parse_pattern

# ISO 4217 minor units for the currencies Kizuna offers.
MINOR_UNITS: dict[str, int] = {
    "JPY": 0,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "CNY": 2,
    "KRW": 0,
    "TWD": 2,
    "SGD": 2,
    "AUD": 2,
}
CURRENCIES = tuple(MINOR_UNITS)
# Consumption tax is declared in yen: a document in any other currency carries an exchange rate
# (yen per 1 unit, with its date), and reports add up the yen equivalents.
BASE_CURRENCY = "JPY"


def needs_rate(currency: str) -> bool:
    """A document in this currency carries an exchange rate to the yen."""
    return currency != BASE_CURRENCY


def to_yen(amount: Decimal, currency: str, exchange_rate: Decimal | None) -> Decimal | None:
    """`amount` in yen at the document's rate, rounded half-up to the yen (the one rule for every
    yen equivalent of a document amount: receivables, totals in yen); None when a foreign amount
    has no rate (documents saved before rates were kept)."""
    if not needs_rate(currency):
        return amount
    if exchange_rate is None:
        return None
    return (amount * exchange_rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def minor_unit(currency: str) -> int:
    return MINOR_UNITS[currency]


def fits_minor_unit(amount: Decimal, currency: str) -> bool:
    """True when `amount` has no more decimal places than the currency allows."""
    exponent = amount.normalize().as_tuple().exponent
    return not isinstance(exponent, int) or -exponent <= minor_unit(currency) or exponent >= 0


def quantize(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-minor_unit(currency)))


@lru_cache(maxsize=None)
def _locale(name: str) -> Locale:
    """Parsed once per language (most of the cost of a babel call)."""
    return Locale.parse(name)


def _with_currency(text: str, currency: str) -> str:
    # The yen sign for yen, the ISO code after other amounts: "$" alone could be USD, AUD or SGD.
    # A negative yen amount has its sign before the yen sign, as babel writes it: -¥1,000.
    if currency == "JPY":
        return f"-¥{text[1:]}" if text.startswith("-") else f"¥{text}"
    return f"{text} {currency}"


@lru_cache(maxsize=None)
def _money_pattern(digits: int) -> NumberPattern:
    """The number pattern of amounts with `digits` minor digits, parsed once."""
    return parse_pattern("#,##0" + ("." + "0" * digits if digits else ""))


def format_money(amount: Decimal | None, currency: str, locale: str = "en") -> str:
    """An amount at its currency's minor unit, digits grouped by babel for `locale`: ¥1,200,
    1,234.50 USD (app.formatting is the entry point for pages, mail and PDFs)."""
    if amount is None:
        return ""
    # babel's format_decimal with the pattern parsed once (parsing was a fifth of the call)
    text = _money_pattern(minor_unit(currency)).apply(quantize(amount, currency), _locale(locale))
    return _with_currency(text, currency)


def format_rate(amount: Decimal | None, currency: str, locale: str = "en") -> str:
    """A unit price at its own precision, at least the currency's minor unit: 0.125 USD stays
    "0.125 USD" (format_money would print the 0.12 of a rounded amount), ¥12.5 stays "¥12.5"."""
    if amount is None:
        return ""
    digits = minor_unit(currency)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    text = format_decimal(amount, format=pattern, locale=_locale(locale), decimal_quantization=False)
    return _with_currency(text, currency)


def format_exchange_rate(rate: Decimal | None, locale: str = "en") -> str:
    """Yen per unit as rates are quoted: 150.25, 1,234.5, 0.934521 (up to the column's 6 places)."""
    if rate is None:
        return ""
    return format_decimal(rate, format="#,##0.######", locale=_locale(locale))


def format_number(value: Decimal | None, locale: str = "en") -> str:
    """A quantity or a percentage as people write it: 10, 1.5, 1,000 (never 1E+1)."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.###", locale=_locale(locale), decimal_quantization=False)


_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")


def parse_decimal(value: Any) -> Decimal:
    """A number as people type it: "1,200", "１２００", " 3.5 ". Raises InvalidOperation."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        number = Decimal(str(value).strip().translate(_FULLWIDTH).replace(",", ""))
    if not number.is_finite():
        raise InvalidOperation
    return number
