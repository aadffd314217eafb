"""Payment terms as data: "net N days" or closing-date billing (締め日), and the dates they give.

Closing-date terms read "closing on day C, paid on day P of the month M months after the
closing": 20日締め翌月10日払い is C=20, M=1, P=10; 月末締め翌月末払い is C=month end, M=1,
P=month end. Days run 1-28 or month end, so every month has them; M runs 0-3.

Terms are stored as a short code (the column of a customer, of the organization and of a
document): `net_30`, `close_20_1_10`, `close_eom_1_eom`. The presets of earlier versions
(`due_on_receipt`, `net_15` ... `end_of_next_month`) are codes too and stay the spelling of
their terms, so stored values and the GraphQL `PaymentTerms` enum keep their meaning. A blank
customer code means "the organization's terms".
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from app.errors import ValidationError
from app.i18n import N_, Msgid

MONTH_END = 31  # a closing or payment day of 31 means the month's last day, whatever its length
MAX_DAY = 28  # other days: 1-28, found in every month
MAX_OFFSET = 3
MAX_NET_DAYS = 365
CODE_MAX = 20

_LEGACY = {
    "due_on_receipt": ("net", 0),
    "net_15": ("net", 15),
    "net_30": ("net", 30),
    "net_45": ("net", 45),
    "net_60": ("net", 60),
    "end_of_month": ("close", (MONTH_END, 0, MONTH_END)),
    "end_of_next_month": ("close", (MONTH_END, 1, MONTH_END)),
}
_NET = re.compile(r"net_([0-9]{1,3})")
_CLOSE = re.compile(r"close_(eom|[0-9]{1,2})_([0-9]{1,2})_(eom|[0-9]{1,2})")
_MONTHS = (N_("the same month"), N_("the next month"), N_("the month after next"), N_("the third month"))
INVALID = N_("Enter valid payment terms.")


@dataclass(frozen=True)
class Terms:
    """Net terms have `net_days`; closing-date terms have `closing_day` (1-28 or MONTH_END),
    `month_offset` (0-3) and `payment_day` (1-28 or MONTH_END)."""

    net_days: int | None = None
    closing_day: int | None = None
    month_offset: int = 0
    payment_day: int | None = None

    @property
    def is_closing(self) -> bool:
        return self.closing_day is not None

    @property
    def code(self) -> str:
        if self.is_closing:
            code = f"close_{_day_code(self.closing_day)}_{self.month_offset}_{_day_code(self.payment_day)}"
        else:
            code = f"net_{self.net_days}"
        key = (("close", (self.closing_day, self.month_offset, self.payment_day)) if self.is_closing
               else ("net", self.net_days))
        for legacy, spelled in _LEGACY.items():
            if spelled == key:
                return legacy
        return code

    def label(self) -> tuple[str, dict[str, object]]:
        """A msgid and its params, translated where shown (Translator / app.i18n)."""
        if not self.is_closing:
            if self.net_days == 0:
                return N_("Due on receipt"), {}
            return N_("Net %(days)d days"), {"days": self.net_days}
        params: dict[str, object] = {"month": Msgid(_MONTHS[self.month_offset])}
        closing_end = self.closing_day == MONTH_END
        payment_end = self.payment_day == MONTH_END
        if not closing_end:
            params["closing"] = self.closing_day
        if not payment_end:
            params["payment"] = self.payment_day
        if closing_end and payment_end:
            msgid = N_("Closing at month end, paid at the end of %(month)s")
        elif closing_end:
            msgid = N_("Closing at month end, paid on day %(payment)d of %(month)s")
        elif payment_end:
            msgid = N_("Closing on day %(closing)d, paid at the end of %(month)s")
        else:
            msgid = N_("Closing on day %(closing)d, paid on day %(payment)d of %(month)s")
        return msgid, params


def _day_code(day: int | None) -> str:
    return "eom" if day == MONTH_END else str(day)


def _day(text: str) -> int | None:
    if text == "eom":
        return MONTH_END
    day = int(text)
    return day if 1 <= day <= MAX_DAY else None


def problem(terms: Terms) -> str | None:
    """Why these terms cannot be, or None."""
    if not terms.is_closing:
        if terms.net_days is None or not 0 <= terms.net_days <= MAX_NET_DAYS:
            return N_("Enter a number of days from 0 to 365.")
        return None
    for day in (terms.closing_day, terms.payment_day):
        if day is None or not (1 <= day <= MAX_DAY or day == MONTH_END):
            return N_("Enter a day from 1 to 28, or month end.")
    if not 0 <= terms.month_offset <= MAX_OFFSET:
        return N_("Enter a payment month from 0 (the same month) to 3.")
    if terms.month_offset == 0 and terms.payment_day < terms.closing_day:
        return N_("Paid in the same month, the payment day cannot come before the closing day.")
    return None


def parse(code: object) -> Terms:
    """The terms a code spells; ValidationError (on `payment_terms`) when it spells none."""
    text = str(code or "").strip().lower()
    terms: Terms | None = None
    if text in _LEGACY:
        kind, value = _LEGACY[text]
        terms = Terms(net_days=value) if kind == "net" else Terms(
            closing_day=value[0], month_offset=value[1], payment_day=value[2])
    elif match := _NET.fullmatch(text):
        terms = Terms(net_days=int(match[1]))
    elif match := _CLOSE.fullmatch(text):
        closing, payment = _day(match[1]), _day(match[3])
        if closing is not None and payment is not None:
            terms = Terms(closing_day=closing, month_offset=int(match[2]), payment_day=payment)
    if terms is None:
        raise ValidationError.single("payment_terms", INVALID)
    if reason := problem(terms):
        raise ValidationError.single("payment_terms", reason)
    return terms


def clean_code(code: object) -> str:
    """A code in its one spelling (`close_20_01_10` -> `close_20_1_10`), or ValidationError."""
    return parse(code).code


def coerce(value: object, report: Callable[..., None], *, blank_allowed: bool) -> str:
    """A form's or an API's value as a code in its one spelling, problems told to
    `report(field, msgid, **params)` (a record service's Cleaned.error). Blank: "" when allowed
    (a customer without its own terms follows the organization's)."""
    if value in (None, "") and blank_allowed:
        return ""
    try:
        return clean_code(getattr(value, "value", value))
    except ValidationError as invalid:
        for error in invalid.errors:
            report("payment_terms", error.msgid, **error.params)
        return ""


def is_valid(code: object) -> bool:
    try:
        parse(code)
    except ValidationError:
        return False
    return True


# ---- dates -----------------------------------------------------------------------------------


def _on(year: int, month: int, day: int) -> date:
    """Day `day` of a month, MONTH_END (or any day past the end) meaning its last day."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _add_months(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + count
    return index // 12, index % 12 + 1


def closing_date(terms: Terms, day: date) -> date:
    """The closing date of the period `day` falls in: the same month's closing day when `day`
    is on or before it, else the next month's. Net terms close at each month end."""
    closing = terms.closing_day if terms.is_closing else MONTH_END
    this_month = _on(day.year, day.month, closing)
    if day <= this_month:
        return this_month
    return _on(*_add_months(day.year, day.month, 1), closing)


def period(terms: Terms, day: date) -> tuple[date, date]:
    """The closing period `day` falls in: the day after the previous closing, to the closing."""
    end = closing_date(terms, day)
    closing = terms.closing_day if terms.is_closing else MONTH_END
    previous = _on(*_add_months(end.year, end.month, -1), closing)
    return previous + timedelta(days=1), end


def previous_periods(terms: Terms, day: date, count: int) -> list[tuple[date, date]]:
    """The period `day` falls in and the `count - 1` before it, newest first."""
    periods = [period(terms, day)]
    while len(periods) < count:
        periods.append(period(terms, periods[-1][0] - timedelta(days=1)))
    return periods


def due_date(terms: Terms, day: date) -> date:
    """When a document dated `day` (its transaction date, else its issue date) is due."""
    if not terms.is_closing:
        return day + timedelta(days=terms.net_days or 0)
    closing = closing_date(terms, day)
    return _on(*_add_months(closing.year, closing.month, terms.month_offset), terms.payment_day)


def due_date_for(code: object, day: date) -> date:
    return due_date(parse(code), day)


def effective(customer_code: str, organization_code: str) -> Terms:
    """A customer's own terms, or the organization's when the customer has none."""
    return parse(customer_code or organization_code or "end_of_next_month")


def text(code: object, lang: str, default: str = "") -> str:
    """Terms as words in `lang` (月末締め翌月末払い); a blank code: the terms `default` spells;
    an unreadable one shown as it is."""
    from app.i18n import gettext

    try:
        terms = parse(code or default)
    except ValidationError:
        return str(code or "")
    msgid, params = terms.label()
    shown = {k: gettext(lang, v) if isinstance(v, Msgid) else v for k, v in params.items()}
    return gettext(lang, msgid) % shown


def parts(code: object) -> dict[str, str]:
    """A code's parts for a form (kind, net_days, closing, offset, payment), read loosely so a
    refused entry comes back as it was typed."""
    text_ = str(code or "")
    if text_ in _LEGACY:
        kind, value = _LEGACY[text_]
        if kind == "net":
            return {"kind": "net", "net_days": str(value)}
        closing, offset, payment = value
        return {"kind": "close", "closing": _day_code(closing), "offset": str(offset), "payment": _day_code(payment)}
    if text_.startswith("net_"):
        return {"kind": "net", "net_days": text_[4:]}
    if text_.startswith("close_"):
        pieces = (text_[6:].split("_") + ["", "", ""])[:3]
        return {"kind": "close", "closing": pieces[0], "offset": pieces[1], "payment": pieces[2]}
    return {"kind": ""}


def from_parts(form: dict[str, object]) -> str:
    """The code a form's parts spell (checked where saved)."""
    kind = str(form.get("kind") or "")
    if kind == "net":
        return f"net_{str(form.get('net_days') or '').strip()}"[:CODE_MAX + 10]
    if kind == "close":
        parts_ = (str(form.get(k) or "").strip() for k in ("closing", "offset", "payment"))
        return "_".join(("close", *parts_))[:CODE_MAX + 10]
    return ""


DAY_CHOICES = tuple(str(d) for d in range(1, MAX_DAY + 1)) + ("eom",)
