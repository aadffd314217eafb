"""PIM sync: your settings per kind, and re-syncing records earlier runs ignored (the rules are
app.pim.settings's and app.pim.reports's, as on the pages)."""

from __future__ import annotations

from typing import Any

import strawberry

from app.errors import ValidationError as CoreValidationError
from app.pim import collections, held, reports
from app.pim import settings as pim_settings
from schema.context import Info
from schema.errors import Conflict, NotFound, PermissionDenied, ValidationError, attempt, to_error
from schema.mutations.common import result
from schema.queries.common import AUTH
from schema.types.node import pk_of
from schema.types.pim import PimDirection, PimKind, PimRun, PimSetting


@strawberry.input(description="The values to change; those left out keep theirs.")
class PimSettingInput:
    direction: PimDirection | None = strawberry.UNSET  # type: ignore[valid-type]
    automatic: bool | None = strawberry.UNSET
    category_only: bool | None = strawberry.UNSET
    category_name: str | None = strawberry.field(default=strawberry.UNSET, description="1 to 50 characters.")
    delete_threshold: int | None = strawberry.field(default=strawberry.UNSET, description="1 to 100 (percent).")


@strawberry.input(description="A new value for the field an ignored record was over its limit in.")
class PimFixInput:
    id: strawberry.ID = strawberry.field(description="The ignored record (PimIgnoredRecord.id).")
    value: str


@strawberry.type
class PimSettingPayload:
    pim_setting: PimSetting


@strawberry.type
class ResyncPimIgnoredPayload:
    run: PimRun = strawberry.field(description="The report of the re-sync.")


@strawberry.type
class PimSyncPayload:
    run: PimRun = strawberry.field(description="The report of the changes applied.")


@strawberry.type
class DiscardPimHeldPayload:
    discarded: int = strawberry.field(description="How many held changes were dropped (your clients get Kizuna's state back).")


HELD_MAX = 5_000  # held changes one request may apply or discard

UpdatePimSettingResult = result("UpdatePimSetting", PimSettingPayload, ValidationError)
ResyncPimIgnoredResult = result("ResyncPimIgnored", ResyncPimIgnoredPayload, ValidationError, Conflict,
                                PermissionDenied, NotFound)


PimSyncResult = result("PimSync", PimSyncPayload, ValidationError, PermissionDenied)
DiscardPimHeldResult = result("DiscardPimHeld", DiscardPimHeldPayload, ValidationError)


def _held_pks(info: Info, ids: list[strawberry.ID]) -> list[int] | Any:
    if len(ids) > HELD_MAX:
        return to_error(info, CoreValidationError.single("ids", reports.TOO_MANY, max=HELD_MAX))
    return [pk for pk in (pk_of(i, "PimHeld") for i in ids) if pk is not None]


@strawberry.type
class PimMutation:
    @strawberry.mutation(permission_classes=AUTH, description="Change how you sync one kind of record.")
    async def update_pim_setting(
        self, info: Info, kind: PimKind, input: PimSettingInput  # type: ignore[valid-type]
    ) -> UpdatePimSettingResult:
        data: dict[str, Any] = {}
        for name in ("direction", "automatic", "category_only", "category_name", "delete_threshold"):
            value = getattr(input, name)
            if value is strawberry.UNSET or value is None:
                continue
            data[name] = value.value if name == "direction" else value
        return await attempt(info, lambda: pim_settings.update(info.context.principal, kind.value, data),
                             lambda saved: PimSettingPayload(pim_setting=PimSetting.of(saved)))

    @strawberry.mutation(permission_classes=AUTH, description=(
        f"Sync records earlier runs ignored again (at most {reports.RESYNC_MAX}), with the values fixed "
        "where a limit was the reason; the answer is the new run's report."))
    async def resync_pim_ignored(
        self, info: Info, ids: list[strawberry.ID], fixes: list[PimFixInput] | None = None
    ) -> ResyncPimIgnoredResult:
        fixes = fixes or []
        if len(ids) > reports.RESYNC_MAX or len(fixes) > reports.RESYNC_MAX:
            return to_error(info, CoreValidationError.single("ids", reports.TOO_MANY, max=reports.RESYNC_MAX))
        pks = [pk_of(i, "PimIgnored") or 0 for i in ids]
        by_pk = {}
        for i, fix in enumerate(fixes):
            pk = pk_of(fix.id, "PimIgnored")
            if pk is None:
                return to_error(info, CoreValidationError.single(f"fixes.{i}.id", reports.NOT_YOURS))
            by_pk[pk] = fix.value
        user = info.context.user
        return await attempt(info, lambda: reports.resync(info.context.principal, pks, by_pk),
                             lambda run: ResyncPimIgnoredPayload(run=PimRun.of(run, user)))

    @strawberry.mutation(permission_classes=AUTH, description=(
        "Sync now: apply your clients' held changes of one kind and refresh what they will see."))
    async def sync_pim_now(self, info: Info, kind: PimKind) -> PimSyncResult:  # type: ignore[valid-type]
        user = info.context.user
        return await attempt(info, lambda: collections.sync_now(info.context.principal, kind),
                             lambda run: PimSyncPayload(run=PimRun.of(run, user)))

    @strawberry.mutation(permission_classes=AUTH, description=(
        f"Apply held changes (pimHeld's changeIds; at most {HELD_MAX}), in a run of their own; others' are never touched."))
    async def apply_pim_held(self, info: Info, ids: list[strawberry.ID]) -> PimSyncResult:
        pks = _held_pks(info, ids)
        if not isinstance(pks, list):
            return pks
        user = info.context.user
        return await attempt(info, lambda: held.apply_held(info.context.principal, pks),
                             lambda run: PimSyncPayload(run=PimRun.of(run, user)))

    @strawberry.mutation(permission_classes=AUTH, description=(
        f"Drop held changes (pimHeld's changeIds; at most {HELD_MAX}): your clients get Kizuna's state back."))
    async def discard_pim_held(self, info: Info, ids: list[strawberry.ID]) -> DiscardPimHeldResult:
        pks = _held_pks(info, ids)
        if not isinstance(pks, list):
            return pks
        return await attempt(info, lambda: held.discard_held(info.context.principal, pks),
                             lambda n: DiscardPimHeldPayload(discarded=n))
