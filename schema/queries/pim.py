"""pimSettings, pimRuns, pimRun and pimHeld: your own PIM sync settings, reports and held changes."""

from __future__ import annotations

import strawberry

from app.errors import NotFound
from app.pim import reports
from app.pim import settings as pim_settings
from schema.context import Info
from schema.queries.common import AUTH
from schema.types.node import pk_of
from schema.types.node import to_global_id
from schema.types.pim import PimHeldGroup, PimRun, PimSetting


@strawberry.type
class PimQuery:
    @strawberry.field(permission_classes=AUTH, description=(
        "How you sync contacts, tasks and events (one per kind; defaults for kinds never saved)."))
    async def pim_settings(self, info: Info) -> list[PimSetting]:
        found = await pim_settings.all_for(info.context.user)
        return [PimSetting.of(s) for s in found.values()]

    @strawberry.field(permission_classes=AUTH, description=(
        f"The reports of your sync runs, newest first (at most {reports.RUNS_MAX} at once)."))
    async def pim_runs(self, info: Info, limit: int = 20, offset: int = 0) -> list[PimRun]:
        user = info.context.user
        return [PimRun.of(r, user) for r in await reports.runs(user, limit, offset)]

    @strawberry.field(permission_classes=AUTH, description="One of your sync runs' report, or null.")
    async def pim_run(self, info: Info, id: strawberry.ID) -> PimRun | None:
        pk = pk_of(id, "PimRun")
        if pk is None:
            return None
        try:
            return PimRun.of(await reports.get_run(info.context.user, pk), info.context.user)
        except NotFound:
            return None

    @strawberry.field(permission_classes=AUTH, description="Your clients' changes that wait, oldest first.")
    async def pim_held(self, info: Info) -> list[PimHeldGroup]:
        user, found = info.context.user, []
        for g in await reports.held_groups(user):
            ids = await reports.held_ids(user, g.collection_id, g.kind.value, g.device, g.reason.value, g.last_id)
            found.append(PimHeldGroup(kind=g.kind, reason=g.reason, device=g.device, deletes=g.deletes,  # type: ignore[arg-type]
                                      puts=g.puts, total=g.total,
                                      change_ids=[strawberry.ID(to_global_id("PimHeld", i)) for i in ids]))
        return found
