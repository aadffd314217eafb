"""The kept copies of documents as a counterparty received them (electronic bookkeeping law,
電子帳簿保存法): one row per version of a transaction, pointing at the exact PDF bytes on disk
with their SHA-256, and what was printed on it (date, amount, counterparty) for the search."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from app.models.transactions import Kind


class VersionReason(StrEnum):
    SENT = "sent"  # e-mailed to the counterparty
    PORTAL = "portal"  # shown to or downloaded by the customer in the portal
    EDITED = "edited"  # the document changed after a version had been kept


class DocumentVersion(Model):
    """One kept version of a transaction PDF: its bytes live under the archive directory, never
    rewritten. The snapshot columns hold what that version said, for the search."""

    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.RESTRICT, db_index=True)
    transaction = fields.ForeignKeyField(
        "models.Transaction", related_name="versions", on_delete=fields.RESTRICT, db_index=True)
    version = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    size = fields.IntField()
    storage_name = fields.CharField(max_length=200, unique=True)
    filename = fields.CharField(max_length=255)
    # Digest of the data the PDF was drawn from: equal digests mean the same document.
    source_digest = fields.CharField(max_length=64)
    reason = fields.CharEnumField(VersionReason, max_length=10)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    created_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    customer_name = fields.CharField(max_length=200, default="")  # who, when a customer caused it
    kind = fields.CharEnumField(Kind, max_length=20)
    number = fields.CharField(max_length=30)
    issue_date = fields.DateField(db_index=True)
    currency = fields.CharField(max_length=3)
    total = fields.DecimalField(max_digits=18, decimal_places=4, db_index=True)
    # The counterparty may be deleted later (after an edit moved the document to another one): the
    # printed name stays in `counterparty`.
    contact = fields.ForeignKeyField(
        "models.BooksContact", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    counterparty = fields.CharField(max_length=255, db_index=True)

    class Meta:
        table = "document_versions"
        unique_together = (("transaction", "version"),)
        ordering = ["transaction_id", "version"]
