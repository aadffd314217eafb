"""Client changes held for the user: those of a kind that syncs manually (applied by sync now) and
mass deletes (applied once confirmed). Applying goes through the one engine (app.pim.apply);
discarding gives the client back what Kizuna has: a held put's item shows the record again (or
disappears when it was new), a held delete's item reappears (its resource gets a new revision)."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.transactions import in_transaction

from app.models import PimDirection, PimHeld, PimKind, PimResource, PimRun, PimRunSource
from app.permissions import Principal
from app.pim import apply, runs
from app.pim import settings as pim_settings
from app.pim.collections import body_etag, modified_of, next_seq, record_etag
from app.pim.items import Item


async def _mine(principal: Principal, held_ids: Sequence[int]) -> list[PimHeld]:
    """The user's own held changes among `held_ids` (others' are never touched), oldest first."""
    return await PimHeld.filter(id__in=list(held_ids), collection__user_id=principal.user.id).select_related(
        "resource").order_by("id")


async def _show(res: PimResource, *, record_id: int | None, modified, body: str | None = None) -> None:
    """The resource as the client will see it next: the record (or `body`), at a new revision;
    without either, it disappears."""
    async with in_transaction():
        res.seq = await next_seq(res.collection_id)
        if body is None and (record_id is None or modified is None):
            res.deleted = True
        else:
            res.deleted, res.deleted_run_id, res.record_id, res.body = False, None, record_id, body
            res.record_modified_at = modified
            res.etag = body_etag(body) if body is not None else record_etag(res.record_type, record_id, modified)
        await res.save()


async def apply_held(principal: Principal, held_ids: Sequence[int], *,
                     source: PimRunSource = PimRunSource.SYNC_NOW) -> PimRun:
    """Apply the user's held changes `held_ids`, in one run whose report lists them."""
    rows = await _mine(principal, held_ids)
    run = await runs.start(principal.user, source)
    settings = await pim_settings.of(principal.user.id)
    for kind in PimKind:
        puts = [h for h in rows if h.kind == kind and h.action == "put"]
        deletes = [h for h in rows if h.kind == kind and h.action == "delete"]
        if puts:
            items = [Item.from_json(h.values) for h in puts]
            targets = {i: h.resource.record_id for i, h in enumerate(puts)
                       if h.resource is not None and h.resource.record_id is not None}
            outcomes = await apply.apply(principal, items, run, targets=targets)
            modified = await modified_of(kind, [o.record_id for o in outcomes if o.record_id]
                                       + [h.resource.record_id for h in puts if h.resource and h.resource.record_id])
            own_copy = settings[kind].direction == PimDirection.TO_KIZUNA
            for h, outcome in zip(puts, outcomes):
                res = h.resource
                if res is None:
                    continue
                if outcome.action == "outside":
                    # Out of the category now: the client keeps its copy, out of sync.
                    await _show(res, record_id=res.record_id, modified=modified.get(res.record_id), body=res.body)
                elif outcome.action == "ignored" or outcome.record_id is None:
                    # Refused (the report says why): the client gets Kizuna's record back.
                    await _show(res, record_id=res.record_id, modified=modified.get(res.record_id))
                else:
                    await _show(res, record_id=outcome.record_id, modified=modified.get(outcome.record_id),
                                body=res.body if own_copy else None)
        if deletes:
            record_ids = [h.resource.record_id for h in deletes if h.resource and h.resource.record_id]
            outcomes = await apply.delete(principal, kind, record_ids, run) if record_ids else []
            refused = {o.record_id for o in outcomes if o.action == "ignored"}
            modified = await modified_of(kind, sorted(refused))
            for h in deletes:
                res = h.resource
                if res is not None and res.record_id in refused:
                    await _show(res, record_id=res.record_id, modified=modified.get(res.record_id), body=res.body)
    await PimHeld.filter(id__in=[h.id for h in rows]).delete()
    await runs.finish(run)
    return run


async def discard_held(principal: Principal, held_ids: Sequence[int]) -> int:
    """Drop the user's held changes `held_ids`; the client gets Kizuna's state back. Returns how
    many were dropped."""
    rows = await _mine(principal, held_ids)
    for h in rows:
        res = h.resource
        if res is None:
            continue
        kind = PimKind(h.kind)
        modified = (await modified_of(kind, [res.record_id] if res.record_id else [])).get(res.record_id)
        if h.action == "delete":
            # The item reappears as it was (the client's own copy, or the record).
            await _show(res, record_id=res.record_id, modified=modified, body=res.body)
        else:
            await _show(res, record_id=res.record_id, modified=modified)
    await PimHeld.filter(id__in=[h.id for h in rows]).delete()
    return len(rows)

