"""Which deal an e-mail is associated with, by seed 004's fixed rules.

For an e-mail with a contact, at the time it is stored:
1. the contact has exactly one open deal: that one;
2. several open deals: the one modified most recently;
3. lost deals never receive an automatic association;
4. won deals do: with no open deal, the most recently modified won deal;
5. mail older than the first import of its mailbox: only if the contact had exactly one deal when
   the e-mail was received (and it is not lost); otherwise none;
6. an association stays until someone removes it or the deal is deleted (nothing here moves one);
7. disabling a mailbox removes the associations of its mail; enabling it predicts anew.
Bulk and automatic mail is never associated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from app.mail import rows
from app.models import Contact, Deal, DealContact, EmailDeal, StageCategory


@dataclass(frozen=True)
class Candidate:
    """An e-mail to associate: its addresses in the order that names its contact first (the
    sender of incoming mail, the recipients of outgoing mail), the mailbox owner's left out."""

    email_id: int
    received_at: datetime
    addresses: Sequence[str]
    historical: bool  # older than the first import of the mailbox: rule 5


@dataclass(frozen=True)
class _Deal:
    id: int
    category: str
    created_at: datetime
    modified_at: datetime


def ordered_addresses(senders: Sequence[str], recipients: Sequence[str], *, outgoing: bool,
                      own: set[str]) -> list[str]:
    """The addresses that may name an e-mail's contact, first the likeliest: the sender of incoming
    mail, the recipients of outgoing mail; the mailbox owner's own addresses left out."""
    ordered = [*recipients, *senders] if outgoing else [*senders, *recipients]
    return list(dict.fromkeys(a for a in ordered if a and a not in own))


async def contacts_by_address(addresses: Iterable[str]) -> dict[str, list[int]]:
    """Lower-cased address -> ids of the contacts with it as primary or secondary e-mail."""
    wanted = sorted({a.lower() for a in addresses if a})
    found: dict[str, list[int]] = defaultdict(list)
    chosen = set(wanted)
    conn = Contact._meta.db
    # One statement per 500 addresses, written out: the sync asks this for every batch, and
    # building it through the query builder cost more than running it. SQLite's planner, without
    # statistics, scans the table for a long IN list: it is told to use the address indexes.
    sqlite = conn.capabilities.dialect == "sqlite"

    def by(column: str) -> str:
        hint = f" INDEXED BY idx_contacts_{column}_lower" if sqlite else ""
        return (f"SELECT id, lower(email) AS e1, lower(secondary_email) AS e2 FROM contacts{hint} "
                f"WHERE lower({column}) IN ({{in}})")

    for cid, e1, e2 in await rows.select_in(
            conn, f"{by('email')} UNION {by('secondary_email')} ORDER BY id", wanted):
        for address in {e1, e2} & chosen:
            found[address].append(cid)
    return found


async def _deals_of(contact_ids: Iterable[int]) -> dict[int, list[_Deal]]:
    ids = sorted(set(contact_ids))
    deals: dict[int, list[_Deal]] = defaultdict(list)
    as_datetime = Deal._meta.fields_map["created_at"].to_python_value
    for contact_id, deal_id, category, created, modified in await rows.select_in(
            DealContact._meta.db, "SELECT dc.contact_id, dc.deal_id, s.category, d.created_at, d.modified_at "
            "FROM deal_contacts dc JOIN deals d ON d.id = dc.deal_id JOIN stages s ON s.id = d.stage_id "
            "WHERE dc.contact_id IN ({in})", ids):
        deals[contact_id].append(_Deal(deal_id, category, as_datetime(created), as_datetime(modified)))
    return deals


def choose(deals: Sequence[_Deal], *, received_at: datetime, historical: bool) -> int | None:
    """The deal one contact's e-mail goes to, or None (rules 1-5)."""
    if historical:
        then = [d for d in deals if d.created_at <= received_at]
        if len(then) == 1 and then[0].category != StageCategory.LOST:
            return then[0].id
        return None
    for category in (StageCategory.OPEN, StageCategory.WON):
        matching = [d for d in deals if d.category == category]
        if matching:
            return max(matching, key=lambda d: (d.modified_at, d.id)).id
    return None


async def predict(candidates: Sequence[Candidate]) -> list[tuple[int, int, int]]:
    """The associations for these e-mails, (e-mail, deal, contact), in two queries whatever their
    number."""
    by_address = await contacts_by_address(a for c in candidates for a in c.addresses)
    deals = await _deals_of(cid for ids in by_address.values() for cid in ids)
    links = []
    for candidate in candidates:
        for address in candidate.addresses:
            chosen = None
            for contact_id in by_address.get(address.lower(), ()):
                deal_id = choose(deals.get(contact_id, ()), received_at=candidate.received_at,
                                 historical=candidate.historical)
                if deal_id is not None:
                    chosen = (deal_id, contact_id)
                    break
            if chosen:
                links.append((candidate.email_id, *chosen))
                break
    return links


async def associate(candidates: Sequence[Candidate], conn=None) -> int:
    """Predict and store (on `conn`, the caller's transaction, when given); e-mails that already
    have an association keep it (rule 6)."""
    if not candidates:
        return 0
    links = await predict(candidates)
    if links:
        now = datetime.now(UTC)
        await rows.insert(conn or EmailDeal._meta.db, EmailDeal,
                          ("email_id", "deal_id", "contact_id", "automatic", "created_at"),
                          [(*link, True, now) for link in links], ignore_conflicts=True)
    return len(links)


async def candidates_for(mailbox, email_ids: Sequence[int]) -> list[Candidate]:
    """Candidates rebuilt from stored e-mails of a mailbox (to predict anew, rule 7)."""
    from app.mail.store import own_addresses
    from app.models import Direction, Email, EmailCopy, EmailParticipant

    own = own_addresses(mailbox)
    emails = await Email.filter(id__in=list(email_ids), is_bulk=False).values_list("id", "sent_at")
    outgoing = set(await EmailCopy.filter(mailbox_id=mailbox.id, email_id__in=list(email_ids),
                                          direction=Direction.OUTGOING).values_list("email_id", flat=True))
    people: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for email_id, role, address in await EmailParticipant.filter(email_id__in=list(email_ids)).order_by(
            "id").values_list("email_id", "role", "address"):
        people[email_id].append((role, address))
    connected = mailbox.connected_at
    found = []
    for email_id, sent_at in emails:
        addresses = ordered_addresses([a for r, a in people[email_id] if r == "from"],
                                      [a for r, a in people[email_id] if r != "from"],
                                      outgoing=email_id in outgoing, own=own)
        if addresses and sent_at is not None:
            found.append(Candidate(email_id, sent_at, addresses,
                                   historical=connected is not None and sent_at < connected))
    return found
