"""The Books sync's planning (app.services.books_sync runs it): what changed on which side of one
kind of record, and what the settings say to do about it (`Planner` -> `Op`s, written by
app.services.books_sync_write). Reads are batched: the columns needed, ids in chunks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.fields import DecimalField
from tortoise.models import Model

from app.i18n import N_
from app.models import (
    BooksLink,
    BooksSyncRecord,
    ConflictPolicy,
    SyncOutcome,
    SyncSide,
)
from app.models.base import LONG_TEXT_MAX
from app.search import normalise
from app.services.books_fields import Side
from app.services.books_mapping import digest
from app.services.books_sync_kinds import Kind, Row, blank_values

CHUNK = 500  # ids per IN (...) read
# The CRM field that must not be empty in a record created from Books.
CRM_REQUIRED = {Side.ACCOUNTS: "name", Side.CONTACTS: "last_name", Side.PRODUCTS: "name"}


@dataclass
class Op:
    """What happens to one record: a log entry, and the writes that go with it."""

    outcome: SyncOutcome | None  # None: a write nobody needs to read about (no entry)
    side: SyncSide
    crm_id: int | None
    books_id: int | None
    label: str
    reason: str
    params: dict[str, Any] = field(default_factory=dict)
    books_new: Row | None = None  # a Books record to create: its mapped values
    books_set: Row | None = None  # the Books record's row with the new values
    crm_new: Row | None = None
    crm_set: Row | None = None
    link: str = ""  # "insert" | "update" (map_id) the mapping row
    map_id: int | None = None
    crm_digest: str = ""
    books_digest: str = ""
    pushed: bool = False


def chunks(values: Iterable[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _fits(model: type[Model], name: str, value: Any) -> bool:
    column = model._meta.fields_map[name]
    if isinstance(column, DecimalField):
        if not isinstance(value, Decimal) or not value.is_finite():
            return False
        step = Decimal(1).scaleb(-column.decimal_places)
        return value.quantize(step) == value and abs(value) < Decimal(10) ** (column.max_digits - column.decimal_places)
    if isinstance(value, str):
        limit = getattr(column, "max_length", None) or LONG_TEXT_MAX
        return len(value) <= limit
    return True


class Planner:
    """The ops of one kind of record for one run: records changed since `since` (None: all)."""

    def __init__(self, link: BooksLink, kind: Kind, since: datetime | None, now: datetime,
                 owner_id: int | None) -> None:
        self.link, self.kind, self.since, self.now, self.owner_id = link, kind, since, now, owner_id
        self.ops: list[Op] = []
        self.reads: Counter[str] = Counter()  # rows read, per table: what an incremental run costs

    # ---- reads ----

    async def _crm(self, q: Q) -> dict[int, Row]:
        found = await self.kind.crm_model.filter(self.kind.scope).filter(q).values(*self.kind.crm_columns())
        self.reads[self.kind.side.value] += len(found)
        return {r["id"]: r for r in found}

    async def _books(self, q: Q) -> dict[int, Row]:
        found = await self.kind.books_model.filter(self.kind.books_scope()).filter(q).values(
            *self.kind.books_columns())
        self.reads["books_" + ("customers" if self.kind.customers else "items")] += len(found)
        return {r["id"]: r for r in found}

    async def _by_ids(self, read, ids: Iterable[int]) -> dict[int, Row]:
        out: dict[int, Row] = {}
        for part in chunks(ids):
            out.update(await read(Q(id__in=part)))
        return out

    def _mapped(self) -> Any:
        k = self.kind
        return BooksSyncRecord.filter(organization_id=k.organization_id, crm_module=k.side.value)

    async def _mappings(self, crm_ids: Iterable[int], books_ids: Iterable[int]) -> list[tuple]:
        k = self.kind
        columns = ("id", k.crm_column, k.books_column, "crm_digest", "books_digest")
        if self.since is None:
            everything = await self._mapped().values_list(*columns)
            self.reads["mapping"] += len(everything)
            return everything
        found: dict[int, tuple] = {}
        for column, ids in ((k.crm_column, crm_ids), (k.books_column, books_ids)):
            for part in chunks(ids):
                rows_ = await self._mapped().filter(**{f"{column}__in": part}).values_list(*columns)
                self.reads["mapping"] += len(rows_)
                for row in rows_:
                    found[row[0]] = row
        return list(found.values())

    async def _books_pool(self) -> dict[int, Row]:
        """Books records of the scope linked to no CRM record of this module."""
        linked = Subquery(self._mapped().values(self.kind.books_column))
        return await self._books(Q(id__not_in=linked))

    # ---- the plan ----

    async def plan(self) -> list[Op]:
        k = self.kind
        changed = Q() if self.since is None else Q(modified_at__gt=self.since)
        crm = await self._crm(changed)
        books = await self._books(changed) if k.two_way or self.since is None else {}
        maps = await self._mappings(crm, books)
        if self.since is not None:  # the other side of changed pairs
            crm.update(await self._by_ids(self._crm, {m[1] for m in maps} - crm.keys()))
        books.update(await self._by_ids(self._books, {m[2] for m in maps} - books.keys()))
        for map_id, crm_id, books_id, crm_digest, books_digest in maps:
            if crm_id in crm and books_id in books:
                self._pair(map_id, crm[crm_id], books[books_id], crm_digest, books_digest)
        linked_crm = {m[1] for m in maps}
        linked_books = {m[2] for m in maps}
        unlinked = [r for i, r in crm.items() if i not in linked_crm]
        matched: set[int] = set()
        if unlinked:
            pool = _Pool(k, (await self._books_pool()).values())
            for record in unlinked:
                self._unlinked_crm(record, pool, matched)
        if k.two_way:
            rest = [r for i, r in books.items() if i not in linked_books and i not in matched]
            if rest:
                await self._unlinked_books(rest, {r["id"] for r in unlinked})
        return self.ops

    async def plan_one(self, record: Model) -> list[Op]:
        """The ops of one CRM record not linked yet (filter and direction aside)."""
        k = self.kind
        row = {name: getattr(record, name) for name in k.crm_columns()}
        values = k.to_books(row)
        candidates = await self._books_pool_for(values)
        self._unlinked_crm(row, _Pool(k, candidates.values()), set())
        return self.ops

    async def _books_pool_for(self, values: Row) -> dict[int, Row]:
        k = self.kind
        linked = Subquery(self._mapped().values(k.books_column))
        if k.customers:
            name = values.get("display_name") or ""
            key = normalise(name)
            q = Q(display_name=name) | Q(search_text=key) | Q(search_text__startswith=key + "\n")
        else:
            name = values.get("name") or ""
            key = normalise(name)
            q = Q(name=name) | Q(search_text=key) | Q(search_text__startswith=key + "\n")
            if (values.get("sku") or "").strip():
                q |= Q(sku=values["sku"].strip())
        return await self._books(Q(id__not_in=linked) & q)

    def _op(self, outcome: SyncOutcome | None, side: SyncSide, crm_id: int | None, books_id: int | None, label: str,
            reason: str, **kw: Any) -> Op:
        op = Op(outcome, side, crm_id, books_id, label, reason, **kw)
        self.ops.append(op)
        return op

    def _push_new(self, crm: Row, outcome: SyncOutcome, reason: str, *, map_id: int | None = None) -> None:
        k = self.kind
        values = k.to_books(crm)
        required = "display_name" if k.customers else "name"
        if not str(values.get(required) or "").strip():
            self._op(SyncOutcome.ERROR, SyncSide.BOOKS, crm["id"], None, k.crm_label(crm),
                     N_("The Books field %(books)s would be empty: not synced."), params={"books": required})
            return
        d = digest(values)
        self._op(outcome, SyncSide.BOOKS, crm["id"], None, k.crm_label(crm), reason, books_new=values,
                 link="update" if map_id else "insert", map_id=map_id, crm_digest=d, books_digest=d, pushed=True)

    def _push_set(self, crm: Row, books: Row, outcome: SyncOutcome, reason: str, *, map_id: int | None) -> None:
        k = self.kind
        values = k.to_books(crm)
        d = digest(values)
        self._op(outcome, SyncSide.BOOKS, crm["id"], books["id"], k.crm_label(crm), reason,
                 books_set={**books, **values}, link="update" if map_id else "insert", map_id=map_id,
                 crm_digest=d, books_digest=d)

    def _pull(self, books: Row, crm_id: int | None) -> Row:
        """The CRM values from a Books record. A value that would not fit its CRM column is left
        out (never cut), with an error entry for the record naming the fields."""
        k = self.kind
        values, misfits = {}, []
        for b, c in k.reverse:
            if _fits(k.crm_model, c, books[b]):
                values[c] = books[b]
            else:
                misfits.append((b, c))
        if misfits:
            self._op(SyncOutcome.ERROR, SyncSide.CRM, crm_id, books["id"], k.books_label(books),
                     N_("The Books value of %(books)s does not fit in the CRM field %(crm)s: not synced."),
                     params={"books": ", ".join(b for b, _ in misfits), "crm": ", ".join(c for _, c in misfits)})
        return values

    def _pair(self, map_id: int, crm: Row, books: Row, crm_digest: str, books_digest: str) -> None:
        k = self.kind
        cd, bd = k.crm_digest(crm), k.books_digest(books)
        if not crm_digest and not books_digest:  # the mapping changed: the CRM's values are the reference
            if cd == bd:
                self._op(None, SyncSide.BOOKS, crm["id"], books["id"], "", "", link="update", map_id=map_id,
                         crm_digest=cd, books_digest=bd)
            else:
                self._push_set(crm, books, SyncOutcome.UPDATED, N_("Updated in Books with the CRM values."),
                               map_id=map_id)
            return
        # Books holding what the CRM held at the last sync has not diverged (settled by hand, say).
        crm_changed, books_changed = cd != crm_digest, bd not in (books_digest, crm_digest)
        if not crm_changed and not books_changed:
            return
        if crm_changed and books_changed and cd == bd:  # the same change on both sides
            self._op(None, SyncSide.BOOKS, crm["id"], books["id"], "", "", link="update", map_id=map_id,
                     crm_digest=cd, books_digest=bd)  # only the mapping row catches up: nothing to tell
            return
        if crm_changed and not books_changed:
            self._push_set(crm, books, SyncOutcome.UPDATED, N_("Updated in Books with the CRM values."),
                           map_id=map_id)
            return
        if books_changed and not crm_changed:
            if not k.two_way:
                return  # one-way: Books changes stay in Books
            values = self._pull(books, crm["id"])
            new = {**crm, **values}
            if new == crm:  # nothing that fits changed: the mapping row only
                self._op(None, SyncSide.CRM, crm["id"], books["id"], "", "", link="update", map_id=map_id,
                         crm_digest=cd, books_digest=bd)
                return
            self._op(SyncOutcome.UPDATED, SyncSide.CRM, crm["id"], books["id"], k.crm_label(new),
                     N_("Updated in the CRM with the Books values."), crm_set=new, link="update", map_id=map_id,
                     crm_digest=k.crm_digest(new), books_digest=bd)
            return
        # changed on both sides since the last sync
        if k.policy == ConflictPolicy.SKIP:
            self._op(SyncOutcome.CONFLICT, SyncSide.BOOKS, crm["id"], books["id"], k.crm_label(crm),
                     N_("Changed on both sides since the last sync: nothing was written (policy: skip)."))
        elif k.policy == ConflictPolicy.OVERWRITE:
            self._push_set(crm, books, SyncOutcome.CONFLICT,
                           N_("Changed on both sides since the last sync: the CRM values were written over "
                              "Books (policy: overwrite)."), map_id=map_id)
        else:
            self._push_new(crm, SyncOutcome.CONFLICT, N_(
                "Changed on both sides since the last sync: a new Books record was created from the CRM "
                "values, the other one stays (policy: duplicate)."), map_id=map_id)

    def _unlinked_crm(self, crm: Row, pool: _Pool, matched: set[int]) -> None:
        k = self.kind
        found = pool.find(k.to_books(crm))
        if found is None:
            self._push_new(crm, SyncOutcome.ADDED, N_("Created in Books."))
            return
        matched.add(found["id"])
        params = {"books": k.books_label(found)}
        if k.policy == ConflictPolicy.SKIP:
            self._op(SyncOutcome.SKIPPED, SyncSide.BOOKS, crm["id"], found["id"], k.crm_label(crm),
                     N_("A matching record exists in Books (%(books)s): both stay unlinked (policy: skip)."),
                     params=params)
        elif k.policy == ConflictPolicy.OVERWRITE:
            pool.take(found)
            self._push_set(crm, found, SyncOutcome.UPDATED, N_(
                "Linked to the matching Books record (%(books)s) and wrote the CRM values over it "
                "(policy: overwrite)."), map_id=None)
            self.ops[-1].params = params
        else:
            self._push_new(crm, SyncOutcome.ADDED, N_(
                "A matching record exists in Books (%(books)s): another one was created (policy: duplicate)."))
            self.ops[-1].params = params

    async def _unlinked_books(self, books: list[Row], seen_crm: set[int]) -> None:
        """Two-way: Books records linked to nothing, created in the CRM, unless an unlinked CRM
        record matches one (then the policy, as for an unlinked CRM record)."""
        k = self.kind
        crm_pool, taken = await self._crm_pool_for(books, seen_crm)
        for record in books:
            match = crm_pool.get(_crm_key(k, record))
            if match is None and _crm_key(k, record) in taken:
                # Left over by the duplicate policy, say: the CRM record of that name has its own.
                other = taken[_crm_key(k, record)]
                self._op(SyncOutcome.SKIPPED, SyncSide.CRM, other["id"], record["id"], k.books_label(record),
                         N_("The matching CRM record (%(crm)s) is linked to another Books record: not created "
                            "in the CRM."), params={"crm": k.crm_label(other)})
                continue
            if match is not None:
                params = {"books": k.books_label(record)}
                if k.policy == ConflictPolicy.SKIP:
                    self._op(SyncOutcome.SKIPPED, SyncSide.BOOKS, match["id"], record["id"], k.crm_label(match),
                             N_("A matching record exists in Books (%(books)s): both stay unlinked "
                                "(policy: skip)."), params=params)
                    continue
                if k.policy == ConflictPolicy.OVERWRITE:
                    del crm_pool[_crm_key(k, record)]
                    self._push_set(match, record, SyncOutcome.UPDATED, N_(
                        "Linked to the matching Books record (%(books)s) and wrote the CRM values over it "
                        "(policy: overwrite)."), map_id=None)
                    self.ops[-1].params = params
                    continue
            values = self._pull(record, None)
            required = CRM_REQUIRED[k.side]
            if not str(values.get(required) or "").strip():
                self._op(SyncOutcome.ERROR, SyncSide.CRM, None, record["id"], k.books_label(record),
                         N_("The CRM field %(crm)s would be empty: not created in the CRM."),
                         params={"crm": required})
                continue
            if self.owner_id is None:
                self._op(SyncOutcome.ERROR, SyncSide.CRM, None, record["id"], k.books_label(record),
                         N_("No active administrator may own the records created from Books."))
                continue
            new = {**blank_values(k.crm_model), **values, "owner_id": self.owner_id}
            self._op(SyncOutcome.ADDED, SyncSide.CRM, None, record["id"], k.books_label(record),
                     N_("Created in the CRM from Books."), crm_new=new, link="insert",
                     crm_digest=k.crm_digest(new), books_digest=k.books_digest(record))

    async def _crm_pool_for(self, books: list[Row], seen: set[int]) -> tuple[dict[str, Row], dict[str, Row]]:
        """CRM records in scope that Books records may match, by match key: the unlinked ones
        (those this run already handled, `seen`, left out), and the linked ones."""
        k = self.kind
        key_field = "display_name" if k.customers else "name"
        crm_field = next((c for b, c in k.reverse if b == key_field), None)
        if crm_field is None:
            return {}, {}
        names = list({r[key_field] for r in books if r[key_field]})
        free: dict[str, Row] = {}
        taken: dict[str, Row] = {}
        for part in chunks(names):
            found = await self._crm(Q(**{f"{crm_field}__in": part}))
            linked = set(await self._mapped().filter(**{f"{k.crm_column}__in": list(found)}).values_list(
                k.crm_column, flat=True)) if found else set()
            for row in found.values():
                key = _books_key(k, k.to_books(row))
                if row["id"] in linked:
                    taken.setdefault(key, row)
                elif row["id"] not in seen:
                    free.setdefault(key, row)
        return free, taken


def _books_key(kind: Kind, values: Row) -> str:
    return normalise(values.get("display_name" if kind.customers else "name"))


def _crm_key(kind: Kind, books: Row) -> str:
    return normalise(books.get("display_name" if kind.customers else "name"))


class _Pool:
    """Unlinked Books records by match key: customers by display name (normalised), items by
    SKU, then by name."""

    def __init__(self, kind: Kind, records: Iterable[Row]) -> None:
        self.kind = kind
        self.by_name: dict[str, Row] = {}
        self.by_sku: dict[str, Row] = {}
        for r in records:
            self.by_name.setdefault(_crm_key(kind, r), r)
            if not kind.customers and (r.get("sku") or "").strip():
                self.by_sku.setdefault(r["sku"].strip(), r)

    def find(self, values: Row) -> Row | None:
        if not self.kind.customers:
            sku = (values.get("sku") or "").strip()
            if sku and sku in self.by_sku:
                return self.by_sku[sku]
        key = _books_key(self.kind, values)
        return self.by_name.get(key) if key else None

    def take(self, record: Row) -> None:
        for index in (self.by_name, self.by_sku):
            for key in [key for key, r in index.items() if r is record]:
                del index[key]
