"""Values as the file readers put them into items: text stripped and left out when empty, dates
and times read from the ways clients write them, and a Problem (never an exception) for a value
that cannot be read. Shared by outlook_csv, vcard and ical so that a date reads the same
whatever file it came in.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.cleaning import MAX_DATE, MIN_DATE, UNSTORABLE, storable
from app.i18n import N_
from app.pim.items import Item, Problem

BAD_DATE = N_("Cannot read the date “%(value)s”.")
BAD_TIME = N_("Cannot read the time “%(value)s”.")
BAD_VALUE = N_("Cannot read “%(value)s”.")
DATE_RANGE = N_("The date %(value)s is out of range.")
UNKNOWN_ZONE = N_("Unknown time zone “%(value)s”.")
NO_YEAR = N_("The date “%(value)s” has no year.")
MISSING_START = N_("The start is missing.")

# A problem quotes the value it could not read; a hostile file must not fill the report.
_QUOTE_MAX = 80


def quote(value: Any) -> str:
    text = str(value)
    return text if len(text) <= _QUOTE_MAX else text[:_QUOTE_MAX] + "…"


def problem(item: Item, name: str, msgid: str, value: Any = None) -> None:
    params = {} if value is None else {"value": quote(value)}
    item.problems.append(Problem(name, msgid, params))


def put_text(item: Item, name: str, value: Any) -> None:
    """Set a text value: stripped, newlines as LF, left out when empty, a problem when it cannot
    be stored. Never cut (Item.over_limits reports what is too long)."""
    if value is None:
        return
    # One newline convention whatever the file: CSV cells carry Windows' CRLF, vCards LF.
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return
    if not storable(text):
        item.problems.append(Problem(name, UNSTORABLE))
        return
    item.values[name] = text


def put_date(item: Item, name: str, value: date | None) -> None:
    if value is None:
        return
    plain = value.date() if isinstance(value, datetime) else value
    if not MIN_DATE <= plain <= MAX_DATE:
        problem(item, name, DATE_RANGE, plain.isoformat())
        return
    item.values[name] = plain


def zone(name: str) -> ZoneInfo:
    """The user's time zone (a setting, so an unknown name is a programming error)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def split_list(value: str, separators: str = ";,") -> list[str]:
    """Categories and attendees as clients join them: ";" (Outlook) or "," (vCard/iCalendar);
    stripped, empty ones and repeats left out, in order."""
    return unique(re.split("[" + re.escape(separators) + "]", value))


def unique(names) -> list[str]:
    """Stripped, non-empty, each once, in order (a set: a hostile file repeats a name 10^5 times)."""
    return list(dict.fromkeys(part for part in (str(n).strip() for n in names) if part))


# ---- dates and times as people and spreadsheets write them -------------------------------

_ISO = re.compile(r"(\d{4})-?(\d{1,2})-?(\d{1,2})(?:[T ].*)?")
_YMD = re.compile(r"(\d{4})\s*[/.年]\s*(\d{1,2})\s*[/.月]\s*(\d{1,2})\s*日?(?:\s.*)?")
_MDY = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{2}|\d{4})(?:\s.*)?")
_NONE_DATES = {"0/0/00", "0/0/0000", "00/00/00", "0000/00/00", "1/1/4501", "4501/1/1"}
_DIGITS = str.maketrans("０１２３４５６７８９／－：", "0123456789/-:")


def parse_date(text: str) -> date | None:
    """A date as Outlook (M/D/YYYY in English, YYYY/M/D in Japanese, D/M/YYYY when the day is
    over 12), Excel or ISO 8601 write it. None for Outlook's "no date" (0/0/00, 1/1/4501);
    ValueError when unreadable."""
    value = text.strip().translate(_DIGITS)
    if value in _NONE_DATES:
        return None
    if m := _YMD.fullmatch(value) or _ISO.fullmatch(value):
        year, month, day = (int(g) for g in m.groups())
    elif m := _MDY.fullmatch(value):
        first, second, year = (int(g) for g in m.groups())
        if len(m.group(3)) == 2:
            year += 1900 if year >= 69 else 2000
        month, day = (second, first) if first > 12 else (first, second)
    else:
        raise ValueError(value)
    result = date(year, month, day)
    if result == date(4501, 1, 1):  # Outlook's "None"
        return None
    return result


_TIME = re.compile(r"(午前|午後|AM|PM)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM|午前|午後)?", re.I)


def parse_time(text: str) -> time:
    """A time as Outlook writes it: 10:00:00 AM, 14:30, 午後 2:30:00. ValueError when unreadable."""
    m = _TIME.fullmatch(text.strip().translate(_DIGITS))
    if not m:
        raise ValueError(text)
    before, hour, minute, second, after = m.groups()
    hour, minute = int(hour), int(minute)
    marker = (before or after or "").upper()
    if marker in ("PM", "午後") and hour < 12:
        hour += 12
    elif marker in ("AM", "午前") and hour == 12:
        hour = 0
    return time(hour, minute, int(second or 0))


_TRUE = {"true", "yes", "1", "on", "はい", "オン", "真"}
_FALSE = {"false", "no", "0", "off", "いいえ", "オフ", "偽", ""}


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(text)
