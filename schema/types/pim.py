"""PIM sync (your own contacts, tasks and events with Outlook and other clients): the settings per
kind, and the reports of sync runs with the records they ignored."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.models import PimDirection as DirectionModel
from app.models import PimHeldReason as HeldReasonModel
from app.models import PimIgnored as IgnoredModel
from app.models import PimIgnoreReason as ReasonModel
from app.models import PimKind as KindModel
from app.models import PimRun as RunModel
from app.models import PimRunSource as SourceModel
from app.models import PimSetting as SettingModel
from app.pim import reports
from schema.context import Info
from schema.loaders import first_rows
from schema.types.node import to_global_id

PimKind = strawberry.enum(KindModel, name="PimKind")
PimDirection = strawberry.enum(DirectionModel, name="PimDirection", description=(
    "BOTH ways, TO_KIZUNA (client to Kizuna only) or TO_CLIENT (Kizuna to client only)."))
PimRunSource = strawberry.enum(SourceModel, name="PimRunSource", description=(
    "IMPORT (a file), SYNC_NOW (held changes applied), DEVICE (a client's changes, per device per hour), "
    "RESYNC (ignored records synced again)."))
PimIgnoreReason = strawberry.enum(ReasonModel, name="PimIgnoreReason")
PimHeldReason = strawberry.enum(HeldReasonModel, name="PimHeldReason", description=(
    "MANUAL (the kind syncs manually: applied by syncPimNow) or MASS_DELETE (a client deleted more "
    "than the threshold at once: applied once confirmed)."))

IGNORED_DEFAULT = 100



@strawberry.type(description="How you sync one kind of record.")
class PimSetting:
    kind: PimKind  # type: ignore[valid-type]
    direction: PimDirection  # type: ignore[valid-type]
    automatic: bool = strawberry.field(description="False: client changes wait for sync now.")
    category_only: bool = strawberry.field(description="Only items in the category categoryName.")
    category_name: str
    delete_threshold: int = strawberry.field(description=(
        "A client deleting more than this share (percent) of the items in one sync is held for confirmation."))

    @classmethod
    def of(cls, s: SettingModel) -> PimSetting:
        return cls(kind=s.kind, direction=s.direction, automatic=s.automatic,  # type: ignore[arg-type]
                   category_only=s.category_only, category_name=s.category_name,
                   delete_threshold=s.delete_threshold)


@strawberry.type(description="What one run did to one kind of record.")
class PimRunCount:
    kind: PimKind  # type: ignore[valid-type]
    added: int
    updated: int
    deleted: int
    ignored: int


@strawberry.type(description="A record a run did not apply, and why.")
class PimIgnoredRecord:
    id: strawberry.ID
    kind: PimKind  # type: ignore[valid-type]
    reason: PimIgnoreReason  # type: ignore[valid-type]
    message: str = strawberry.field(description="The reason, in the language of the request.")
    label: str = strawberry.field(description="What you recognise the record by (a name, a subject).")
    field: str = strawberry.field(description="The field at fault (snake_case), empty for the whole record.")
    value: str | None = strawberry.field(description=(
        "Where a limit was the reason: the value over it, to fix in resyncPimIgnored (else null)."))
    limit: int | None = strawberry.field(description="Where a limit was the reason: the most characters allowed.")
    resolved_at: datetime | None = strawberry.field(description="When a later run synced it.")

    @classmethod
    def of(cls, i: IgnoredModel, info: Info) -> PimIgnoredRecord:
        fix = reports.fixable(i)
        return cls(id=strawberry.ID(to_global_id("PimIgnored", i.id)), kind=i.kind, reason=i.reason,  # type: ignore[arg-type]
                   message=reports.reason_text(i, info.context.gettext), label=i.label, field=i.field,
                   value=fix.value if fix else None, limit=fix.limit if fix else None, resolved_at=i.resolved_at)


@strawberry.type(description="The report of one sync run (yours only).")
class PimRun:
    id: strawberry.ID
    source: PimRunSource  # type: ignore[valid-type]
    device: str = strawberry.field(description="The client (DEVICE runs).")
    file_name: str = strawberry.field(description="The file (IMPORT runs).")
    started_at: datetime
    finished_at: datetime | None
    counts: list[PimRunCount] = strawberry.field(description="Per kind it touched.")
    pk: strawberry.Private[int]
    user: strawberry.Private[object]
    model: strawberry.Private[RunModel]

    @classmethod
    def of(cls, run: RunModel, user: object) -> PimRun:
        counts = [PimRunCount(kind=k, **c) for k, c in reports.counts_of(run)]  # type: ignore[arg-type]
        return cls(id=strawberry.ID(to_global_id("PimRun", run.id)), source=run.source,  # type: ignore[arg-type]
                   device=run.device, file_name=run.file_name, started_at=run.started_at,
                   finished_at=run.finished_at, counts=counts, pk=run.id, user=user, model=run)

    @strawberry.field(description=f"The records this run ignored, in order (at most {reports.IGNORED_MAX}).")
    async def ignored(self, info: Info, first: int = IGNORED_DEFAULT) -> list[PimIgnoredRecord]:
        found = await first_rows(info.context.loaders, IgnoredModel, "run_id").load((self.pk, max(1, min(first, reports.IGNORED_MAX))))
        return [PimIgnoredRecord.of(i, info) for i in found]

    @strawberry.field(description=(
        "Records ignored by earlier runs and still not synced: pick them for resyncPimIgnored "
        f"(at most {reports.PENDING_MAX}, the oldest first)."))
    async def pending_ignored(self, info: Info) -> list[PimIgnoredRecord]:
        return [PimIgnoredRecord.of(i, info) for i in await reports.pending(self.user, self.model)]  # type: ignore[arg-type]


@strawberry.type(description=(
    "Changes of one kind a client made that wait: for syncPimNow (manual sync) or for confirmation "
    "(a mass deletion): applyPimHeld or discardPimHeld with changeIds."))
class PimHeldGroup:
    kind: PimKind  # type: ignore[valid-type]
    reason: PimHeldReason  # type: ignore[valid-type]
    device: str
    deletes: int
    puts: int = strawberry.field(description="Items added or changed.")
    total: int = strawberry.field(description="The items of this kind the client had before these deletes.")
    change_ids: list[strawberry.ID]
