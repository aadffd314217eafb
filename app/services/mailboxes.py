"""Connecting and managing mailboxes (Settings > Integrations > Mail).

A user manages their own mailboxes; a Books organization's mailbox is connected by one of its
members and shows on that organization's contacts. Connecting logs in first and answers with the
server's own words when it refuses. The password is stored encrypted and never shown back: an
empty password on edit keeps the stored one.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from app import cleaning, crypto, settings
from app.errors import FieldError, NotFound, ValidationError
from app.i18n import N_
from app.mail import imap
from app.models import (
    Email,
    EmailCopy,
    EmailDeal,
    EmailUpload,
    Mailbox,
    MailboxShare,
    MailboxSharing,
    MailFolder,
    MailSecurity,
    User,
)
from app.permissions import Principal
from app.services.records import EMAIL_RE

TEXT_FIELDS = {"email": 254, "imap_host": 255, "username": 255, "smtp_host": 255, "smtp_username": 255}
SECRET_FIELDS = ("password", "smtp_password")
FOLDERS_MAX = 50
SHARES_MAX = 500
DEFAULT_FOLDERS = ("INBOX",)


def _text(data: dict, name: str, errors: list[FieldError]) -> str:
    value = data.get(name, "")
    value = value.strip() if isinstance(value, str) else ""
    if len(value) > TEXT_FIELDS[name]:
        errors.append(FieldError(name, N_("Must be at most %(max)d characters (now %(length)d)."),
                                 {"max": TEXT_FIELDS[name], "length": len(value)}))
    elif cleaning.unstorable(value) or (name.endswith("host") and any(c.isspace() for c in value)):
        errors.append(FieldError(name, N_("Enter a valid value.")))
    return value


def _port(data: dict, name: str, default: int, errors: list[FieldError]) -> int:
    value = data.get(name)
    if value in (None, ""):
        return default
    try:
        port = int(str(value).strip())
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        errors.append(FieldError(name, N_("Enter a port from 1 to 65535.")))
    return port


def _choice(data: dict, name: str, enum, default, errors: list[FieldError]):
    value = data.get(name) or default
    try:
        return enum(value)
    except ValueError:
        errors.append(FieldError(name, N_("Choose one of the offered values.")))
        return default


async def _clean(principal: Principal, data: dict[str, Any], instance: Mailbox | None) -> dict[str, Any]:
    errors: list[FieldError] = []
    values: dict[str, Any] = {name: _text(data, name, errors) for name in TEXT_FIELDS}
    for name in ("email", "imap_host", "username"):
        if not values[name] and not any(e.field == name for e in errors):
            errors.append(FieldError(name, N_("This field is required.")))
    if values["email"] and not EMAIL_RE.match(values["email"]):
        errors.append(FieldError("email", N_("Enter a valid e-mail address.")))
    values["imap_security"] = _choice(data, "imap_security", MailSecurity, MailSecurity.TLS, errors)
    values["imap_port"] = _port(data, "imap_port", 993 if values["imap_security"] == MailSecurity.TLS else 143,
                                errors)
    values["smtp_security"] = _choice(data, "smtp_security", MailSecurity, MailSecurity.STARTTLS, errors)
    values["smtp_port"] = _port(data, "smtp_port", 587, errors)
    values["sharing"] = _choice(data, "sharing", MailboxSharing, MailboxSharing.PRIVATE, errors)
    for name in SECRET_FIELDS:
        value = data.get(name)
        value = value if isinstance(value, str) else ""
        if len(value) > 500 or cleaning.unstorable(value):
            errors.append(FieldError(name, N_("Enter a valid value.")))
        elif value:
            values[name] = value
    if instance is None and not values.get("password"):
        errors.append(FieldError("password", N_("This field is required.")))
    shared = data.get("shared_user_ids") or []
    if not isinstance(shared, list | tuple) or len(shared) > SHARES_MAX:
        errors.append(FieldError("shared_user_ids", N_("Choose valid users.")))
        shared = []
    ids = {pk for v in shared if (pk := cleaning.pk(v)) is not None}
    if len(ids) != len(shared) or (ids and await User.filter(id__in=list(ids), is_active=True).count() != len(ids)):
        errors.append(FieldError("shared_user_ids", N_("Choose valid users.")))
    values["shared_user_ids"] = sorted(ids - {principal.user.id})
    org = data.get("organization_id")
    if org not in (None, ""):
        org_id = cleaning.pk(org)
        if org_id is None or org_id not in principal.organization_ids:
            errors.append(FieldError("organization_id", N_("Choose an organization you belong to.")))
        values["organization_id"] = org_id
    folders = data.get("folders")
    if folders is not None:
        if not isinstance(folders, list | tuple) or len(folders) > FOLDERS_MAX or not all(
                isinstance(f, str) and 0 < len(f) <= 255 and not cleaning.unstorable(f) for f in folders):
            errors.append(FieldError("folders", N_("Choose folders from the list.")))
        else:
            values["folders"] = list(dict.fromkeys(folders))
    if errors:
        raise ValidationError(errors)
    return values


def _settings_of(values: dict[str, Any], instance: Mailbox | None) -> imap.ImapSettings:
    return imap.ImapSettings(
        host=values["imap_host"], port=values["imap_port"], security=imap.Security(values["imap_security"].value),
        username=values["username"],
        password=values.get("password") or (crypto.plain(instance.password) if instance else ""),
        timeout=settings.MAIL_IMAP_TIMEOUT, verify_tls=settings.MAIL_VERIFY_TLS,
    )


async def try_login(values: dict[str, Any], instance: Mailbox | None = None) -> list:
    """Log in with these settings; the server's folders, or a field error with its own words."""
    try:
        return await asyncio.to_thread(imap.test_login, _settings_of(values, instance))
    except crypto.UndecryptableSecret:
        raise ValidationError.single("password", N_("The stored password cannot be read with the server's keys: "
                                                    "enter it again.")) from None
    except imap.ImapError as exc:
        raise ValidationError.single("password", N_("The mail server refused: %(reply)s"),
                                     reply=str(exc.message or exc)[:300]) from None


async def _save_folders(mailbox: Mailbox, server_folders: list, chosen: list[str] | None) -> None:
    names = [f.name for f in server_folders if getattr(f, "selectable", True)]
    sent = imap.sent_folder(server_folders)
    existing = {f.name: f for f in await MailFolder.filter(mailbox_id=mailbox.id)}
    if chosen is not None:
        wanted = set(chosen)
    elif existing:  # an edit that does not name folders keeps the user's choice
        wanted = {name for name, f in existing.items() if f.sync} & set(names)
    else:
        wanted = {*DEFAULT_FOLDERS, *([sent] if sent else [])} & set(names)
    unknown = wanted - set(names)
    if unknown:
        raise ValidationError.single("folders", N_("Choose folders from the list."))
    for name in names[:1000]:
        folder = existing.get(name)
        if folder is None:
            await MailFolder.create(mailbox_id=mailbox.id, name=name[:255], sync=name in wanted, is_sent=name == sent)
        elif folder.sync != (name in wanted):
            folder.sync = name in wanted
            await folder.save(update_fields=["sync"])


async def _save_shares(mailbox: Mailbox, user_ids: list[int]) -> None:
    await MailboxShare.filter(mailbox_id=mailbox.id).exclude(user_id__in=user_ids).delete()
    have = set(await MailboxShare.filter(mailbox_id=mailbox.id).values_list("user_id", flat=True))
    await MailboxShare.bulk_create([MailboxShare(mailbox_id=mailbox.id, user_id=u) for u in user_ids if u not in have])


def mine(principal: Principal):
    return Mailbox.filter(owner_id=principal.user.id).order_by("email", "id")


async def get(principal: Principal, mailbox_id) -> Mailbox:
    pk = cleaning.pk(mailbox_id)
    mailbox = await Mailbox.get_or_none(id=pk, owner_id=principal.user.id) if pk is not None else None
    if mailbox is None:
        raise NotFound()
    return mailbox


async def connect(principal: Principal, data: dict[str, Any]) -> Mailbox:
    values = await _clean(principal, data, None)
    server_folders = await try_login(values)
    now = datetime.now(UTC)
    fields = {k: v for k, v in values.items() if k not in ("shared_user_ids", "folders")}
    async with in_transaction():
        mailbox = await Mailbox.create(owner_id=principal.user.id, connected_at=now, next_sync_at=now, **fields)
        await _save_folders(mailbox, server_folders, values.get("folders"))
        await _save_shares(mailbox, values["shared_user_ids"])
    await request_sync(mailbox.id)
    return mailbox


async def update(principal: Principal, mailbox_id, data: dict[str, Any]) -> Mailbox:
    mailbox = await get(principal, mailbox_id)
    values = await _clean(principal, data, mailbox)
    server_folders = await try_login(values, mailbox)
    fields = {k: v for k, v in values.items() if k not in ("shared_user_ids", "folders")}
    async with in_transaction():
        for name, value in fields.items():
            setattr(mailbox, name, value)
        mailbox.failing_since, mailbox.last_error = None, ""
        await mailbox.save()
        await _save_folders(mailbox, server_folders, values.get("folders"))
        await _save_shares(mailbox, values["shared_user_ids"])
    return mailbox


async def server_folders(principal: Principal, mailbox_id) -> list:
    mailbox = await get(principal, mailbox_id)
    return await try_login({"imap_host": mailbox.imap_host, "imap_port": mailbox.imap_port,
                            "imap_security": mailbox.imap_security, "username": mailbox.username}, mailbox)


async def set_enabled(principal: Principal, mailbox_id, enabled: bool) -> Mailbox:
    """Rule 7 (seed 004): disabling removes the deal associations of the mailbox's mail (mail that
    another enabled mailbox also holds keeps them); enabling predicts them anew."""
    mailbox = await get(principal, mailbox_id)
    if mailbox.enabled == enabled:
        return mailbox
    async with in_transaction():
        mailbox.enabled = enabled
        mailbox.next_sync_at = datetime.now(UTC) if enabled else None
        mailbox.failing_since, mailbox.last_error = None, ""
        await mailbox.save(update_fields=["enabled", "next_sync_at", "failing_since", "last_error"])
        if not enabled:
            await EmailDeal.filter(email_id__in=Subquery(_only_here(mailbox).values("id"))).delete()
    if enabled:
        await repredict(mailbox)
        await request_sync(mailbox.id)
    return mailbox


def _only_here(mailbox: Mailbox):
    """E-mails of this mailbox held by no other enabled mailbox, not uploaded by a user (a
    holding too) and not sent from Kizuna."""
    elsewhere = EmailCopy.filter(mailbox__enabled=True).exclude(mailbox_id=mailbox.id).values("email_id")
    return Email.filter(id__in=Subquery(EmailCopy.filter(mailbox_id=mailbox.id).values("email_id")),
                        sent_from_kizuna=False).exclude(id__in=Subquery(elsewhere)).exclude(
        id__in=Subquery(EmailUpload.all().values("email_id")))


async def repredict(mailbox: Mailbox, batch: int = 500) -> int:
    """Run the association rules again over the mailbox's mail that has no association."""
    from app.mail import association

    made, last = 0, 0
    while True:
        ids = await EmailCopy.filter(mailbox_id=mailbox.id, email_id__gt=last).order_by("email_id").limit(
            batch).values_list("email_id", flat=True)
        if not ids:
            return made
        last = ids[-1]
        made += await association.associate(await association.candidates_for(mailbox, list(ids)))


async def remove(principal: Principal, mailbox_id) -> None:
    """Disconnect a mailbox and remove the mail only it held (not what a user also uploaded)."""
    mailbox = await get(principal, mailbox_id)
    async with in_transaction():
        orphans = Email.filter(id__in=Subquery(EmailCopy.filter(mailbox_id=mailbox.id).values("email_id")),
                               sent_from_kizuna=False).exclude(
            id__in=Subquery(EmailCopy.exclude(mailbox_id=mailbox.id).values("email_id"))).exclude(
            id__in=Subquery(EmailUpload.all().values("email_id")))
        ids = await orphans.values_list("id", flat=True)
        await mailbox.delete()
        for start in range(0, len(ids), 500):
            await Email.filter(id__in=ids[start:start + 500]).delete()


async def request_sync(mailbox_id: int) -> None:
    """Queue a sync of the mailbox now (a no-op if one is already queued)."""
    from app.mail import tasks

    await tasks.request_sync(mailbox_id)
