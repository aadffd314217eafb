"""A record's values as HTML, by kind: one formatting per kind of value for the records' lists,
the related lists on record pages and the detail pages' values.

`text_of` is the one formatting of a value by kind (a choice's label, a day, a moment, an amount in
its currency, a tax rate, payment terms, a built-in name); `table_rows` (a list's rows, each cell
by its column, views.record_lists.Column) and `detail_value` (a detail page's value, by its field,
views.records.Field) wrap it in their markup; `tax_rate_text` labels the tax rate widget's choices.

A Jinja macro called for every cell of a 50-row list was half of the list page's time
(bench/pages.py): the rows are written here in Python, values escaped by markupsafe, what
depends on the request (its language, the user's time zone) looked up once per table.
"""

from __future__ import annotations

from typing import Any, Callable
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup, escape

from app import settings
from app.formatting import format_day, format_moment, format_money
from app.i18n import N_, translations
from app.services import payment_terms
from views.templating import builtin_name, resolve, user_timezone

_MISSING = object()
# The kinds `text_of` formats; a column's kind or a field's (`select` and `amount` are a form's
# names for a choice and money).
FORMATTED = frozenset(("choice", "select", "date", "datetime", "money", "amount", "tax_rate", "terms", "msgid"))


def choice_label(gettext, choices, value: Any) -> str:
    """The label of `value` among (value, msgid) choices, translated; booleans by "True"/"False"."""
    if value is True or value is False:
        value = str(value)
    value = getattr(value, "value", value)
    return next((gettext(label) for v, label in choices if v == value), "")


def _integer(value: Any) -> int:
    """A whole number read as Jinja's `int` filter does: 0 when it is none."""
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError, OverflowError):
            return 0


def tax_rate(gettext, value: Any) -> str:
    rate = _integer(value)
    return gettext("%(rate)s%% (reduced)") % {"rate": rate} if rate == 8 else f"{rate}%"


class Shown:
    """What showing values depends on in a request: its language and the user's time zone."""

    __slots__ = ("request", "lang", "gettext", "_zone")

    def __init__(self, request: Any) -> None:
        self.request = request
        self.lang: str = request.state.lang
        self.gettext: Callable[[str], str] = translations(self.lang).gettext
        self._zone: ZoneInfo | None = None

    @classmethod
    def of(cls, ctx: jinja2.runtime.Context) -> Shown:
        request = ctx["request"]
        shown = getattr(request.state, "_shown", None)
        if shown is None or shown.lang != request.state.lang:
            shown = cls(request)
            request.state._shown = shown
        return shown

    @property
    def zone(self) -> ZoneInfo:
        if self._zone is None:
            self._zone = user_timezone(self.request)
        return self._zone


def _currency_of(row: Any, default: Any) -> Any:
    """A record's own currency, else the page's (Books: the organization's)."""
    currency = row.get("currency", _MISSING) if isinstance(row, dict) else getattr(row, "currency", _MISSING)
    return default if currency is _MISSING else currency


def text_of(shown: Shown, kind: str, value: Any, choices=(), row: Any = None, ctx: Any = None) -> str:
    """`value` as text, by its kind (one of FORMATTED); money in the row's currency, else the
    page's (`ctx`'s `currency`), written the page's way (its `lang`)."""
    if kind in ("choice", "select"):
        return choice_label(shown.gettext, choices, value)
    if kind == "date":
        return format_day(value, shown.lang, shown.zone)
    if kind == "datetime":
        return format_moment(value, shown.lang, shown.zone, "medium")
    if kind in ("money", "amount"):
        page = ctx or {}
        return format_money(value, _currency_of(row, page.get("currency")), page.get("lang") or settings.DEFAULT_LANGUAGE)
    if kind == "tax_rate":
        return tax_rate(shown.gettext, value)
    if kind == "terms":  # payment terms by their code (app.services.payment_terms)
        return payment_terms.text(value, shown.lang)
    if kind == "msgid":
        return builtin_name(shown.lang, value or "")
    raise ValueError(kind)


# ---- list cells ------------------------------------------------------------------------------


def _getter(attr: str) -> Callable[[Any], Any]:
    """A row's value at `attr` (`resolve`), a plain attribute read without the path walk."""
    if "." in attr:
        return lambda row: resolve(row, attr)
    return lambda row: row.get(attr) if type(row) is dict else getattr(row, attr, None)


def _html(value: Any) -> str:
    """`value` escaped (a number needs none)."""
    return str(value) if type(value) is int else escape(value)


def _formatter(shown: Shown, ctx: Any, col: Any, refs: dict, module: str, base: str | None) -> Callable[[Any], str]:
    """How one column's cells are written: row -> escaped HTML."""
    kind, get = col.kind, _getter(col.attr)
    if kind == "attendee":  # a display row (views.related.event_attendees)
        hidden = Markup('<span class="muted">%s</span>') % shown.gettext("(hidden)")

        def attendee(row: Any) -> str:
            href, name = (row.get("href"), row.get("name")) if isinstance(row, dict) else (row.href, row.name)
            if href:
                return Markup('<a href="%s">%s</a>') % (href, name)
            return escape(name) if name else hidden
        return attendee
    if kind == "link":
        prefix, get_id = f'<a href="{escape(base or "/" + module)}/', _getter("id")
        return lambda row: f'{prefix}{_html(get_id(row))}">{escape(get(row) or "—")}</a>'
    if kind == "ref":
        found, link = refs.get(col.attr, {}), f'<a href="/{escape(col.module)}/'

        def ref(row: Any) -> str:
            o = found.get(get(row))
            return f'{link}{_html(o.id)}">{escape(o)}</a>' if o else ""
        return ref
    if kind in FORMATTED:
        return lambda row: escape(text_of(shown, kind, get(row), col.choices, row, ctx))
    return lambda row: "" if (v := get(row)) is None else _html(v)


@jinja2.pass_context
def table_rows(ctx: jinja2.runtime.Context, rows: list, columns, refs: dict, module: str, base: str | None = None,
               select: str | None = None, ids: bool = False) -> Markup:
    """A table's rows (`<tr>` lines) of `columns`: with `ids`, each row's element id; with
    `select` (its label), a checkbox selecting the row first."""
    shown = Shown.of(ctx)
    formats = [_formatter(shown, ctx, col, refs, module, base) for col in columns]
    label = None if select is None else escape(select)
    lines = []
    for row in rows:
        parts = []
        if ids or label is not None:
            row_id = _html(row.id)
            parts.append(f'  <tr id="row-{row_id}">' if ids else "  <tr>")
            if label is not None:
                parts.append(f'<td class="select"><input type="checkbox" name="ids" value="{row_id}"'
                             f' aria-label="{label}: {escape(row)}"></td>')
        else:
            parts.append("  <tr>")
        for f in formats:
            parts += ("<td>", f(row), "</td>")
        parts.append("</tr>")
        lines.append("".join(parts))
    return Markup("\n".join(lines))


SHOWING = N_("Showing %(shown)d of %(total)d.")  # under a related list longer than shown


def _related_list(ctx: Any, shown: Shown, rel: Any, rows: list, total: int, refs: dict) -> str:
    """A related list's table (or its "None yet."): records/_related.html, the list refreshed alone."""
    text = shown.gettext
    if not rows:
        return f'<p class="empty">{Markup(text(N_("None yet.")))}</p>'
    head = "".join(f'<th scope="col">{Markup(text(col.label))}</th>' for col in rel.columns)
    parts = ['<table class="records compact">\n  <thead><tr>', head, "</tr></thead>\n  <tbody>\n",
             table_rows(ctx, rows, rel.columns, refs, rel.module), "\n  </tbody>\n</table>"]
    if total > len(rows):
        showing = Markup(text(SHOWING)) % {"shown": len(rows), "total": total}
        parts.append(f'\n<p class="muted">{showing}</p>')
    return "".join(parts)


@jinja2.pass_context
def related_list(ctx: jinja2.runtime.Context, rel: Any, rows: list, total: int, refs: dict) -> Markup:
    return Markup(_related_list(ctx, Shown.of(ctx), rel, rows, total, refs))


@jinja2.pass_context
def related_panels(ctx: jinja2.runtime.Context, pages: Any, obj: Any, related: list, lists: dict) -> Markup:
    """A record page's related lists, each in its card with its Refresh button and its New link
    when the user may create such records; the lists as `related_list` writes them."""
    shown = Shown.of(ctx)
    text, principal = shown.gettext, ctx.get("principal")
    refresh = Markup(text(N_("Refresh")))
    out = []
    for rel in related:
        key, title = escape(rel.key), Markup(text(rel.title))
        url = escape(pages.url(obj, "related/" + rel.key))
        new = ""
        if rel.new_url and principal.has(rel.module, "create_edit"):
            new = f'\n    <a class="button small" href="{escape(rel.new_url(obj))}">{Markup(text(N_("New")))}</a>'
        data = lists[rel.key]
        out.append(
            f'<section class="card panel" id="related-{key}">\n  <header>\n    <h2>{title}</h2>\n'
            f'    <button type="button" class="small" hx-get="{url}" hx-target="#related-{key}-list"\n'
            f'            hx-swap="innerHTML" aria-label="{refresh}: {title}">{refresh}</button>{new}\n'
            f'  </header>\n  <div id="related-{key}-list">\n'
            f'{_related_list(ctx, shown, rel, data["rows"], data["total"], data["refs"])}\n  </div>\n</section>')
    return Markup("\n".join(out))


@jinja2.pass_context
def tax_rate_text(ctx: jinja2.runtime.Context, value: Any) -> str:
    """A tax rate as documents write it: 10%, 8% (reduced), 0%."""
    return tax_rate(Shown.of(ctx).gettext, value)


# ---- detail values ---------------------------------------------------------------------------


@jinja2.pass_context
def detail_value(ctx: jinja2.runtime.Context, obj: Any, f: Any, refs: dict) -> Markup:
    """A detail page's value by its field: references linked to their record (or marked hidden),
    choices, days, moments, amounts, rates and terms as `text_of` writes them, e-mail addresses
    and web sites linked."""
    shown = Shown.of(ctx)
    value = getattr(obj, f.name, None) if not isinstance(obj, dict) else obj.get(f.name)
    kind = f.kind
    if kind == "ref":
        ref = refs.get(f.name)
        if ref and f.module:
            return Markup('<a href="/%s/%s">%s</a>') % (f.module, ref.id, ref)
        if ref:
            return escape(builtin_name(shown.lang, ref) if f.translated else ref)
        if value:
            return Markup('<span class="muted">%s</span>') % shown.gettext("(hidden)")
        return Markup("")
    if kind == "select":
        if not f.translated:
            return escape("" if value is None else value)
        return escape(text_of(shown, kind, value, f.choices))
    if kind == "terms" and not value:
        text = shown.gettext("The organization’s terms")
        if terms := ctx.get("organization_terms"):
            return escape(text) + Markup(" (%s)") % terms
        return escape(text)
    if kind in FORMATTED:
        return escape(text_of(shown, kind, value, f.choices, obj, ctx))
    if value is True or value is False:
        return escape(choice_label(shown.gettext, f.choices, value))
    if kind == "email" and value:
        return Markup('<a href="mailto:%s">%s</a>') % (value, value)
    if kind == "url" and value:
        href = value if value.startswith(("http://", "https://")) else "https://" + value
        return Markup('<a href="%s" rel="noopener noreferrer" target="_blank">%s</a>') % (href, value)
    return escape("" if value is None else value)
