"""Notifications (issue 13): the outbox of events that customers' actions on documents raise,
written in the transaction of the change, and delivered by the job engine to the destinations
an organization configures."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class EventType(StrEnum):
    ESTIMATE_VIEWED = "estimate.viewed"
    ESTIMATE_COMMENTED = "estimate.commented"
    ESTIMATE_ACCEPTED = "estimate.accepted"
    ESTIMATE_DECLINED = "estimate.declined"
    INVOICE_VIEWED = "invoice.viewed"
    INVOICE_COMMENTED = "invoice.commented"
    INVOICE_PAID = "invoice.paid"  # a payment, partial or full, from the portal or recorded by staff
    INVOICE_TRANSFER_REPORTED = "invoice.transfer_reported"  # the customer says they transferred


class NotificationEvent(Model):
    """One event of the outbox: what happened to which document, recorded once in the database
    transaction of the change. `data` holds what a message needs (the amount paid, the comment
    excerpt, who accepted) so that delivering never reads a document that changed since."""

    id = fields.BigIntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE, db_index=True)
    type = fields.CharEnumField(EventType, max_length=30)
    txn = fields.ForeignKeyField("models.Transaction", related_name=False, null=True,
                                 on_delete=fields.SET_NULL, db_index=True)
    actor = fields.CharField(max_length=200, default="")  # the customer (person) who acted
    data = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    # Set once the deliveries of the event were planned (one per destination that wants it).
    dispatched_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "notification_events"
        ordering = ["id"]
