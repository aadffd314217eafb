"""Fonts for Japanese PDFs: an embedded TrueType font when one is configured or found, else
reportlab's built-in Japanese CID fonts (no file needed, not embedded: viewers substitute)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from app import settings

# Where Debian and friends put Japanese TrueType fonts. reportlab embeds TrueType outlines only:
# OpenType/CFF fonts (most Noto CJK files) cannot be embedded and are skipped when they fail.
CANDIDATES = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/takao-gothic/TakaoGothic.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
)
CID_REGULAR = "HeiseiKakuGo-W5"
_lock = threading.Lock()


@dataclass(frozen=True)
class FontSet:
    regular: str
    bold: str
    embedded: bool
    source: str | None = None


def _register_ttf(path: str) -> str | None:
    name = "KizunaJP-" + Path(path).stem
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    try:
        pdfmetrics.registerFont(TTFont(name, path))
    except (TTFError, OSError, KeyError, ValueError):
        return None
    return name


@lru_cache(maxsize=8)
def font_set(path_override: str | None = None) -> FontSet:
    """`path_override`: a TTF path, or "" to force the CID fonts (tests); None: configured/found."""
    with _lock:
        if path_override == "":
            paths: tuple[str, ...] = ()
        elif path_override:
            paths = (path_override,)
        else:
            paths = ((settings.PDF_FONT,) if settings.PDF_FONT else ()) + CANDIDATES
        for path in paths:
            if Path(path).is_file() and (name := _register_ttf(path)):
                return FontSet(regular=name, bold=name, embedded=True, source=path)
        if CID_REGULAR not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CID_REGULAR))
        return FontSet(regular=CID_REGULAR, bold=CID_REGULAR, embedded=False)
