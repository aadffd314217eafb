"""PIM sync (issue 14): contacts, tasks and events exchanged with Outlook and other clients, as files
(Outlook CSV, vCard, iCalendar) and over CalDAV/CardDAV; per-user sync settings, the DAV
collections as each client sees them, the reports of every sync run with the records it ignored,
and the changes held for confirmation."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class PimKind(StrEnum):
    CONTACTS = "contacts"
    TASKS = "tasks"
    EVENTS = "events"


class PimDirection(StrEnum):
    BOTH = "both"
    TO_KIZUNA = "to_kizuna"  # client -> Kizuna only
    TO_CLIENT = "to_client"  # Kizuna -> client only


class PimSetting(Model):
    """How one user syncs one kind: direction, automatic or manual (held until sync now), and
    optionally only the items in a category (the seed calls it the Kizuna category)."""

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE, db_index=True)
    kind = fields.CharEnumField(PimKind, max_length=10)
    direction = fields.CharEnumField(PimDirection, max_length=10, default=PimDirection.BOTH)
    automatic = fields.BooleanField(default=True)
    category_only = fields.BooleanField(default=False)
    category_name = fields.CharField(max_length=50, default="Kizuna")
    # A client deleting more than this share (percent) of a collection in one sync is held.
    delete_threshold = fields.SmallIntField(default=20)
    modified_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "pim_settings"
        unique_together = (("user", "kind"),)


class PimCollection(Model):
    """A DAV collection of a user (name: contacts, the address book, or calendar, its events and tasks).
    `seq` is its sync revision: every change a client can see raises it, and sync tokens name it.
    `stamp` is what the membership was last refreshed against (nothing changed: nothing to do)."""

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE, db_index=True)
    name = fields.CharField(max_length=20)
    seq = fields.BigIntField(default=0)
    stamp = fields.CharField(max_length=255, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "pim_collections"
        unique_together = (("user", "name"),)


class PimResource(Model):
    """An item of a collection as its client sees it: the name (href) and UID the client knows it
    by, the record behind it, its ETag and the revision it last changed in. A deleted item stays
    as a tombstone so that sync-collection reports it."""

    id = fields.BigIntField(primary_key=True)
    collection = fields.ForeignKeyField(
        "models.PimCollection", related_name="resources", on_delete=fields.CASCADE, db_index=True)
    href = fields.CharField(max_length=255)
    uid = fields.CharField(max_length=255, default="")
    record_type = fields.CharField(max_length=10)  # contact, task, event
    record_id = fields.IntField(null=True)
    etag = fields.CharField(max_length=64, default="")
    seq = fields.BigIntField(default=0)
    deleted = fields.BooleanField(default=False)
    from_client = fields.BooleanField(default=False)
    # The record's modified_at when the ETag was computed (a later edit in Kizuna changes it).
    record_modified_at = fields.DatetimeField(null=True)
    # What the client sees when no record stands behind the item as it is: a change held for
    # sync now, an item taken out of the category filter, an item of a client -> Kizuna kind.
    body = fields.TextField(null=True)
    # The device run (PimRun) in which the client deleted the item: counts its mass deletes.
    deleted_run_id = fields.IntField(null=True)

    class Meta:
        table = "pim_resources"
        unique_together = (("collection", "href"),)
        indexes = (("collection_id", "seq"), ("collection_id", "record_type", "record_id"))


class PimRunSource(StrEnum):
    IMPORT = "import"
    SYNC_NOW = "sync_now"
    DEVICE = "device"
    RESYNC = "resync"


class PimRun(Model):
    """The report of one sync run: a file import, a sync now, a re-sync of ignored records, or a
    client's changes grouped per device per hour. `counts` holds, per kind, added, updated,
    deleted and ignored."""

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE, db_index=True)
    source = fields.CharEnumField(PimRunSource, max_length=10)
    device = fields.CharField(max_length=100, default="")
    file_name = fields.CharField(max_length=255, default="")
    # For device runs: the hour the run groups (a client's changes in that hour share a report).
    hour = fields.DatetimeField(null=True)
    counts = fields.JSONField(default=dict)
    started_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "pim_runs"
        ordering = ["-started_at", "-id"]
        indexes = (("user_id", "source", "device", "hour"),)


class PimIgnoreReason(StrEnum):
    DUPLICATE = "duplicate"
    LIMIT = "limit"
    PERMISSION = "permission"
    INVALID = "invalid"


class PimIgnored(Model):
    """A record a run did not apply, with the reason: kept as read (`values`, the item in
    app.pim.items form) so that it can be fixed and synced again. `resolved_at` is set once a
    later run applied it (or the user dismissed it)."""

    id = fields.BigIntField(primary_key=True)
    run = fields.ForeignKeyField("models.PimRun", related_name="ignored", on_delete=fields.CASCADE, db_index=True)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE, db_index=True)
    kind = fields.CharEnumField(PimKind, max_length=10)
    reason = fields.CharEnumField(PimIgnoreReason, max_length=10)
    field = fields.CharField(max_length=50, default="")
    # The reason as a message id with its parameters (translated when shown).
    message = fields.CharField(max_length=255, default="")
    params = fields.JSONField(default=dict)
    label = fields.CharField(max_length=255, default="")
    values = fields.JSONField(default=dict)
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "pim_ignored"
        ordering = ["id"]
        indexes = (("user_id", "resolved_at"),)


class PimHeldReason(StrEnum):
    MANUAL = "manual"  # the kind syncs manually: applied by sync now
    MASS_DELETE = "mass_delete"  # more than the threshold deleted at once: confirmed or discarded


class PimHeld(Model):
    """A client change not applied yet. action: put (values: the item) or delete."""

    id = fields.BigIntField(primary_key=True)
    collection = fields.ForeignKeyField(
        "models.PimCollection", related_name="held", on_delete=fields.CASCADE, db_index=True)
    resource = fields.ForeignKeyField(
        "models.PimResource", related_name="held", null=True, on_delete=fields.CASCADE, db_index=True)
    kind = fields.CharEnumField(PimKind, max_length=10)
    action = fields.CharField(max_length=10)
    reason = fields.CharEnumField(PimHeldReason, max_length=12)
    values = fields.JSONField(default=dict)
    device = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "pim_held"
        ordering = ["id"]
