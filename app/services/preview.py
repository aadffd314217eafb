"""The totals of a document being written: what its form shows live and GraphQL's `previewTotals`
answers. Lines are read by the rules of saving (`transactions.clean_line`) and priced as saving
prices them (`transactions.price`), so a preview never disagrees with the saved document; a line
not yet complete enough to price is left out of the totals, its problems returned."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app import cleaning, kinds
from app.errors import FieldError, ValidationError
from app.i18n import N_
from app.models import BooksContact, Item, Kind, Organization
from app.permissions import Principal, require
from app.services.tax import Pricing, Totals
from app.services.transactions import MAX_LINES, Problems, clean_line, price, price_problems, read_pricing


@dataclass(frozen=True)
class Preview:
    totals: Totals
    amounts: dict[int, Decimal]  # index of each priced line -> its amount
    currency: str
    errors: tuple[FieldError, ...]  # the lines' problems, at `lines.<index>.<field>`


def _int(value: Any) -> int | None:
    return cleaning.pk(value) if value is not None else None  # out of the id range: no record


def preview_lines(raw_lines: Sequence[Mapping[str, Any]], currency: str, rounding: str | Pricing,
                  items: Mapping[int, Item] | None = None) -> Preview:
    """The totals of the lines that can be priced; `items` fill what an item's line leaves blank.
    When the discount (or a category's discount lines) cannot apply, the totals leave the
    document discount out and the problem is returned with the lines'."""
    errors: list[FieldError] = []
    priced, indexes = [], []
    for index, raw in enumerate(raw_lines[:MAX_LINES]):
        problems = Problems()
        line = clean_line(dict(raw), (items or {}).get(_int(raw.get("item_id"))), f"lines.{index}", problems)
        errors += problems.errors
        if not problems.errors:
            priced.append(line)
            indexes.append(index)
    pricing = rounding if isinstance(rounding, Pricing) else Pricing(rounding=rounding)
    problems = Problems()
    if price_problems(priced, currency, pricing, problems) is None and problems.errors:
        errors += problems.errors
        pricing = Pricing(rounding=pricing.rounding, inclusive=pricing.inclusive)
        if any(e.field == "lines" for e in problems.errors):  # a category below zero: none priced
            priced, indexes = [], []
    rows, result = price(priced, currency, pricing)
    return Preview(result, {i: row["amount"] for i, row in zip(indexes, rows, strict=True)}, currency,
                   tuple(errors))


async def preview_document(principal: Principal, kind: Kind, data: Mapping[str, Any]) -> Preview:
    """A document's totals before it is saved: in the organization given (default the current
    one), in the contact's currency (default the organization's), with its tax rounding."""
    require(principal, "create_edit", kinds.of(kind).module)
    org_id = _int(data.get("organization_id") or principal.current_organization_id)
    if org_id not in principal.organization_ids:
        raise ValidationError.single("organization_id", N_("Choose an organization you belong to."))
    org = await Organization.get(id=org_id)
    contact = await BooksContact.get_or_none(id=_int(data.get("contact_id")) or 0, organization_id=org.id)
    raw_lines = [line for line in data.get("lines") or () if isinstance(line, Mapping)]
    if len(raw_lines) > MAX_LINES:
        raise ValidationError.single("lines", N_("At most %(max)d lines."), max=MAX_LINES)
    item_ids = sorted({i for line in raw_lines if (i := _int(line.get("item_id"))) is not None})
    items = {i.id: i for i in await Item.filter(organization_id=org.id, id__in=item_ids)} if item_ids else {}
    currency = contact.currency if contact is not None else org.currency
    pricing, errors = read_pricing(data, org.tax_rounding.value)
    result = preview_lines(raw_lines, currency, pricing, items)
    return Preview(result.totals, result.amounts, currency, tuple(errors) + result.errors)
