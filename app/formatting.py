"""Dates, moments, money and numbers as the reader's language writes them, all through babel.

One module for every face: pages (the Jinja filters in views/templating.py), e-mail templates,
notifications and PDFs. Each locale's own CLDR patterns are used, never a hand-written one:

    day        babel's medium date        2026/11/29          Nov 29, 2026
    moment     medium date + short time   2026/11/29 9:05     Nov 29, 2026, 9:05 AM
    document   babel's long date          2026年11月29日       November 29, 2026

The document form is what formal papers (invoices, estimates, their e-mails) print. Machine
formats (an <input type=date> value, ISO 8601 in GraphQL and iCalendar) are not shown to people
and do not go through here.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton, format_time

from app import money

__all__ = ["format_day", "format_moment", "format_document_date", "format_money", "format_rate",
           "format_number", "format_exchange_rate"]


@lru_cache(maxsize=None)
def _locale(lang: str) -> Locale:
    """Parsed once per language: parsing is most of the cost of formatting a date."""
    return Locale.parse(lang)


def _day(value: date | datetime, tz: tzinfo | None) -> date:
    """The calendar day of `value`: a moment is taken on the reader's clock first."""
    if isinstance(value, datetime):
        return (value.astimezone(tz) if tz is not None and value.tzinfo is not None else value).date()
    return value


def format_day(value: date | datetime | None, lang: str, tz: tzinfo | None = None) -> str:
    """A day: 2026/11/29 in Japanese, Nov 29, 2026 in English."""
    if value is None:
        return ""
    return format_date(_day(value, tz), "medium", locale=_locale(lang))


def format_moment(value: datetime | None, lang: str, tz: tzinfo | None = None,
                  width: str = "medium") -> str:
    """A moment on the reader's clock: the day as format_day writes it and the time to the
    minute, joined the locale's way (2026/11/29 9:05, Nov 29, 2026, 9:05 AM); `short` takes the
    short day (11/29/26, 9:05 AM) and `long` puts the weekday in (2026年11月29日(日) 9:05)."""
    if value is None:
        return ""
    if tz is not None and value.tzinfo is not None:
        value = value.astimezone(tz)
    locale = _locale(lang)
    time_text = format_time(value, "short", locale=locale)
    if width == "long":
        day_text = format_skeleton("yMMMEd", value, locale=locale)
        return f"{day_text} {time_text}"
    day_text = format_date(value.date(), width, locale=locale)
    pattern = str(locale.datetime_formats[width])
    return pattern.replace("{1}", day_text).replace("{0}", time_text)


def format_document_date(value: date | datetime | None, lang: str) -> str:
    """The date a formal document prints: 2026年11月29日, November 29, 2026."""
    if value is None:
        return ""
    return format_date(_day(value, None), "long", locale=_locale(lang))


def format_document_period(start: date | None, end: date | None, lang: str) -> str:
    """A transaction date or period as a formal document prints it: 2026年11月1日～30日,
    Nov 1 – 30, 2026 (babel's interval of the long date; one day when there is no end)."""
    if start is None:
        return ""
    if end is None or end == start:
        return format_document_date(start, lang)
    # babel's thin spaces around the dash are plain ones on paper: not every embedded font has them
    return format_interval(start, end, "yMMMd", locale=_locale(lang)).replace("\u2009", " ").replace("\u202f", " ")


def format_money(amount: Decimal | None, currency: str, lang: str = "en") -> str:
    """An amount with its currency (¥1,200; 1,234.50 USD), digits grouped the locale's way."""
    return money.format_money(amount, currency, lang)


def format_rate(amount: Decimal | None, currency: str, lang: str = "en") -> str:
    return money.format_rate(amount, currency, lang)


def format_exchange_rate(rate: Decimal | None, lang: str = "en") -> str:
    return money.format_exchange_rate(rate, lang)


def format_number(value: Decimal | int | None, lang: str = "en") -> str:
    return money.format_number(None if value is None else Decimal(value), lang)
