"""Records as pickers offer them: found from a few typed characters among what the user may see,
and labelled so that namesakes can be told apart.

A picker (an event's attendees, the record a task belongs to, a deal's contacts, a ref select)
shows each record as a `Pick`: its name and a detail that tells it from another of the same name:
a contact's account (and e-mail when two of the same name share it), a deal's account, a lead's
company, a user's e-mail when two users share a name. A detail naming a record the user may not
see (a contact's account owned by someone who never shared it) is left out, never shown.

Visibility is the services' own `query()` (app.permissions.restrict), so a picker finds exactly
what the lists show. Searches are bounded: at most QUERY_MAX characters typed (a longer query
finds nothing) and LIMIT results per kind of record.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from app import cleaning
from app.models import Account, Case, Contact, Deal, Lead, User
from app.permissions import Principal, restrict
from app.search import list_search
from app.services.accounts import accounts
from app.services.cases import cases
from app.services.contacts import contacts
from app.services.deals import deals
from app.services.leads import leads

LIMIT = 10  # results per kind of record
QUERY_MAX = 100  # characters; nobody types a longer name into a picker
OPTION_LIMIT = 500  # records a select offers

SERVICES = {"account": accounts, "contact": contacts, "lead": leads, "deal": deals, "case": cases}
MODELS = {"account": Account, "contact": Contact, "lead": Lead, "deal": Deal, "case": Case, "user": User}
KINDS = tuple(MODELS)
# The columns a label needs (selects list hundreds of records: no more than these are read)
COLUMNS = {
    "account": ("id", "name"), "contact": ("id", "last_name", "first_name", "email", "account_id"),
    "lead": ("id", "last_name", "first_name", "company", "email"), "deal": ("id", "name", "account_id"),
    "case": ("id", "subject"), "user": ("id", "name", "email"),
}


@dataclass(frozen=True)
class Pick:
    kind: str  # a key of MODELS
    id: int
    name: str
    detail: str = ""  # what tells it from a namesake (account, company, e-mail)
    account_id: int | None = None  # a contact's or deal's account, visible or not

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def label(self) -> str:
        return f"{self.name} ({self.detail})" if self.detail else self.name


def parse_key(value: object, kinds: Iterable[str] = KINDS) -> tuple[str, int] | None:
    """`contact:12` as ("contact", 12); None for anything else (unknown kind, not an id)."""
    kind, _, pk = str(value or "").partition(":")
    if kind not in kinds:
        return None
    number = cleaning.pk(pk) if pk.strip() else None
    return (kind, number) if number is not None else None


def visible(principal: Principal, kind: str) -> QuerySet:
    """The records of `kind` the principal may pick: what its service shows (active users)."""
    qs = User.filter(is_active=True) if kind == "user" else SERVICES[kind].query(principal)
    return qs.only(*COLUMNS[kind])


async def may_pick(principal: Principal, kind: str, pk: int) -> bool:
    return await visible(principal, kind).filter(id=pk).exists()


async def search(principal: Principal, query: str, kinds: Sequence[str], limit: int = LIMIT) -> list[Pick]:
    """Records of `kinds` matching `query` (as list searches match: width, case and kana folded;
    users by name or e-mail), at most `limit` of each kind, labelled."""
    text = cleaning.search(query)
    if not text or len(text) > QUERY_MAX:
        return []
    limit = max(1, min(limit, LIMIT))
    picks: list[Pick] = []
    for kind in kinds:
        if kind == "user":
            found: Q | None = Q(name__icontains=text) | Q(email__icontains=text)
        else:
            found = list_search(MODELS[kind], text)
        if found is None:
            continue
        rows = await visible(principal, kind).filter(found).limit(limit)
        picks += await label(principal, kind, rows)
    return picks


async def labels(principal: Principal, kind: str, ids: Iterable[int | None]) -> dict[int, Pick]:
    """The records of `kind` named by `ids` that the principal may see, labelled, by id. Users
    who have left are found too: they still attend what they attended."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    if kind == "user":
        qs = User.filter(id__in=wanted).only(*COLUMNS[kind])
    else:
        qs = visible(principal, kind).filter(id__in=wanted)
    return {p.id: p for p in await label(principal, kind, await qs)}


async def contact_choices(principal: Principal, first_account: int | None = None,
                          limit: int = OPTION_LIMIT) -> tuple[list[Pick], list[Pick]]:
    """Contacts for a select: (those of `first_account`, the others), at most `limit` in all."""
    qs = visible(principal, "contact")
    first: list[Contact] = []
    if first_account is not None:
        first = await qs.filter(account_id=first_account).limit(limit)
        # (not "exclude": NOT (account_id = x) leaves out the contacts with no account)
        qs = qs.filter(Q(account_id__isnull=True) | Q(account_id__not=first_account))
    others = await qs.limit(max(0, limit - len(first))) if len(first) < limit else []
    picks = await label(principal, "contact", [*first, *others])
    return picks[: len(first)], picks[len(first):]


async def label(principal: Principal, kind: str, rows: Sequence[Model]) -> list[Pick]:
    """Each record as a Pick, in order. Namesakes left alike by their detail get their e-mail."""
    if kind == "contact":
        names = await _account_names(principal, {r.account_id for r in rows})
        picks = [Pick(kind, r.id, str(r), names.get(r.account_id, ""), r.account_id) for r in rows]
        return _by_email(picks, [r.email for r in rows])
    if kind == "deal":
        names = await _account_names(principal, {r.account_id for r in rows})
        return [Pick(kind, r.id, r.name, names.get(r.account_id, ""), r.account_id) for r in rows]
    if kind == "lead":
        return _by_email([Pick(kind, r.id, str(r), r.company) for r in rows], [r.email for r in rows])
    if kind == "user":
        return _by_email([Pick(kind, r.id, r.name) for r in rows], [r.email for r in rows])
    return [Pick(kind, r.id, str(r)) for r in rows]


def _by_email(picks: list[Pick], emails: list[str]) -> list[Pick]:
    same = Counter(p.label for p in picks)
    return [replace(p, detail=", ".join(x for x in (p.detail, email) if x)) if same[p.label] > 1 else p
            for p, email in zip(picks, emails)]


async def _account_names(principal: Principal, ids: set[int | None]) -> dict[int, str]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    return dict(await restrict(Account.filter(id__in=wanted), principal).values_list("id", "name"))
