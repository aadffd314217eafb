"""The list page of the generic record pages (views.records): search, filters, sort by any column,
chosen columns and page size, money totals, saved views. Its columns and filters are described
here; `ListPages` is the part of `RecordPages` that serves the list.

    GET  /contacts?q=&owner=mine&sort=-amount&cols=amount&per_page=50&page=2

Saved views and bulk actions on a list are views/list_actions.py; their rules app.services.
saved_views and app.services.bulk.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from tortoise.functions import Count, Sum
from tortoise.models import Model
from tortoise.queryset import QuerySet

from app import cleaning, settings
from app.i18n import N_
from app.permissions import Principal
from app.search import list_search
from app.services import bulk, saved_views
from views.htmx import targets
from views.list_rows import RowReader, name_fields
from views.templating import render

Choices = tuple[tuple[str, str], ...]  # (value, label msgid)
ROWS_ID = "rows"


@dataclass(frozen=True)
class Column:
    """A list cell: `kind` text, link (to the row's page), date, datetime, money, choice,
    ref (a record of `module` named by the id in `attr`, shown only if the user may see it).

    `key` names the column in list URLs (`?sort=-amount&cols=name`); by default the first part
    of `attr` without `_id` ("owner.name" -> owner, "account_id" -> account). `sort` holds the
    tortoise order fields the column sorts by; None derives them (`sort_fields`), () makes the
    column unsortable."""

    label: str
    attr: str
    kind: str = "text"
    choices: Choices = ()
    module: str | None = None
    sort: tuple[str, ...] | None = None
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.attr.split(".")[0].removesuffix("_id"))


def sortable(model: type[Model], col: Column) -> bool:
    """Whether a list column sorts (known before tortoise resolves relations: `sort_fields`
    runs once models are initialised)."""
    if col.sort is not None:
        return bool(col.sort)
    fields_map = model._meta.fields_map
    if col.kind == "ref" or "." in col.attr:
        return col.attr.removesuffix("_id").split(".")[0] in fields_map
    field_ = fields_map.get(col.attr)
    return (field_ is not None and field_.has_db_field) or col.kind == "link"


def sort_fields(model: type[Model], col: Column) -> tuple[str, ...]:
    """The order fields of a list column: its own `sort`, else the referenced record's name (ref),
    the related field ("owner.name" -> owner__name) or the column itself; () when it is computed."""
    if col.sort is not None:
        return col.sort
    if not sortable(model, col):
        return ()
    fields_map = model._meta.fields_map
    if col.kind == "ref":
        rel = col.attr.removesuffix("_id")
        return name_fields(fields_map[rel].related_model, rel + "__")
    if "." in col.attr:
        rel, _, rest = col.attr.partition(".")
        return (f"{rel}__{rest.replace('.', '__')}",)
    if col.attr in fields_map:
        return (col.attr,)
    return name_fields(model)  # a computed name (full_name)


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    choices: Choices
    apply: Callable[[QuerySet, str, Principal], QuerySet]


def _owner_filter(qs: QuerySet, value: str, principal: Principal) -> QuerySet:
    return qs.filter(owner_id=principal.user.id) if value == "mine" else qs


OWNER_FILTER = Filter(
    "owner", N_("Owner"), (("", N_("Everyone")), ("mine", N_("Mine"))), _owner_filter
)


class ListPages:
    """The list of a `RecordPages` (its module, service, columns, filters, `scope` and `spec`)."""

    def row_reader(self, columns: tuple[Column, ...]) -> RowReader:
        """How the list reads its rows shown with `columns` (views.list_rows), made once per choice."""
        readers = self.__dict__.setdefault("_row_readers", {})
        if (reader := readers.get(columns)) is None:
            reader = readers[columns] = RowReader.of(self.model, columns)
        return reader

    # ---- list ----------------------------------------------------------------------------

    def filtered(self, request: Request) -> tuple[QuerySet, str, dict[str, str]]:
        """What the list shows for the request's search and filters (other views of the same
        records, the deals' board, narrow them the same way): (queryset, q, active filters)."""
        principal: Principal = request.state.principal
        params = request.query_params
        qs = self.scope(self.service.query(principal), principal)
        q = cleaning.search(params.get("q", "")).strip()
        if (found := list_search(self.model, q)) is not None:  # the model's SEARCH_FIELDS
            qs = qs.filter(found)
        active = {}
        for flt in self.all_filters:
            value = params.get(flt.name, "")
            if value and value in {v for v, _ in flt.choices}:
                qs = flt.apply(qs, value, principal)
                active[flt.name] = value
        return qs, q, active

    def ordered(self, qs: QuerySet, state: saved_views.ListState) -> QuerySet:
        """The list in the state's order, the id last so that equal values keep one order."""
        col = next((c for c in self.columns if c.key == state.sort_key), None)
        fields_ = sort_fields(self.model, col) if col is not None else ()
        if not fields_:
            return qs
        sign = "-" if state.descending else ""
        return qs.order_by(*(sign + f for f in fields_), sign + "id")

    def shown(self, state: saved_views.ListState) -> tuple[Column, ...]:
        """The columns chosen (in their order), the link to the record always among them."""
        if not state.columns:
            return self.columns
        by_key = {c.key: c for c in self.columns}
        chosen = [by_key[k] for k in state.columns]
        links = [c for c in self.columns if c.kind == "link" and c not in chosen]
        return (*links, *chosen)

    async def totals(self, qs: QuerySet, money: list[Column]) -> tuple[int, list[dict[str, Any]]]:
        """The count of the whole filtered list and the sums of its money columns, per currency
        when the records carry theirs, in one aggregate query: [{"currency", key: sum, ...}]."""
        sums = {f"sum_{c.key}": Sum(c.attr) for c in money}
        by_currency = "currency" in self.model._meta.fields_map
        agg = qs.annotate(_n=Count("id"), **sums)
        rows = await (agg.group_by("currency").values("currency", "_n", *sums) if by_currency
                      else agg.values("_n", *sums))
        count = sum(r["_n"] or 0 for r in rows)
        lines = [{"currency": r.get("currency"), **{c.key: r[f"sum_{c.key}"] or Decimal(0) for c in money}}
                 for r in rows if r["_n"]]
        return count, sorted(lines, key=lambda line: str(line["currency"] or ""))

    async def index(self, request: Request) -> Response:
        principal: Principal = request.state.principal
        params = request.query_params
        views = await saved_views.views_for(principal, self.module)
        default = saved_views.default_of(principal, views)
        if default is not None and not params and not targets(request, ROWS_ID):
            # the list asked for as such opens the user's default view, with its URL
            return RedirectResponse(self.list_url(saved_views.state_of(default), view=str(default.id)), 303)
        state = saved_views.read_state(self.spec, params)
        qs, q, active = self.filtered(request)
        columns = self.shown(state)
        money = [c for c in columns if c.kind == "money"]
        if money:
            total, sums = await self.totals(qs, money)
        else:
            total, sums = await qs.count(), []
        per_page = state.per_page or min(settings.DEFAULT_PAGE_SIZE, settings.MAX_PAGE_SIZE)
        pages = max(1, -(-total // per_page))
        page_no = int_param(params.get("page"), 1, 1, pages)
        reader = self.row_reader(columns)
        ordered = self.ordered(qs, state)
        if not q and not active:
            # The list as such (no search, no filter): its statement is kept per reach and shape
            # (app.statements), only LIMIT and OFFSET are bound anew. The scope and the service's
            # query read the principal only: its reach, and the Books organization it works in.
            keys = reader.keys
            shape = ("list page", type(self).__qualname__, self.module, self.model, principal.current_organization_id,
                     state.sort_key, state.descending, keys)
            found = await principal.statements.bound(
                self.model, shape, lambda limit, offset: ordered.offset(offset).limit(limit).values_list(*keys),
                [per_page, (page_no - 1) * per_page])
            rows = reader.build([dict(zip(keys, values, strict=True)) for values in found])
        else:
            rows = await reader.read(ordered.offset((page_no - 1) * per_page).limit(per_page))
        state.per_page = per_page
        context = {
            "pages": self, "rows": rows, "total": total, "q": q, "active": active,
            "page": page_no, "page_count": pages, "per_page": per_page,
            "refs": reader.visible_refs(principal, rows),
            "query": urlencode(state.params()), "state": state, "columns": columns, "sums": sums,
            "page_sizes": saved_views.page_sizes(),
            "views": self.view_links(principal, views),
            "view_id": cleaning.pk(params.get("view", "")),
            "bulk_actions": bulk.actions_of(principal, self.service),
            "can_create": principal.has(self.module, "create_edit"),
            **await self.context(request),
        }
        template = "records/_rows.html" if targets(request, ROWS_ID) else "records/index.html"
        return render(request, template, context)

    def list_url(self, state: saved_views.ListState, sort: str | None = None, view: str = "") -> str:
        """The list's URL for `state`, sorted by `sort` instead, marked as a saved view's."""
        params = replace(state, sort=state.sort if sort is None else sort).params()
        params += [("view", view)] if view else []
        return self.url() + ("?" + urlencode(params) if params else "")

    def view_links(self, principal: Principal, views: list) -> list[tuple[Any, str, bool]]:
        """Each view the user sees: the list's URL for it, and whether they may change it."""
        return [(v, self.list_url(saved_views.state_of(v), view=str(v.id)), saved_views.may_edit(principal, v))
                for v in views]


def int_param(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(value) if value else default
    except ValueError:
        number = default
    return min(max(number, low), high)


def query_string(q: str, active: dict[str, str], per_page: int) -> str:
    params = {"q": q, **active} if q else dict(active)
    if per_page != settings.DEFAULT_PAGE_SIZE:
        params["per_page"] = str(per_page)
    return urlencode(params)
