"""Generic list, detail and form pages for CRM records, driven by a description per module.

A module (views/contacts.py, ...) describes itself with a `RecordPages`: its service, form
sections and fields, list columns, filters and related lists (the list search reads the model's
SEARCH_FIELDS, app.search). `RecordPages.routes()` turns that into the module's endpoints:

    GET  /contacts                   list (views/record_lists.py: search, filters, sort, columns,
                                     page size, money totals; `_rows` fragment for htmx); saved
                                     views and bulk actions on it are views/list_actions.py
    GET  /contacts/new               form page          POST /contacts            create
    GET  /contacts/{id}              detail page        GET  /contacts/{id}/related/{key}  a related list (refresh)
    GET  /contacts/{id}/edit         form page          POST /contacts/{id}/edit  update
    GET  /contacts/{id}/delete       confirmation       POST /contacts/{id}/delete

Every rule stays in the service and app.permissions: lists come from `service.query()`, related
lists and references from `restrict()`, and writes go through `service.create/update/delete`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Awaitable, Callable

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.models import Model
from tortoise.queryset import QuerySet

from app import readings
from app.addressing import entry_order, lines_of
from app.errors import Conflict, NotFound, ValidationError
from app.i18n import N_
from app.permissions import MODULE_OF_MODEL, Principal, can, require, restrict
from app.services import bulk, saved_views
from app.services.records import RecordService
from views import list_actions
from views.flash import flash_text
from views.htmx import is_partial, redirect_after_post
from views.linked import offer_linked
from views.list_rows import RowReader
from views.pages import error_page, page
# The list's part (columns, filters, the list page) and what modules import through this module
from views.record_lists import (  # noqa: F401
    OWNER_FILTER, ROWS_ID, Choices, Column, Filter, ListPages, int_param, query_string, sort_fields, sortable,
)
from views.templating import render, translator

RELATED_LIMIT = 50


def choices_of(labels: dict[Enum, str]) -> Choices:
    return tuple((member.value, label) for member, label in labels.items())


@dataclass(frozen=True)
class Field:
    """One form field. `kind` picks the input: text, email, tel, url, textarea, date, datetime,
    number, amount, select, ref (a record picked from `options`), or a widget template
    `records/_widget_<kind>.html` with its own `parse`/`initial`."""

    name: str
    label: str
    kind: str = "text"
    choices: Choices = ()
    options: Callable[[Principal], Awaitable[Any]] | None = None
    module: str | None = None  # ref: the module the referenced record belongs to (links)
    required: bool = False
    blank: bool = True  # select: offer an empty choice
    # Option labels go through the catalog: enum labels do, record names (data) do not.
    translate: bool | None = None
    # A widget reads and fills several data keys: parse(form) and initial(record) return dicts.
    parse: Callable[[FormData], dict[str, Any]] | None = None
    initial: Callable[[Model], Awaitable[dict[str, Any]]] | None = None
    on_detail: bool = True
    shown_empty: bool = False  # on the detail page even when empty (an empty value says something)


    @property
    def translated(self) -> bool:
        return self.kind == "select" if self.translate is None else self.translate


@dataclass(frozen=True)
class Section:
    title: str
    fields: tuple[Field, ...]
    # An address block: the prefix of its fields (`billing`), which app.addressing orders (forms)
    # and writes as lines (detail pages) in the address's country's order.
    address: str = ""


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class Card:
    """A section as the detail page shows it: the fields that say something, or an address's lines."""

    section: Section
    fields: list[Field]
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Related:
    """A list on a record's page, rendered with it and refreshed through its own URL. `load`
    returns a queryset already passed through `restrict()` (or a list); `annotate` may add
    per-row values (a contact's role)."""

    key: str
    title: str
    module: str
    columns: tuple[Column, ...]
    load: Callable[[Principal, Model], QuerySet | Awaitable[list]]
    annotate: Callable[[Model, list], Awaitable[None]] | None = None
    new_url: Callable[[Model], str] | None = None


def form_value(value: Any) -> Any:
    """A model value as an input's value (datetimes are localised by the template filter)."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def error_map(exc: ValidationError, request: Request) -> dict[str, list[str]]:
    """Messages by field path ("last_name", "contacts.0.role"), translated."""
    _ = translator(request)
    errors: dict[str, list[str]] = {}
    for e in exc.errors:
        errors.setdefault(e.field, []).append(e.render(_))
    return errors


async def visible_refs(principal: Principal, model: type[Model], ids: set[int]) -> dict[int, Model]:
    """The referenced records the principal may see, by id (one query)."""
    ids.discard(None)  # type: ignore[arg-type]
    if not ids:
        return {}
    qs = model.filter(id__in=sorted(ids))
    if model in MODULE_OF_MODEL:
        qs = restrict(qs, principal)
    return {o.id: o for o in await qs}


@dataclass
class RecordPages(ListPages):
    module: str
    service: RecordService
    singular: str
    plural: str
    sections: tuple[Section, ...]
    columns: tuple[Column, ...]
    filters: tuple[Filter, ...] = ()
    related: tuple[Related, ...] = ()
    extra_detail: Callable[[Request, Model], Awaitable[dict]] | None = None
    defaults: dict[str, str] = field(default_factory=dict)  # initial values of a new record
    path: str = ""  # the URL the pages live at; default /<module>
    detail_template: str = "records/detail.html"  # may extend it (blocks heading, after)
    mail: bool = False  # the page has a Mail panel, loaded by htmx from <url>/<id>/mail (views/mail)
    compose: bool = False  # its Mail panel offers "Write e-mail" (views/mail/compose.py)
    all_filters: tuple[Filter, ...] = field(init=False)
    sortable: frozenset[str] = field(init=False)  # the keys of the columns that sort
    spec: saved_views.ListSpec = field(init=False)

    def __post_init__(self) -> None:
        # Records with an owner can be narrowed to one's own; Books records have none.
        self.all_filters = (*self.filters, OWNER_FILTER) if self.owned else self.filters
        self.sortable = frozenset(c.key for c in self.columns if sortable(self.model, c))
        self.spec = saved_views.ListSpec(
            self.module, tuple(c.key for c in self.columns), self.sortable,
            {flt.name: frozenset(v for v, _ in flt.choices if v) for flt in self.all_filters},
        )
        saved_views.register(self.spec)

    @property
    def owned(self) -> bool:
        return self.service.owned

    def scope(self, queryset: QuerySet, principal: Principal) -> QuerySet:
        """Hook: what the list shows of what the user may see (Books: the current organization)."""
        return queryset

    async def context(self, request: Request, obj: Model | None = None) -> dict[str, Any]:
        """Hook: what every page of the module adds to its template context."""
        return {}

    @property
    def fields(self) -> list[Field]:
        return [f for s in self.sections for f in s.fields]

    def cards(self, obj: Model, refs: dict[str, Any], lang: str) -> list[Card]:
        """The detail page's cards: each section with its fields that have a value (an empty field
        says nothing, a section with none is left out), an address as its lines. The first card
        always shows: it carries the owner and the last change."""
        cards = []
        for n, section in enumerate(self.sections):
            if section.address:
                lines = lines_of(obj, section.address, lang)
                if lines:
                    cards.append(Card(section, [], lines))
                continue
            # a missing attribute (a widget's) is shown as before; a reference by its id (hidden or not)
            shown = [f for f in section.fields
                     if f.on_detail and (f.shown_empty or _filled(getattr(obj, f.name, "?")))]
            if shown or (n == 0 and any(f.on_detail for f in section.fields)):
                cards.append(Card(section, shown))
        return cards

    def form_sections(self, values: dict[str, Any], lang: str) -> list[Section]:
        """The form's sections, an address's fields in the order its country writes them (a
        Japanese one from the postal code down)."""
        out = []
        for section in self.sections:
            if section.address:
                order = entry_order(str(values.get(f"{section.address}_country") or ""), lang)
                rank = {f"{section.address}_{part}": i for i, part in enumerate(order)}
                section = Section(section.title, tuple(sorted(section.fields, key=lambda f: rank.get(f.name, 99))),
                                  section.address)
            out.append(section)
        return out

    @property
    def model(self) -> type[Model]:
        return self.service.model

    def url(self, obj: Model | None = None, action: str = "") -> str:
        base = (self.path or f"/{self.module}") + (f"/{obj.id}" if obj is not None else "")
        return f"{base}/{action}" if action else base

    # ---- references shown by id (lists, related lists, detail) -------------------------------

    def _ref_model(self, model: type[Model], attr: str) -> type[Model]:
        return model._meta.fields_map[attr.removesuffix("_id")].related_model

    async def _refs(self, principal: Principal, model: type[Model], rows: list, columns) -> dict:
        refs: dict[str, dict[int, Model]] = {}
        for col in columns:
            if col.kind == "ref":
                ref_model = self._ref_model(model, col.attr)
                ids = {getattr(r, col.attr) for r in rows}
                refs[col.attr] = await visible_refs(principal, ref_model, ids)
        return refs

    # ---- detail and related lists ----------------------------------------------------------

    async def detail(self, request: Request) -> Response:
        principal: Principal = request.state.principal
        obj = await self.service.get(principal, request.path_params["id"], related=("owner",) if self.owned else ())
        ref_fields = [f for f in self.fields if f.kind == "ref"]
        refs = {}
        for f in ref_fields:
            ref_model = self._ref_model(self.model, f.name)
            refs[f.name] = (await visible_refs(principal, ref_model, {getattr(obj, f.name)})).get(
                getattr(obj, f.name)
            )
        related = [r for r in self.related if principal.has(r.module, "view")]
        context = {
            "pages": self, "obj": obj, "refs": refs, "related": related,
            # rendered with the page: the list endpoints only refresh them
            "rel_lists": {r.key: await self._related_rows(principal, obj, r) for r in related},
            "can_edit": can(principal, "create_edit", obj),
            "cards": self.cards(obj, refs, request.state.lang),
            "generated": spec.generated_fields(obj) if (spec := readings.spec_of(self.model)) else set(),
            "can_delete": can(principal, "delete", obj),
            "read_only": not can(principal, "create_edit", obj) and principal.has(self.module, "create_edit"),
        }
        context.update(await self.context(request, obj))
        if self.extra_detail:
            context.update(await self.extra_detail(request, obj))
        return render(request, self.detail_template, context)

    async def related_list(self, request: Request) -> Response:
        principal: Principal = request.state.principal
        obj = await self.service.get(principal, request.path_params["id"])
        rel = next((r for r in self.related if r.key == request.path_params["key"]), None)
        if rel is None or not principal.has(rel.module, "view"):
            return error_page(request, NotFound(), 404)
        context = {"rel": rel, "obj": obj, **await self._related_rows(principal, obj, rel)}
        return render(request, "records/_related.html", context)

    async def _related_rows(self, principal: Principal, obj: Model, rel: Related) -> dict[str, Any]:
        """The first rows of a related list, their total and what they reference."""
        if (keyed := getattr(rel.load, "keyed", None)) is not None:
            # A queryset kept per reach and shape (app.statements): only the record's id is bound
            # anew; the queryset itself is built only to count beyond the shown rows.
            # The shown columns only, as partial records (views.list_rows). One row more than
            # shown tells whether there are more: only then are they counted.
            reader = self.related_reader(rel.load.relation.model, rel)
            keys = reader.keys
            found = await principal.statements.rows(
                reader.model, ("related rows", self.model, rel.key),
                lambda ids: keyed(principal, ids).limit(RELATED_LIMIT + 1).values_list(*keys), [obj.id])
            rows = reader.build([dict(zip(keys, values, strict=True)) for values in found])
            total = len(rows) if len(rows) <= RELATED_LIMIT else await rel.load(principal, obj).count()
            rows = rows[:RELATED_LIMIT]
            refs = reader.visible_refs(principal, rows)
        elif isinstance(loaded := rel.load(principal, obj), QuerySet):
            reader = self.related_reader(loaded.model, rel)
            rows = await reader.read(loaded.limit(RELATED_LIMIT + 1))
            total = len(rows) if len(rows) <= RELATED_LIMIT else await loaded.count()
            rows = rows[:RELATED_LIMIT]
            refs = reader.visible_refs(principal, rows)
        else:
            rows = await loaded
            total = len(rows)
            model = type(rows[0]) if rows and isinstance(rows[0], Model) else None
            refs = await self._refs(principal, model, rows, rel.columns) if model else {}
        if rel.annotate:
            await rel.annotate(obj, rows)
        return {"rows": rows, "total": total, "refs": refs}

    def related_reader(self, model: type[Model], rel: Related) -> RowReader:
        readers = self.__dict__.setdefault("_related_readers", {})
        if (reader := readers.get(rel.key)) is None:
            reader = readers[rel.key] = RowReader.of(model, rel.columns)
        return reader

    # ---- forms -----------------------------------------------------------------------------

    async def _options(self, principal: Principal) -> dict[str, Any]:
        return {f.name: await f.options(principal) for f in self.fields if f.options}

    async def _form(
        self, request: Request, obj: Model | None, values: dict, errors: dict | None = None,
        status_code: int = 200,
    ) -> Response:
        context = {
            "pages": self, "obj": obj, "values": values, "errors": errors or {},
            "sections": self.form_sections(values, request.state.lang),
            "generated": spec.generated_fields(obj) if obj and (spec := readings.spec_of(self.model)) else set(),
            "options": await self._options(request.state.principal),
            "action": self.url(obj, "edit") if obj else self.url(),
            **await self.context(request, obj),
        }
        await offer_linked(request, self.fields, context["options"], values)
        fragment = request.method == "POST" and is_partial(request)
        return render(request, "records/_form.html" if fragment else "records/form.html",
                      context, status_code=status_code)

    async def new(self, request: Request) -> Response:
        principal: Principal = request.state.principal
        require(principal, "create_edit", self.module)
        params = request.query_params  # e.g. /tasks/new?related_type=deal&related_id=3
        values = {**self.defaults, **{k: params[k] for k in self.service.fields if k in params}}
        return await self._form(request, None, values)

    async def edit(self, request: Request) -> Response:
        obj = await self.service.get(request.state.principal, request.path_params["id"], "create_edit")
        values: dict[str, Any] = {}
        for f in self.fields:
            if f.initial:
                values.update(await f.initial(obj))
            else:
                values[f.name] = form_value(getattr(obj, f.name))
        return await self._form(request, obj, values)

    def parse(self, form: FormData) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for f in self.fields:
            if f.parse:
                data.update(f.parse(form))
            else:
                data[f.name] = str(form.get(f.name, ""))
        return data

    async def create(self, request: Request) -> Response:
        data = self.parse(await request.form())
        try:
            obj = await self.service.create(request.state.principal, data)
        except ValidationError as exc:
            return await self._form(request, None, data, error_map(exc, request), 422)
        self._flash(request, N_("%(kind)s “%(name)s” was created."), obj)
        return redirect_after_post(request, self.url(obj))

    async def update(self, request: Request) -> Response:
        principal = request.state.principal
        obj = await self.service.get(principal, request.path_params["id"], "create_edit")
        data = self.parse(await request.form())
        try:
            obj = await self.service.update(principal, obj.id, data)
        except ValidationError as exc:
            return await self._form(request, obj, data, error_map(exc, request), 422)
        self._flash(request, N_("%(kind)s “%(name)s” was saved."), obj)
        return redirect_after_post(request, self.url(obj))

    # ---- delete ----------------------------------------------------------------------------

    async def confirm_delete(self, request: Request) -> Response:
        obj = await self.service.get(request.state.principal, request.path_params["id"], "delete")
        return render(request, "records/confirm_delete.html", {"pages": self, "obj": obj})

    async def delete(self, request: Request) -> Response:
        principal = request.state.principal
        obj = await self.service.get(principal, request.path_params["id"])
        try:
            await self.service.delete(principal, obj.id)
        except Conflict as exc:
            return error_page(request, exc, 409)
        self._flash(request, N_("%(kind)s “%(name)s” was deleted."), obj)
        return redirect_after_post(request, self.url())

    def _flash(self, request: Request, msgid: str, obj: Model) -> None:
        """The one-time message after a create, update or delete, in the user's language: the
        record's kind translated, its name as data."""
        _ = translator(request)
        flash_text(request, _(msgid) % {"kind": _(self.singular), "name": str(obj)})

    def routes(self) -> list[Route]:
        m, base = self.module, self.url()

        def r(path: str, handler, methods=("GET",)) -> Route:
            return Route(base + path, page(handler, m), methods=list(methods))

        return [
            r("", self.index),
            r("", self.create, ["POST"]),
            r("/new", self.new),
            *(r(path, handler, methods) for path, handler, methods in list_actions.routes(self)),
            r("/{id:id}", self.detail),
            r("/{id:id}/related/{key}", self.related_list),
            r("/{id:id}/edit", self.edit),
            r("/{id:id}/edit", self.update, ["POST"]),
            r("/{id:id}/delete", self.confirm_delete),
            r("/{id:id}/delete", self.delete, ["POST"]),
        ]
