"""An e-mail's own page (/mail/emails/{id}), its HTML body frame, its inline images and its files.

Every URL here reads the e-mail through app.services.mail.get_email first: mail the user may not
see (another user's private mailbox) is a 404 on the page, the body, a cid: image and a file.

The HTML body is never part of the page: it is served on its own URL into
`<iframe sandbox>` (no allow-scripts, no allow-same-origin) with its own policy
(app.mail.html's frame CSP: no script, no connections, images from data: and, once the reader
allows them, the web). It is sanitized when stored and again here (a row stored by an older
sanitizer is cleaned by the current one). Remote images are held back until the reader asks
(`?images=1`). A sandboxed frame without allow-same-origin is another site for cookies, so it
cannot fetch Kizuna URLs with the session: inline cid: images are embedded as data: URLs (up to a
budget; beyond it they point at /mail/emails/{id}/cid/<content-id>, which a reader can open).
Files are always downloads: `attachment`, nosniff, a sandbox policy, and a type that a browser
would render (HTML, SVG, XML...) sent as application/octet-stream.
"""

from __future__ import annotations

import asyncio
import base64
import html as htmllib
import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from app import cleaning
from app.errors import NotFound
from app.mail import html as mail_html
from app.mail import quotes
from app.mail import blobs
from app.models import Contact, Email, EmailAttachment, EmailParticipant, Lead, ParticipantRole
from app.permissions import Principal
from app.services import mail
from views.downloads import attachment_headers
from views.mail.tabs import rows_context
from views.pages import page
from views.templating import render

# Types a browser shows as an image and nothing else (no SVG: it is a document that runs script).
RASTER_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})
# Files sent with their own type; anything else goes as application/octet-stream.
DOWNLOAD_TYPES = RASTER_TYPES | {
    "application/pdf", "text/plain", "text/csv", "application/zip", "application/msword",
    "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
EMBED_MAX_BYTES = 8 * 1024 * 1024  # inline images embedded in one body, in all
SPLIT_IN_THREAD_CHARS = 20_000  # a longer text is split in a worker thread
_CID_SRC = re.compile(r'(\ssrc=")cid:([^"]*)(")', re.IGNORECASE)
FRAME_STYLE = ("body{font-family:system-ui,-apple-system,'Segoe UI','Hiragino Sans','Noto Sans JP',Meiryo,sans-serif;"
               "font-size:15px;line-height:1.5;color:#1f2933;margin:0;padding:.5rem;overflow-wrap:anywhere}"
               "img{max-width:100%}")


def content_id(value: str) -> str:
    """A Content-ID as headers, cid: URLs and the store write it: `<a@b>`, `a%40b`, `a@b`."""
    return unquote(htmllib.unescape(value)).strip().strip("<>").strip()


# ---- people ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    address: str
    name: str
    href: str | None = None  # the contact or lead the user may see with this address
    record: str = ""  # its name


async def _known(principal: Principal, addresses: set[str]) -> dict[str, tuple[str, str]]:
    """Address -> (link, name) of the contact (first: seed 003 ranks contacts above leads) or the
    lead with it, among those the user may see (services.mail, as GraphQL reads them)."""
    found: dict[str, tuple[str, str]] = {}
    for model, base in ((Contact, "/contacts"), (Lead, "/leads")):
        for address, records in (await mail.people_by_address(principal, model, addresses)).items():
            found.setdefault(address, (f"{base}/{records[0].id}", str(records[0])))
    return found


async def people_of(principal: Principal, email: Email) -> dict[str, list[Person]]:
    """From, To and Cc, each address linked to the contact or lead the user may see with it."""
    participants = await EmailParticipant.filter(email_id=email.id).order_by("id")
    if not participants and email.from_email:  # an e-mail stored before participants were kept
        participants = [EmailParticipant(role=ParticipantRole.FROM, address=email.from_email, name=email.from_name)]
    known = await _known(principal, {p.address for p in participants})
    roles: dict[str, list[Person]] = defaultdict(list)
    for p in participants:
        href, record = known.get(p.address, (None, ""))
        roles[p.role.value].append(Person(p.address, p.name, href, record))
    return roles


# ---- the page ----------------------------------------------------------------------------------


async def split_text(text: str) -> tuple[str, str]:
    """The text as read (visible) and what it quotes or signs (collapsed on the page)."""
    if not text:
        return "", ""
    if len(text) > SPLIT_IN_THREAD_CHARS:
        return await asyncio.to_thread(quotes.split, text)
    return quotes.split(text)


async def email_detail(request: Request) -> Response:
    principal: Principal = request.state.principal
    email = await mail.get_email(principal, request.path_params["id"])
    images = request.query_params.get("images") == "1"
    thread = await mail.thread_of(principal, email)
    if all(e.id != email.id for e in thread):
        thread = [email]  # a thread longer than a page: the e-mail itself is always listed
    visible, quoted = await split_text(email.text_body)
    blocked = 0
    if email.html_body and not images:
        _, blocked = await asyncio.to_thread(mail_html.block_remote_images, email.html_body)
    row = await rows_context(principal, thread)
    context = {
        "email": email, "people": await people_of(principal, email),
        "holders": await mail.mailboxes_holding(principal, email),
        "attachments": await EmailAttachment.filter(email_id=email.id, inline=False).order_by("id"),
        "thread": thread, "text": visible, "quoted": quoted, "images": images, "blocked": blocked,
        "deal_link": row["deal_links"].get(email.id), **row,
        # seed 004: an e-mail's own page offers association (the actions template reads this)
        "offer_association": True, "record": None, "record_module": None,
    }
    context["deal"] = context["deals"].get(context["deal_link"].deal_id) if context["deal_link"] else None
    return render(request, "mail/email.html", context)


# ---- the body frame ----------------------------------------------------------------------------


async def _embed_inline_images(email: Email, html: str) -> str:
    """cid: references -> data: URLs of the e-mail's inline images (bounded), else their URL."""
    wanted = {content_id(m.group(2)) for m in _CID_SRC.finditer(html)}
    if not wanted:
        return html
    parts = await EmailAttachment.filter(email_id=email.id).exclude(content_id="").select_related("blob")
    by_cid = {}
    for part in parts:
        by_cid.setdefault(content_id(part.content_id), part)
        by_cid.setdefault(content_id(part.content_id).casefold(), part)
    data: dict[str, str] = {}
    budget = EMBED_MAX_BYTES
    for cid in sorted(wanted):
        part = by_cid.get(cid) or by_cid.get(cid.casefold())
        if part is None or part.content_type.lower() not in RASTER_TYPES or part.size > budget:
            continue
        path = blobs.path(part.blob.sha256)
        try:
            raw = await asyncio.to_thread(path.read_bytes)
        except OSError:
            continue
        budget -= len(raw)
        data[cid] = f"data:{part.content_type.lower()};base64,{base64.b64encode(raw).decode()}"

    def swap(match: re.Match[str]) -> str:
        cid = content_id(match.group(2))
        url = data.get(cid) or f"/mail/emails/{email.id}/cid/{quote(cid, safe='')}"
        return f"{match.group(1)}{url}{match.group(3)}"

    return _CID_SRC.sub(swap, html)


def frame_document(body: str, lang: str) -> str:
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="referrer" content="no-referrer"><style>{FRAME_STYLE}</style></head>'
            f"<body>{body}</body></html>")


def _frame_html(html: str, images: bool) -> str:
    """In a worker thread: sanitize again, and hold remote images back unless allowed."""
    clean = mail_html.sanitize(html)
    return clean if images else mail_html.block_remote_images(clean)[0]


async def email_body(request: Request) -> Response:
    email = await mail.get_email(request.state.principal, request.path_params["id"])
    if not email.html_body:
        raise NotFound()
    images = request.query_params.get("images") == "1"
    html = await asyncio.to_thread(_frame_html, email.html_body, images)
    html = await _embed_inline_images(email, html)
    policy = mail_html.frame_csp(remote_images=True) if images else mail_html.MAIL_FRAME_CSP
    headers = {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "SAMEORIGIN",  # framed by the e-mail's page only
        "Referrer-Policy": "no-referrer",  # remote images (once allowed) learn nothing of our URLs
    }
    return Response(frame_document(html, request.state.lang), media_type="text/html; charset=utf-8",
                    headers=headers)


async def email_cid(request: Request) -> Response:
    """An inline image of the e-mail, by its Content-ID: raster images only, never a document."""
    email = await mail.get_email(request.state.principal, request.path_params["id"])
    wanted = content_id(request.path_params["cid"])
    parts = await EmailAttachment.filter(email_id=email.id).exclude(content_id="").select_related("blob")
    part = next((p for p in parts if content_id(p.content_id) == wanted), None) or next(
        (p for p in parts if content_id(p.content_id).casefold() == wanted.casefold()), None)
    if part is None or part.content_type.lower() not in RASTER_TYPES:
        raise NotFound()
    path = blobs.path(part.blob.sha256)
    if not path.is_file():
        raise NotFound()
    headers = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox",
               "Cache-Control": "private, max-age=3600"}
    return FileResponse(path, media_type=part.content_type.lower(), headers=headers)


async def attachment_download(request: Request) -> Response:
    """A file of an e-mail, as a download, for users who may see the e-mail."""
    pk = cleaning.pk(request.path_params["id"])
    part = await EmailAttachment.get_or_none(id=pk or 0).select_related("blob")
    if part is None:
        raise NotFound()
    await mail.get_email(request.state.principal, part.email_id)
    path = blobs.path(part.blob.sha256)
    if not path.is_file():
        raise NotFound()
    media_type = part.content_type.lower() if part.content_type.lower() in DOWNLOAD_TYPES else "application/octet-stream"
    return FileResponse(path, media_type=media_type, headers=attachment_headers(part.filename or "attachment"))


routes = [
    Route("/mail/emails/{id:id}", page(email_detail)),
    Route("/mail/emails/{id:id}/body", page(email_body)),
    Route("/mail/emails/{id:id}/cid/{cid:path}", page(email_cid)),
    Route("/mail/attachments/{id:id}", page(attachment_download)),
]
