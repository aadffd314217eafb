"""The two DAV collections of a user, as their clients see them: the address book (contacts) and
the calendar (events and tasks).

An item of a collection is a `PimResource`: the name (href) and UID a client knows it by, the
record behind it, its ETag and the revision (`seq`) it last changed in. Sync tokens name a
collection's revision, so sync-collection is "the resources with a higher seq".

Membership: the records the user may see (`permissions.restrict`), per kind as the user's
`PimSetting` says:
- direction both or Kizuna -> client: those records (with category_only, only those whose
  categories hold the setting's category name);
- direction client -> Kizuna: only the items the client itself put (Kizuna sends nothing back);
- items not backed by a record as it is (`PimResource.body`): a change held for sync now, an item
  a client took out of the category (it keeps its copy; an edit in Kizuna of a record still in the
  category brings it back in sync), an item of a client -> Kizuna kind. Those are only changed by
  the client or by applying or discarding held changes.

Membership is refreshed lazily: a stamp (the access stamp, the settings, per covered table the
count and latest modified_at of the records the user may see, and for contacts the latest change
of their accounts, whose names their vCards carry) is compared with the collection's;
only when it differs are resources added, changed (new ETag, next seq) or tombstoned. A request
when nothing changed costs the same few statements whatever the collection's size.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.functions import Count, Max
from tortoise.transactions import in_transaction

from app.models import (
    AccessStamp,
    Account,
    PimCollection,
    PimDirection,
    PimHeld,
    PimHeldReason,
    PimKind,
    PimResource,
    PimRunSource,
    PimSetting,
)
from app.permissions import Principal, restrict
from app.pim import ical, records, runs, vcard
from app.pim import settings as pim_settings
from app.pim.apply import in_category
from app.pim.items import MODELS, RECORD_TYPES
from app.pim.records import uid_of

KIND_OF_RECORD_TYPE = {t: k for k, t in RECORD_TYPES.items()}
CHUNK = 500  # ids per statement


@dataclass(frozen=True)
class Spec:
    """One kind of collection: its name (PimCollection.name and its URL), the home it lives in,
    the kinds it holds, and how its items are written."""

    name: str
    home: str
    kinds: tuple[PimKind, ...]
    ext: str
    content_type: str


CONTACTS = Spec("contacts", "addressbooks", (PimKind.CONTACTS,), "vcf", "text/vcard; charset=utf-8")
CALENDAR = Spec("calendar", "calendars", (PimKind.EVENTS, PimKind.TASKS), "ics", "text/calendar; charset=utf-8")
SPECS = {s.name: s for s in (CONTACTS, CALENDAR)}
SPEC_OF_KIND = {k: s for s in SPECS.values() for k in s.kinds}


@dataclass
class View:
    """A user's collection, refreshed, with the settings of its kinds."""

    collection: PimCollection
    spec: Spec
    settings: dict[PimKind, PimSetting]

    def setting_of(self, record_type: str) -> PimSetting:
        return self.settings[KIND_OF_RECORD_TYPE[record_type]]


def record_etag(record_type: str, record_id: int, modified_at: datetime | None) -> str:
    stamp = modified_at.isoformat() if modified_at else ""
    return hashlib.sha256(f"{record_type}:{record_id}:{stamp}".encode()).hexdigest()[:32]


def body_etag(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:32]


def default_href(record_type: str, record_id: int, spec: Spec) -> str:
    return f"{uid_of(record_type, record_id)}.{spec.ext}"


async def current_access_stamp() -> str:
    row = await AccessStamp.get_or_none(id=1)
    return row.stamp if row else ""


async def open_view(principal: Principal, spec: Spec, access_stamp: str | None = None) -> View:
    """The user's collection of `spec`, created on first use, refreshed against the records."""
    user_id = principal.user.id
    collection = await PimCollection.get_or_none(user_id=user_id, name=spec.name)
    if collection is None:
        try:
            async with in_transaction():
                collection = await PimCollection.create(user_id=user_id, name=spec.name)
        except IntegrityError:  # another request of the same user created it meanwhile
            collection = await PimCollection.get(user_id=user_id, name=spec.name)
    view = View(collection, spec, await pim_settings.of(user_id, spec.kinds))
    if access_stamp is None:
        access_stamp = await current_access_stamp()
    await refresh(principal, view, access_stamp)
    return view


async def _stamp(principal: Principal, view: View, access_stamp: str) -> str:
    parts = [access_stamp]
    for kind, setting in view.settings.items():
        parts.append(f"{kind.value}:{setting.direction}:{setting.category_only}:{setting.category_name}:"
                     f"{setting.modified_at.isoformat() if setting.modified_at else ''}")
        if setting.direction == PimDirection.TO_KIZUNA:
            continue  # nothing of Kizuna's goes to the client
        visible = restrict(MODELS[kind].all(), principal)
        rows = await visible.annotate(n=Count("id"), latest=Max("modified_at")).values("n", "latest")
        row = rows[0] if rows else {}
        parts.append(f"{row.get('n') or 0}:{_iso(row.get('latest'))}")
        if kind is PimKind.CONTACTS:
            # A contact's vCard carries its account's name: a renamed account changes it.
            linked = await Account.filter(id__in=Subquery(visible.filter(account_id__not_isnull=True)
                                                          .values("account_id"))).annotate(
                latest=Max("modified_at")).values("latest")
            parts.append(_iso(linked[0]["latest"] if linked else None))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _iso(moment) -> str:
    return moment.isoformat() if isinstance(moment, datetime) else str(moment)


def _effective(row: tuple) -> datetime:
    """When a record last changed as its client sees it: (id, modified_at, ..., linked account's
    modified_at for contacts)."""
    return max(m for m in (row[1], *row[3:]) if m is not None)


def _columns(kind: PimKind) -> tuple[str, ...]:
    extra = ("account__modified_at",) if kind is PimKind.CONTACTS else ()
    return ("id", "modified_at", "categories", *extra)


async def modified_of(kind: PimKind, record_ids: Sequence[int]) -> dict[int, datetime]:
    """Records' last change as their clients see it (what ETags are computed from)."""
    ids = sorted({i for i in record_ids if i is not None})
    if not ids:
        return {}
    found = {}
    for start in range(0, len(ids), CHUNK):
        for row in await MODELS[kind].filter(id__in=ids[start:start + CHUNK]).values_list(*_columns(kind)):
            found[row[0]] = _effective(row)
    return found


async def refresh(principal: Principal, view: View, access_stamp: str) -> None:
    stamp = await _stamp(principal, view, access_stamp)
    if stamp == view.collection.stamp:
        return
    async with in_transaction():
        locked = await PimCollection.filter(id=view.collection.id).select_for_update().get()
        if locked.stamp != stamp:
            resources = await PimResource.filter(collection_id=locked.id)
            held = set(await PimHeld.filter(collection_id=locked.id, resource_id__not_isnull=True)
                       .values_list("resource_id", flat=True))
            by_href = {r.href: r for r in resources}
            changed: list[PimResource] = []
            created: list[PimResource] = []
            seq = locked.seq
            for kind in view.spec.kinds:
                setting = view.settings[kind]
                if setting.direction == PimDirection.TO_KIZUNA:
                    seq = _client_made_only(kind, resources, held, changed, seq)
                    continue
                wanted = await _wanted(principal, kind, setting)
                seq = _reconcile(view, kind, wanted, resources, held, by_href, changed, created, seq)
            if changed:
                await PimResource.bulk_update(
                    changed, fields=["record_id", "etag", "seq", "deleted", "body", "record_modified_at",
                                     "deleted_run_id"], batch_size=500)
            if created:
                await PimResource.bulk_create(created, batch_size=500)
            locked.seq, locked.stamp = seq, stamp
            await locked.save(update_fields=["seq", "stamp"])
        view.collection.seq, view.collection.stamp = locked.seq, locked.stamp


async def _wanted(principal: Principal, kind: PimKind, setting: PimSetting) -> dict[int, datetime]:
    """The records of `kind` the collection should hold, with their modified_at."""
    rows = await restrict(MODELS[kind].all(), principal).values_list(*_columns(kind))
    return {row[0]: _effective(row) for row in rows if in_category(setting, (row[2] or "").split(","))}


def _client_made_only(kind: PimKind, resources: list[PimResource], held: set[int], changed: list[PimResource],
                      seq: int) -> int:
    """Client -> Kizuna only: the collection keeps just the items the client put there."""
    record_type = RECORD_TYPES[kind]
    for res in resources:
        if res.record_type == record_type and not res.deleted and not res.from_client and res.id not in held:
            seq += 1
            res.deleted, res.seq, res.deleted_run_id = True, seq, None
            changed.append(res)
    return seq


def _reconcile(view: View, kind: PimKind, wanted: dict[int, datetime], resources: list[PimResource],
               held: set[int], by_href: dict[str, PimResource], changed: list[PimResource],
               created: list[PimResource], seq: int) -> int:
    record_type = RECORD_TYPES[kind]
    covered: set[int] = set()  # records a live resource (or the client's own copy) stands for
    for res in resources:
        if res.record_type != record_type or res.record_id is None:
            continue
        rid = res.record_id
        modified = wanted.get(rid)
        if res.body is not None:
            if not res.deleted:
                covered.add(rid)
            # The client's own copy (out of the category, or a held change): an edit in Kizuna
            # since it was taken, to a record in the collection, brings the record back in sync.
            if (not res.deleted and res.id not in held and modified is not None
                    and res.record_modified_at is not None and modified > res.record_modified_at):
                seq += 1
                res.body, res.etag, res.record_modified_at, res.seq = (
                    None, record_etag(record_type, rid, modified), modified, seq)
                changed.append(res)
            continue
        if res.deleted:
            continue
        if modified is None or rid in covered:
            seq += 1
            res.deleted, res.seq, res.deleted_run_id = True, seq, None
            changed.append(res)
            continue
        covered.add(rid)
        if res.record_modified_at != modified:
            seq += 1
            res.etag, res.record_modified_at, res.seq = record_etag(record_type, rid, modified), modified, seq
            changed.append(res)
    for rid in sorted(set(wanted) - covered):
        modified = wanted[rid]
        seq += 1
        href = default_href(record_type, rid, view.spec)
        res = by_href.get(href)
        if res is not None and res.deleted and res.id not in held:
            # The record comes back under the name the client knew it by.
            res.record_id, res.deleted, res.body, res.deleted_run_id = rid, False, None, None
            res.etag, res.record_modified_at, res.seq = record_etag(record_type, rid, modified), modified, seq
            changed.append(res)  # a tombstone: the loop above never changes one
            continue
        if res is not None:  # the name is taken by another item: a fresh one
            href = f"{href.rsplit('.', 1)[0]}-{seq}.{view.spec.ext}"
        res = PimResource(collection_id=view.collection.id, href=href, uid=uid_of(record_type, rid),
                          record_type=record_type, record_id=rid, etag=record_etag(record_type, rid, modified),
                          seq=seq, record_modified_at=modified)
        by_href[href] = res
        created.append(res)
    return seq


async def next_seq(collection_id: int, n: int = 1) -> int:
    """Take the next `n` revisions of a collection (inside the caller's transaction: the row is
    locked until it commits); returns the last."""
    locked = await PimCollection.filter(id=collection_id).select_for_update().get()
    locked.seq += n
    await locked.save(update_fields=["seq"])
    return locked.seq


# ---- reading ------------------------------------------------------------------------------

async def changes_since(view: View, seq: int, limit: int) -> tuple[list[PimResource], bool]:
    """The resources changed after revision `seq` (from 0: the live ones), in revision order, at
    most `limit`; and whether more are left."""
    query = PimResource.filter(collection_id=view.collection.id, seq__gt=seq)
    if seq == 0:
        query = query.filter(deleted=False)
    rows = await query.order_by("seq").limit(limit + 1)
    return rows[:limit], len(rows) > limit


async def live(view: View) -> list[PimResource]:
    return await PimResource.filter(collection_id=view.collection.id, deleted=False).order_by("id")


async def by_hrefs(view: View, hrefs: Sequence[str]) -> dict[str, PimResource]:
    hrefs, found = list(hrefs), {}
    for start in range(0, len(hrefs), CHUNK):
        for r in await PimResource.filter(collection_id=view.collection.id, href__in=hrefs[start:start + CHUNK],
                                          deleted=False):
            found[r.href] = r
    return found


async def one(view: View, href: str) -> PimResource | None:
    """The item named `href`, tombstones included (a PUT there revives the name)."""
    return await PimResource.get_or_none(collection_id=view.collection.id, href=href)


async def bodies(principal: Principal, view: View, resources: Sequence[PimResource]) -> dict[int, str]:
    """What a client GETs, by resource id: the record written as vCard or iCalendar (with the
    UID the client knows), or the resource's own body. A record gone meanwhile is left out."""
    found = {r.id: r.body for r in resources if r.body is not None}
    for kind in view.spec.kinds:
        record_type = RECORD_TYPES[kind]
        wanted = {r.record_id: r for r in resources
                  if r.body is None and r.record_type == record_type and r.record_id is not None}
        if not wanted:
            continue
        ids, rows = sorted(wanted), []
        for start in range(0, len(ids), CHUNK):  # bound the statement's parameters
            rows += await restrict(MODELS[kind].all(), principal).filter(id__in=ids[start:start + CHUNK])
        items = await records.items_of(kind, rows)
        pairs = []
        for row, item in zip(rows, items):
            res = wanted[row.id]
            if res.uid:
                item.uid = res.uid
            pairs.append((res.id, item))
        # Writing thousands of items (a multiget) is CPU work: off the event loop.
        tz = principal.user.timezone
        found.update(await asyncio.to_thread(lambda: {pk: write(view.spec, [item], tz) for pk, item in pairs}))
    return found


def write(spec: Spec, items: list, tz: str) -> str:
    if spec is CONTACTS:
        return "".join(vcard.dumps(item) for item in items)
    return ical.dumps(items, tz=tz)


def read(spec: Spec, data: bytes, tz: str) -> list:
    """Items from a client's body (the formats' own errors propagate as ValueError)."""
    if spec is CONTACTS:
        return vcard.loads(data)
    return ical.loads(data, tz=tz)


# ---- sync now ----------------------------------------------------------------------------

async def sync_now(principal: Principal, kind: PimKind):
    """Manual mode's "sync now": apply the held changes of `kind` (those held because the kind
    syncs manually; mass deletes wait for their own confirmation), then refresh the collection
    so that the client gets what Kizuna has."""
    from app.pim import held  # it builds on this module

    spec = SPEC_OF_KIND[kind]
    collection = await PimCollection.get_or_none(user_id=principal.user.id, name=spec.name)
    ids = [] if collection is None else await PimHeld.filter(
        collection_id=collection.id, kind=kind, reason=PimHeldReason.MANUAL).values_list("id", flat=True)
    if ids:
        run = await held.apply_held(principal, ids, source=PimRunSource.SYNC_NOW)
    else:
        run = await runs.start(principal.user, PimRunSource.SYNC_NOW)
        await runs.finish(run)
    await open_view(principal, spec)
    return run
