"""Custom scalars. Money is `Decimal`, sent and received as a string so no float ever touches
it; amounts always travel with their `currency` field.

Numbers are exact whichever way they come: strings and integers as they are, JSON numbers in
variables from the text the HTTP layer keeps with them (`JSONNumber`, schema/http.py), and
number literals in the query from their source text (graphql-core would read them as floats).
"""

from __future__ import annotations

import decimal
from typing import Any

import strawberry
from graphql import FloatValueNode, IntValueNode, StringValueNode, ValueNode
from strawberry.exceptions import StrawberryInputCoercionError


class JSONNumber(float):
    """A JSON number with a fraction or an exponent: a float to every other scalar (so `1.0` is
    still an Int and error messages show `1.5`), with the digits as sent kept for Decimal."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str) -> JSONNumber:
        number = super().__new__(cls, text)
        number.text = text
        return number


def _parse_decimal(value: Any) -> decimal.Decimal:
    if isinstance(value, JSONNumber):
        value = value.text
    if isinstance(value, decimal.Decimal):
        number = value
    elif isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise StrawberryInputCoercionError(f"Decimal cannot represent {value!r}: send a string.")
    else:
        try:
            number = decimal.Decimal(str(value).strip())
        except decimal.DecimalException:
            raise StrawberryInputCoercionError(f"Decimal cannot represent {value!r}.") from None
    if not number.is_finite():
        raise StrawberryInputCoercionError(f"Decimal cannot represent {value!r}.")
    return number


def _parse_decimal_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> decimal.Decimal:
    if isinstance(node, (FloatValueNode, IntValueNode, StringValueNode)):
        return _parse_decimal(node.value)
    raise StrawberryInputCoercionError("Decimal cannot represent this value: send a string.")


Decimal = strawberry.scalar(
    name="Decimal",
    description='A decimal number as a string, e.g. "1200000" or "99.95".',
    serialize=str,
    parse_value=_parse_decimal,
    parse_literal=_parse_decimal_literal,
)

SCALAR_OVERRIDES = {decimal.Decimal: Decimal}
