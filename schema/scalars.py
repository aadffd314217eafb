"""Custom scalars. Money is `Decimal`, sent and received as a string so no float ever touches
it; amounts always travel with their `currency` field.

Numbers are exact whichever way they come: strings and integers as they are, JSON numbers in
variables because the HTTP layer decodes them as Decimal (schema/http.py), and number literals
in the query from their source text (graphql-core would read them through float).
"""

from __future__ import annotations

import decimal
from typing import Any

import strawberry
from graphql import FloatValueNode, IntValueNode, StringValueNode, ValueNode
from strawberry.exceptions import StrawberryInputCoercionError


def _parse_decimal(value: Any) -> decimal.Decimal:
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
