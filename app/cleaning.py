"""One input-cleaning layer: what every service does to a value before it may reach the database.

Forms and GraphQL hand services the same plain dicts; services clean them here, so a hostile
value is refused with a validation message instead of a driver error (a 500) on one database
and silent acceptance on the other:

    text        NUL and lone surrogates refused (PostgreSQL and UTF-8 cannot store them)
    integers    bounded to the column (SmallInt/Int/BigInt); ids outside the key range find nothing
                (`pk`), row numbers in forms are small ASCII numbers (`index`)
    decimals    finite, with no more digits than the column holds (`max_digits`, `decimal_places`)
    dates       between MIN_DATE and MAX_DATE, so dates computed from them (a due date, a time in
                another time zone) stay within the calendar
    search      bounded length, NUL removed
    file names  an uploaded file's name without directories or characters file systems refuse
    urls        http and https only

Problems are raised as `Unclean` (a ValueError carrying a msgid) for one value, or collected as
`FieldError`s for a whole input (`unstorable`).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from tortoise import fields as tf
from tortoise.models import Model

from app.errors import FieldError
from app.i18n import N_
from app.money import parse_decimal

INT_RANGES: tuple[tuple[type[tf.Field], int, int], ...] = (  # most specific class first
    (tf.SmallIntField, -(2**15), 2**15 - 1),
    (tf.BigIntField, -(2**63), 2**63 - 1),
    (tf.IntField, -(2**31), 2**31 - 1),
)
PK_MAX = 2**31 - 1  # every id column is an IntField
# A day's margin at both ends keeps conversions to any time zone inside datetime's range; the
# upper end leaves room for the due dates computed from an issue date (at most two months on).
MIN_DATE = date(1000, 1, 1)
MAX_DATE = date(9998, 12, 31)
SEARCH_MAX = 200

UNSTORABLE = N_("Contains characters that cannot be stored.")
_SURROGATE = re.compile("[\ud800-\udfff]")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９＋－", "0123456789+-")


class Unclean(ValueError):
    """One value refused; `msgid` and `params` say why."""

    def __init__(self, msgid: str, **params: Any) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params


# ---- text -------------------------------------------------------------------------------------


def storable(text: str) -> bool:
    return "\x00" not in text and not _SURROGATE.search(text)


def text(value: Any) -> str:
    """`value` as stripped text; Unclean when it holds characters no database keeps."""
    result = str(value).strip()
    if not storable(result):
        raise Unclean(UNSTORABLE)
    return result


def unstorable(data: Any, path: str = "") -> list[FieldError]:
    """Errors for every string in a nested input (dicts, lists) that cannot be stored."""
    if isinstance(data, str):
        return [] if storable(data) else [FieldError(path or "input", UNSTORABLE)]
    if isinstance(data, Mapping):
        return [e for k, v in data.items() for e in unstorable(v, f"{path}.{k}" if path else str(k))]
    if isinstance(data, (list, tuple)):
        return [e for i, v in enumerate(data) for e in unstorable(v, f"{path}.{i}")]
    return []


def search(value: Any) -> str:
    """A search string as lists match it: NUL removed, at most SEARCH_MAX characters."""
    result = _SURROGATE.sub("", str(value or "").replace("\x00", "")).strip()
    return result[:SEARCH_MAX]


def filename(value: Any, default: str = "file") -> str:
    """An uploaded file's name as it may be shown and offered again: the last path segment
    (either slash), NFC, without unprintable characters (NUL, controls, lone surrogates) or those
    file systems refuse, at most 255 characters; `default` when nothing is left. Never a path
    to write to: stored files get names of their own."""
    name = unicodedata.normalize("NFC", os.path.basename(str(value or "").replace("\\", "/"))).strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')
    return name[:255].strip() or default


def url(value: Any) -> str:
    """A web address people type: `example.com` becomes `https://example.com`; only http(s)."""
    result = text(value)
    if not result:
        return result
    if "://" not in result and not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:(?!\d)", result):  # host:port
        result = "https://" + result
    try:
        parts = urlsplit(result)
    except ValueError:
        raise Unclean(N_("Enter a web address starting with http:// or https://.")) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in result):
        raise Unclean(N_("Enter a web address starting with http:// or https://."))
    return result


# ---- numbers ----------------------------------------------------------------------------------


def pk(value: Any) -> int | None:
    """The primary key `value` names, or None when it cannot name a row (not a number, or
    outside the id column's range: such ids find nothing, on every database)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        raw = str(value).strip()
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
            return None
        number = int(raw)
    return number if 0 < number <= PK_MAX else None


def index(value: Any, limit: int = 10_000) -> int | None:
    """A row number in a form (`persons-3-email`, `?index=3`): ASCII digits below `limit`, else
    None (`str.isdigit` also takes "²" and "١", which `int` then refuses)."""
    raw = str(value)
    if raw.isascii() and raw.isdigit() and len(raw) <= len(str(limit)) and int(raw) < limit:
        return int(raw)
    return None


def int_range(field: tf.Field) -> tuple[int, int]:
    for cls, low, high in INT_RANGES:
        if isinstance(field, cls):
            return low, high
    return INT_RANGES[-1][1:]


def integer(value: Any, low: int = INT_RANGES[-1][1], high: int = INT_RANGES[-1][2]) -> int:
    """A whole number from low to high; Unclean otherwise (also for 1e999999 or "١٢")."""
    if isinstance(value, bool):
        raise Unclean(N_("Enter a whole number."))
    if isinstance(value, int):
        number = value
    else:
        raw = text(value).translate(_FULLWIDTH_DIGITS)  # "５０" as Japanese keyboards type it
        if not re.fullmatch(r"[+-]?[0-9]{1,30}", raw):
            raise Unclean(N_("Enter a whole number."))
        number = int(raw)
    if not low <= number <= high:
        raise Unclean(N_("Enter a whole number from %(min)d to %(max)d."), min=low, max=high)
    return number


def decimal(value: Any, max_digits: int, places: int) -> Decimal:
    """A finite number that fits NUMERIC(max_digits, places); Unclean otherwise."""
    try:
        number = parse_decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise Unclean(N_("Enter a number.")) from None
    whole = max_digits - places
    if not number.is_zero() and number.adjusted() >= whole:
        raise Unclean(N_("Enter a number with at most %(digits)d digits before the decimal point."),
                      digits=whole)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        if not number.is_zero() and (number.adjusted() < -places or number != number.quantize(
                Decimal(1).scaleb(-places))):
            raise Unclean(N_("Use at most %(places)d decimal places."), places=places)
        number = number.quantize(Decimal(1).scaleb(-places))  # 1.50000 is 1.5000
    return number


def fits(field: tf.DecimalField, number: Decimal) -> bool:
    """True when a computed amount fits the column (totals are checked before they are saved)."""
    try:
        decimal(number, field.max_digits, field.decimal_places)
    except Unclean:
        return False
    return True


def column_decimal(model: type[Model], name: str, value: Any) -> Decimal:
    field = model._meta.fields_map[name]
    return decimal(value, field.max_digits, field.decimal_places)


# ---- dates ------------------------------------------------------------------------------------

_DATE_RANGE = N_("Enter a date from %(min)s to %(max)s.")


def _bounded(day: date) -> date:
    if not MIN_DATE <= day <= MAX_DATE:
        raise Unclean(_DATE_RANGE, min=MIN_DATE.isoformat(), max=MAX_DATE.isoformat())
    return day


def day(value: Any) -> date:
    """A calendar date (a datetime gives its date); Unclean when malformed or out of range."""
    if isinstance(value, datetime):
        return _bounded(value.date())
    if isinstance(value, date):
        return _bounded(value)
    try:
        return _bounded(date.fromisoformat(text(value)))
    except Unclean:
        raise
    except (ValueError, TypeError):
        raise Unclean(N_("Enter a valid date (YYYY-MM-DD).")) from None


def moment(value: Any, tz_name: str) -> datetime:
    """An aware datetime; a naive one is a wall-clock time in the user's time zone. Unclean when
    malformed or when it, in UTC or in that zone, falls outside MIN_DATE..MAX_DATE."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(text(value))
        except Unclean:
            raise
        except ValueError:
            raise Unclean(N_("Enter a valid date and time.")) from None
    if not isinstance(value, datetime):
        raise Unclean(N_("Enter a valid date and time."))
    zone = ZoneInfo(tz_name)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    # Compare naive wall-clock dates first: converting a value at the calendar's edge overflows.
    _bounded(value.date())
    try:
        for shown in (value.astimezone(timezone.utc), value.astimezone(zone)):
            _bounded(shown.date())
    except OverflowError:
        raise Unclean(_DATE_RANGE, min=MIN_DATE.isoformat(), max=MAX_DATE.isoformat()) from None
    return value

