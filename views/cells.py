"""One list cell as HTML, by its column's kind (views.records.Column): the records' lists and the
related lists on record pages.

A Jinja macro called for every cell of a 50-row list was half of the list page's time
(bench/pages.py); this is the same markup written once in Python, values escaped by markupsafe.
"""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup, escape

from app.formatting import format_day, format_moment, format_money
from app.services import payment_terms
from app.i18n import translations
from app import settings
from views.templating import builtin_name, resolve, user_timezone

_MISSING = object()


def choice_label(gettext, choices, value: Any) -> str:
    """The label of `value` among (value, msgid) choices, translated; booleans by "True"/"False"."""
    if value is True or value is False:
        value = str(value)
    value = getattr(value, "value", value)
    return next((gettext(label) for v, label in choices if v == value), "")


def tax_rate(gettext, value: Any) -> str:
    rate = int(value or 0)
    return gettext("%(rate)s%% (reduced)") % {"rate": rate} if rate == 8 else f"{rate}%"


@jinja2.pass_context
def cell(ctx: jinja2.runtime.Context, row: Any, col: Any, refs: dict, module: str, base: str | None = None) -> Markup:
    request = ctx["request"]
    lang = request.state.lang
    kind = col.kind
    if kind == "attendee":  # a display row (views.related.event_attendees)
        href, name = (row.get("href"), row.get("name")) if isinstance(row, dict) else (row.href, row.name)
        if href:
            return Markup('<a href="%s">%s</a>') % (href, name)
        if name:
            return escape(name)
        return Markup('<span class="muted">%s</span>') % translations(lang).gettext("(hidden)")
    value = resolve(row, col.attr)
    if kind == "link":
        return Markup('<a href="%s/%s">%s</a>') % (base or "/" + module, resolve(row, "id"), value or "—")
    if kind == "ref":
        ref = refs.get(col.attr, {}).get(value)
        return Markup('<a href="/%s/%s">%s</a>') % (col.module, ref.id, ref) if ref else Markup("")
    if kind == "choice":
        return escape(choice_label(translations(lang).gettext, col.choices, value))
    if kind == "date":
        return escape(format_day(value, lang, user_timezone(request)))
    if kind == "datetime":
        return escape(format_moment(value, lang, user_timezone(request), "medium"))
    if kind == "money":
        currency = getattr(row, "currency", _MISSING) if not isinstance(row, dict) else row.get("currency", _MISSING)
        if currency is _MISSING:
            currency = ctx.get("currency")
        return escape(format_money(value, currency, ctx.get("lang") or settings.DEFAULT_LANGUAGE))
    if kind == "tax_rate":
        return escape(tax_rate(translations(lang).gettext, value))
    if kind == "terms":  # payment terms by their code (app.services.payment_terms)
        return escape(payment_terms.text(value, lang))
    if kind == "msgid":
        return escape(builtin_name(lang, value or ""))
    return escape("" if value is None else value)
