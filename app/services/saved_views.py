"""Saved list views and the state of a list (search, filters, sort, columns, page size).

A list describes what it accepts with a `ListSpec` (the generic record pages register theirs,
views/records.py). The state of a list is read leniently from query parameters (`read_state`:
what a list does not know is dropped, as a list page ignores it) and strictly when it is saved
(`check_state`: what a list does not know is an error). A saved view belongs to its creator;
shared, every user of the module sees it, and only its creator or an administrator changes it.

    state = read_state(spec, request.query_params)
    view = await save_view(principal, "deals", "Big open deals", state.as_json(), shared=True)
    params = state_params(spec, view.state)  # back into a list URL
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from app import cleaning, settings
from app.errors import FieldError, NotFound, PermissionDenied, ValidationError
from app.i18n import N_
from app.models import SavedView
from app.permissions import Principal

NAME_MAX = 80
MAX_VIEWS_PER_USER = 30  # per module
PAGE_SIZES = (20, 50, 100)
# Parameters of a list URL that are not filters.
RESERVED = frozenset({"q", "sort", "cols", "per_page", "page", "view"})


@dataclass(frozen=True)
class ListSpec:
    """What one module's list accepts: its column keys (default order), the sortable ones, and
    its filters' names with their values."""

    module: str
    columns: tuple[str, ...]
    sorts: frozenset[str]
    filters: Mapping[str, frozenset[str]]


SPECS: dict[str, ListSpec] = {}


def register(spec: ListSpec) -> None:
    SPECS[spec.module] = spec


def spec_of(module: str) -> ListSpec:
    spec = SPECS.get(module)
    if spec is None:
        raise ValidationError.single("module", N_("Unknown list."))
    return spec


def page_sizes() -> tuple[int, ...]:
    """The page sizes offered, bounded by the server's maximum."""
    sizes = {s for s in (*PAGE_SIZES, settings.DEFAULT_PAGE_SIZE) if s <= settings.MAX_PAGE_SIZE}
    return tuple(sorted(sizes | {min(settings.DEFAULT_PAGE_SIZE, settings.MAX_PAGE_SIZE)}))


@dataclass
class ListState:
    q: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = ""  # a column key, "-" first for descending; "" the list's own order
    columns: tuple[str, ...] = ()  # () the list's default columns
    per_page: int | None = None  # None the default size

    @property
    def sort_key(self) -> str:
        return self.sort.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def as_json(self) -> dict[str, Any]:
        return {"q": self.q, "filters": dict(self.filters), "sort": self.sort,
                "columns": list(self.columns), "per_page": self.per_page}

    def params(self) -> list[tuple[str, str]]:
        """The state as query parameters of the list's URL (defaults left out)."""
        out = [("q", self.q)] if self.q else []
        out += [(k, v) for k, v in self.filters.items() if v]
        if self.sort:
            out.append(("sort", self.sort))
        out += [("cols", c) for c in self.columns]
        if self.per_page and self.per_page != settings.DEFAULT_PAGE_SIZE:
            out.append(("per_page", str(self.per_page)))
        return out


def _per_page(value: Any) -> int | None:
    number = cleaning.pk(value) if isinstance(value, str) else value
    if isinstance(number, bool) or not isinstance(number, int):
        return None
    return min(max(number, 1), settings.MAX_PAGE_SIZE)


def read_state(spec: ListSpec, params: Any) -> ListState:
    """A list's state from its URL's parameters (a starlette QueryParams or a mapping of lists):
    unknown sort keys, columns and filter values are ignored, never refused."""
    getlist = params.getlist if hasattr(params, "getlist") else (lambda k: list(params.get(k, [])))
    first = lambda k: (getlist(k) or [""])[0]  # noqa: E731
    state = ListState(q=cleaning.search(first("q")))
    for name, allowed in spec.filters.items():
        value = first(name)
        if value and value in allowed:
            state.filters[name] = value
    sort = first("sort")
    if sort.removeprefix("-") in spec.sorts:
        state.sort = sort
    state.columns = tuple(dict.fromkeys(c for c in getlist("cols") if c in spec.columns))
    if state.columns == spec.columns:
        state.columns = ()  # every column in its own order: the default, kept out of URLs
    state.per_page = _per_page(first("per_page")) if first("per_page") else None
    return state


def check_state(spec: ListSpec, data: Any) -> ListState:
    """A state to save: anything the list does not know is an error (`state.<part>`)."""
    errors: list[FieldError] = []

    def bad(path: str, msgid: str = N_("Choose one of the offered values.")) -> None:
        errors.append(FieldError(f"state.{path}", msgid, {}))

    if not isinstance(data, Mapping):
        raise ValidationError.single("state", N_("Enter a valid value."))
    unknown = set(data) - {"q", "filters", "sort", "columns", "per_page"}
    for key in sorted(unknown, key=str):
        bad(str(key)[:40], N_("Unknown field."))
    state = ListState()
    q = data.get("q") or ""
    if not isinstance(q, str):
        bad("q", N_("Enter a valid value."))
    else:
        state.q = cleaning.search(q)
    filters = data.get("filters") or {}
    if not isinstance(filters, Mapping):
        bad("filters", N_("Enter a valid value."))
    else:
        for name, value in filters.items():
            if name not in spec.filters or not isinstance(value, str) or (value and value not in spec.filters[name]):
                bad(f"filters.{str(name)[:40]}")
            elif value:
                state.filters[name] = value
    sort = data.get("sort") or ""
    if not isinstance(sort, str) or (sort and sort.removeprefix("-") not in spec.sorts):
        bad("sort")
    else:
        state.sort = sort
    columns = data.get("columns") or []
    if not isinstance(columns, list) or len(columns) > len(spec.columns) * 2:
        bad("columns", N_("Enter a valid value."))
    else:
        for i, col in enumerate(columns):
            if col not in spec.columns:
                bad(f"columns.{i}")
        state.columns = tuple(dict.fromkeys(c for c in columns if c in spec.columns))
    per_page = data.get("per_page")
    if per_page is not None:
        if isinstance(per_page, bool) or not isinstance(per_page, int) or not 1 <= per_page <= settings.MAX_PAGE_SIZE:
            bad("per_page", N_("Enter a whole number between %(low)d and %(high)d."))
            errors[-1] = FieldError("state.per_page", errors[-1].msgid, {"low": 1, "high": settings.MAX_PAGE_SIZE})
        else:
            state.per_page = per_page
    if errors:
        raise ValidationError(errors)
    return state


# ---- saved views ---------------------------------------------------------------------------


def _require_module(principal: Principal, module: str) -> ListSpec:
    spec = spec_of(module)
    if not principal.has(module, "view"):
        raise PermissionDenied()
    return spec


def visible(principal: Principal, module: str):
    """The views of a module a user sees: their own and the shared ones (a queryset)."""
    return SavedView.filter(Q(user_id=principal.user.id) | Q(shared=True), module=module)


def may_edit(principal: Principal, view: SavedView) -> bool:
    return view.user_id == principal.user.id or principal.is_admin


async def views_for(principal: Principal, module: str) -> list[SavedView]:
    """One query: the user's own views first, then the shared ones, by name."""
    if module not in SPECS or not principal.has(module, "view"):
        return []
    found = await visible(principal, module).order_by("name", "id")
    return sorted(found, key=lambda v: v.user_id != principal.user.id)


async def get_view(principal: Principal, view_id: Any) -> SavedView:
    pk = cleaning.pk(view_id)
    view = await SavedView.get_or_none(id=pk) if pk is not None else None
    if view is None or not (view.shared or view.user_id == principal.user.id) or not principal.has(view.module, "view"):
        raise NotFound()
    return view


def _name(value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationError.single("name", N_("This field is required."))
    try:
        name = cleaning.text(value)
    except cleaning.Unclean as problem:
        raise ValidationError.single("name", problem.msgid, **problem.params) from None
    if not name:
        raise ValidationError.single("name", N_("This field is required."))
    if len(name) > NAME_MAX:
        raise ValidationError.single("name", N_("Must be at most %(max)d characters (now %(length)d)."),
                                     max=NAME_MAX, length=len(name))
    return name


async def save_view(principal: Principal, module: str, name: Any, state: Any, shared: bool = False,
                    view_id: Any = None, is_default: bool = False) -> SavedView:
    """Create a view, or change one (`view_id`, or the user's own view of the same name).
    `is_default`: the creator's list opens it when asked without parameters (their own views only)."""
    spec = _require_module(principal, module)
    name = _name(name)
    checked = check_state(spec, state)
    if view_id is not None:
        view = await get_view(principal, view_id)
        if view.module != module:
            raise NotFound()
    else:
        view = await SavedView.get_or_none(user_id=principal.user.id, module=module, name=name)
    if view is None:
        if await SavedView.filter(user_id=principal.user.id, module=module).count() >= MAX_VIEWS_PER_USER:
            raise ValidationError.single("name", N_("You have saved %(max)d views of this list: delete one first."),
                                         max=MAX_VIEWS_PER_USER)
        view = SavedView(user_id=principal.user.id, module=module)
    elif not may_edit(principal, view):
        raise PermissionDenied(N_("Only the person who saved this view can change it."))
    # Whether a view opens by default is its creator's choice: another's edit keeps it as it was.
    default = bool(is_default) if view.user_id == principal.user.id else bool(view.is_default)
    async with in_transaction():
        if default and not view.is_default:
            await SavedView.filter(user_id=view.user_id, module=module, is_default=True).update(is_default=False)
        view.name, view.shared, view.state, view.is_default = name, bool(shared), checked.as_json(), default
        await view.save()
    return view


async def delete_view(principal: Principal, view_id: Any) -> int:
    view = await get_view(principal, view_id)
    if not may_edit(principal, view):
        raise PermissionDenied(N_("Only the person who saved this view can change it."))
    await view.delete()
    return view.id


def default_of(principal: Principal, views: list[SavedView]) -> SavedView | None:
    """The user's default view among those of a list (`views_for`)."""
    return next((v for v in views if v.is_default and v.user_id == principal.user.id), None)


def state_of(view: SavedView) -> ListState:
    """A saved view's state as the list reads it now (columns or filters removed since are dropped)."""
    spec = SPECS.get(view.module)
    raw = view.state if isinstance(view.state, Mapping) else {}
    params: dict[str, list[str]] = {"q": [str(raw.get("q") or "")], "sort": [str(raw.get("sort") or "")],
                                    "cols": [str(c) for c in raw.get("columns") or []]}
    if raw.get("per_page"):
        params["per_page"] = [str(raw["per_page"])]
    for k, v in (raw.get("filters") or {}).items():
        params[str(k)] = [str(v)]
    return read_state(spec, params) if spec else ListState()
