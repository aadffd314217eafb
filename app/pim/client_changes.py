"""What a DAV client's PUT or DELETE does to a collection (app.pim.collections) and the CRM.

In order: the request's preconditions (If-Match, If-None-Match: *), the direction of the kind
(Kizuna -> client only: refused), then
- an item outside the category filter is kept as the client's own copy (not applied; a record it
  was synced with is left as it is);
- a kind that syncs manually holds the change (PimHeld, reason manual) and the client sees its
  change meanwhile; "sync now" applies it (app.pim.held);
- a delete that makes the device's deletes exceed the kind's threshold is held (mass_delete,
  rule below) and the item disappears from the client until the change is confirmed or discarded;
- everything else goes through the one engine (app.pim.apply: de-duplication, limits,
  permissions), counted in the device's run of the hour (app.pim.runs.device_run).

Mass delete rule. Deletes are counted per device run (one device, one hour) and per kind. When a
delete arrives, let D be the items of that kind the device deleted from the collection in this run,
this one included (applied or held), and N the kind's size in the collection at the run's start,
taken as the live items of that kind now plus the D - 1 deleted before in the run. The delete is
held when D * 100 > threshold * N (PimSetting.delete_threshold, a percent): so is every further
delete of the run, as D only grows while N stays. A threshold of 100 never holds anything.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from app.errors import Conflict, NotFound, PermissionDenied, ValidationError
from app.i18n import N_
from app.models import PimCollection, PimDirection, PimHeld, PimHeldReason, PimIgnoreReason, PimKind, PimResource
from app.permissions import Principal, require
from app.pim.collections import (
    KIND_OF_RECORD_TYPE,
    View,
    body_etag,
    modified_of,
    next_seq,
    one,
    read,
    record_etag,
)
from app.pim import apply, runs
from app.pim.apply import in_category
from app.pim.items import RECORD_TYPES, Item

REFUSED_DIRECTION = {
    PimKind.CONTACTS: N_("Your sync settings send contacts from Kizuna to your devices only: "
                         "changes made on a device are not accepted."),
    PimKind.TASKS: N_("Your sync settings send tasks from Kizuna to your devices only: "
                      "changes made on a device are not accepted."),
    PimKind.EVENTS: N_("Your sync settings send events from Kizuna to your devices only: "
                       "changes made on a device are not accepted."),
}


class PreconditionFailed(Conflict):
    """If-Match or If-None-Match did not hold (HTTP 412)."""

    def __init__(self) -> None:
        super().__init__(N_("The item has changed on the server since your device last read it."))


@dataclass
class Written:
    created: bool
    etag: str | None  # None: the stored item differs from what was sent (the client reads it back)
    held: bool = False


def _check(res: PimResource | None, if_match: str | None, if_none_match: str | None) -> None:
    live = res is not None and not res.deleted
    if if_none_match is not None and if_none_match.strip() == "*" and live:
        raise PreconditionFailed()
    if if_match is not None:
        tags = {t.strip().removeprefix("W/").strip('"') for t in if_match.split(",")}
        if not live or ("*" not in tags and res.etag not in tags):
            raise PreconditionFailed()


def _pick(view: View, data: bytes, tz: str, href: str) -> Item:
    try:
        items = read(view.spec, data, tz)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError.single("body", N_("The item could not be read: %(reason)s"), reason=str(exc)[:200])
    items = [i for i in items if i.kind in view.spec.kinds]
    if not items:
        raise ValidationError.single("body", N_("The request holds no item this collection can keep."))
    item = items[0]  # further components are the same item's recurrence overrides
    item.source = href
    return item


async def _locked(view: View, change):
    """Run `change` with the collection locked: a user's devices write one at a time, so two PUTs
    to one new name cannot both create it. A refusal by the engine is returned, not raised, so
    that the run's report of it is kept; it is raised once the transaction is committed."""
    async with in_transaction():
        await PimCollection.filter(id=view.collection.id).select_for_update().get()
        result = await change()
    if isinstance(result, Exception):
        raise result
    return result


async def put(principal: Principal, view: View, href: str, data: bytes, *, if_match: str | None,
              if_none_match: str | None, device: str) -> Written:
    return await _locked(view, lambda: _put(principal, view, href, data, if_match, if_none_match, device))


async def _put(principal: Principal, view: View, href: str, data: bytes, if_match: str | None,
               if_none_match: str | None, device: str) -> Written | Exception:
    res = await one(view, href)
    _check(res, if_match, if_none_match)
    # Parsing a client's body (up to the DAV limit) is CPU work: off the event loop.
    item = await asyncio.to_thread(_pick, view, data, principal.user.timezone, href)
    kind, live = item.kind, res is not None and not res.deleted
    record_type = RECORD_TYPES[kind]
    if live and res.record_type != record_type:
        raise ValidationError.single("body", N_("An item cannot change from an event to a task or back."))
    setting = view.settings[kind]
    if setting.direction == PimDirection.TO_CLIENT:
        raise PermissionDenied(REFUSED_DIRECTION[kind])
    if res is not None and res.deleted:
        # The client brings back an item whose delete is held: the delete is off.
        await PimHeld.filter(resource_id=res.id, action="delete").delete()
    text = data.decode("utf-8", errors="replace")
    uid = item.uid or (res.uid if res else "") or href.rsplit(".", 1)[0]
    record_id = res.record_id if live else None

    if not in_category(setting, item.categories):
        # Out of sync: the client keeps its copy; the record (if any) is left as it is.
        modified = await _modified_at(kind, record_id)
        await _store(view, res, href, uid, record_type, record_id, body=text, modified=modified)
        return Written(created=not live, etag=body_etag(text))

    if not setting.automatic:
        await _may(principal, kind, "create_edit", record_id)  # refused now rather than at sync now
        async with in_transaction():
            res = await _store(view, res, href, uid, record_type, record_id, body=text,
                               modified=await _modified_at(kind, record_id))
            pending = await PimHeld.filter(resource_id=res.id, action="put").first()
            if pending is not None:
                pending.values, pending.device = item.to_json(), device
                await pending.save(update_fields=["values", "device"])
            else:
                await PimHeld.create(collection_id=view.collection.id, resource_id=res.id, kind=kind, action="put",
                                     reason=PimHeldReason.MANUAL, values=item.to_json(), device=device)
        return Written(created=not live, etag=body_etag(text), held=True)

    run = await runs.device_run(principal.user, device)
    outcome = (await apply.apply(principal, [item], run, targets={0: record_id} if record_id else None))[0]
    if outcome.action == "ignored" or outcome.record_id is None:
        return refusal(outcome.ignored)
    record_id = outcome.record_id
    modified = await _modified_at(kind, record_id)
    own_copy = setting.direction == PimDirection.TO_KIZUNA  # Kizuna sends nothing back: the client's text
    async with in_transaction():
        # The engine may have matched a record the client already has under another name: the
        # name just written stands for it, the other one goes.
        others = await PimResource.filter(collection_id=view.collection.id, record_type=record_type,
                                          record_id=record_id, deleted=False).exclude(href=href)
        for other in others:
            other.deleted, other.seq = True, await next_seq(view.collection.id)
            await other.save(update_fields=["deleted", "seq"])
        await _store(view, res, href, uid, record_type, record_id, body=text if own_copy else None,
                     modified=modified)
    return Written(created=not live, etag=body_etag(text) if own_copy else None)


NO_GRANT = {
    "create_edit": N_("Your role does not allow creating or editing these records."),
    "delete": N_("Your role does not allow deleting these records."),
}


async def _may(principal: Principal, kind: PimKind, action: str, record_id: int | None) -> bool:
    """Raise PermissionDenied unless the principal may do `action` (to the record, if any), by
    the permission rules (app.permissions). False: the record is gone (or no longer visible)."""
    service = apply.SERVICES[kind]
    if not principal.has(service.module, "view") or not principal.has(service.module, action):
        raise PermissionDenied(NO_GRANT[action])
    if record_id is None:
        return True
    try:
        record = await service.get(principal, record_id)
    except NotFound:
        return False
    require(principal, action, record)
    return True


def refusal(ignored) -> Exception:
    """The engine's reason for ignoring an item, as the error the client is answered with."""
    if ignored is None:
        return ValidationError.single("body", N_("The item could not be saved."))
    params = dict(ignored.params or {})
    if ignored.reason == PimIgnoreReason.PERMISSION:
        return PermissionDenied(ignored.message, **params)
    return ValidationError.single(ignored.field or "body", ignored.message, **params)


async def _modified_at(kind: PimKind, record_id: int | None):
    return (await modified_of(kind, [record_id])).get(record_id)


async def _store(view: View, res: PimResource | None, href: str, uid: str, record_type: str,
                 record_id: int | None, *, body: str | None, modified) -> PimResource:
    """Write the resource as the client now sees it, at the collection's next revision."""
    etag = body_etag(body) if body is not None else record_etag(record_type, record_id, modified)
    async with in_transaction():
        seq = await next_seq(view.collection.id)
        if res is None:
            return await PimResource.create(
                collection_id=view.collection.id, href=href, uid=uid, record_type=record_type,
                record_id=record_id, etag=etag, seq=seq, from_client=True, body=body,
                record_modified_at=modified)
        revived = res.deleted
        res.uid, res.record_type, res.record_id, res.etag, res.seq = uid, record_type, record_id, etag, seq
        res.body, res.record_modified_at, res.deleted, res.deleted_run_id = body, modified, False, None
        if revived:
            res.from_client = True
        await res.save()
        return res


async def delete(principal: Principal, view: View, href: str, *, if_match: str | None, device: str) -> bool:
    """Delete the item `href` as the client asked. Returns whether the change was held."""
    return await _locked(view, lambda: _delete(principal, view, href, if_match, device))


async def _delete(principal: Principal, view: View, href: str, if_match: str | None, device: str) -> bool | Exception:
    res = await one(view, href)
    if res is None or res.deleted:
        raise NotFound()
    _check(res, if_match, None)
    kind = KIND_OF_RECORD_TYPE[res.record_type]
    setting = view.settings[kind]
    if setting.direction == PimDirection.TO_CLIENT:
        raise PermissionDenied(REFUSED_DIRECTION[kind])
    held_put = await PimHeld.filter(resource_id=res.id, action="put").first()
    if held_put is not None:
        await held_put.delete()  # the change it held is gone with the item
    own_copy = res.body is not None and held_put is None and setting.direction != PimDirection.TO_KIZUNA
    if res.record_id is None or own_copy:
        # Nothing of Kizuna's behind it: a new item never applied, or a copy out of the category.
        await _tombstone(view, res, None)
        return False

    if not await _may(principal, kind, "delete", res.record_id):
        await _tombstone(view, res, None)  # gone from Kizuna already
        return False

    run = await runs.device_run(principal.user, device)
    reason = await _hold_reason(view, res, run.id, setting)
    if reason is not None:
        async with in_transaction():
            await PimHeld.create(collection_id=view.collection.id, resource_id=res.id, kind=kind, action="delete",
                                 reason=reason, device=device, values={"href": href, "record_id": res.record_id})
            await _tombstone(view, res, run.id)
        return True
    outcome = (await apply.delete(principal, kind, [res.record_id], run))[0]
    if outcome.action == "ignored":
        return refusal(outcome.ignored)
    await _tombstone(view, res, run.id)
    return False


async def _hold_reason(view: View, res: PimResource, run_id: int, setting) -> PimHeldReason | None:
    resources = PimResource.filter(collection_id=view.collection.id, record_type=res.record_type)
    before = await resources.filter(deleted=True, deleted_run_id=run_id).count()
    alive = await resources.filter(deleted=False).count()
    deletes, size = before + 1, alive + before
    if deletes * 100 > setting.delete_threshold * size:
        return PimHeldReason.MASS_DELETE
    return None if setting.automatic else PimHeldReason.MANUAL


async def _tombstone(view: View, res: PimResource, run_id: int | None) -> None:
    async with in_transaction():
        res.deleted, res.deleted_run_id, res.seq = True, run_id, await next_seq(view.collection.id)
        await res.save(update_fields=["deleted", "deleted_run_id", "seq"])
