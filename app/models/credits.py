"""Credit notes' links: the invoices a credit note returns an amount on, the credit applied to
invoices, and the refunds of credit paid back to the customer (app.services.credit_notes,
app.services.credit_applications)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from app.models.base import Timestamped
from app.models.transactions import MoneyRecord


class CreditNoteInvoice(Model):
    """An invoice a credit note refers to: the original sale whose number and date it prints."""

    id = fields.IntField(primary_key=True)
    credit_note = fields.ForeignKeyField(
        "models.Transaction", related_name="credited_invoices", on_delete=fields.CASCADE, db_index=True)
    invoice = fields.ForeignKeyField(
        "models.Transaction", related_name=False, on_delete=fields.RESTRICT, db_index=True)

    class Meta:
        table = "credit_note_invoices"
        unique_together = (("credit_note", "invoice"),)
        ordering = ["id"]


class CreditApplication(Timestamped):
    """Credit of a credit note used to settle (part of) an invoice of the same customer. A voided
    application stays on record; its amount goes back to both balances."""

    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.RESTRICT, db_index=True)
    credit_note = fields.ForeignKeyField(
        "models.Transaction", related_name="applications", on_delete=fields.RESTRICT, db_index=True)
    invoice = fields.ForeignKeyField(
        "models.Transaction", related_name="credit_applications", on_delete=fields.RESTRICT, db_index=True)
    amount = fields.DecimalField(max_digits=18, decimal_places=4)
    date = fields.DateField()
    voided_at = fields.DatetimeField(null=True)
    created_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)

    class Meta:
        table = "credit_applications"
        ordering = ["date", "id"]


class Refund(MoneyRecord):
    """Remaining credit paid back to the customer, recorded like a payment."""

    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.RESTRICT, db_index=True)
    credit_note = fields.ForeignKeyField(
        "models.Transaction", related_name="refunds", on_delete=fields.RESTRICT, db_index=True)

    class Meta:
        table = "refunds"
        ordering = ["date", "id"]
