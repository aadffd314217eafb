"""Save and delete list views, through app.services.saved_views like the list pages."""

from __future__ import annotations

import strawberry

from app.services import saved_views
from schema.context import Info
from schema.errors import NotFound, PermissionDenied, ValidationError, attempt
from schema.mutations.common import DeletePayload, existing_pk, result
from schema.queries.common import AUTH
from schema.types.saved_views import SavedView

LIMIT = 100  # items in a list input: more is refused by the service anyway


@strawberry.input(description="One filter of a list and its value.")
class ListFilterInput:
    name: str
    value: str


@strawberry.input(description="What the list shows; parts the list does not know are refused.")
class ListStateInput:
    q: str = ""
    filters: list[ListFilterInput] = strawberry.field(default_factory=list)
    sort: str = ""
    columns: list[str] = strawberry.field(default_factory=list)
    per_page: int | None = None


@strawberry.type
class SaveViewPayload:
    view: SavedView


SaveViewResult = result("SaveView", SaveViewPayload, ValidationError, NotFound, PermissionDenied)
DeleteViewResult = result("DeleteView", DeletePayload, NotFound, PermissionDenied)


def _state(state: ListStateInput) -> dict:
    return {"q": state.q, "filters": {f.name: f.value for f in state.filters[:LIMIT]}, "sort": state.sort,
            "columns": list(state.columns[:LIMIT]), "per_page": state.per_page}


@strawberry.type
class SavedViewMutation:
    @strawberry.mutation(permission_classes=AUTH, description=(
        "Save a list's state under a name (`id`: change that view; a view of the user's with the same "
        "name is replaced). Only its creator or an administrator changes a view. `isDefault`: the creator's "
        "list opens it when asked for without parameters."))
    async def save_view(self, info: Info, module: str, name: str, state: ListStateInput, shared: bool = False,
                        id: strawberry.ID | None = None, is_default: bool = False) -> SaveViewResult:
        async def run():
            view_id = existing_pk(id, "SavedView") if id is not None else None
            view = await saved_views.save_view(info.context.principal, module[:40], name, _state(state),
                                               shared=shared, view_id=view_id, is_default=is_default)
            return SaveViewPayload(view=view)  # type: ignore[arg-type]

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH, description="Delete a saved view (its creator or an administrator).")
    async def delete_view(self, info: Info, id: strawberry.ID) -> DeleteViewResult:
        async def run():
            await saved_views.delete_view(info.context.principal, existing_pk(id, "SavedView"))
            return DeletePayload(deleted_id=id)

        return await attempt(info, run)
