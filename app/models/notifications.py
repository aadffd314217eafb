"""Notifications (issue 13): the outbox of events that customers' actions on documents raise,
written in the transaction of the change, and delivered by the job engine to the destinations
an organization configures."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from app.crypto import EncryptedField


class EventType(StrEnum):
    ESTIMATE_VIEWED = "estimate.viewed"
    ESTIMATE_COMMENTED = "estimate.commented"
    ESTIMATE_ACCEPTED = "estimate.accepted"
    ESTIMATE_DECLINED = "estimate.declined"
    INVOICE_VIEWED = "invoice.viewed"
    INVOICE_COMMENTED = "invoice.commented"
    INVOICE_PAID = "invoice.paid"  # a payment, partial or full, from the portal or recorded by staff
    INVOICE_TRANSFER_REPORTED = "invoice.transfer_reported"  # the customer says they transferred
    CREDIT_NOTE_VIEWED = "credit_note.viewed"
    CREDIT_NOTE_COMMENTED = "credit_note.commented"


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


class DestinationKind(StrEnum):
    """Where an organization sends its notifications (app.services.notification_kinds has one
    variant per member: its payload and how it is sent)."""

    TEAM_CHAT = "team_chat"  # a channel of Kizuna's own team chat
    SLACK = "slack"  # Slack-compatible incoming webhooks: Slack, Mattermost, Rocket.Chat
    CLIQ = "cliq"  # Zoho Cliq
    TEAMS = "teams"  # Microsoft Teams workflow webhook (Adaptive Card)
    GOOGLE_CHAT = "google_chat"
    WEBHOOK = "webhook"  # a signed JSON webhook (Standard Webhooks)


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its first or next attempt
    DELIVERED = "delivered"
    FAILED = "failed"  # refused for good (a 4xx other than 408 and 429, or an address refused)
    ABANDONED = "abandoned"  # too many attempts, or its destination was disabled or removed


class NotificationSettings(Model):
    """An organization switch: with notifications off nothing new is delivered (messages
    already posted stay where they are)."""

    id = fields.IntField(primary_key=True)
    organization = fields.OneToOneField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE)
    enabled = fields.BooleanField(default=True)

    class Meta:
        table = "notification_settings"


class Destination(Model):
    """One place an organization sends notifications to: a chat service incoming webhook, a
    signed JSON webhook or a team chat channel, with the event types it wants."""

    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE, db_index=True)
    kind = fields.CharEnumField(DestinationKind, max_length=20)
    name = fields.CharField(max_length=100)
    url = EncryptedField()  # incoming webhook URLs carry their credential: a secret at rest
    secret = EncryptedField()  # the signing secret of a signed webhook (whsec_...)
    channel_id = fields.IntField(null=True)  # team chat channel (no foreign key: chat is another module)
    event_types = fields.JSONField(default=list)  # the EventType values it wants
    enabled = fields.BooleanField(default=True)
    allow_private_network = fields.BooleanField(default=False)  # set by an administrator only
    rate_per_minute = fields.IntField(default=60)
    # the current rate window (fixed, one minute) and what was sent in it
    window_start = fields.DatetimeField(null=True)
    window_count = fields.IntField(default=0)
    consecutive_failures = fields.IntField(default=0)
    disabled_at = fields.DatetimeField(null=True)
    disabled_reason = fields.CharField(max_length=300, default="")
    created_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "notification_destinations"
        ordering = ["name", "id"]

    def wants(self, event_type: str) -> bool:
        return self.enabled and self.disabled_at is None and event_type in (self.event_types or [])


class Delivery(Model):
    """The delivery of one event to one destination: its attempts and last answer (the log)."""

    id = fields.BigIntField(primary_key=True)
    event = fields.ForeignKeyField("models.NotificationEvent", related_name=False, on_delete=fields.CASCADE)
    destination = fields.ForeignKeyField("models.Destination", related_name=False, on_delete=fields.CASCADE,
                                         db_index=True)
    # the document the event is about: deliveries of one document go out in order
    txn_id = fields.IntField(null=True)
    status = fields.CharEnumField(DeliveryStatus, max_length=10, default=DeliveryStatus.PENDING, db_index=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True, db_index=True)
    last_attempt_at = fields.DatetimeField(null=True)
    last_status = fields.IntField(null=True)  # the HTTP status of the last answer
    last_response = fields.CharField(max_length=500, default="")  # an excerpt, or why it failed
    delivered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "notification_deliveries"
        ordering = ["-id"]
        unique_together = (("event", "destination"),)


class Notification(Model):
    """An in-app notification of one user. Viewed notices of one document are grouped in one
    unread row whose count grows."""

    id = fields.BigIntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE, db_index=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE, null=True, db_index=True)
    type = fields.CharField(max_length=40)  # an EventType value, or destination.disabled
    event = fields.ForeignKeyField(
        "models.NotificationEvent", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    txn_id = fields.IntField(null=True)
    destination_id = fields.IntField(null=True)
    count = fields.IntField(default=1)
    data = fields.JSONField(default=dict)
    read_at = fields.DatetimeField(null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "notifications"
        ordering = ["-updated_at", "-id"]


class NotificationPreference(Model):
    """A user opting out of (or back into) one type of in-app notification."""

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    type = fields.CharField(max_length=40)
    in_app = fields.BooleanField(default=True)

    class Meta:
        table = "notification_preferences"
        unique_together = (("user", "type"),)
