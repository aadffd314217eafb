"""Uploading .eml and Outlook .msg files (issue 14): on the Mail page (/mail) and onto a lead,
contact or deal (the upload control of its Mail panel). A file input that takes several files;
static/js/mail_upload.js adds dropping files on the control. Every rule is in app.mail.uploads.

- Onto a record: the e-mails are added to it at once; the control answers itself with a message
  and tells the Mail list to reload (`HX-Trigger: mail-uploaded`).
- On the Mail page: one e-mail opens its page (with its actions); several are listed with their
  actions menus, where the user adds them to a record found by search, makes a case, a lead or
  a contact (views/mail_actions.py, the same menu as everywhere).

Bodies are bounded by the route (app.limits) and files by count and size (app.mail.uploads);
a refusal answers the control again with its messages (422).
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from app import settings
from app.errors import Conflict, ValidationError
from app.limits import limit_body
from app.mail import uploads
from app.models import Email
from app.permissions import Principal
from app.services import mail
from app.services.mail import MailFilter, Source
from views import contacts, deals, leads
from views.htmx import is_partial, redirect_after_post
from views.mail.tabs import rows_context
from views.pages import page
from views.records import RecordPages, error_map, int_param
from views.templating import render, translator

CONTROL = "mail/_upload.html"
RECENT = 25
# Record pages whose Mail panel takes files (mail/_panel.html names the same modules).
RECORD_TYPES = {contacts.pages.module: "contact", leads.pages.module: "lead", deals.pages.module: "deal"}


def body_limit() -> int:
    """A request carries at most one file's worth (several smaller files are fine) plus the form."""
    return settings.MAIL_UPLOAD_MAX_BYTES + settings.UPLOAD_MARGIN_BYTES


async def _files(request: Request) -> tuple[list[uploads.UploadedFile], bool]:
    """The files posted, read to at most one byte over the size limit each (the service refuses
    them by name), and whether their attachments are kept. Too many files: the service's message."""
    async with request.form(max_files=uploads.FILES_MAX + 1, max_fields=10) as form:
        files = [uploads.UploadedFile(item.filename or "", await item.read(settings.MAIL_UPLOAD_MAX_BYTES + 1))
                 for item in form.getlist("files")
                 if isinstance(item, UploadFile) and (item.filename or item.size)]
        keep = form.get("attachments") is not None or form.get("form") != "1"
    return files, keep


def _control(request: Request, action: str, *, status_code: int = 200, **extra: Any) -> Response:
    """The control again (a fragment), or for a plain form's refusal a page with it."""
    context = {"action": action, "errors": {}, "problem": "", "added": 0, "stored": 0, "on_record": False,
               "emails": [], **extra}
    template = CONTROL if is_partial(request) else "mail/upload_page.html"
    return render(request, template, context, status_code=status_code)


async def _store(request: Request, **options: Any) -> list[Email] | dict[str, Any]:
    """Upload; the e-mails, or what the control shows instead (errors, a problem)."""
    try:
        files, keep = await _files(request)
    except HTTPException:  # more parts than the form takes: more files than allowed
        _ = translator(request)
        return {"errors": {"files": [_(uploads.TOO_MANY) % {"count": uploads.FILES_MAX}]}}
    try:
        return await uploads.upload(request.state.principal, files, include_attachments=keep, **options)
    except ValidationError as exc:
        return {"errors": error_map(exc, request)}
    except Conflict as exc:
        return {"problem": exc.render(translator(request))}


# ---- onto a record ---------------------------------------------------------------------------------


def record_upload(pages: RecordPages):
    async def upload(request: Request) -> Response:
        principal: Principal = request.state.principal
        obj = await pages.service.get(principal, request.path_params["id"], "create_edit")
        action = pages.url(obj, "mail/upload")
        outcome = await _store(request, record_type=RECORD_TYPES[pages.module], record_id=obj.id)
        if isinstance(outcome, dict):
            return _control(request, action, status_code=422, on_record=True, back=pages.url(obj), **outcome)
        if not is_partial(request):
            return RedirectResponse(pages.url(obj, "mail"), status_code=303)
        response = _control(request, action, added=len(outcome), on_record=True)
        response.headers["HX-Trigger"] = "mail-uploaded"
        return response

    upload.__name__ = f"{pages.module}_mail_upload"
    return upload


# ---- the Mail page ------------------------------------------------------------------------------------


async def _listing(principal: Principal, emails: list[Email]) -> dict[str, Any]:
    return {"emails": emails, "record": None, "record_module": None, "offer_association": False,
            **await rows_context(principal, emails)}


async def mail_page(request: Request) -> Response:
    """Upload files, and the e-mails the user uploaded, newest first; with `?people=known` (the
    home page's mail block links here) every e-mail the user sees exchanged with their contacts
    and leads instead."""
    principal: Principal = request.state.principal
    page_no = int_param(request.query_params.get("page"), 1, 1, 10_000)
    known = request.query_params.get("people") == "known"
    if known:
        queryset = mail.with_known_people(principal, mail.visible(principal))
    else:
        queryset = mail.visible(principal, MailFilter(Source.UPLOADED))
    emails = await mail.page(queryset, limit=RECENT + 1, offset=(page_no - 1) * RECENT)
    context = {"action": "/mail/upload", "errors": {}, "problem": "", "added": 0, "stored": 0, "on_record": False,
               "page": page_no, "has_next": len(emails) > RECENT, "known": known,
               **await _listing(principal, emails[:RECENT])}
    return render(request, "mail/index.html", context)


async def mail_upload(request: Request) -> Response:
    principal: Principal = request.state.principal
    outcome = await _store(request)
    if isinstance(outcome, dict):
        return _control(request, "/mail/upload", status_code=422, back="/mail", **outcome)
    if len(outcome) == 1:
        return redirect_after_post(request, f"/mail/emails/{outcome[0].id}")
    if not is_partial(request):
        return RedirectResponse("/mail", status_code=303)
    return _control(request, "/mail/upload", stored=len(outcome), **await _listing(principal, outcome))


routes = [
    Route("/mail", page(mail_page)),
    limit_body(Route("/mail/upload", page(mail_upload), methods=["POST"]), body_limit()),
    *(limit_body(Route(p.url() + "/{id:id}/mail/upload", page(record_upload(p), p.module), methods=["POST"]),
                 body_limit()) for p in (contacts.pages, leads.pages, deals.pages)),
]
