"""Mail: the mailboxes users (and Books organizations) connect, and the messages fetched from them.

A message is stored once (`Email`, keyed by its normalised Message-ID, else a hash of its bytes)
however many mailboxes or folders hold it; each holding is an `EmailCopy`, which says whose mail it
is and so who may see it. Addresses are kept lower-cased on `EmailParticipant`, so the mail of a
contact is found by the contact's current addresses, even for contacts created after the mail.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from app.crypto import EncryptedField
from app.models.base import Timestamped
from app.models.books import SmtpSecurity

# IMAP knows the same three ways to secure a connection as SMTP.
MailSecurity = SmtpSecurity


class MailboxSharing(StrEnum):
    PRIVATE = "private"  # the owner only
    ALL = "all"  # every user
    CHOSEN = "chosen"  # the users in MailboxShare


class Mailbox(Timestamped):
    id = fields.IntField(primary_key=True)
    owner = fields.ForeignKeyField("models.User", related_name="mailboxes", on_delete=fields.CASCADE,
                                   db_index=True)
    # Set when a Books organization connected it: its mail shows on that organization's contacts.
    organization = fields.ForeignKeyField("models.Organization", related_name="mailboxes", null=True,
                                          on_delete=fields.CASCADE, db_index=True)
    email = fields.CharField(max_length=254, db_index=True)  # the owner's address: tells direction
    imap_host = fields.CharField(max_length=255)
    imap_port = fields.IntField(default=993)
    imap_security = fields.CharEnumField(MailSecurity, max_length=10, default=MailSecurity.TLS)
    username = fields.CharField(max_length=255)
    password = EncryptedField()  # never shown back
    sharing = fields.CharEnumField(MailboxSharing, max_length=10, default=MailboxSharing.PRIVATE)
    # Outgoing mail; an empty host means the IMAP host, empty credentials the IMAP ones.
    smtp_host = fields.CharField(max_length=255, default="")
    smtp_port = fields.IntField(default=587)
    smtp_security = fields.CharEnumField(MailSecurity, max_length=10, default=MailSecurity.STARTTLS)
    smtp_username = fields.CharField(max_length=255, default="")
    smtp_password = EncryptedField()
    enabled = fields.BooleanField(default=True)
    # The first import: older mail is associated with deals only under rule 5 (seed 004).
    connected_at = fields.DatetimeField(null=True)
    last_sync_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=1000, default="")
    failing_since = fields.DatetimeField(null=True)  # the first failure of the current run of them
    next_sync_at = fields.DatetimeField(null=True, db_index=True)  # backoff: not before this
    message_count = fields.IntField(default=0)  # copies stored, kept by the sync

    class Meta:
        table = "mailboxes"
        ordering = ["email", "id"]

    def __str__(self) -> str:
        return self.email


class MailboxShare(Model):
    """A user a CHOSEN-sharing mailbox is shared with."""

    id = fields.IntField(primary_key=True)
    mailbox = fields.ForeignKeyField("models.Mailbox", related_name="shares", on_delete=fields.CASCADE,
                                     db_index=True)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE, db_index=True)

    class Meta:
        table = "mailbox_shares"
        unique_together = (("mailbox", "user"),)


class MailFolder(Model):
    """A folder of a mailbox and the cursor of the sync in it: UIDs up to `last_uid` under
    `uidvalidity` are stored (the cursor only ever moves past messages actually stored)."""

    id = fields.IntField(primary_key=True)
    mailbox = fields.ForeignKeyField("models.Mailbox", related_name="folders", on_delete=fields.CASCADE,
                                     db_index=True)
    name = fields.CharField(max_length=255)
    sync = fields.BooleanField(default=True)  # chosen by the user
    is_sent = fields.BooleanField(default=False)
    uidvalidity = fields.BigIntField(default=0)
    last_uid = fields.BigIntField(default=0)
    uidnext = fields.BigIntField(default=0)  # as last seen: equal to the server's, nothing is new
    last_synced_at = fields.DatetimeField(null=True)

    class Meta:
        table = "mail_folders"
        unique_together = (("mailbox", "name"),)
        ordering = ["id"]


class Email(Model):
    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=255, unique=True)  # Message-ID, else "sha256:<hex>"
    message_id = fields.CharField(max_length=255, default="", db_index=True)
    in_reply_to = fields.CharField(max_length=255, default="")
    references = fields.TextField(default="")  # space-separated, bounded
    # The id of the first e-mail of its thread (its own id for a new thread): set by the store
    # right after the batch is inserted, so replies in the same batch find their thread.
    thread_id = fields.IntField(null=True, db_index=True)
    subject = fields.TextField(default="")
    normalized_subject = fields.CharField(max_length=255, default="", db_index=True)
    sent_at = fields.DatetimeField(null=True, db_index=True)  # Date header, else INTERNALDATE
    from_email = fields.CharField(max_length=254, default="")  # senders are found through participants
    from_name = fields.CharField(max_length=255, default="")
    # The sync reads only the headers (what threading, matching and association need) and keeps
    # the bytes, its batch's in one pack file (app.mail.blobs); bodies and attachments are
    # decoded from them right after, by a job, or when the e-mail is first opened.
    body_parsed = fields.BooleanField(default=False, db_index=True)
    source_pack = fields.CharField(max_length=40, default="", db_index=True)
    source_offset = fields.BigIntField(default=0)
    source_length = fields.IntField(default=0)
    text_body = fields.TextField(default="")
    html_body = fields.TextField(default="")  # sanitized when stored
    snippet = fields.CharField(max_length=200, default="")
    size = fields.IntField(default=0)
    is_bulk = fields.BooleanField(default=False)  # lists and automatic mail: never associated
    malformed = fields.BooleanField(default=False)
    defects = fields.JSONField(default=list)
    # Written and sent in Kizuna (compose/reply): seen by every user, like the records it is on.
    sent_from_kizuna = fields.BooleanField(default=False)
    sent_by = fields.ForeignKeyField("models.User", related_name=False, null=True, on_delete=fields.SET_NULL,
                                     db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "emails"
        ordering = ["-sent_at", "-id"]


class Direction(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


class EmailCopy(Model):
    """A copy of a message held by one mailbox: a folder and UID, or none for mail sent from
    Kizuna and not yet appended."""

    id = fields.IntField(primary_key=True)
    email = fields.ForeignKeyField("models.Email", related_name="copies", on_delete=fields.CASCADE, db_index=True)
    mailbox = fields.ForeignKeyField("models.Mailbox", related_name="copies", on_delete=fields.CASCADE,
                                     db_index=True)
    folder = fields.ForeignKeyField("models.MailFolder", related_name="copies", null=True,
                                    on_delete=fields.CASCADE, db_index=True)
    uidvalidity = fields.BigIntField(default=0)
    uid = fields.BigIntField(default=0)
    direction = fields.CharEnumField(Direction, max_length=10, default=Direction.INCOMING)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "email_copies"
        unique_together = (("folder", "uidvalidity", "uid"), ("mailbox", "email", "folder"))


class ParticipantRole(StrEnum):
    FROM = "from"
    TO = "to"
    CC = "cc"


class EmailParticipant(Model):
    id = fields.IntField(primary_key=True)
    email = fields.ForeignKeyField("models.Email", related_name="participants", on_delete=fields.CASCADE,
                                   db_index=True)
    role = fields.CharEnumField(ParticipantRole, max_length=4)
    address = fields.CharField(max_length=254, db_index=True)  # lower-cased
    name = fields.CharField(max_length=255, default="")

    class Meta:
        table = "email_participants"
        ordering = ["id"]


class MailBlob(Model):
    """The bytes of attachments, stored once by SHA-256 under DOCUMENTS_DIR/mail/."""

    id = fields.IntField(primary_key=True)
    sha256 = fields.CharField(max_length=64, unique=True)
    size = fields.BigIntField()

    class Meta:
        table = "mail_blobs"


class EmailAttachment(Model):
    id = fields.IntField(primary_key=True)
    email = fields.ForeignKeyField("models.Email", related_name="attachments", on_delete=fields.CASCADE,
                                   db_index=True)
    blob = fields.ForeignKeyField("models.MailBlob", related_name=False, on_delete=fields.RESTRICT, db_index=True)
    filename = fields.CharField(max_length=255, default="")
    content_type = fields.CharField(max_length=100, default="application/octet-stream")
    size = fields.BigIntField(default=0)
    content_id = fields.CharField(max_length=255, default="")
    inline = fields.BooleanField(default=False)  # a cid: image of the body, not listed as a file

    class Meta:
        table = "email_attachments"
        ordering = ["id"]


class EmailDeal(Model):
    """The association of an e-mail with a deal (seed 004), one deal per e-mail. It stays until someone
    removes it or the deal is deleted."""

    id = fields.IntField(primary_key=True)
    email = fields.OneToOneField("models.Email", related_name="deal_link", on_delete=fields.CASCADE)
    deal = fields.ForeignKeyField("models.Deal", related_name="email_links", on_delete=fields.CASCADE,
                                  db_index=True)
    contact = fields.ForeignKeyField("models.Contact", related_name=False, null=True,
                                     on_delete=fields.SET_NULL, db_index=True)
    automatic = fields.BooleanField(default=True)
    created_by = fields.ForeignKeyField("models.User", related_name=False, null=True,
                                        on_delete=fields.SET_NULL, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "email_deals"


class ContactComment(Model):
    """A comment on the overview (activity) of a contact, e.g. an e-mail added to it."""

    id = fields.IntField(primary_key=True)
    contact = fields.ForeignKeyField("models.Contact", related_name="comments", on_delete=fields.CASCADE,
                                     db_index=True)
    text = fields.TextField()
    email = fields.ForeignKeyField("models.Email", related_name=False, null=True, on_delete=fields.SET_NULL,
                                   db_index=True)
    author = fields.ForeignKeyField("models.User", related_name=False, null=True, on_delete=fields.SET_NULL,
                                    db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "contact_comments"
        ordering = ["-created_at", "-id"]


class SyncRun(Model):
    """One run of the sync of a mailbox: what it fetched and stored, and how it ended."""

    id = fields.IntField(primary_key=True)
    mailbox = fields.ForeignKeyField("models.Mailbox", related_name="runs", on_delete=fields.CASCADE, db_index=True)
    started_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)
    fetched = fields.IntField(default=0)
    stored = fields.IntField(default=0)
    complete = fields.BooleanField(default=False)  # False: the time budget ran out, more to do
    error = fields.CharField(max_length=1000, default="")
    roundtrips = fields.IntField(default=0)

    class Meta:
        table = "mail_sync_runs"
        ordering = ["-started_at", "-id"]


class EmailLink(Model):
    """An e-mail added by hand to a contact or a lead (found by search, whatever its addresses)."""

    id = fields.IntField(primary_key=True)
    email = fields.ForeignKeyField("models.Email", related_name="links", on_delete=fields.CASCADE, db_index=True)
    contact = fields.ForeignKeyField("models.Contact", related_name=False, null=True, on_delete=fields.CASCADE,
                                     db_index=True)
    lead = fields.ForeignKeyField("models.Lead", related_name=False, null=True, on_delete=fields.CASCADE,
                                  db_index=True)
    created_by = fields.ForeignKeyField("models.User", related_name=False, null=True,
                                        on_delete=fields.SET_NULL, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "email_links"
        unique_together = (("email", "contact"), ("email", "lead"))


class SentAppend(Model):
    """A message sent from Kizuna still to be appended to its mailbox's Sent folder (an outbox:
    it survives restarts; the job that appends it deletes the row). The bytes sent are kept as
    a blob under DOCUMENTS_DIR/mail/ by their SHA-256."""

    id = fields.IntField(primary_key=True)
    mailbox = fields.ForeignKeyField("models.Mailbox", related_name=False, on_delete=fields.CASCADE, db_index=True)
    email = fields.ForeignKeyField("models.Email", related_name=False, on_delete=fields.CASCADE, db_index=True)
    sha256 = fields.CharField(max_length=64)
    attempts = fields.IntField(default=0)
    last_error = fields.CharField(max_length=1000, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mail_sent_appends"


class EmailUpload(Model):
    """A user holds an e-mail by uploading it (an .eml or Outlook .msg file): like a copy in a
    mailbox of their own that nobody else sees. Uploading it again adds nothing."""

    id = fields.IntField(primary_key=True)
    email = fields.ForeignKeyField("models.Email", related_name="uploads", on_delete=fields.CASCADE, db_index=True)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "email_uploads"
        unique_together = (("email", "user"),)
