"""Books transactions: estimates, sales orders, invoices and purchase orders share one table
(`kind` tells them apart) with their line items, comments/history, payments, documents, the
numbering counters and the e-mail templates."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from app.models.base import Timestamped, long_text


class Kind(StrEnum):
    ESTIMATE = "estimate"
    SALES_ORDER = "sales_order"
    INVOICE = "invoice"
    PURCHASE_ORDER = "purchase_order"
    CREDIT_NOTE = "credit_note"  # 適格返還請求書: a return, discount or rebate on invoices


class Status(StrEnum):
    """Stored statuses of every kind; `expired` and `overdue` are derived from dates, not stored."""

    DRAFT = "draft"
    SENT = "sent"
    VIEWED = "viewed"
    ACCEPTED = "accepted"  # estimate
    DECLINED = "declined"  # estimate
    CONVERTED = "converted"  # estimate turned into a sales order or an invoice
    CONFIRMED = "confirmed"  # sales order
    INVOICED = "invoiced"  # sales order
    PARTIALLY_PAID = "partially_paid"  # invoice
    PAID = "paid"  # invoice
    CLOSED = "closed"  # purchase order, received and billed; credit note, its credit used up
    VOID = "void"


class TaxCategory(StrEnum):
    """A line's consumption-tax category (app.services.tax holds the rates and rules)."""

    STANDARD = "standard"  # 課税 10%
    REDUCED = "reduced"  # 軽減税率 8%
    EXPORT = "export"  # 免税 (exports, zero-rated)
    EXEMPT = "exempt"  # 非課税
    OUT_OF_SCOPE = "out_of_scope"  # 不課税


class DiscountType(StrEnum):
    AMOUNT = "amount"
    PERCENT = "percent"


class Transaction(Timestamped):
    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="transactions", on_delete=fields.RESTRICT, db_index=True)
    kind = fields.CharEnumField(Kind, max_length=20)
    number = fields.CharField(max_length=30)
    status = fields.CharEnumField(Status, max_length=20, default=Status.DRAFT)
    # The customer (a vendor for purchase orders).
    contact = fields.ForeignKeyField(
        "models.BooksContact", related_name="transactions", on_delete=fields.RESTRICT, db_index=True)
    issue_date = fields.DateField()
    # Estimate: expiry date. Invoice: due date. Orders: expected delivery date.
    due_date = fields.DateField(null=True, db_index=True)
    payment_terms = fields.CharField(max_length=20, default="")
    reference = fields.CharField(max_length=100, default="")
    subject = fields.CharField(max_length=250, default="")
    salesperson = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    currency = fields.CharField(max_length=3, default="JPY")
    # A document in another currency than the yen: yen per 1 unit of it, and the day of that rate
    # (app.services.tax converts the per-rate amounts with it). None on yen documents.
    exchange_rate = fields.DecimalField(max_digits=18, decimal_places=6, null=True)
    exchange_rate_date = fields.DateField(null=True)
    notes = long_text()
    terms = long_text()
    # Totals, kept in step with the lines by the service (lists and receivables read them).
    subtotal = fields.DecimalField(max_digits=18, decimal_places=4, default=0)
    tax_total = fields.DecimalField(max_digits=18, decimal_places=4, default=0)
    total = fields.DecimalField(max_digits=18, decimal_places=4, default=0)
    amount_paid = fields.DecimalField(max_digits=18, decimal_places=4, default=0)
    balance = fields.DecimalField(max_digits=18, decimal_places=4, default=0)
    # Invoice: credit applied to it from credit notes. Credit note: its credit applied to invoices
    # (its refunds are its `amount_paid`). app.services.payments.settle keeps `balance` in step.
    credit_applied = fields.DecimalField(max_digits=18, decimal_places=4, default=0, db_default=0)
    # Credit note: why the amount goes back (app.services.credit_notes.REASONS).
    credit_reason = fields.CharField(max_length=10, default="", db_default="")
    # [{"rate": "10", "subtotal": "1000", "tax": "100"}, ...] as computed with the rounding below;
    # a foreign-currency document's rows also have "subtotal_jpy" and "tax_jpy" (app.services.tax)
    tax_breakdown = fields.JSONField(default=list)
    tax_rounding = fields.CharField(max_length=10, default="down")
    # The transaction date (取引年月日) or period, printed apart from the issue date.
    transaction_date = fields.DateField(null=True)
    transaction_date_end = fields.DateField(null=True)  # set: a period from transaction_date
    # Prices include tax (内税): the tax is extracted per rate from the rate total.
    prices_include_tax = fields.BooleanField(default=False, db_default=False)
    # A document-level discount, allocated to the tax categories in proportion (app.services.tax).
    discount_type = fields.CharEnumField(DiscountType, max_length=10, default=DiscountType.AMOUNT, db_default="amount")
    discount_value = fields.DecimalField(max_digits=18, decimal_places=4, default=0, db_default=0)
    discount_total = fields.DecimalField(max_digits=18, decimal_places=4, default=0, db_default=0)
    # The document this one was converted from (estimate -> order/invoice, order -> invoice).
    source = fields.ForeignKeyField(
        "models.Transaction", related_name="conversions", null=True, on_delete=fields.SET_NULL,
        db_index=True)
    # A sales order: the invoice that last billed lines of it (app.services.billing; each line
    # records its own). A consolidated invoice's closing period is its transaction period.
    billed_by = fields.ForeignKeyField(
        "models.Transaction", related_name="billed_orders", null=True, on_delete=fields.SET_NULL,
        db_index=True)
    sent_at = fields.DatetimeField(null=True)
    viewed_at = fields.DatetimeField(null=True)
    # An unguessable token for the customer's link to this document.
    portal_token = fields.CharField(max_length=64, unique=True)
    created_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)

    class Meta:
        table = "transactions"
        ordering = ["-issue_date", "-id"]
        unique_together = (("organization", "kind", "number"),)
        indexes = (("organization_id", "kind", "status"), ("organization_id", "kind", "issue_date"))

    def __str__(self) -> str:
        return self.number


class TransactionLine(Model):
    id = fields.IntField(primary_key=True)
    transaction = fields.ForeignKeyField(
        "models.Transaction", related_name="lines", on_delete=fields.CASCADE, db_index=True)
    position = fields.SmallIntField()
    item = fields.ForeignKeyField(
        "models.Item", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    description = fields.TextField(default="")
    quantity = fields.DecimalField(max_digits=14, decimal_places=4, default=1)
    unit = fields.CharField(max_length=20, default="")
    rate = fields.DecimalField(max_digits=18, decimal_places=4, default=0)
    discount = fields.DecimalField(max_digits=5, decimal_places=2, default=0)  # percent
    tax_rate = fields.DecimalField(max_digits=5, decimal_places=2, default=10)  # percent, of the category
    tax_category = fields.CharEnumField(TaxCategory, max_length=20, default=TaxCategory.STANDARD, db_default="standard")
    # A negative unit price is a discount line (値引) in its category.
    amount = fields.DecimalField(max_digits=18, decimal_places=4, default=0)
    # On an invoice: the sales order the line was billed from.
    source_order = fields.ForeignKeyField(
        "models.Transaction", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    # 納品日: a sales-order line delivered apart (none: on the order's date, app.services.billing);
    # an invoice line: the delivery date of the line it bills.
    delivery_date = fields.DateField(null=True)
    # A sales-order line billed: the invoice line that bills it, so it is never billed twice.
    billed_line = fields.ForeignKeyField(
        "models.TransactionLine", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)

    class Meta:
        table = "transaction_lines"
        ordering = ["position", "id"]


class CommentKind(StrEnum):
    NOTE = "note"  # written by a user
    HISTORY = "history"  # recorded by the system


class Comment(Model):
    """A note or a history entry. History text is a msgid with params, translated when shown."""

    id = fields.IntField(primary_key=True)
    transaction = fields.ForeignKeyField(
        "models.Transaction", related_name="comments", on_delete=fields.CASCADE, db_index=True)
    kind = fields.CharEnumField(CommentKind, max_length=10)
    action = fields.CharField(max_length=30, default="")  # history: created, sent, viewed, paid...
    text = fields.TextField()
    params = fields.JSONField(default=dict)
    author = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    # A note written in the customer portal: the person who wrote it (no User author).
    customer_author = fields.CharField(max_length=200, default="")
    # A staff note the customer sees in the portal (customer notes are always visible there).
    visible_to_customer = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "transaction_comments"
        ordering = ["created_at", "id"]


class PaymentMode(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CASH = "cash"
    CREDIT_CARD = "credit_card"
    CHECK = "check"
    OTHER = "other"


class MoneyRecord(Timestamped):
    """Money that went between the organization and a customer: a payment of an invoice, a refund
    of a credit note's credit. A voided one stays on record; its amount goes back to the
    document's balance (app.services.payments.void_row)."""

    amount = fields.DecimalField(max_digits=18, decimal_places=4)
    date = fields.DateField()
    mode = fields.CharEnumField(PaymentMode, max_length=20, default=PaymentMode.BANK_TRANSFER)
    reference = fields.CharField(max_length=100, default="")
    notes = fields.CharField(max_length=500, default="")
    voided_at = fields.DatetimeField(null=True)
    created_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)

    class Meta:
        abstract = True


class Payment(MoneyRecord):
    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="payments", on_delete=fields.RESTRICT, db_index=True)
    invoice = fields.ForeignKeyField(
        "models.Transaction", related_name="payments", on_delete=fields.RESTRICT, db_index=True)

    class Meta:
        table = "payments"
        ordering = ["date", "id"]
        # The Payments list: an organization's payments by date, off the index.
        indexes = (("organization_id", "date", "id"),)


class Document(Model):
    """A file attached to a Books contact or a transaction, stored on disk under a random name."""

    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="documents", on_delete=fields.RESTRICT, db_index=True)
    books_contact = fields.ForeignKeyField(
        "models.BooksContact", related_name="documents", null=True, on_delete=fields.CASCADE,
        db_index=True)
    transaction = fields.ForeignKeyField(
        "models.Transaction", related_name="documents", null=True, on_delete=fields.CASCADE,
        db_index=True)
    filename = fields.CharField(max_length=255)
    content_type = fields.CharField(max_length=100)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    storage_name = fields.CharField(max_length=80, unique=True)
    uploaded_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "documents"
        ordering = ["-created_at", "-id"]


class NumberSequence(Model):
    """The next number per organization and kind, taken inside the creating transaction so a
    rolled-back creation gives its number back (no gaps) and the row lock serializes creators."""

    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="sequences", on_delete=fields.CASCADE, db_index=True)
    kind = fields.CharEnumField(Kind, max_length=20)
    last_value = fields.IntField(default=0)

    class Meta:
        table = "number_sequences"
        unique_together = (("organization", "kind"),)


class EmailTemplate(Timestamped):
    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="email_templates", on_delete=fields.CASCADE, db_index=True)
    kind = fields.CharEnumField(Kind, max_length=20)
    name = fields.CharField(max_length=100)
    language = fields.CharField(max_length=5, default="ja")
    subject = fields.CharField(max_length=255)
    body = fields.TextField()
    is_default = fields.BooleanField(default=False)

    class Meta:
        table = "email_templates"
        ordering = ["kind", "-is_default", "name", "id"]


class PortalLink(Model):
    """A one-time sign-in link to the customer portal, sent to a contact person by e-mail. Only
    the sha256 of its secret is kept. Used once, expires, and can be revoked."""

    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE, db_index=True)
    contact = fields.ForeignKeyField(
        "models.BooksContact", related_name=False, on_delete=fields.CASCADE, db_index=True)
    email = fields.CharField(max_length=254, db_index=True)
    name = fields.CharField(max_length=200, default="")
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "portal_links"


class PortalSession(Model):
    """A signed-in customer portal browser, scoped to one customer. The cookie carries the secret,
    the row its sha256. Deleting or revoking the row ends the session."""

    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE, db_index=True)
    contact = fields.ForeignKeyField(
        "models.BooksContact", related_name=False, on_delete=fields.CASCADE, db_index=True)
    email = fields.CharField(max_length=254, db_index=True)
    name = fields.CharField(max_length=200, default="")
    secret_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "portal_sessions"


class PortalView(Model):
    """The customer looked at a document on that day (viewed is recorded once a day)."""

    id = fields.IntField(primary_key=True)
    transaction = fields.ForeignKeyField(
        "models.Transaction", related_name=False, on_delete=fields.CASCADE, db_index=True)
    contact = fields.ForeignKeyField(
        "models.BooksContact", related_name=False, on_delete=fields.CASCADE, db_index=True)
    day = fields.DateField()

    class Meta:
        table = "portal_views"
        unique_together = (("transaction", "contact", "day"),)


class TransferReport(Model):
    """The customer says they paid an invoice by bank transfer. Staff confirm it into a payment
    or dismiss it."""

    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE, db_index=True)
    invoice = fields.ForeignKeyField(
        "models.Transaction", related_name="transfer_reports", on_delete=fields.CASCADE, db_index=True)
    transfer_date = fields.DateField()
    amount = fields.DecimalField(max_digits=18, decimal_places=4)
    remitter = fields.CharField(max_length=100)
    reported_by = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    payment = fields.ForeignKeyField(
        "models.Payment", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    confirmed_at = fields.DatetimeField(null=True)
    dismissed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "transfer_reports"
        ordering = ["created_at", "id"]


class CardPaymentEvent(Model):
    """A card payment provider event (a Stripe webhook) applied once: its id is unique per
    provider, so a second delivery changes nothing."""

    id = fields.IntField(primary_key=True)
    provider = fields.CharField(max_length=20)
    event_id = fields.CharField(max_length=255)
    invoice = fields.ForeignKeyField(
        "models.Transaction", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    payment = fields.ForeignKeyField(
        "models.Payment", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "card_payment_events"
        unique_together = (("provider", "event_id"),)
