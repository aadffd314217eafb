"""File responses that are always downloads: an uploaded page can never run in our origin."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """RFC 6266: an ASCII fallback plus the UTF-8 name (`請求書_INV-00001.pdf`)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment(body: bytes, filename: str, content_type: str, *, inline: bool = False,
               headers: dict[str, str] | None = None) -> Response:
    """`inline` only for PDFs and images we produced or checked; never for anything HTML-like."""
    return Response(body, media_type=content_type, headers={
        "Content-Disposition": content_disposition(filename, "inline" if inline else "attachment"),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
        **(headers or {}),
    })
