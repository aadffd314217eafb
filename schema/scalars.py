"""Custom scalars. Money is `Decimal`, sent and received as a string so no float ever touches
it; amounts always travel with their `currency` field."""

from __future__ import annotations

import decimal
from typing import Any

import strawberry
from strawberry.exceptions import StrawberryInputCoercionError


def _parse_decimal(value: Any) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise StrawberryInputCoercionError(f"Decimal cannot represent {value!r}: send a string.")
    try:
        number = decimal.Decimal(str(value).strip())
    except decimal.DecimalException:
        raise StrawberryInputCoercionError(f"Decimal cannot represent {value!r}.") from None
    if not number.is_finite():
        raise StrawberryInputCoercionError(f"Decimal cannot represent {value!r}.")
    return number


Decimal = strawberry.scalar(
    name="Decimal",
    description='A decimal number as a string, e.g. "1200000" or "99.95".',
    serialize=str,
    parse_value=_parse_decimal,
)

SCALAR_OVERRIDES = {decimal.Decimal: Decimal}
