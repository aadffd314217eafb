"""What can be done with one e-mail, as htmx endpoints behind `mail/_actions.html`: the deal
association (associate, change, dissociate, a new deal on the spot), "Add e-mail to" (an estimate,
an invoice or a contact's activity), each attachment's menu, and seed 003's actions (add to a
record found by search, a lead or contact from the sender, a case).

The partial included in e-mail rows is a closed menu: it costs no query. Opening it loads the
menu (`GET /mail/<id>/actions`), whose lists come from app.services.email_actions/email_books.
Each form answers the menu again, with a message (200) or its errors (422); without htmx the same
URLs answer whole pages (a 303 back to the menu page after success).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from app import search
from app.errors import Conflict, PermissionDenied, ValidationError
from app.i18n import N_
from app.models import Contact, ContactType, Deal, Email, EmailAttachment, Kind, Lead, Stage
from app.permissions import Principal, can, restrict
from app.services import email_actions as actions
from app.services import email_books as books
from app.services.mail import get_email
from views.books.kinds import PAGES_OF_KIND
from views.choices import CASE_STATUS
from views.htmx import is_partial, redirect_after_post
from views.pages import page
from views.records import error_map
from views.templating import render, translator

MENU = "mail/_actions_menu.html"
SEARCH_LIMIT = 20
RECORD_TYPES = (("contact", N_("Contact")), ("lead", N_("Lead")), ("deal", N_("Deal")))
NEW_KINDS = ((Kind.ESTIMATE.value, N_("Estimate")), (Kind.INVOICE.value, N_("Invoice")))


@dataclass(frozen=True)
class Done:
    """What a successful action says, and where its record is."""

    message: str
    href: str | None = None
    label: str | None = None


async def _offers_association(request: Request) -> bool:
    """Whether the menu was opened where seed 004 offers deal association (a contact's or a
    deal's Mail list, the e-mail's page): they ask with `association=1`."""
    if request.query_params.get("association") == "1":
        return True
    return request.method == "POST" and (await request.form()).get("association") == "1"


async def _context(request: Request, email: Email, **extra: Any) -> dict[str, Any]:
    p: Principal = request.state.principal
    offer = await _offers_association(request) and p.has("deals", "view")
    link, deal = await actions.association_of(p, email) if offer else (None, None)
    transactions = await books.transactions_offered(p, email)
    contacts = await actions.contacts_offered(p, email) if p.has("contacts", "view") else []
    books_contacts = await books.books_contacts_offered(p, email)
    context = {
        "email": email,
        "association": link,
        "associated_deal": deal,
        "offer_association": offer,
        "deals": await actions.deals_offered(p, email) if offer else [],
        "contacts": contacts,
        # Writing on a contact's activity takes the right to edit the contact.
        "activity_contacts": [c for c in contacts if can(p, "create_edit", c)],
        "books_contacts": books_contacts,
        "customers": [c for c in books_contacts if c.contact_type == ContactType.CUSTOMER],
        "estimates": [t for t in transactions if t.kind == Kind.ESTIMATE],
        "invoices": [t for t in transactions if t.kind == Kind.INVOICE],
        "attachments": await EmailAttachment.filter(email_id=email.id, inline=False).order_by("id").limit(50),
        "stages": await Stage.all().order_by("sort_order", "id") if p.has("deals", "create_edit") else [],
        "case_statuses": CASE_STATUS,
        "record_types": [(v, label) for v, label in RECORD_TYPES if p.has(f"{v}s", "create_edit")],
        "new_kinds": [(v, label) for v, label in NEW_KINDS if p.has(f"{v}s", "create_edit")],
        "txn_url": lambda t: PAGES_OF_KIND[t.kind].url(t),
        "errors": {},
        "failed": "",
        "values": {},
        "done": None,
        "problem": "",
    }
    context.update(extra)
    return context


async def _menu(request: Request, email: Email, status_code: int = 200, **extra: Any) -> Response:
    template = MENU if is_partial(request) else "mail/actions.html"
    return render(request, template, await _context(request, email, **extra), status_code=status_code)


async def email_actions(request: Request) -> Response:
    email = await get_email(request.state.principal, request.path_params["id"])
    return await _menu(request, email)


Action = Callable[[Request, Principal, Email, FormData], Awaitable["Done | Response"]]


def _action(name: str, run: Action) -> Callable[[Request], Awaitable[Response]]:
    """A POST from the menu: the menu again with a message, or with the form's errors (422)."""

    async def endpoint(request: Request) -> Response:
        p: Principal = request.state.principal
        email = await get_email(p, request.path_params["id"])
        form = await request.form(max_files=0, max_fields=20)
        # Which form failed (each attachment has its own): its menu opens again with the errors.
        failed = f"{name}-{request.path_params['attachment_id']}" if "attachment_id" in request.path_params else name
        try:
            outcome = await run(request, p, email, form)
        except ValidationError as exc:
            return await _menu(request, email, 422, errors=error_map(exc, request), failed=failed,
                               values={k: str(v) for k, v in form.items()})
        except (Conflict, PermissionDenied) as exc:
            status = 422 if is_partial(request) else (409 if isinstance(exc, Conflict) else 403)
            return await _menu(request, email, status, problem=exc.render(translator(request)), failed=failed)
        if isinstance(outcome, Response):
            return outcome
        if not is_partial(request):
            return RedirectResponse(f"/mail/{email.id}/actions", status_code=303)
        return await _menu(request, email, done=outcome)

    endpoint.__name__ = f"email_{name}"
    return endpoint


def _field(form: FormData, name: str) -> str:
    return str(form.get(name) or "").strip()


# ---- deal association ---------------------------------------------------------------------------


async def _associate(request: Request, p: Principal, email: Email, form: FormData) -> Done:
    link = await actions.associate_with_deal(p, email, _field(form, "deal_id"))
    deal = await Deal.get(id=link.deal_id)
    _ = translator(request)
    return Done(_("The e-mail is associated with the deal “%(name)s”.") % {"name": deal.name}, f"/deals/{deal.id}",
                deal.name)


async def _dissociate(request: Request, p: Principal, email: Email, form: FormData) -> Done:
    await actions.dissociate(p, email)
    _ = translator(request)
    return Done(_("The e-mail is no longer associated with a deal."))


async def _new_deal(request: Request, p: Principal, email: Email, form: FormData) -> Done:
    data = {k: _field(form, k) for k in ("name", "stage_id", "amount", "closing_date")}
    deal = await actions.associate_with_new_deal(p, email, data, _field(form, "contact_id") or None)
    _ = translator(request)
    return Done(_("Deal “%(name)s” created; the e-mail is associated with it.") % {"name": deal.name},
                f"/deals/{deal.id}", deal.name)


# ---- "Add e-mail to" ----------------------------------------------------------------------------


async def _add_to(request: Request, p: Principal, email: Email, form: FormData) -> Done:
    kind, _sep, target_id = _field(form, "target").partition(":")
    _ = translator(request)
    if kind == "transaction":
        comment = await books.add_to_transaction(p, email, target_id)
        txn = await comment.transaction
        return Done(_("Added to %(number)s as a comment.") % {"number": txn.number},
                    PAGES_OF_KIND[txn.kind].url(txn) + "#comments", txn.number)
    if kind == "contact":
        comment = await actions.add_to_contact_activity(p, email, target_id)
        contact = await Contact.get(id=comment.contact_id)
        return Done(_("Added to the activity of %(name)s.") % {"name": contact.full_name}, f"/contacts/{contact.id}",
                    contact.full_name)
    raise ValidationError.single("target", N_("Choose one of the offered values."))


# ---- attachments --------------------------------------------------------------------------------


def _attachment_action(run: Callable[[Request, Principal, Email, int, FormData], Awaitable[Done | Response]]) -> Action:
    async def action(request: Request, p: Principal, email: Email, form: FormData) -> Done | Response:
        return await run(request, p, email, request.path_params["attachment_id"], form)

    return action


async def _to_documents(request, p, email, attachment_id, form) -> Done:
    doc = await books.add_attachment_to_documents(p, email, attachment_id, _field(form, "books_contact_id"))
    _ = translator(request)
    return Done(_("“%(filename)s” added to the contact's documents.") % {"filename": doc.filename},
                f"/books/contacts/{doc.books_contact_id}", doc.filename)


async def _to_transaction(request, p, email, attachment_id, form) -> Done:
    doc = await books.attach_to_transaction(p, email, attachment_id, _field(form, "transaction_id"))
    txn = await doc.transaction
    _ = translator(request)
    return Done(_("“%(filename)s” attached to %(number)s.") % {"filename": doc.filename, "number": txn.number},
                PAGES_OF_KIND[txn.kind].url(txn) + "#documents", txn.number)


async def _new_transaction(request, p, email, attachment_id, form) -> Response:
    txn = await books.new_transaction_with_attachment(p, email, attachment_id, _field(form, "kind"),
                                                      _field(form, "books_contact_id"))
    return redirect_after_post(request, PAGES_OF_KIND[txn.kind].url(txn, "edit"))


# ---- from an e-mail (seed 003) --------------------------------------------------------------------


async def _link(request: Request, p: Principal, email: Email, form: FormData) -> Done:
    record_type = _field(form, "record_type")
    if not _field(form, "record_id"):
        raise ValidationError.single("record_id", N_("Choose a record."))
    record = await actions.link_to_record(p, email, record_type, _field(form, "record_id"))
    name = record.name if isinstance(record, Deal) else record.full_name
    _ = translator(request)
    return Done(_("The e-mail was added to %(name)s.") % {"name": name},
                f"/{record_type}s/{record.id}", name)


async def email_records(request: Request) -> Response:
    """The records a search finds for "add to a lead, contact or deal": those the user may edit."""
    p: Principal = request.state.principal
    email = await get_email(p, request.path_params["id"])
    record_type = request.query_params.get("record_type", "contact")
    model = {"contact": Contact, "lead": Lead, "deal": Deal}.get(record_type, Contact)
    found = search.matches(request.query_params.get("q", "")[:search.QUERY_MAX * 4])
    options: list[tuple[int, str]] = []
    if found is not None:
        rows = await restrict(model.filter(found), p, "create_edit").limit(SEARCH_LIMIT)
        options = [(r.id, r.name if isinstance(r, Deal) else " ".join(
            x for x in (r.full_name, f"<{r.email}>" if r.email else "") if x)) for r in rows]
    return render(request, "mail/_record_options.html", {"email": email, "options": options})


async def _lead(request: Request, p: Principal, email: Email, form: FormData) -> Done:
    lead = await actions.create_lead_from_sender(p, email)
    _ = translator(request)
    return Done(_("Lead “%(name)s” created.") % {"name": lead.full_name}, f"/leads/{lead.id}",
                lead.full_name)


async def _contact(request: Request, p: Principal, email: Email, form: FormData) -> Done:
    contact = await actions.create_contact_from_sender(p, email)
    _ = translator(request)
    return Done(_("Contact “%(name)s” created.") % {"name": contact.full_name},
                f"/contacts/{contact.id}", contact.full_name)


async def _case(request: Request, p: Principal, email: Email, form: FormData) -> Done:
    case = await actions.create_case(p, email, _field(form, "status") or "new",
                                     include_attachments=bool(form.get("include_attachments")))
    _ = translator(request)
    return Done(_("Case “%(subject)s” created.") % {"subject": case.subject},
                f"/cases/{case.id}", case.subject)


def _route(path: str, name: str, run: Action) -> Route:
    return Route(f"/mail/{{id:id}}{path}", page(_action(name, run)), methods=["POST"])


routes = [
    Route("/mail/{id:id}/actions", page(email_actions)),
    Route("/mail/{id:id}/records", page(email_records)),
    _route("/deal", "associate", _associate),
    _route("/deal/dissociate", "dissociate", _dissociate),
    _route("/deal/new", "new_deal", _new_deal),
    _route("/add-to", "add_to", _add_to),
    _route("/attachments/{attachment_id:id}/documents", "to_documents", _attachment_action(_to_documents)),
    _route("/attachments/{attachment_id:id}/transaction", "to_transaction", _attachment_action(_to_transaction)),
    _route("/attachments/{attachment_id:id}/new-transaction", "new_transaction",
           _attachment_action(_new_transaction)),
    _route("/link", "link", _link),
    _route("/lead", "lead", _lead),
    _route("/contact", "contact", _contact),
    _route("/case", "case", _case),
]
