"""Translation catalogs (ja, en) read from .po files at start-up, and language negotiation."""

from __future__ import annotations

import io
from datetime import date
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from babel.units import format_unit

from app import settings

LOCALE_DIR = Path(__file__).parent / "locale"


@lru_cache(maxsize=None)
def translations(lang: str) -> Translations:
    """The catalog for `lang`, compiled in memory: no build step, the .po file is the source."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return Translations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


def gettext(lang: str, msgid: str) -> str:
    return translations(lang).gettext(msgid)


def negotiate(accept_language: str | None) -> str:
    """Pick ja or en from an Accept-Language header (quality values honoured)."""
    choices: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, q = part.strip().partition(";q=")
        primary = tag.split("-")[0].strip().lower()
        if primary in settings.LANGUAGES:
            try:
                choices.append((float(q) if q else 1.0, -i, primary))
            except ValueError:
                continue
    return max(choices)[2] if choices else settings.DEFAULT_LANGUAGE


class Msgid(str):
    """A message parameter that is itself a msgid (a status name, say): translated with the
    message it fills in."""


class Day(str):
    """A message parameter that is a calendar day, kept as ISO text: written the reader's way
    (2026/11/29, Nov 29, 2026) where the message is translated for a known language."""

    @classmethod
    def of(cls, value: date) -> "Day":
        return cls(value.isoformat())

    def shown(self, lang: str) -> str:
        from app.formatting import format_day  # lazily: formatting is a leaf module, i18n a root

        try:
            return format_day(date.fromisoformat(self), lang)
        except ValueError:
            return str(self)


class Translator:
    """`_` for one language: a callable like gettext that also knows its language, so that a
    message's Day parameters are written for its reader (app.errors)."""

    __slots__ = ("lang",)

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, msgid: str) -> str:
        return gettext(self.lang, msgid)


def language_of(translate: object) -> str | None:
    """The language of a translating callable: a Translator, or a bound `gettext` of an object
    with a `lang` (the GraphQL context); None for any other."""
    return getattr(translate, "lang", None) or getattr(getattr(translate, "__self__", None), "lang", None)


def N_(msgid: str) -> str:
    """Mark a string for the catalog without translating it here (translated where shown)."""
    return msgid


_SIZE_UNITS = ("digital-kilobyte", "digital-megabyte", "digital-gigabyte", "digital-terabyte")


def format_size(size: int, lang: str) -> str:
    """A file size for people, in the user's locale: `26 bytes`, `26 バイト`, `1.2 kB`, `10.4 MB`.

    Decimal units (1 kB = 1,000 bytes, as CLDR names them), one decimal at most; bytes are shown as
    bytes, never as `0.0 KB`."""
    if size < 1000:
        return format_unit(size, "digital-byte", length="long", locale=lang)
    value, unit = size / 1000, 0
    while round(value, 1) >= 1000 and unit < len(_SIZE_UNITS) - 1:
        value, unit = value / 1000, unit + 1
    return format_unit(value, _SIZE_UNITS[unit], length="short", format="#,##0.#", locale=lang)
