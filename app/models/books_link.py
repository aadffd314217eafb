"""The link between the CRM and a Books organization: the connection keys Books administrators
hand out, and the one link of the installation with the settings of its sync and automation."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from app.models.base import Timestamped


class Automation(StrEnum):
    NONE = "none"
    ESTIMATE = "estimate"  # a draft estimate with a new deal, accepted when won, declined when lost
    INVOICE = "invoice"  # an invoice when a deal is won, voided when it is lost afterwards


class SyncModule(StrEnum):
    ACCOUNTS = "accounts"
    CONTACTS = "contacts"


class SyncDirection(StrEnum):
    TWO_WAY = "two_way"
    CRM_TO_BOOKS = "crm_to_books"


class ConflictPolicy(StrEnum):
    DUPLICATE = "duplicate"  # create another record
    OVERWRITE = "overwrite"
    SKIP = "skip"


class BooksConnectionKey(Model):
    """A key a Books organization administrator hands to the CRM: it reaches the organizations
    its user administers. Only the sha256 of the key is kept (256 random bits: a fast hash is
    enough), with its first characters to recognise it."""

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField(
        "models.User", related_name="books_connection_keys", on_delete=fields.CASCADE, db_index=True)
    key_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=12)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    # Revoked keys are kept so that a link made with one can say why it stopped.
    revoked_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "books_connection_keys"
        ordering = ["-created_at", "-id"]


class BooksLink(Timestamped):
    """The CRM link to one Books organization: a single row per installation (its slot is
    always 1). Disabling keeps the organization and the settings; switching organization is
    connecting again."""

    id = fields.IntField(primary_key=True)
    slot = fields.SmallIntField(default=1, unique=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name=False, null=True, on_delete=fields.RESTRICT, db_index=True)
    enabled = fields.BooleanField(default=True)
    connected_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    key = fields.ForeignKeyField(
        "models.BooksConnectionKey", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    automation = fields.CharEnumField(Automation, max_length=10, default=Automation.NONE)
    # Sync of CRM accounts or contacts with Books customers
    sync_module = fields.CharEnumField(SyncModule, max_length=10, default=SyncModule.ACCOUNTS)
    direction = fields.CharEnumField(SyncDirection, max_length=15, default=SyncDirection.TWO_WAY)
    conflict_policy = fields.CharEnumField(ConflictPolicy, max_length=10, default=ConflictPolicy.SKIP)
    # Sync of CRM products with Books items
    product_direction = fields.CharEnumField(SyncDirection, max_length=15, default=SyncDirection.TWO_WAY)
    product_conflict_policy = fields.CharEnumField(ConflictPolicy, max_length=10, default=ConflictPolicy.SKIP)
    # CRM field -> Books field; empty: the defaults of the sync engine.
    field_mapping = fields.JSONField(default=dict)
    # Delete from Books the records pushed under the previous settings (accounts only).
    delete_previous = fields.BooleanField(default=False)

    class Meta:
        table = "books_link"
