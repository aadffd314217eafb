"""`previewTotals`: a document's totals before it is saved, from the service that the form's live
totals read too (`app.services.preview`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Union

import strawberry

from app.models import Kind
from app.services.preview import Preview, preview_document
from schema.context import Info
from schema.errors import FieldError, NotFound, PermissionDenied, ValidationError, attempt, field_path
from schema.mutations.books import BOOKS_ID_TYPES
from schema.mutations.books_transactions import TransactionInput
from schema.mutations.common import to_data
from schema.queries.common import AUTH
from schema.types.books import TransactionKind, exact
from schema.types.books_transactions import TaxRow, tax_row


@strawberry.type(description="The totals of a document being written, priced as saving prices it. Lines "
                 "not complete enough to price are left out; `fields` says what each one lacks.")
class TotalsPreview:
    currency: str
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    tax_rows: list[TaxRow]
    discount_total: Decimal = strawberry.field(description="The document discount in money.")
    prices_include_tax: bool
    line_amounts: list[Decimal | None] = strawberry.field(
        description="The amount of each given line, in order; null for a line that cannot be priced.")
    fields: list[FieldError]


PreviewTotalsResult = Annotated[Union[TotalsPreview, ValidationError, NotFound, PermissionDenied],
                                strawberry.union("PreviewTotalsResult")]


def _payload(info: Info, result: Preview, count: int) -> TotalsPreview:
    gettext = info.context.gettext
    totals = result.totals
    return TotalsPreview(
        currency=result.currency, subtotal=exact(totals.subtotal), tax_total=exact(totals.tax),
        total=exact(totals.total),
        tax_rows=[tax_row(r) for r in totals.rates], discount_total=exact(totals.discount),
        prices_include_tax=totals.inclusive,
        line_amounts=[exact(result.amounts[i]) if i in result.amounts else None for i in range(count)],
        fields=[FieldError(path=field_path(e.field), message=e.render(gettext)) for e in result.errors],
    )


@strawberry.type
class PreviewQuery:
    @strawberry.field(permission_classes=AUTH, description="The totals a document of `kind` would have "
                      "with these lines, in the organization and currency of the input; nothing is saved.")
    async def preview_totals(self, info: Info, kind: TransactionKind, input: TransactionInput) -> PreviewTotalsResult:
        async def run() -> Preview:
            data = to_data(input, BOOKS_ID_TYPES)
            return await preview_document(info.context.principal, Kind(kind.value), data)

        count = len(input.lines or [])
        return await attempt(info, run, lambda result: _payload(info, result, count))
