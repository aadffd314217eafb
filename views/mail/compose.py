"""Writing e-mail: the page face of app.services.mail_compose.

"Write e-mail" in the Mail panel of a contact, lead, account or deal opens the form from
`<record url>/mail/compose`; "Reply" on an e-mail's page and in mail rows opens it from
`/mail/emails/{id}/reply`, "Reply all" from `/mail/emails/{id}/reply?all=1` (who they go to is
app.services.mail_compose.reply_recipients). With htmx the form comes into the page's
`#mail-compose`; without, it is a page of its own. It posts back to the URL it came from, and
the URL says what the mail is written from: a record the user may see (a deal's id goes along,
so the mail is associated with that deal) or an e-mail the user may see (its Message-ID goes
along, so the reply threads).

The form is multipart: files chosen (`attachments`) go with the mail, and a reply offers the
original's files to send again (`attachment_ids`); the service bounds them (count, total size), and
these routes take that much more than a form (app.limits.mail_compose_limit). A form answered
again cannot keep the files chosen (browsers do not allow it): it says so.

The sender is one of the user's own enabled mailboxes (the service refuses any other). Sending
answers `HX-Location` (303 without htmx): back to the record, or to the reply's own page. A
refusal answers the form again (422) with the field's messages, and the SMTP server's reason
(DeliveryFailed) as the form's own message: nothing is stored then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.expressions import Subquery
from tortoise.models import Model

from app import cleaning
from app.errors import DeliveryFailed, ValidationError
from app.limits import limit_body, mail_compose_limit
from app.models import Account, Contact, Deal, DealContact, Email, EmailAttachment, EmailCopy, Mailbox
from app.permissions import Principal, restrict
from app.services import mail, mail_compose, mailboxes
from views import accounts, contacts, deals, leads
from views.htmx import is_partial, redirect_after_post, targets
from views.pages import page
from views.records import RecordPages, error_map
from views.templating import babel_datetime, render, translator

FIELDS = ("mailbox_id", "to", "cc", "subject", "body", "attachments")
TEXT_FIELDS = ("mailbox_id", "to", "cc", "subject", "body", "deal_id")
# Parts a post may have: more files than the service allows still answer the form (422); past
# these, the form parser refuses the request (400).
FORM_FILES_MAX = FORM_FIELDS_MAX = 100
ORIGINALS_MAX = 50  # of the original's files offered on a reply
FORM_TARGETS = ("mail-compose", "compose-form")  # the elements a fragment is swapped into
QUOTE_MAX = 20_000  # characters of the original quoted in a reply: the body's limit is 100,000
COMPOSE_PAGES = tuple(p for p in (contacts.pages, leads.pages, accounts.pages, deals.pages) if p.compose)


async def own_mailboxes(principal: Principal) -> list[Mailbox]:
    """The mailboxes the user may send from, the default first."""
    return await mailboxes.mine(principal).filter(enabled=True)


async def recipients_of(principal: Principal, obj: Model) -> list[str]:
    """The To of mail written from a record: its address, or its contacts' (those the user may
    see), one address per person, without repeats, within the service's bound."""
    if isinstance(obj, Contact):
        rows = [(obj.email, obj.secondary_email)]
    elif isinstance(obj, Deal | Account):
        people = (Contact.filter(id__in=Subquery(DealContact.filter(deal_id=obj.id).values("contact_id")))
                  if isinstance(obj, Deal) else Contact.filter(account_id=obj.id))
        rows = await restrict(people, principal).order_by("id").limit(mail_compose.RECIPIENTS_MAX).values_list(
            "email", "secondary_email")
    else:  # a lead
        rows = [(obj.email, "")]
    return mail_compose.unique_addresses(primary or secondary for primary, secondary in rows)


# ---- the form ----------------------------------------------------------------------------------


def _fragment(request: Request) -> bool:
    return (request.method == "POST" and is_partial(request)) or any(targets(request, t) for t in FORM_TARGETS)


def _render(request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    errors = context.setdefault("errors", {})
    # An error on no field of the form (the mailbox's own address, say) is the form's own.
    context["form_errors"] = [m for key, messages in errors.items() if key not in FIELDS for m in messages]
    context.setdefault("problem", "")
    context.setdefault("originals", [])
    context.setdefault("reattach", False)
    context.setdefault("reply_all", False)
    context["fields"] = FIELDS
    context["attachments_max"] = mail_compose.ATTACHMENTS_MAX
    context["attachments_max_mb"] = mail_compose.attachments_max_mb()
    template = "mail/_compose_form.html" if _fragment(request) else "mail/compose.html"
    return render(request, template, context, status_code=status_code)


async def _posted(request: Request) -> tuple[dict[str, Any], list[mail_compose.Upload], list[str]]:
    """The form's values, the files chosen (a file input left empty sends a nameless empty
    part) and the original's files ticked. The route's body limit bounds what is read."""
    async with request.form(max_files=FORM_FILES_MAX, max_fields=FORM_FIELDS_MAX) as form:
        values: dict[str, Any] = {name: str(form.get(name) or "") for name in TEXT_FIELDS}
        uploads = [mail_compose.Upload(item.filename or "", await item.read())
                   for item in form.getlist("attachments")
                   if isinstance(item, UploadFile) and (item.filename or item.size)]
        ids = [item for item in form.getlist("attachment_ids") if isinstance(item, str)]
    values["attachment_ids"] = set(ids)
    return values, uploads, ids


async def _send(request: Request, context: dict[str, Any], *, deal_id: Any = None,
                reply_to_id: int | None = None, done: Callable[[Email], str]) -> Response:
    values, uploads, ids = await _posted(request)
    if reply_to_id is not None:
        # Written from a deal's Mail panel: the service checks the deal is one the user may see.
        deal_id = context["deal_id"] = values["deal_id"] or None
    context = {**context, "values": values, "reattach": bool(uploads)}
    try:
        email = await mail_compose.send(
            request.state.principal, mailbox_id=values["mailbox_id"], to=values["to"], cc=values["cc"],
            subject=values["subject"], body=values["body"], reply_to_id=reply_to_id, deal_id=deal_id,
            attachments=uploads, attachment_ids=ids)
    except ValidationError as exc:
        return _render(request, {**context, "errors": error_map(exc, request)}, 422)
    except DeliveryFailed as exc:
        return _render(request, {**context, "problem": exc.render(translator(request))}, 422)
    return redirect_after_post(request, done(email))


# ---- from a record -----------------------------------------------------------------------------


def record_compose(pages: RecordPages):
    async def compose(request: Request) -> Response:
        principal: Principal = request.state.principal
        obj = await pages.service.get(principal, request.path_params["id"])
        boxes = await own_mailboxes(principal)
        context = {"action": pages.url(obj, "mail/compose"), "back": pages.url(obj), "pages": pages,
                   "record": obj, "reply": None, "deal_id": None, "mailboxes": boxes}
        if request.method == "POST":
            # The deal is the page's own, never the form's: mail written here is associated with it.
            return await _send(request, context, deal_id=obj.id if isinstance(obj, Deal) else None,
                               done=lambda _email: pages.url(obj))
        values = {"mailbox_id": str(boxes[0].id) if boxes else "", "cc": "", "subject": "", "body": "",
                  "to": ", ".join(await recipients_of(principal, obj)), "attachment_ids": set()}
        return _render(request, {**context, "values": values})

    compose.__name__ = f"{pages.module}_compose"
    return compose


# ---- a reply -----------------------------------------------------------------------------------


def quote(request: Request, email: Email) -> str:
    """The original under an "On <date>, <name> wrote:" line, every line "> "-prefixed."""
    _ = translator(request)
    name = email.from_name or email.from_email
    if email.sent_at:
        head = _("On %(date)s, %(name)s wrote:") % {"date": babel_datetime(request, email.sent_at, "long"),
                                                     "name": name}
    else:
        head = _("%(name)s wrote:") % {"name": name}
    text = email.text_body.strip("\r\n")
    lines = text[:QUOTE_MAX].splitlines()
    if len(text) > QUOTE_MAX:
        lines[-1:] = ["[…]"]  # the cut line is dropped whole
    return "\n".join([head, *(f"> {line}".rstrip() for line in lines)])


async def _visible_deal(principal: Principal, value: Any) -> int | None:
    pk = cleaning.pk(value) if value else None
    if pk is None:
        return None
    return pk if await restrict(Deal.filter(id=pk), principal).exists() else None


async def email_reply(request: Request) -> Response:
    principal: Principal = request.state.principal
    original = await mail.get_email(principal, request.path_params["id"])
    boxes = await own_mailboxes(principal)
    reply_all = request.query_params.get("all") == "1"
    # "Reply all" keeps its name when the form comes back: the query goes along with the post.
    context = {"action": f"/mail/emails/{original.id}/reply" + ("?all=1" if reply_all else ""),
               "back": f"/mail/emails/{original.id}",
               "pages": None, "record": None, "reply": original, "reply_all": reply_all, "mailboxes": boxes,
               # The original's files, to send again (ticked ones only).
               "originals": await EmailAttachment.filter(email_id=original.id, inline=False).order_by("id").limit(
                   ORIGINALS_MAX)}
    if request.method == "POST":
        return await _send(request, context, reply_to_id=original.id, done=lambda email: f"/mail/emails/{email.id}")
    context["deal_id"] = await _visible_deal(principal, request.query_params.get("deal_id"))
    # The mailbox that holds the original answers it, if it is one of the user's.
    held = await EmailCopy.filter(email_id=original.id, mailbox_id__in=[b.id for b in boxes]).order_by(
        "id").values_list("mailbox_id", flat=True) if boxes else []
    to, cc = await mail_compose.reply_recipients(principal, original, reply_all=reply_all)
    values = {"mailbox_id": str(held[0] if held else boxes[0].id) if boxes else "", "to": ", ".join(to),
              "cc": ", ".join(cc), "subject": mail_compose.reply_subject(original.subject),
              "body": "\n\n" + quote(request, original), "attachment_ids": set()}
    return _render(request, {**context, "values": values})


routes = [
    *(limit_body(Route(p.url() + "/{id:id}/mail/compose", page(record_compose(p), p.module), methods=["GET", "POST"]),
                 mail_compose_limit())
      for p in COMPOSE_PAGES),
    limit_body(Route("/mail/emails/{id:id}/reply", page(email_reply), methods=["GET", "POST"]), mail_compose_limit()),
]
