"""Currencies and their minor units. Money is always Decimal; JPY has no minor unit."""

from __future__ import annotations

from decimal import Decimal

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


def minor_unit(currency: str) -> int:
    return MINOR_UNITS[currency]


def fits_minor_unit(amount: Decimal, currency: str) -> bool:
    """True when `amount` has no more decimal places than the currency allows."""
    exponent = amount.normalize().as_tuple().exponent
    return not isinstance(exponent, int) or -exponent <= minor_unit(currency) or exponent >= 0


def quantize(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-minor_unit(currency)))


def format_money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return ""
    value = quantize(amount, currency)
    digits = minor_unit(currency)
    text = f"{value:,.{digits}f}"
    return f"¥{text}" if currency == "JPY" else f"{text} {currency}"
