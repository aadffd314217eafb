"""Saved views of a list: the user's own and the shared ones."""

from __future__ import annotations

import strawberry

from app.services import saved_views
from schema.context import Info
from schema.queries.common import AUTH
from schema.types.saved_views import SavedView


@strawberry.type
class SavedViewQuery:
    @strawberry.field(permission_classes=AUTH, description=(
        "The saved views of a module's list the user sees (their own first, then shared ones); "
        "empty for a module they may not view."))
    async def saved_views(self, info: Info, module: str) -> list[SavedView]:
        return await saved_views.views_for(info.context.principal, module[:40])  # type: ignore[return-value]
