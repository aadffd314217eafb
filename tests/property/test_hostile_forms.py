"""Property: every create and edit form of the CRM modules and of Books (contacts, items and the
five document kinds), the settings forms (organization, templates, users, roles, sharing, my
account, mailboxes, the Books link), the e-mail compose and reply forms and the team chat's, posted with hostile values (NUL, lone
surrogates, huge and tiny numbers, very long text, dates at the calendar's ends) in up to three
of its fields, answers the form again with messages (422) or succeeds; never a 500; and a
refusal writes nothing.

The fields are read from each form page itself, so a new field is covered without a change here."""

from __future__ import annotations

import re

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from app.models import BooksLink, BooksSyncRecord, ContactPerson
from app.services import books_link
from schema.types.node import from_global_id
from tests.factories import make_mailbox
from tests.graphql.hostile import make_world
from tests.property.strategies import NASTY_TEXT, form_value, row_counts
from tests.views.conftest import HX, login, token

# Form path -> (record type to edit, valid values to start from; `{Type}` is a record's id).
FORMS = {
    "/accounts": ("Account", {"name": "Acme", "website": "https://acme.example"}),
    "/contacts": ("Contact", {"last_name": "山田", "birthday": "1980-01-01"}),
    "/leads": ("Lead", {"last_name": "佐藤", "company": "さくら", "status": "new"}),
    "/deals": ("Deal", {"name": "Deal", "stage_id": "{Stage}", "amount": "1000", "currency": "JPY",
                        "lines-0-product_id": "{Product}", "lines-0-description": "作業", "lines-0-quantity": "2",
                        "lines-0-unit_price": "5000", "lines-0-discount": "100"}),
    "/tasks": ("Task", {"subject": "Call", "status": "not_started", "priority": "normal"}),
    "/events": ("Event", {"subject": "Meet", "start_at": "2030-01-01T10:00", "end_at": "2030-01-01T11:00"}),
    "/cases": ("Case", {"subject": "Broken", "status": "new"}),
    "/products": ("Product", {"name": "保守サポート", "unit_price": "60000", "tax_rate": "10", "currency": "JPY",
                              "active": "True"}),
    "/books/contacts": ("BooksContact", {"display_name": "株式会社さくら", "contact_type": "customer",
                                         "payment_terms": "net_30", "currency": "JPY"}),
    "/books/items": ("Item", {"name": "Consulting", "rate": "5000", "tax_rate": "10"}),
    **{f"/books/{slug}": (kind, {"contact_id": "{Vendor}" if kind == "PurchaseOrder" else "{BooksContact}",
                                 "issue_date": "2026-04-01", "lines-0-description": "作業",
                                 "lines-0-quantity": "2", "lines-0-rate": "5000", "lines-0-tax_rate": "10",
                                 "lines-0-tax_category": "reduced", "transaction_date": "2026-03-01",
                                 "transaction_date_end": "2026-03-31", "prices_include_tax": "true",
                                 "discount_type": "percent", "discount_value": "5",
                                 # 納品日 of a sales order's line (closing-date billing)
                                 **({"lines-0-delivery_date": "2026-04-03"} if kind == "SalesOrder" else {})})
       for slug, kind in (("estimates", "Estimate"), ("sales-orders", "SalesOrder"),
                          ("invoices", "Invoice"), ("purchase-orders", "PurchaseOrder"))},
    # A credit note against the world's invoice (its edit form: a sent note refuses, 409).
    "/books/credit-notes": ("CreditNote", {"invoice_ids": "{Invoice}", "reason": "return",
                                           "contact_id": "{BooksContact}", "issue_date": "2026-04-01",
                                           "lines-0-description": "返品", "lines-0-quantity": "1",
                                           "lines-0-rate": "500", "lines-0-tax_category": "standard",
                                           "prices_include_tax": "false", "discount_type": "amount"}),
}
MAILBOX = {"email": "me@example.jp", "imap_host": "127.0.0.1", "imap_port": "1", "imap_security": "none",
           "username": "me", "sharing": "private", "smtp_port": "587", "smtp_security": "starttls"}
COMPOSE = {"mailbox_id": "{Mailbox}", "to": "customer@example.jp", "cc": "", "subject": "ご提案", "body": "本文"}
# Settings forms (and other forms of one page): post URL -> (the page showing the form, valid values).
SETTINGS = {
    "/books/settings/profile": ("/books/settings", {"name": "株式会社テスト", "currency": "JPY", "language": "ja",
                                                    "edition": "books", "website": "https://example.jp"}),
    "/books/settings/fiscal": ("/books/settings", {"fiscal_year_start_month": "4", "tax_rounding": "down"}),
    "/books/settings/numbering": ("/books/settings", {"estimate_prefix": "EST-", "sales_order_prefix": "SO-",
                                                      "invoice_prefix": "INV-", "purchase_order_prefix": "PO-",
                                                      "credit_note_prefix": "CN-"}),
    "/books/settings/mail": ("/books/settings", {"smtp_host": "127.0.0.1", "smtp_port": "587",
                                                 "smtp_security": "starttls", "sender_email": "a@example.jp"}),
    "/books/settings/organizations": ("/books/settings/organizations/new", {
        "name": "新会社", "currency": "JPY", "language": "ja", "edition": "books"}),
    "/books/settings/templates": ("/books/settings/templates/new", {
        "name": "T", "language": "ja", "subject": "{number}", "body": "x", "kind": "invoice"}),
    "/settings/users": ("/settings/users", {"email": "new@example.com", "name": "New",
                                            "password": "a-long-password-123", "role_id": "{Role}"}),
    "/settings/roles": ("/settings/users", {"name": "New role"}),
    "/settings/sharing": ("/settings/sharing", {"module": "accounts", "access": "read_only",
                                                "grantee_role_id": "{Role}"}),
    "/settings/account": ("/settings/account", {"language": "ja", "timezone": "Asia/Tokyo"}),
    "/settings/account/tokens": ("/settings/account", {"name": "Outlook", "scope": "dav"}),
    # PIM sync (views/pim.py): a kind's settings, an app password, sync now, held changes, and
    # re-syncing an ignored contact with its value fixed.
    "/settings/pim/contacts": ("/settings/pim", {"direction": "both", "automatic": "on", "category_only": "on",
                                                 "category_name": "Kizuna", "delete_threshold": "20"}),
    "/settings/pim/app-password": ("/settings/pim", {"name": "Outlook on PC-1"}),
    "/settings/pim/events/sync-now": ("/settings/pim", {}),
    "/settings/pim/held": ("/settings/pim", {"action": "confirm", "kind": "contacts", "reason": "mass_delete"}),
    "/settings/pim/runs/{PimRun}/resync": ("/settings/pim/runs/{PimRun}", {
        "ignored": "{PimIgnored}"}),
    # A CSV's column-mapping step, kept server-side between the upload and the import.
    "/settings/pim/import/{PimUpload}": ("/settings/pim/import/{PimUpload}", {
        "kind": "contacts", "mapped_kind": "contacts", "col-0": "last_name", "col-1": "department",
        "action": "import"}),
    "/settings/roles/{Role}": ("/settings/roles/{Role}", {"name": "Renamed", "description": "Sales team"}),
    "/settings/roles/{Role}/grants": ("/settings/roles/{Role}", {"grant": "accounts.view"}),
    # Mailboxes: a valid form logs in first; 127.0.0.1:1 refuses at once (the form comes back, 422).
    "/settings/mail": ("/settings/mail", {**MAILBOX, "password": "secret"}),
    "/settings/mail/{Mailbox}/edit": ("/settings/mail/{Mailbox}/edit", MAILBOX),
    "/settings/mail/{Mailbox}/folders": ("/settings/mail/{Mailbox}/folders", {"folders": "INBOX"}),
    "/books/settings/mailboxes": ("/books/settings/mailboxes", {**MAILBOX, "password": "secret",
                                                                "sharing": "chosen"}),
    # Connecting the CRM to Books with the administrator's own key (a refusal is counted by the
    # throttle: see KEY_CHECKS).
    "/settings/services/books/verify": ("/settings/services/books", {"email": "{AdminEmail}", "key": "{BooksKey}"}),
    "/settings/services/books/connect": ("/settings/services/books", {
        "email": "{AdminEmail}", "key": "{BooksKey}", "organization_id": "{Organization}", "automation": "none"}),
    # The sync settings and field mappings of the link (rows as repeated fields; at most 100 kept).
    "/settings/services/books/sync": ("/settings/services/books", {
        "sync_module": "accounts", "direction": "two_way", "conflict_policy": "skip", "product_direction": "two_way",
        "product_conflict_policy": "skip", "products_crm": "name", "products_books": "name",
        "filter_field": "billing_state", "filter_op": "equals", "filter_value": "東京都"}),
    # The automation rule of the link, changed on its own.
    "/settings/services/books/automation": ("/settings/services/books", {"automation": "estimate"}),
    # "Sync now": no fields of its own; it queues a run of the Books sync.
    "/settings/services/books/sync-now": ("/settings/services/books", {}),
    # Writing e-mail: the mailbox's SMTP server (127.0.0.1:1) refuses at once (the form comes back, 422).
    "/deals/{Deal}/mail/compose": ("/deals/{Deal}/mail/compose", COMPOSE),
    "/mail/emails/{Email}/reply": ("/mail/emails/{Email}/reply", COMPOSE),
    # Books inside the CRM (views/books_crm.py), through the link, for the account linked to the
    # customer: new documents (the Books form's fields) and e-mail as PDF.
    "/accounts/{Account}/books/estimates/new": ("/books/estimates/new", {}),
    "/accounts/{Account}/books/estimates": ("/books/estimates/new", {
        "contact_id": "{BooksContact}", "issue_date": "2026-04-01", "lines-0-description": "作業",
        "lines-0-quantity": "2", "lines-0-rate": "5000", "lines-0-tax_rate": "10"}),
    # Settings > Integrations > Chat: 192.0.2.1 (TEST-NET-1) is refused before any connection.
    "/books/settings/integrations/chat/destinations": ("/books/settings/integrations/chat", {
        "kind": "slack", "name": "チャット", "url": "https://192.0.2.1/hook", "event_types": "invoice.paid",
        "rate_per_minute": "60", "enabled": "on"}),
    "/books/settings/integrations/chat/destinations/{NotificationDestination}": (
        "/books/settings/integrations/chat", {"name": "チャット", "event_types": "invoice.viewed", "enabled": "on"}),
    "/books/settings/integrations/chat/destinations/{NotificationDestination}/test": (
        "/books/settings/integrations/chat", {}),
    "/notifications/preferences": ("/notifications", {"invoice.paid": "on"}),
    "/accounts/{Account}/books/invoices/{Invoice}/send": ("/accounts/{Account}/books/invoices/{Invoice}/send", {
        "to": "{PersonEmail}", "cc": "", "subject": "請求書", "body": "本文"}),
    # The customer portal (views/portal.py), by the documents' links, and its staff actions.
    "/portal/{InvoiceToken}/transfer": ("/portal/{InvoiceToken}", {
        "date": "2026-04-02", "amount": "1", "remitter": "ﾔﾏﾀﾞ ﾀﾛｳ"}),
    "/portal/{InvoiceToken}/comments": ("/portal/{InvoiceToken}", {"text": "受領しました"}),
    "/portal/{EstimateToken}/accept": ("/portal/{EstimateToken}", {"name": "山田 太郎", "signature": "山田"}),
    "/portal/{EstimateToken}/decline": ("/portal/{EstimateToken}", {"reason": "予算外", "name": "山田"}),
    "/portal/sign-in": ("/portal/sign-in", {"email": "{PersonEmail}"}),
    "/books/estimates/{SentEstimate}/accept-on-behalf": ("/books/estimates/{SentEstimate}", {"name": "山田 太郎"}),
    "/books/contacts/{BooksContact}/portal/revoke": ("/books/contacts/{BooksContact}", {}),
    # A customer made inactive (no longer offered for new documents) and active again.
    "/books/contacts/{BooksContact}/deactivate": ("/books/contacts/{BooksContact}", {}),
    "/books/contacts/{BooksContact}/activate": ("/books/contacts/{BooksContact}", {}),
    # A credit note's credit (views/books/credit_notes.py): applied to the world's invoice, refunded, voided.
    "/books/credit-notes/{CreditNote}/apply": ("/books/credit-notes/{CreditNote}", {
        "amount-{Invoice}": "1", "date": "2026-04-02"}),
    "/books/credit-notes/{CreditNote}/refunds": ("/books/credit-notes/{CreditNote}", {
        "amount": "1", "date": "2026-04-02", "mode": "cash", "reference": "返金"}),
    "/books/credit-notes/{CreditNote}/applications/{CreditApplication}/void": ("/books/credit-notes/{CreditNote}", {}),
    "/books/credit-notes/{CreditNote}/refunds/{Refund}/void": ("/books/credit-notes/{CreditNote}", {}),
    # The team chat: a message, editing one's own, a new channel, a direct conversation, the bar.
    "/chat/{ChatChannel}/messages": ("/chat/{ChatChannel}", {"body": "こんにちは"}),
    "/chat/messages/{ChatMessage}/edit": ("/chat/{ChatChannel}", {"body": "直しました"}),
    "/chat/channels": ("/chat", {"name": "新チャンネル"}),
    "/chat/direct": ("/chat", {"user_id": "{User}"}),
    "/chat/{ChatChannel}/members": ("/chat/{ChatChannel}", {"user_id": "{User}"}),
    "/chat/settings": ("/chat", {"on_books": "on"}),
    # Converting a lead (views/lead_conversion.py): once converted, the later examples meet a 409.
    "/leads/{Lead}/convert": ("/leads/{Lead}/convert", {
        "account": "new", "account_name": "さくら商事", "contact": "new", "with_deal": "1", "deal_name": "初回",
        "deal_amount": "1000", "deal_currency": "JPY", "deal_stage_id": "{Stage}", "deal_closing_date": "2030-01-31"}),
    # Uploading e-mail files (views/mail/uploads.py): a form without files is refused (422).
    "/mail/upload": ("/mail", {"form": "1", "attachments": "1"}),
    "/contacts/{Contact}/mail/upload": ("/mail", {"form": "1", "attachments": "1"}),
    # A deal's stage path (one-click Won, Lost with its reason) and a drop on the pipeline board.
    "/deals/{Deal}/stage": ("/deals/{Deal}", {"stage_id": "{Stage}", "lost_reason": "他社に決定"}),
    "/deals/board/move": ("/deals/board", {"deal_id": "{Deal}", "stage_id": "{Stage}", "lost_reason": "他社に決定"}),
    # A consolidated invoice (views/books/consolidation.py): the customer chosen, the form shows every field.
    "/books/invoices/consolidate": ("/books/invoices/consolidate?contact_id={BooksContact}", {
        "contact_id": "{BooksContact}", "period_end": "2026-11-30", "issue_date": ""}),
    # A drop on the calendar (views/calendar.py): the page's own fields are its view, day and owner.
    "/calendar/move": ("/calendar", {"event_id": "{Event}", "date": "2030-01-02", "from": "2030-01-01",
                                     "start": "", "view": "week", "owner": "mine"}),
    # An invoice to a customer billed in dollars: its exchange rate fields (views/books/transactions_form.py)
    # probed, the rest of the form valid ("?usd" only tells this entry apart).
    "/books/invoices?usd": ("/books/invoices/exchange?contact_id={UsdCustomer}", {
        "contact_id": "{UsdCustomer}", "issue_date": "2026-04-01", "lines-0-description": "Consulting",
        "lines-0-quantity": "2", "lines-0-rate": "50.25", "lines-0-tax_rate": "10",
        "exchange_rate": "150.25", "exchange_rate_date": "2026-03-31"}),
    # A list's saved views and bulk actions (views/records.py): the list page's fields.
    "/deals/views": ("/deals", {"view_name": "大型案件", "view_shared": "on", "sort": "-amount", "cols": "amount",
                                "stage": "open", "per_page": "50"}),
    "/deals/bulk": ("/deals", {"action": "follow_up", "ids": "{Deal}", "next": "sort=-amount"}),
    "/deals/bulk/apply": ("/deals", {"action": "follow_up", "ids": "{Deal}", "subject": "電話",
                                     "due_date": "2030-01-31"}),
}
POSTS = {
    **{path: (f"{path}/new", base) for path, (_, base) in FORMS.items()},
    **{f"{path}/{{{type_name}}}/edit": (f"{path}/new", base) for path, (type_name, base) in FORMS.items()},
    **SETTINGS,
}
PIM_CSV = "Last Name,Department\r\n山田,営業部\r\n".encode()
# Forms checking a key: a refused key that has a key's shape is recorded for the throttle.
KEY_CHECKS = {"/settings/services/books/verify", "/settings/services/books/connect"}
NAME_RE = re.compile(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"')
SKIP = {"csrf_token", "next"}


@pytest.fixture
async def session(db, client, monkeypatch):
    """The world of records, an administrator signed in, and each form's field names."""
    from app import settings
    from app.models import BooksContact, Kind, Role, Transaction
    from app.services import workflow
    from tests import factories as f

    monkeypatch.setattr(settings, "PORTAL_REQUESTS_PER_MINUTE", 1_000_000)  # the examples come fast

    world = await make_world()
    assert (await login(client, world.admin)).status_code == 303
    pks = {name: str(from_global_id(g)[1]) for name, g in world.ids.items()}
    pks["Role"] = str((await Role.get(name="Sales")).id)
    mailbox = await make_mailbox(world.admin, imap_host="127.0.0.1", imap_port=1, imap_security="none",
                                 smtp_port=1, smtp_security="none")
    pks["Mailbox"] = str(mailbox.id)
    pks["AdminEmail"] = world.admin.email
    key, pks["BooksKey"] = await books_link.create_key(world.principal, pks["Organization"])
    # Linked, so that the page shows the sync settings form too (and active: the key reaches it).
    await BooksLink.create(slot=1, organization_id=int(pks["Organization"]), connected_by_id=world.admin.id,
                           key_id=key.id)
    await BooksSyncRecord.create(organization_id=int(pks["Organization"]), crm_module="accounts",
                                 account_id=int(pks["Account"]), books_contact_id=int(pks["BooksContact"]))
    pks["PersonEmail"] = (await ContactPerson.get(books_contact_id=int(pks["BooksContact"]))).email
    pks["InvoiceToken"] = (await Transaction.get(id=int(pks["Invoice"]))).portal_token
    sent = await f.make_transaction(world.principal, "estimate", await BooksContact.get(id=int(pks["BooksContact"])))
    sent = await workflow.mark_sent(world.principal, Kind.ESTIMATE, sent.id)
    pks["SentEstimate"], pks["EstimateToken"] = str(sent.id), sent.portal_token
    pks["UsdCustomer"] = str((await f.make_customer(await sent.organization, currency="USD")).id)
    from app.pim import files as pim_files

    pks["PimUpload"] = (await pim_files.store(world.admin, "contacts.csv", PIM_CSV)).token
    fields = {}
    for post_url, (page_url, _) in POSTS.items():
        html = (await client.get(_fill(page_url, pks))).text
        fields[post_url] = sorted(set(NAME_RE.findall(html)) - SKIP)
        assert fields[post_url], page_url
    return world, pks, fields, await token(client)


@st.composite
def hostile_form(draw):
    post_url = draw(st.sampled_from(sorted(POSTS)))
    return post_url, draw(st.lists(st.tuples(st.integers(0, 10_000), form_value), min_size=1, max_size=3))


def _fill(text: str, pks: dict[str, str]) -> str:
    return re.sub(r"\{([A-Z]\w+)\}", lambda m: pks[m.group(1)], text)


@given(form=hostile_form())
async def test_every_form_survives_hostile_input(client, session, form):
    world, pks, fields, csrf = session
    post_url, changes = form
    data = {_fill(k, pks): _fill(v, pks) for k, v in POSTS[post_url][1].items()}
    for index, value in changes:
        data[fields[post_url][index % len(fields[post_url])]] = value
    url = _fill(post_url, pks)
    before = await row_counts()
    # Forms are sent as browsers send them: UTF-8 (a lone surrogate as its raw bytes).
    body = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in {**data, "csrf_token": csrf}.items())
    response = await client.post(url, content=body, headers={
        **HX, "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": csrf})
    # 413: two or three of the longest texts pass settings.FORM_MAX_BYTES (app/limits.py).
    assert response.status_code in (200, 303, 403, 404, 409, 413, 422), (url, changes, response.status_code)
    event(f"HTTP {response.status_code}")  # --hypothesis-show-statistics: what the examples reached
    if response.status_code >= 400:
        after = await row_counts()
        if post_url in KEY_CHECKS:
            before.pop("LoginAttempt"), after.pop("LoginAttempt")
        assert after == before, (url, changes)


def _quote(value: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(value.encode("utf-8", "surrogatepass"))


# ---- files on the compose and reply forms: multipart, as browsers send them ----------------------

BOUNDARY = "----kizunahostile"
# Names up to what a part's header line may hold (4 KB in python-multipart: longer ones are a 400).
file_name = st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=40), st.integers(200, 1300).map(lambda n: "長" * n),
                      st.sampled_from([
    "../../etc/passwd", "C:\\Windows\\win.ini", ".htaccess", " . ", "見積書（最終版）.pdf", "a" * 400 + ".pdf",
    "=?utf-8?b?5pel5pys?=.txt", "x.tar.gz", "name\"; filename=\"evil.exe", "\u202eexe.pdf"]))
hostile_file = st.tuples(file_name, st.binary(max_size=300), st.sampled_from(
    ["application/pdf", "text/html", "image/svg+xml", "message/rfc822", "multipart/mixed", "x\r\nBcc: a@b.c"]))


def _multipart(fields: dict[str, str], files: list[tuple[str, bytes, str]], field: str = "attachments") -> bytes:
    def header_value(text: str) -> bytes:
        # As the HTML standard has browsers escape a name: quotes and line breaks percent-encoded.
        text = text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
        return text.encode("utf-8", "surrogatepass")

    parts = [b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
             % (BOUNDARY.encode(), k.encode(), v.encode("utf-8", "surrogatepass")) for k, v in fields.items()]
    parts += [b'--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
              b"Content-Type: %s\r\n\r\n%s\r\n" % (BOUNDARY.encode(), field.encode(), header_value(name),
                                                   header_value(ctype), data)
              for name, data, ctype in files]
    return b"".join(parts) + b"--%s--\r\n" % BOUNDARY.encode()


@pytest.fixture
async def sending(session, smtp_server):
    """The session's world with a mailbox whose SMTP server takes everything."""
    world, pks, fields, csrf = session
    mailbox = await make_mailbox(world.admin, email="sender@example.jp", imap_host="127.0.0.1", imap_port=1,
                                 imap_security="none", smtp_host="127.0.0.1", smtp_port=smtp_server.port,
                                 smtp_security="none", username="", smtp_username="")
    return {**pks, "Mailbox": str(mailbox.id)}, csrf


@given(url=st.sampled_from(["/deals/{Deal}/mail/compose", "/mail/emails/{Email}/reply"]),
       files=st.lists(hostile_file, min_size=1, max_size=12))
async def test_compose_survives_hostile_files(client, sending, url, files):
    from app.models import EmailAttachment

    pks, csrf = sending
    fields = {"csrf_token": csrf, **{k: _fill(v, pks) for k, v in COMPOSE.items()}}
    before = await row_counts()
    response = await client.post(_fill(url, pks), content=_multipart(fields, files), headers={
        **HX, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert response.status_code in (200, 400, 422), (url, files, response.status_code)
    event(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        assert await row_counts() == before, (url, files)
        return
    # Sent: the files are listed under names a file system and a page can take.
    names = await EmailAttachment.filter(email__sent_from_kizuna=True).order_by("-id").limit(len(files)).values_list(
        "filename", flat=True)
    assert len(names) == len(files) and all(n and "/" not in n and "\x00" not in n for n in names), names


# ---- e-mail files uploaded (views/mail/uploads.py): whatever the bytes, a message or a refusal -----

mail_file = st.tuples(file_name, st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=300).map(lambda b: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b),  # an OLE file's magic
    st.tuples(st.sampled_from(NASTY_TEXT), st.binary(max_size=100)).map(
        lambda t: b"From: " + t[0].encode("utf-8", "surrogatepass") + b"\r\nSubject: x\r\n\r\n" + t[1])),
    st.sampled_from(["message/rfc822", "application/vnd.ms-outlook", "text/html"]))


@given(url=st.sampled_from(["/mail/upload", "/contacts/{Contact}/mail/upload"]),
       files=st.lists(mail_file, min_size=1, max_size=12))
async def test_upload_survives_hostile_files(client, session, url, files):
    world, pks, fields, csrf = session
    response = await client.post(_fill(url, pks), content=_multipart(
        {"csrf_token": csrf, "form": "1", "attachments": "1"}, files, "files"), headers={
        **HX, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert response.status_code in (200, 400, 409, 422), (url, files, response.status_code)
    event(f"HTTP {response.status_code}")


# ---- the organization's images (Books settings: logo, company seal): stored, or refused beside the field

image_bytes = st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=300).map(lambda b: b"\x89PNG\r\n\x1a\n" + b),  # PNG's magic, then anything
    st.binary(max_size=300).map(lambda b: b"\xff\xd8\xff\xe0" + b),  # JPEG's
)


@given(field=st.sampled_from(["logo", "seal"]), name=file_name, data=image_bytes,
       ctype=st.sampled_from(["image/png", "image/svg+xml", "text/html"]))
async def test_image_upload_survives_hostile_files(client, session, field, name, data, ctype):
    from app.models import Organization

    world, pks, fields, csrf = session
    before = await Organization.get(id=int(pks["Organization"]))
    response = await client.post(f"/books/settings/{field}", content=_multipart(
        {"csrf_token": csrf}, [(name, data, ctype)], field), headers={
        **HX, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert response.status_code in (200, 422), (field, name, data, response.status_code)
    event(f"HTTP {response.status_code}")
    if response.status_code == 422:
        after = await Organization.get(id=before.id)
        assert getattr(after, f"{field}_path") == getattr(before, f"{field}_path")


# ---- a file imported into PIM sync (Settings > Import): multipart, as browsers send it -------------

def _upload_body(csrf: str, name: str, data: bytes, ctype: str, kind: str) -> bytes:
    def header_value(text: str) -> bytes:
        return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A").encode("utf-8", "surrogatepass")

    fields = {"csrf_token": csrf, "kind": kind}
    parts = [b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
             % (BOUNDARY.encode(), k.encode(), v.encode("utf-8", "surrogatepass")) for k, v in fields.items()]
    parts.append(b'--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\nContent-Type: %s\r\n\r\n%s\r\n'
                 % (BOUNDARY.encode(), header_value(name), header_value(ctype), data))
    return b"".join(parts) + b"--%s--\r\n" % BOUNDARY.encode()


pim_file = st.one_of(
    st.binary(max_size=400),
    st.sampled_from([b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:\x00;\r\nEND:VCARD\r\n", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n",
                     "名前,部署\r\n山田,営業\r\n".encode("cp932"), b"\xff\xfe" + "a,b\n1,2".encode("utf-16-le"),
                     b'"unterminated,\r\n', b",\r\n" * 50]),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


@given(name=file_name, data=pim_file, kind=st.sampled_from(["", "contacts", "tasks", "events", "\x00", "x" * 300]))
async def test_import_survives_hostile_files(client, session, name, data, kind):
    _world, _pks, _fields, csrf = session
    before = await row_counts()
    response = await client.post("/settings/pim/import", content=_upload_body(csrf, name, data, "text/csv", kind),
                                 headers={**HX, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert response.status_code in (200, 400, 422), (name, data, response.status_code)
    event(f"HTTP {response.status_code}")
    if response.status_code != 200:
        assert await row_counts() == before, (name, data)
