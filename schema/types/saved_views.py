"""A saved list view (app.services.saved_views): a list's search, filters, sort, columns and
page size under a name."""

from __future__ import annotations

import strawberry

from app.models import SavedView as SavedViewModel
from app.services import saved_views
from schema.types.node import global_id_field, model_type_check, to_global_id


@strawberry.type(description="One filter of a list and its value (`stage` = `won`).")
class ListFilterValue:
    name: str
    value: str


@strawberry.type(description="What a list shows: the same parameters its page's URL carries.")
class ListState:
    q: str
    filters: list[ListFilterValue]
    sort: str = strawberry.field(description="A column key, `-` first for descending; empty: the list's own order.")
    columns: list[str] = strawberry.field(description="Column keys in order; empty: the list's default columns.")
    per_page: int | None


@strawberry.type(description="A saved view of a list, the user's own or shared with every user of the module.")
class SavedView:
    id: strawberry.ID = global_id_field("SavedView")
    name: str
    module: str
    shared: bool
    is_default: bool = strawberry.field(description="Its creator's list opens it by default.")

    is_type_of = model_type_check(SavedViewModel)

    @strawberry.field(description="The view's state as the list reads it now.")
    def state(self) -> ListState:
        state = saved_views.state_of(self)  # type: ignore[arg-type]
        return ListState(q=state.q, filters=[ListFilterValue(name=k, value=v) for k, v in state.filters.items()],
                         sort=state.sort, columns=list(state.columns), per_page=state.per_page)

    @strawberry.field(description="Whether the user may change or delete it (its creator, or an administrator).")
    def can_edit(self, info: strawberry.Info) -> bool:
        return saved_views.may_edit(info.context.principal, self)  # type: ignore[arg-type]

    @strawberry.field(description="Whether the user saved it.")
    def mine(self, info: strawberry.Info) -> bool:
        return self.user_id == info.context.principal.user.id  # type: ignore[attr-defined]


def saved_view_gid(view: SavedViewModel) -> strawberry.ID:
    return strawberry.ID(to_global_id("SavedView", view.id))
