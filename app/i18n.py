"""Translation catalogs (ja, en) read from .po files at start-up, and language negotiation."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

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


def N_(msgid: str) -> str:
    """Mark a string for the catalog without translating it here (translated where shown)."""
    return msgid
