"""pimSettings, pimRuns and pimRun: your own PIM sync settings and reports."""

from __future__ import annotations

import strawberry

from app.errors import NotFound
from app.pim import reports
from app.pim import settings as pim_settings
from schema.context import Info
from schema.queries.common import AUTH
from schema.types.node import pk_of
from schema.types.pim import PimRun, PimSetting


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
