"""The request's DataLoaders for mail (mixed into `schema.loaders.Loaders`): one per relation, so a
page of e-mails costs one query per relation whatever its size.

Which e-mails and mailboxes a user sees is decided in app.services.mail (threads, the mailboxes
holding an e-mail) and app.permissions (the contacts, leads and users a participant's address
names): these loaders only batch those calls. The parts of an e-mail (participants, attachments,
its deal association) are loaded by the e-mail's id: whoever sees the e-mail sees its parts; the
deal and contact of an association go through the record loaders, so a hidden one is null.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from strawberry.dataloader import DataLoader

from app.models import (
    Contact,
    EmailAttachment,
    EmailDeal,
    EmailParticipant,
    Lead,
    MailboxShare,
    MailFolder,
    User,
)
from app.services import mail


def _grouped(rows: Sequence[Any], key: str, keys: Sequence[Any]) -> list[list[Any]]:
    found: dict[Any, list[Any]] = {}
    for row in rows:
        found.setdefault(getattr(row, key), []).append(row)
    return [found.get(k, []) for k in keys]


class MailLoaders:
    principal: Any

    # an e-mail's parts, by e-mail id
    participants_by_email = cached_property(lambda self: DataLoader(self._participants))
    attachments_by_email = cached_property(lambda self: DataLoader(self._attachments))
    deal_link_by_email = cached_property(lambda self: DataLoader(self._deal_links))
    # what the viewer sees: threads by thread key, mailboxes holding an e-mail by e-mail id
    thread = cached_property(lambda self: DataLoader(self._threads))
    mailboxes_by_email = cached_property(lambda self: DataLoader(self._holders))
    # the records a lower-cased address names (the oldest visible one)
    contact_by_address = cached_property(lambda self: DataLoader(self._by_address(Contact)))
    lead_by_address = cached_property(lambda self: DataLoader(self._by_address(Lead)))
    user_by_address = cached_property(lambda self: DataLoader(self._by_address(User)))
    # a mailbox's settings (its owner's only), by mailbox id
    folders_by_mailbox = cached_property(lambda self: DataLoader(self._folders))
    shared_with_by_mailbox = cached_property(lambda self: DataLoader(self._shared_with))

    async def _participants(self, keys: Sequence[int]) -> list[list[EmailParticipant]]:
        rows = await EmailParticipant.filter(email_id__in=list(keys)).order_by("id")
        return _grouped(rows, "email_id", keys)

    async def _attachments(self, keys: Sequence[int]) -> list[list[EmailAttachment]]:
        rows = await EmailAttachment.filter(email_id__in=list(keys)).order_by("id")
        return _grouped(rows, "email_id", keys)

    async def _deal_links(self, keys: Sequence[int]) -> list[EmailDeal | None]:
        found = {link.email_id: link for link in await EmailDeal.filter(email_id__in=list(keys))}
        return [found.get(k) for k in keys]

    async def _threads(self, keys: Sequence[int]) -> list[list[Any]]:
        found = await mail.threads(self.principal, keys)
        return [found.get(k, []) for k in keys]

    async def _holders(self, keys: Sequence[int]) -> list[list[Any]]:
        found = await mail.holders(self.principal, keys)
        return [found.get(k, []) for k in keys]

    def _by_address(self, model: type) -> Any:
        async def load(keys: Sequence[str]) -> list[Any]:
            found = await mail.people_by_address(self.principal, model, keys)
            return [(found.get(k) or [None])[0] for k in keys]

        return load

    async def _folders(self, keys: Sequence[int]) -> list[list[MailFolder]]:
        rows = await MailFolder.filter(mailbox_id__in=list(keys)).order_by("id")
        return _grouped(rows, "mailbox_id", keys)

    async def _shared_with(self, keys: Sequence[int]) -> list[list[User]]:
        pairs = await MailboxShare.filter(mailbox_id__in=list(keys)).order_by("id").values_list(
            "mailbox_id", "user_id")
        users = {u.id: u for u in await User.filter(id__in=sorted({u for _, u in pairs}))} if pairs else {}
        found: dict[int, list[User]] = {}
        for mailbox_id, user_id in pairs:
            if user_id in users:
                found.setdefault(mailbox_id, []).append(users[user_id])
        return [sorted(found.get(k, []), key=lambda u: (u.name, u.id)) for k in keys]
