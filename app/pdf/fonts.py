"""Fonts for Japanese PDFs: an embedded TrueType font when one is configured or found (with its
bold face when one sits beside it), else reportlab's built-in Japanese CID fonts (no file needed,
not embedded: viewers substitute; no bold: titles and totals fall back to the regular face)."""

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
# OpenType/CFF fonts (every Noto CJK file, fonts-noto-cjk's Bold included) cannot be embedded
# and are skipped when they fail. BIZ UD Gothic (Debian fonts-morisawa-bizud-gothic) is
# TrueType and ships a bold face.
CANDIDATES = (
    "/usr/share/fonts/truetype/bizud-gothic/BIZUDPGothic-Regular.ttf",
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
    bold: str  # the regular face again when no bold face was found
    embedded: bool
    source: str | None = None
    bold_source: str | None = None

    @property
    def has_bold(self) -> bool:
        return self.bold != self.regular


def _register_ttf(path: Path) -> str | None:
    name = "KizunaJP-" + path.stem
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    try:
        pdfmetrics.registerFont(TTFont(name, str(path)))
    except (TTFError, OSError, KeyError, ValueError):
        return None
    return name


def _is_bold_name(stem: str) -> bool:
    return "bold" in stem.lower()


def bold_beside(regular: Path) -> list[Path]:
    """Where the bold face of `regular` would be, by the usual file names: Foo-Regular.ttf ->
    Foo-Bold.ttf, Foo.ttf -> Foo-Bold.ttf / FooBold.ttf / Foob.ttf."""
    stem, suffix = regular.stem, regular.suffix
    stems = [stem.replace("Regular", "Bold")] if "Regular" in stem else []
    stems += [f"{stem}-Bold", f"{stem}Bold", f"{stem}b"]
    return [regular.with_name(s + suffix) for s in stems]


def _in_directory(directory: Path) -> tuple[Path, ...]:
    """The TrueType files of a directory that are not bold faces, in name order."""
    return tuple(p for p in sorted(directory.glob("*.tt[fc]")) if not _is_bold_name(p.stem))


def _bold_of(regular: Path, configured: str | None) -> tuple[str, str] | tuple[None, None]:
    for candidate in ([Path(configured)] if configured else []) + bold_beside(regular):
        if candidate.is_file() and (name := _register_ttf(candidate)):
            return name, str(candidate)
    return None, None


@lru_cache(maxsize=8)
def font_set(path_override: str | None = None) -> FontSet:
    """`path_override`: a TTF path or a directory to look in, or "" to force the CID fonts
    (tests); None: the configured font, else the first one found in the usual places."""
    with _lock:
        configured_bold = None
        if path_override == "":
            paths: tuple[Path, ...] = ()
        elif path_override:
            override = Path(path_override)
            paths = _in_directory(override) if override.is_dir() else (override,)
        else:
            configured_bold = settings.PDF_FONT_BOLD
            paths = tuple(map(Path, ((settings.PDF_FONT,) if settings.PDF_FONT else ()) + CANDIDATES))
        for path in paths:
            if path.is_file() and (name := _register_ttf(path)):
                bold, bold_source = _bold_of(path, configured_bold)
                return FontSet(regular=name, bold=bold or name, embedded=True, source=str(path),
                               bold_source=bold_source)
        if CID_REGULAR not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CID_REGULAR))
        return FontSet(regular=CID_REGULAR, bold=CID_REGULAR, embedded=False)
