"""A deal's line items and the amount they make.

A deal with lines has their sum as its amount: each line is quantity x unit price, rounded
half-up to the currency's minor unit, less its discount (an amount, at most the line's gross).
The deal service (app.services.deals) cleans the lines with the rest of the deal and writes them
in the same transaction, so the amount is computed here, once, on every save; a deal without
lines keeps the amount typed for it.

A line may name a product the editor may see; a line that already named a product now hidden
from them keeps it when the input repeats its id (the form carries it along).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app import cleaning, money
from app.i18n import N_
from app.models import Deal, DealLine, Product
from app.permissions import Principal
from app.services import links
from app.services.records import Cleaned

MAX_LINES = 200
MAX_AMOUNT = Decimal("9999999999999999.99")  # Deal.amount: DecimalField(max_digits=18, decimal_places=2)
LINE_FIELDS = ("product_id", "description", "quantity", "unit_price", "discount")
DESCRIPTION_MAX = DealLine._meta.fields_map["description"].max_length


@dataclass(frozen=True)
class Line:
    """A cleaned line, ready to write."""

    product_id: int | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal

    def amount(self, currency: str) -> Decimal:
        return line_amount(self.quantity, self.unit_price, self.discount, currency)


def line_amount(quantity: Decimal, unit_price: Decimal, discount: Decimal, currency: str) -> Decimal:
    places = money.minor_unit(currency) if currency in money.CURRENCIES else 0
    gross = (quantity * unit_price).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return gross - discount


def total(lines: Sequence[Line | DealLine], currency: str) -> Decimal:
    """The deal's amount for these lines."""
    return sum((line_amount(x.quantity, x.unit_price, x.discount, currency) for x in lines), Decimal(0))


def lines_query(deal_ids: Sequence[int]):
    """The lines of deals the caller has already checked (the deal page, GraphQL's loader)."""
    return DealLine.filter(deal_id__in=list(deal_ids)).order_by("deal_id", "position", "id")


async def lines_of(deal: Deal) -> list[DealLine]:
    return list(await lines_query([deal.id]))


def _number(cleaned: Cleaned, path: str, raw: Any, default: Decimal, field: str) -> Decimal | None:
    """The input as the column's number; `default` when blank; None (with an error) when it is not one."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    try:
        return cleaning.column_decimal(DealLine, field, raw)
    except cleaning.Unclean as problem:
        cleaned.error(path, problem.msgid, **problem.params)
        return None


async def clean_lines(principal: Principal, items: Any, currency: str, cleaned: Cleaned) -> list[Line]:
    """[{product_id, description, quantity, unit_price, discount}] -> lines; errors at `lines.<i>.<field>`."""
    if not isinstance(items, (list, tuple)):
        cleaned.error("lines", N_("Enter a valid value."))
        return []
    if len(items) > MAX_LINES:
        cleaned.error("lines", N_("A deal has at most %(max)d lines."), max=MAX_LINES)
        return []
    deal = cleaned.instance
    kept = set() if deal is None else set(
        await DealLine.filter(deal_id=deal.id, product_id__not_isnull=True).values_list("product_id", flat=True))
    wanted = {pk for item in items if isinstance(item, dict) and (pk := links.as_id(item.get("product_id")))}
    visible = await links.reachable(principal, Product).filter(id__in=sorted(wanted)) if wanted else []
    products = {p.id: p for p in visible}
    checked = currency in money.CURRENCIES
    result: list[Line] = []
    for i, item in enumerate(items):
        at = f"lines.{i}"
        if not isinstance(item, dict):
            cleaned.error(at, N_("Enter a valid value."))
            continue
        for name in sorted(set(item) - set(LINE_FIELDS)):
            cleaned.error(f"{at}.{name}", N_("Unknown field."))
        raw_product = item.get("product_id")
        product_id = links.as_id(raw_product)
        product = products.get(product_id) if product_id else None
        if raw_product not in (None, "") and product is None and product_id not in kept:
            cleaned.error(f"{at}.product_id", N_("Choose a valid record."))
        try:
            description = cleaning.text(item.get("description") or "")
        except cleaning.Unclean as problem:  # (app.services.records refuses such input before)
            cleaned.error(f"{at}.description", problem.msgid, **problem.params)
            continue
        if not description and product is not None:
            description = product.name
        if not description:
            if product_id is None or product_id not in kept:
                cleaned.error(f"{at}.description", N_("Enter a description or choose a product."))
        elif len(description) > DESCRIPTION_MAX:
            cleaned.error(f"{at}.description", N_("Must be at most %(max)d characters (now %(length)d)."),
                          max=DESCRIPTION_MAX, length=len(description))
        quantity = _number(cleaned, f"{at}.quantity", item.get("quantity"), Decimal(1), "quantity")
        price_default = product.unit_price if product is not None else Decimal(0)
        unit_price = _number(cleaned, f"{at}.unit_price", item.get("unit_price"), price_default, "unit_price")
        discount = _number(cleaned, f"{at}.discount", item.get("discount"), Decimal(0), "discount")
        if quantity is not None and quantity <= 0:
            cleaned.error(f"{at}.quantity", N_("Enter more than zero."))
            quantity = None
        for name, value in (("unit_price", unit_price), ("discount", discount)):
            if value is None:
                continue
            if value < 0:
                cleaned.error(f"{at}.{name}", N_("Enter zero or more."))
            elif checked and not money.fits_minor_unit(value, currency):
                cleaned.error(f"{at}.{name}", N_("%(currency)s amounts allow %(digits)d decimal places."),
                              currency=currency, digits=money.minor_unit(currency))
        if quantity is None or unit_price is None or discount is None or unit_price < 0 or discount < 0:
            continue
        if discount > line_amount(quantity, unit_price, Decimal(0), currency):
            cleaned.error(f"{at}.discount", N_("The discount cannot exceed the line amount."))
            continue
        result.append(Line(product_id, description, quantity, unit_price, discount))
    if len(result) == len(items) and total(result, currency) > MAX_AMOUNT:
        cleaned.error("lines", N_("The amount is too large."))
    return result


async def write_lines(deal: Deal, lines: Sequence[Line]) -> None:
    """Replace the deal's lines, inside the caller's transaction, after the deal's row was saved in
    it: that update locks the row, so two replacements of one deal's lines run one after the other
    (on PostgreSQL the second's delete then sees the first's lines) and never leave both sets."""
    await DealLine.filter(deal_id=deal.id).delete()
    await DealLine.bulk_create([
        DealLine(deal_id=deal.id, position=i, product_id=x.product_id, description=x.description,
                 quantity=x.quantity, unit_price=x.unit_price, discount=x.discount)
        for i, x in enumerate(lines)
    ])
