"""Sync reports (seed 003): every run keeps what it added, updated and deleted per kind, and the
records it ignored with the reason; the next report lists what was ignored before and is still
not synced, and the user can pick those, fix values where a limit was the reason, and sync them
again (a run of its own)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app import cleaning
from app.errors import FieldError, NotFound, ValidationError
from app.i18n import N_
from app.models import PimIgnored, PimRun, PimRunSource, User
from app.permissions import Principal
from app.pim import apply as engine
from app.pim.items import FIELDS, Item

PENDING_MAX = 500  # the ignored records a report lists at most (the oldest first)
RESYNC_MAX = 500


def _now() -> datetime:
    return datetime.now(UTC)


async def start(user: User, source: PimRunSource, *, device: str = "", file_name: str = "") -> PimRun:
    return await PimRun.create(user_id=user.id, source=source, device=device[:100], file_name=file_name[:255],
                               counts={})


async def device_run(user: User, device: str, now: datetime | None = None) -> PimRun:
    """The run that groups a client's changes: one per user, device and hour."""
    now = now or _now()
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    device = device[:100]
    found = await PimRun.filter(user_id=user.id, source=PimRunSource.DEVICE, device=device, hour=hour).first()
    if found is not None:
        return found
    try:
        async with in_transaction():
            return await PimRun.create(user_id=user.id, source=PimRunSource.DEVICE, device=device, hour=hour,
                                       counts={})
    except IntegrityError:  # pragma: no cover - no unique index: kept for clarity
        return await PimRun.filter(user_id=user.id, source=PimRunSource.DEVICE, device=device, hour=hour).first()


async def finish(run: PimRun) -> None:
    run.finished_at = _now()
    await run.save(update_fields=["finished_at"])


def visible_runs(user: User):
    """A user's own reports (nobody else's, administrators included: they hold personal data)."""
    return PimRun.filter(user_id=user.id)


async def get_run(user: User, run_id: Any) -> PimRun:
    pk = cleaning.pk(run_id)
    run = None if pk is None else await visible_runs(user).get_or_none(id=pk)
    if run is None:
        raise NotFound()
    return run


async def pending_ignored(user: User, *, exclude_run: PimRun | None = None) -> list[PimIgnored]:
    """What earlier runs ignored and is still not synced (nor dismissed), oldest first."""
    query = PimIgnored.filter(user_id=user.id, resolved_at=None)
    if exclude_run is not None:
        query = query.exclude(run_id=exclude_run.id)
    return await query.order_by("id").limit(PENDING_MAX)


async def dismiss(user: User, ignored_ids: Sequence[Any]) -> int:
    ids = sorted({pk for pk in map(cleaning.pk, ignored_ids) if pk is not None})
    return await PimIgnored.filter(user_id=user.id, resolved_at=None, id__in=ids).update(resolved_at=_now())


async def resync(principal: Principal, ignored_ids: Sequence[Any],
                 fixes: dict[Any, dict[str, Any]] | None = None) -> PimRun:
    """Apply ignored records again, with `fixes` ({ignored id: {field: value}}) over the values
    as read; a run of its own. Those applied now are resolved; the others are ignored again in the
    new run (with today's reason) and the old entries are resolved into them."""
    fixes = fixes or {}
    ids = sorted({pk for pk in map(cleaning.pk, ignored_ids) if pk is not None})
    if not ids:
        raise ValidationError([FieldError("ids", N_("Choose the records to sync."))])
    if len(ids) > RESYNC_MAX:
        raise ValidationError([FieldError("ids", N_("Choose at most %(max)d records."), {"max": RESYNC_MAX})])
    chosen = await PimIgnored.filter(user_id=principal.user.id, resolved_at=None, id__in=ids).order_by("id")
    if len(chosen) != len(ids):
        raise NotFound()
    errors = []
    items = []
    for entry in chosen:
        item = Item.from_json(entry.values)
        for name, value in (fixes.get(entry.id) or fixes.get(str(entry.id)) or {}).items():
            if name not in FIELDS[item.kind] or not isinstance(value, str):
                errors.append(FieldError(f"fixes.{entry.id}.{name}", N_("Unknown field.")))
                continue
            item.values[name] = value
        items.append(item)
    if errors:
        raise ValidationError(errors)
    run = await start(principal.user, PimRunSource.RESYNC)
    await engine.apply(principal, items, run)
    await PimIgnored.filter(id__in=[e.id for e in chosen]).update(resolved_at=_now())
    await finish(run)
    return run
