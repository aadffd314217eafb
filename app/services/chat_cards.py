"""Record cards of chat messages: the Kizuna URLs a message holds (deals, contacts, accounts,
Books documents), and what each reader may see of those records, checked through
app.permissions (a record they may not see, or that does not exist, shows no details)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app import kinds
from app.i18n import N_
from app.models import Account, ChatMessage, Contact, Deal, Transaction
from app.permissions import Principal, can

MAX_LINKS = 5  # cards per message

_CRM = {"deals": Deal, "contacts": Contact, "accounts": Account}
_BOOKS = {k.slug: k for k in kinds.KINDS}
_LINK = re.compile(r"(?:https?://[^\s/]+)?/(books/)?([a-z-]+)/(\d{1,9})(?![\w/])")


def record_links(body: str) -> list[dict]:
    """The records a message points at: Kizuna URLs of deals, contacts, accounts, Books documents."""
    links: list[dict] = []
    for books, segment, raw_id in _LINK.findall(body):
        if books:
            kind = f"books:{segment}" if segment in _BOOKS else None
        else:
            kind = segment if segment in _CRM else None
        link = {"kind": kind, "id": int(raw_id)}
        if kind and link not in links:
            links.append(link)
        if len(links) >= MAX_LINKS:
            break
    return links


@dataclass
class Card:
    url: str
    kind: str
    visible: bool
    title: str = ""
    detail: dict | None = None  # plain values for the template (number, status, total, ...)


async def cards(principal: Principal, messages: list[ChatMessage]) -> dict[int, list[Card]]:
    """The record cards of messages as this reader may see them: one query per model."""
    wanted: dict[str, set[int]] = {}
    for m in messages:
        for link in m.links or []:
            wanted.setdefault(link["kind"], set()).add(link["id"])
    loaded: dict[tuple[str, int], Any] = {}
    for kind, ids in wanted.items():
        if kind.startswith("books:"):
            rows = await Transaction.filter(id__in=sorted(ids), kind=_BOOKS[kind[6:]].kind).prefetch_related("contact")
        elif kind in _CRM:
            rows = await _CRM[kind].filter(id__in=sorted(ids))
        else:
            continue
        loaded.update({(kind, r.id): r for r in rows})
    result: dict[int, list[Card]] = {}
    for m in messages:
        result[m.id] = [_card(principal, link, loaded.get((link["kind"], link["id"]))) for link in m.links or []]
    return result


def _card(principal: Principal, link: dict, obj) -> Card:
    kind, oid = link["kind"], link["id"]
    url = f"/books/{kind[6:]}/{oid}" if kind.startswith("books:") else f"/{kind}/{oid}"
    if obj is None or not can(principal, "view", obj):
        return Card(url, kind, False)  # the same whether it does not exist or is hidden
    if isinstance(obj, Transaction):
        return Card(url, kind, True, obj.number, {
            "kind": kinds.of(obj.kind).singular, "status": obj.status.value, "party": obj.contact.display_name,
            "total": obj.total, "currency": obj.currency})
    if isinstance(obj, Deal):
        return Card(url, kind, True, obj.name, {"kind": N_("Deal"), "total": obj.amount, "currency": obj.currency})
    if isinstance(obj, Contact):
        return Card(url, kind, True, obj.full_name,
                    {"kind": N_("Contact"), "party": obj.email})
    return Card(url, kind, True, getattr(obj, "name", str(oid)), {"kind": N_("Account")})
