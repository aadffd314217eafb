"""The Mail panel of a record's page (contacts, leads, accounts, deals, Books contacts).

The record page carries an empty panel that htmx fills from `<record url>/mail` when it comes
into view (`mail/_panel.html`); the panel pages itself with the same URL. E-mails come from
app.services.mail (`mail_of`), which applies what the user may see; threads are grouped within
the page shown. Each e-mail shows an icon when it is associated with a deal (EmailDeal); the
deal is named only to users who may see it.

A deal's panel has seed 004's dropdown (the e-mails associated with this deal, the default, or
the e-mails of its contacts) and a source filter (sent from Kizuna, all shared mailboxes, one
user's). Per-e-mail menus (association, "add e-mail to") come from `mail/_actions.html`, which
the "actions" pages provide; association is offered only in the contact and deal listings and
on the e-mail's own page (seed 004), which the template learns from `offer_association`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.expressions import Q
from tortoise.models import Model

from app import cleaning
from app.models import BooksContact, Contact, Deal, Email, EmailAttachment, EmailDeal, Mailbox
from app.permissions import Principal, restrict, visible_mailboxes
from app.services import mail
from app.services.mail import DealMail, MailFilter, Source
from views import accounts, contacts, deals, leads
from views.books import masters
from views.htmx import is_partial
from views.pages import page
from views.records import RecordPages, int_param
from views.templating import render

PAGE_SIZE = 25
PAGE_LAST = 10_000  # a bound on ?page=, so the offset stays a small number


def source_filter(value: str) -> MailFilter:
    """`kizuna`, `user:<id>` or anything else (every mailbox the user sees)."""
    if value == Source.KIZUNA.value:
        return MailFilter(Source.KIZUNA)
    if value.startswith("user:") and (user_id := cleaning.pk(value[5:])) is not None:
        return MailFilter(Source.USER, user_id)
    return MailFilter()


def source_value(mail_filter: MailFilter) -> str:
    if mail_filter.source == Source.USER:
        return f"user:{mail_filter.user_id}"
    return mail_filter.source.value


async def rows_context(principal: Principal, emails: list[Email]) -> dict[str, Any]:
    """What the rows of a mail list show besides the e-mails: their deal associations, the deals
    the user may see, and which e-mails carry files. Three queries, whatever the rows."""
    ids = [e.id for e in emails]
    if not ids:
        return {"deal_links": {}, "deals": {}, "with_files": set()}
    links = {link.email_id: link for link in await EmailDeal.filter(email_id__in=ids)}
    deal_ids = sorted({link.deal_id for link in links.values()})
    shown = {d.id: d for d in await restrict(Deal.filter(id__in=deal_ids), principal)} if deal_ids else {}
    files = set(await EmailAttachment.filter(email_id__in=ids, inline=False).order_by("email_id").distinct()
                .values_list("email_id", flat=True))
    return {"deal_links": links, "deals": shown, "with_files": files}


async def _sources(principal: Principal) -> list[tuple[int, str]]:
    """The users whose mailboxes the user sees (the deal panel's "one user's mailbox")."""
    rows = await visible_mailboxes(principal).order_by("owner__name", "owner_id").values_list(
        "owner_id", "owner__name")
    return list(dict.fromkeys(rows))


async def _has_mailbox(principal: Principal, obj: Model) -> bool:
    """A Books contact's mail comes from its organization's mailboxes and the user's own; other
    records' from every mailbox the user sees (their own first of all)."""
    if isinstance(obj, BooksContact):
        return await visible_mailboxes(principal).filter(
            Q(organization_id=obj.organization_id) | Q(owner_id=principal.user.id)).exists()
    return await Mailbox.filter(owner_id=principal.user.id).exists()


def mail_panel(pages: RecordPages):
    async def mail_tab(request: Request) -> Response:
        principal: Principal = request.state.principal
        obj = await pages.service.get(principal, request.path_params["id"])
        params = request.query_params
        is_deal = isinstance(obj, Deal)
        mode = DealMail.CONTACTS if is_deal and params.get("mode") == DealMail.CONTACTS.value else DealMail.ASSOCIATED
        mail_filter = source_filter(params.get("source", "")) if is_deal else MailFilter()
        queryset = await mail.mail_of(principal, obj, mode=mode, mail_filter=mail_filter)
        page_no = int_param(params.get("page"), 1, 1, PAGE_LAST)
        emails = await mail.page(queryset, limit=PAGE_SIZE + 1, offset=(page_no - 1) * PAGE_SIZE)
        has_next, emails = len(emails) > PAGE_SIZE, emails[:PAGE_SIZE]
        filters = {"mode": mode.value, "source": source_value(mail_filter)} if is_deal else {}
        context = {
            "pages": pages, "obj": obj, "record": obj, "record_module": pages.module,
            "threads": mail.group_threads(emails), "page": page_no, "has_next": has_next,
            "url": pages.url(obj, "mail"), "filters": filters,
            "query": urlencode(filters), "is_deal": is_deal,
            "sources": await _sources(principal) if is_deal else [],
            # seed 004: association from the deal and contact listings (and the e-mail's page)
            "offer_association": is_deal or isinstance(obj, Contact),
            "no_mailbox": not emails and page_no == 1 and not await _has_mailbox(principal, obj),
            "is_books": isinstance(obj, BooksContact),
            **await rows_context(principal, emails),
        }
        template = "mail/_list.html" if is_partial(request) else "mail/list_page.html"
        return render(request, template, context)

    mail_tab.__name__ = f"{pages.module}_mail"
    return mail_tab


PANELS = (contacts.pages, leads.pages, accounts.pages, deals.pages, masters.contacts_pages)

routes = [Route(p.url() + "/{id:id}/mail", page(mail_panel(p), p.module)) for p in PANELS]
