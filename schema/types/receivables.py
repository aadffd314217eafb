"""What customers owe (app.services.receivables rows) as GraphQL sees them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry

from schema.context import Info
from schema.loaders import ready
from schema.types.books import BooksContact, decimal_field, exact


def _aging_field(bucket: str, description: str) -> Any:
    def resolve(root: Any) -> Decimal:
        return exact(root.aging[bucket])

    return strawberry.field(resolver=resolve, description=description)


@strawberry.type(description="What one customer owes, from the invoices sent (drafts and void ones "
                 "do not count), with the outstanding balance aged by days past the due date.")
class CustomerReceivables:
    currency: str
    invoiced: Decimal = decimal_field("invoiced")
    paid: Decimal = decimal_field("paid")
    outstanding: Decimal = decimal_field("outstanding")
    overdue: Decimal = decimal_field("overdue", "Outstanding past the due date.")
    credited: Decimal = decimal_field("credited", "Credit from credit notes applied to the invoices.")
    credit: Decimal = decimal_field("credit", "Open credit notes' credit not yet applied nor refunded.")
    net: Decimal = decimal_field("net", "Outstanding less the unapplied credit: what the customer owes once "
                                 "their credit is used (negative: owed to them).")
    invoiced_jpy: Decimal = decimal_field("invoiced_jpy", "`invoiced` in yen, each invoice at its exchange rate.")
    paid_jpy: Decimal = decimal_field("paid_jpy", "`paid` in yen, each invoice at its exchange rate.")
    outstanding_jpy: Decimal = decimal_field("outstanding_jpy", "`outstanding` in yen, each invoice at its "
                                             "exchange rate: what reports total.")
    overdue_jpy: Decimal = decimal_field("overdue_jpy", "`overdue` in yen, each invoice at its exchange rate.")
    credited_jpy: Decimal = decimal_field("credited_jpy", "`credited` in yen, each credit at its document's rate.")
    credit_jpy: Decimal = decimal_field("credit_jpy", "`credit` in yen, each credit note at its exchange rate.")
    net_jpy: Decimal = decimal_field("net_jpy", "`net` in yen.")
    yen_complete: bool = strawberry.field(description="False when an invoice in another currency has no "
                                          "exchange rate (saved before rates were kept): the yen amounts leave it out.")
    current: Decimal = _aging_field("current", "Outstanding, not yet due.")
    days_1_to_30: Decimal = _aging_field("days_1_30", "Outstanding, 1 to 30 days past due.")
    days_31_to_60: Decimal = _aging_field("days_31_60", "Outstanding, 31 to 60 days past due.")
    days_61_to_90: Decimal = _aging_field("days_61_90", "Outstanding, 61 to 90 days past due.")
    days_over_90: Decimal = _aging_field("days_over_90", "Outstanding, more than 90 days past due.")

    @strawberry.field(description="The customer's name.")
    def customer_name(self) -> str:
        return self.name

    @strawberry.field(description="The customer; null when Books contacts are not visible to you.")
    def customer(self, info: Info) -> BooksContact | None:
        return ready(info.context.loaders.books_contact, self.contact_id)
