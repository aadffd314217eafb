"""Headers of a file sent as a download. Uploaded files and PDFs are only ever saved, never shown
in our origin: `attachment`, no type sniffing, and a sandbox should a browser render it anyway."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from starlette.responses import Response

_UNSAFE = re.compile(r"[^A-Za-z0-9._()\- ]+")


def ascii_fallback(filename: str) -> str:
    """`請求書_INV-00001.pdf` -> `INV-00001.pdf`, for clients that ignore RFC 5987 `filename*`."""
    text = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = ext, ""
    stem = _UNSAFE.sub("_", stem).strip("_ .") or "download"
    ext = _UNSAFE.sub("", ext)
    return f"{stem}.{ext}" if ext else stem


def attachment_headers(filename: str) -> dict[str, str]:
    disposition = f"attachment; filename=\"{ascii_fallback(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"
    return {
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
        "Cache-Control": "private",
    }


def attachment(body: bytes, filename: str, content_type: str, headers: dict[str, str] | None = None) -> Response:
    return Response(body, media_type=content_type, headers={**attachment_headers(filename), **(headers or {})})
