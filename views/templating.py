"""The Jinja2 environment: gettext in the request's language, and date and money filters in the
user's own time zone and currency formats."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from app import auth, settings
from app.i18n import N_, Translator, format_size, gettext, translations
from app.money import to_yen
from app.formatting import (
    format_day, format_exchange_rate, format_moment, format_money, format_number, format_rate,
)
from app.services import payment_terms
from app.services.chat import bar_may_show as chat_bar_may_show
from views.htmx import vary

TEMPLATE_DIR = Path(__file__).parent / "templates"
HTMX_SCRIPT = "vendor/htmx-2.0.11.min.js"
SSE_SCRIPT = "vendor/htmx-ext-sse-2.2.4.min.js"  # htmx's SSE extension, for the team chat


def translator(request: Request) -> Callable[[str], str]:
    """`_` for Python code handling this request (it knows the language: app.i18n.Translator)."""
    return Translator(request.state.lang)


def user_timezone(request: Request) -> ZoneInfo:
    user = getattr(request.state, "user", None)
    try:
        return ZoneInfo((user and user.timezone) or settings.DEFAULT_TIMEZONE)
    except (KeyError, ValueError):
        return ZoneInfo(settings.DEFAULT_TIMEZONE)


def local(request: Request, value: datetime) -> datetime:
    return value.astimezone(user_timezone(request))


@jinja2.pass_context
def _gettext(ctx: jinja2.runtime.Context, message: str) -> str:
    return translations(ctx["request"].state.lang).gettext(message)


# Built-in data shown through the catalog: the default stage and role names (app/services/stages.py,
# app/permissions.py). Names an administrator types are shown as typed: data never goes through
# gettext, where it would become markup and a format string.
BUILT_IN_NAMES = frozenset((
    N_("Qualification"), N_("Needs analysis"), N_("Proposal"), N_("Negotiation"),
    N_("Closed won"), N_("Closed lost"),
    N_("Administrator"), N_("Manager"), N_("Sales"), N_("Accountant"),
))


def builtin_name(lang: str, name: object) -> str:
    """A record's name as shown: a built-in one in `lang`, any other exactly as stored (a plain
    str, so that the template escapes it)."""
    text = "" if name is None else str(name)
    return gettext(lang, text) if text in BUILT_IN_NAMES else text


@jinja2.pass_context
def _builtin_name(ctx: jinja2.runtime.Context, name: object) -> str:
    return builtin_name(ctx["request"].state.lang, name)


# Texts without parameters as pages show them, by (language, autoescape, msgid): the catalogs
# (app.i18n.translations) are read once per process. Bounded, should a template translate data.
_PAGE_TEXTS: dict[tuple[str, bool, str], str] = {}
_PAGE_TEXTS_MAX = 20_000


@jinja2.pass_context
def _gettext_page(ctx: jinja2.runtime.Context, message: str, **variables: Any) -> str:
    """Jinja's newstyle `gettext` (jinja2.ext): the translation as markup, always formatted."""
    lang, autoescape = ctx["request"].state.lang, ctx.eval_ctx.autoescape
    if not variables and (text := _PAGE_TEXTS.get((lang, autoescape, message))) is not None:
        return text
    rv = translations(lang).gettext(message)
    if autoescape:
        rv = Markup(rv)
    rv = rv % variables
    if not variables and len(_PAGE_TEXTS) < _PAGE_TEXTS_MAX:
        _PAGE_TEXTS[lang, autoescape, message] = rv
    return rv


@jinja2.pass_context
def _ngettext_page(ctx: jinja2.runtime.Context, singular: str, plural: str, n: int, **variables: Any) -> str:
    """Jinja's newstyle `ngettext` (jinja2.ext), `num` given to the format."""
    variables.setdefault("num", n)
    rv = translations(ctx["request"].state.lang).ngettext(singular, plural, n)
    if ctx.eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


@jinja2.pass_context
def _ngettext(ctx: jinja2.runtime.Context, singular: str, plural: str, n: int) -> str:
    return translations(ctx["request"].state.lang).ngettext(singular, plural, n)


@jinja2.pass_context
def _datetime_filter(ctx: jinja2.runtime.Context, value: datetime | None, width: str = "medium") -> str:
    """A moment on the user's clock in their language (2026/11/29 9:05, Nov 29, 2026, 9:05 AM)."""
    return babel_datetime(ctx["request"], value, width)


@jinja2.pass_context
def _datetime_local_filter(ctx: jinja2.runtime.Context, value: Any) -> str:
    """The value of an `<input type=datetime-local>`: wall-clock time in the user's zone."""
    if isinstance(value, datetime):
        return local(ctx["request"], value).strftime("%Y-%m-%dT%H:%M")
    return value or ""


def babel_datetime(request: Request, value: datetime | None, width: str = "medium") -> str:
    """A moment as the user's language writes it, in their time zone (app.formatting): the day
    and the time to the minute, or with `long` the day with its weekday."""
    return format_moment(value, request.state.lang, user_timezone(request), width)


@jinja2.pass_context
def _filesize_filter(ctx: jinja2.runtime.Context, size: int) -> str:
    return format_size(size, ctx["request"].state.lang)


@jinja2.pass_context
def _date_filter(ctx: jinja2.runtime.Context, value: date | datetime | None) -> str:
    """A day as the user's language writes it (babel's medium format: 2026/11/29 in Japanese,
    Nov 29, 2026 in English); a moment is taken on the user's clock first. An <input type=date>
    takes `value.isoformat()` instead."""
    return format_day(value, ctx["request"].state.lang, user_timezone(ctx["request"]))


def resolve(obj: Any, path: str) -> Any:
    """`row.account.name` for a dotted path; None when any step is missing."""
    for part in path.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, part, None)
        if obj is None:
            return None
    return obj


@jinja2.pass_context
def _money_filter(ctx: jinja2.runtime.Context, amount: Decimal | None, currency: str) -> str:
    return format_money(amount, currency, ctx.get("lang") or settings.DEFAULT_LANGUAGE)


@jinja2.pass_context
def _rate_filter(ctx: jinja2.runtime.Context, amount: Decimal | None, currency: str) -> str:
    return format_rate(amount, currency, ctx.get("lang") or settings.DEFAULT_LANGUAGE)


@jinja2.pass_context
def _exchange_rate_filter(ctx: jinja2.runtime.Context, rate: Decimal | None) -> str:
    """Yen per unit: 150.25, never the column's 150.250000."""
    return format_exchange_rate(rate, ctx.get("lang") or settings.DEFAULT_LANGUAGE)


@jinja2.pass_context
def _yen_filter(ctx: jinja2.runtime.Context, amount: Decimal | None, currency: str, rate: Decimal | None) -> str:
    """An amount's yen equivalent at a document's exchange rate (app.money.to_yen), "" without one."""
    yen = None if amount is None else to_yen(amount, currency, rate)
    return "" if yen is None else format_money(yen, "JPY", ctx.get("lang") or settings.DEFAULT_LANGUAGE)


@jinja2.pass_context
def _number_filter(ctx: jinja2.runtime.Context, value: Decimal | None) -> str:
    """Quantities and percentages for the page's language (never `1E+1`)."""
    return format_number(value, ctx.get("lang") or settings.DEFAULT_LANGUAGE)


# A mailbox failing this long is worth a notice on every page (the sync backs off meanwhile).
MAIL_FAILING_NOTICE_AFTER = timedelta(days=1)


def mail_failing(request: Request) -> datetime | None:
    """Since when one of the user's mailboxes has been failing, if for longer than a day; read
    with the user (app.auth), so no page pays a query for it."""
    since = getattr(request.state, "mail_failing_since", None)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    if since is not None and datetime.now(UTC) - since > MAIL_FAILING_NOTICE_AFTER:
        return since
    return None


def _context(request: Request) -> dict[str, Any]:
    state = request.state
    # A request acting through the Books link (views/books_crm.py) still shows the user's own page
    principal = getattr(state, "own_principal", None) or getattr(state, "principal", None)
    return {
        "mail_failing": mail_failing(request),
        "lang": state.lang,
        "user": getattr(state, "user", None),
        "principal": principal,
        # Books pages reached through the link: the user may not be a member of the organization,
        # so links into the Books application itself are left out.
        "through_link": getattr(state, "own_principal", None) is not None,
        "csrf_token": auth.csrf_token(request.session) if "session" in request.scope else "",
        "htmx_script": HTMX_SCRIPT,
        "sse_script": SSE_SCRIPT,
        "chat_bar": chat_bar_may_show(request.url.path) and getattr(state, "user", None) is not None,
        # Called by base.html only (views/flash.py): a fragment never takes the next page's message.
        "take_flash": partial(_take_flash, request),
    }


def _take_flash(request: Request) -> dict[str, str] | None:
    from views.flash import take  # lazily: views.flash translates through this module

    return take(request)


def _mail_upload_limits() -> dict[str, Any]:
    """What the e-mail upload control (mail/_upload.html) tells the user it takes."""
    from app.mail import uploads  # lazily: it reaches the services, which templating precedes

    return {"files_max": uploads.FILES_MAX, "max_mb": uploads.max_mb()}


@jinja2.pass_context
def _terms_text(ctx: jinja2.runtime.Context, code: object) -> str:
    return payment_terms.text(code, ctx["request"].state.lang)


@jinja2.pass_context
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates change with a deploy, not while serving: no stat() of every template a page
        # includes on every request (development reloads them).
        auto_reload=settings.DEBUG,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    # The same, called directly: `_()` is Jinja's alias of `gettext`, which wraps ours, each call
    # through the context (some sixty a page).
    env.globals.update(_=_gettext_page, gettext=_gettext_page, ngettext=_ngettext_page)
    env.filters.update(
        datetime=_datetime_filter,
        datetime_local=_datetime_local_filter,
        date=_date_filter,
        money=_money_filter,
        filesize=_filesize_filter,
        babel_datetime=_datetime_filter,  # the older names of the same filters
        babel_date=_date_filter,
        rate=_rate_filter,
        number=_number_filter,
        exchange_rate=_exchange_rate_filter,
        yen=_yen_filter,
    )
    env.globals["resolve"] = resolve
    env.globals["builtin_name"] = _builtin_name
    env.globals["mail_upload_limits"] = _mail_upload_limits
    env.globals["terms_text"] = _terms_text
    env.globals["terms_parts"] = payment_terms.parts
    env.globals["terms_days"] = payment_terms.DAY_CHOICES
    return env


templates = Jinja2Templates(env=_environment(), context_processors=[_context])

# Values by kind (views/cells.py) read the helpers above: imported once they exist.
from views import cells  # noqa: E402

templates.env.globals.update(table_rows=cells.table_rows, detail_value=cells.detail_value,
                             related_list=cells.related_list, related_panels=cells.related_panels,
                             tax_rate_text=cells.tax_rate_text)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    response = templates.TemplateResponse(request, name, context or {}, status_code=status_code)
    return vary(response)
