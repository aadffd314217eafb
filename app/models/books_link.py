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
    # Which CRM records sync: [] all, else conditions all of which a record matches (the sync's
    # own saved filter; see app.services.books_sync).
    record_filter = fields.JSONField(default=list)
    # Raised when what is synced changes (module, filter, organization): records pushed under an
    # older generation are those "pushed under the previous settings".
    generation = fields.IntField(default=0)

    class Meta:
        table = "books_link"


class SyncRunStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # stopped by an error of its own (the link gone, the database): see `failure`


class SyncTrigger(StrEnum):
    SCHEDULED = "scheduled"
    MANUAL = "manual"  # an administrator asked for it
    AUTOMATION = "automation"  # a record synced on the spot for a deal's document


class SyncOutcome(StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    SKIPPED = "skipped"
    CONFLICT = "conflict"
    ERROR = "error"
    DELETED = "deleted"


class SyncSide(StrEnum):
    """Where a change was written."""

    BOOKS = "books"
    CRM = "crm"


class BooksSyncRecord(Model):
    """The mapping table: one CRM record (account, contact or product) linked to one record of a
    Books organization (customer or item), with what each side held at the last sync. Each pair
    is unique per organization on both sides, and deleting either record deletes the pair (the other
    record stays)."""

    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE, db_index=True)
    crm_module = fields.CharField(max_length=10)  # accounts, contacts, products (books_fields.Side)
    account = fields.ForeignKeyField("models.Account", related_name=False, null=True,
                                     on_delete=fields.CASCADE, db_index=True)
    contact = fields.ForeignKeyField("models.Contact", related_name=False, null=True,
                                     on_delete=fields.CASCADE, db_index=True)
    product = fields.ForeignKeyField("models.Product", related_name=False, null=True,
                                     on_delete=fields.CASCADE, db_index=True)
    books_contact = fields.ForeignKeyField("models.BooksContact", related_name=False, null=True,
                                           on_delete=fields.CASCADE, db_index=True)
    item = fields.ForeignKeyField("models.Item", related_name=False, null=True,
                                  on_delete=fields.CASCADE, db_index=True)
    # Digests of the mapped values of each side as of the last sync: a side changed since when
    # its digest differs (a save that changed nothing mapped is no change).
    crm_digest = fields.CharField(max_length=64, default="")
    books_digest = fields.CharField(max_length=64, default="")
    # Created in Books by the sync, under the settings generation (BooksLink.generation) then in
    # force: what delete_previous may remove.
    pushed = fields.BooleanField(default=False)
    generation = fields.IntField(default=0)
    synced_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "books_sync_records"
        unique_together = (("organization", "account"), ("organization", "contact"),
                           ("organization", "product"), ("organization", "crm_module", "books_contact"),
                           ("organization", "item"))


class BooksSyncRun(Model):
    """One run of the sync of the linked organization, with its counts: its entries say what
    happened to which record and why."""

    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE, db_index=True)
    trigger = fields.CharEnumField(SyncTrigger, max_length=10)
    started_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    status = fields.CharEnumField(SyncRunStatus, max_length=10, default=SyncRunStatus.RUNNING)
    started_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    finished_at = fields.DatetimeField(null=True)
    # Records changed before this instant were all looked at by this run (the next run's start).
    through = fields.DatetimeField(null=True)
    generation = fields.IntField(default=0)
    added = fields.IntField(default=0)
    updated = fields.IntField(default=0)
    skipped = fields.IntField(default=0)
    conflicts = fields.IntField(default=0)
    errors = fields.IntField(default=0)
    deleted = fields.IntField(default=0)
    failure = fields.CharField(max_length=500, default="")

    class Meta:
        table = "books_sync_runs"
        ordering = ["-started_at", "-id"]


class BooksSyncLogEntry(Model):
    """What a run did to one record, or why it did not: `reason` is a msgid with `params`."""

    id = fields.IntField(primary_key=True)
    run = fields.ForeignKeyField("models.BooksSyncRun", related_name="entries", on_delete=fields.CASCADE,
                                 db_index=True)
    outcome = fields.CharEnumField(SyncOutcome, max_length=10)
    side = fields.CharEnumField(SyncSide, max_length=5)
    crm_module = fields.CharField(max_length=10)
    crm_id = fields.IntField(null=True)
    books_id = fields.IntField(null=True)
    label = fields.CharField(max_length=200, default="")
    reason = fields.CharField(max_length=300, default="")
    params = fields.JSONField(default=dict)

    class Meta:
        table = "books_sync_log_entries"
        ordering = ["id"]


class DealDocument(Model):
    """A Books document the automation made for a deal: one per deal, organization and kind, so
    that re-saving a deal, or winning it again, never makes a second one."""

    id = fields.IntField(primary_key=True)
    deal = fields.ForeignKeyField("models.Deal", related_name=False, on_delete=fields.CASCADE, db_index=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE, db_index=True)
    kind = fields.CharField(max_length=20)  # transactions.Kind
    txn = fields.ForeignKeyField("models.Transaction", related_name=False, on_delete=fields.CASCADE,
                                 db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "deal_documents"
        unique_together = (("deal", "organization", "kind"),)
