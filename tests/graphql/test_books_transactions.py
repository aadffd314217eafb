"""Books documents through GraphQL: totals and tax rows, validation paths, status steps with
their refusals, conversions linked both ways, payments, notes, sending, and the N+1 guard."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

from pypdf import PdfReader

from app.models import Kind, Status, Transaction
from app.services import payments, workflow
from tests import factories as f
from tests.graphql.conftest import gid
from tests.querycount import count_queries
from tests.smtp import REFUSED

INVOICE_FIELDS = """id number status displayStatus currency subtotal taxTotal total amountPaid balance
  taxRows { rate subtotal tax } contact { displayName } pdfUrl
  lines { position description quantity unit rate discount taxRate amount item { name } }"""
CREATE_INVOICE = f"""mutation($input: TransactionInput!) {{ createInvoice(input: $input) {{
  __typename
  ... on InvoicePayload {{ invoice {{ {INVOICE_FIELDS} }} }}
  ... on ValidationError {{ message fields {{ path message }} }}
  ... on PermissionDenied {{ message }}
}} }}"""
RESULT = "__typename ... on Conflict { message } ... on NotFound { message } ... on PermissionDenied { message }"


async def books_user(role: str = "Accountant"):
    """A user of `role` in a new organization with one customer: (user, principal, org, customer)."""
    user = await f.make_user(role)
    org = await f.make_org(user)
    return user, await f.principal_for(user), org, await f.make_customer(org, display_name="株式会社テスト")


async def test_invoice_totals_and_tax_rows_per_rate(gql):
    user, _, org, customer = await books_user()
    tea = await f.make_item(org, name="お茶", rate=150, unit="本", tax_rate=8)
    data = await gql(user, CREATE_INVOICE, {"input": {
        "contactId": gid("BooksContact", customer.id), "issueDate": "2026-04-01",
        "lines": [
            {"description": "コンサルティング", "quantity": "2", "rate": "5000", "taxRate": "10"},
            {"description": "お弁当", "quantity": "3", "rate": "800", "taxRate": "8"},
            {"itemId": gid("Item", tea.id), "quantity": "4"},
        ]}})
    invoice = data["createInvoice"]["invoice"]
    pk = (await Transaction.get(number="INV-00001")).id
    assert invoice["id"] == gid("Invoice", pk) and invoice["number"] == "INV-00001"
    assert (invoice["status"], invoice["displayStatus"], invoice["currency"]) == ("DRAFT", "DRAFT", "JPY")
    # 10%: 10,000 -> 1,000. 8%: 2,400 + 600 = 3,000 -> 240, taxed once per rate.
    assert invoice["taxRows"] == [{"rate": "10", "subtotal": "10000", "tax": "1000"},
                                  {"rate": "8", "subtotal": "3000", "tax": "240"}]
    assert (invoice["subtotal"], invoice["taxTotal"], invoice["total"]) == ("13000", "1240", "14240")
    assert (invoice["amountPaid"], invoice["balance"]) == ("0", "14240")
    assert invoice["lines"][2] == {"position": 3, "description": "お茶", "quantity": "4", "unit": "本",
                                   "rate": "150", "discount": "0", "taxRate": "8", "amount": "600",
                                   "item": {"name": "お茶"}}
    assert invoice["contact"] == {"displayName": "株式会社テスト"}
    assert invoice["pdfUrl"] == f"/books/invoices/{pk}.pdf"

    # Read back: the same exact strings from the database's 4-decimal columns.
    read = await gql(user, f'query($id: ID!) {{ invoice(id: $id) {{ {INVOICE_FIELDS} }} }}', {"id": invoice["id"]})
    assert read["invoice"] == invoice


async def test_usd_amounts_keep_their_cents(gql):
    user, _, org, _ = await books_user()
    acme = await f.make_customer(org, currency="USD", display_name="Acme Inc.")
    data = await gql(user, CREATE_INVOICE, {"input": {
        "contactId": gid("BooksContact", acme.id), "exchangeRate": "150", "exchangeRateDate": "2026-11-27",
        "lines": [{"description": "Consulting", "quantity": "3", "rate": "33.33"}]}})
    invoice = data["createInvoice"]["invoice"]
    assert (invoice["currency"], invoice["subtotal"], invoice["taxTotal"], invoice["total"]) == (
        "USD", "99.99", "9.99", "109.98")


async def test_validation_paths_are_camel_case_with_indices(gql):
    user, _, org, customer = await books_user()
    crm_contact = await f.make_contact(user)
    data = await gql(user, CREATE_INVOICE, {"input": {
        "contactId": gid("Contact", crm_contact.id), "lines": [{"itemId": "garbage"}]}})
    # Ids of the wrong type are caught before the service runs.
    assert data["createInvoice"]["fields"] == [
        {"path": "contactId", "message": "Choose a valid record."},
        {"path": "lines.0.itemId", "message": "Choose a valid record."},
    ]
    data = await gql(user, CREATE_INVOICE, {"input": {
        "contactId": gid("BooksContact", customer.id), "issueDate": "2026-04-10", "dueDate": "2026-04-01",
        "lines": [{"description": "ok", "rate": "1"},
                  {"description": "", "quantity": "-1", "rate": "10", "taxRate": "5", "discount": "120"}]}})
    fields = {e["path"]: e["message"] for e in data["createInvoice"]["fields"]}
    assert fields == {  # all at once: the dates' error does not wait for the lines to be fixed
        "dueDate": "Must be on or after the issue date.",
        "lines.1.description": "Choose an item or describe the line.",
        "lines.1.quantity": "Enter a quantity above zero.",
        "lines.1.discount": "Enter a discount from 0 to 100%.",
        "lines.1.taxRate": "Choose a tax rate of 10%, 8% (reduced) or 0%.",
    }
    data = await gql(user, CREATE_INVOICE, {"input": {
        "contactId": gid("BooksContact", customer.id), "issueDate": "2026-04-10", "dueDate": "2026-04-01",
        "lines": [{"description": "ok", "rate": "1"}]}})
    assert data["createInvoice"]["fields"] == [{"path": "dueDate", "message": "Must be on or after the issue date."}]
    data = await gql(user, CREATE_INVOICE, {"input": {"lines": []}})
    assert {e["path"] for e in data["createInvoice"]["fields"]} == {"contactId", "lines"}
    assert not await Transaction.exists()


async def test_estimate_steps_and_refusals_with_their_reason(gql):
    user, principal, _, customer = await books_user()
    est = await f.make_transaction(principal, "estimate", customer)
    est_id = gid("Estimate", est.id)

    async def step(name: str, id: str = est_id) -> dict:
        query = f"""mutation($id: ID!) {{ {name}(id: $id) {{ {RESULT}
            ... on EstimatePayload {{ estimate {{ status displayStatus }} }} }} }}"""
        return (await gql(user, query, {"id": id}))[name]

    assert await step("acceptEstimate") == {
        "__typename": "Conflict", "message": "Send the estimate before the customer can accept or decline it."}
    assert (await step("markEstimateSent"))["estimate"] == {"status": "SENT", "displayStatus": "SENT"}
    assert (await step("acceptEstimate"))["estimate"]["status"] == "ACCEPTED"
    assert await step("declineEstimate") == {
        "__typename": "Conflict", "message": "This estimate is “Accepted”: it cannot be declined."}
    update = """mutation($id: ID!) { updateEstimate(id: $id, input: {subject: "x"}) { %s } }""" % RESULT
    assert (await gql(user, update, {"id": est_id}))["updateEstimate"] == {
        "__typename": "Conflict", "message": "This estimate is “Accepted” and can no longer be edited."}
    # An invoice id is not an estimate id.
    assert (await step("markEstimateSent", gid("Invoice", est.id)))["__typename"] == "NotFound"

    history = await gql(user, "query($id: ID!) { estimate(id: $id) { comments { kind action text author { id } } } }",
                        {"id": est_id})
    assert history["estimate"]["comments"] == [
        {"kind": "HISTORY", "action": "created", "text": "Created.", "author": {"id": gid("User", user.id)}},
        {"kind": "HISTORY", "action": "mark_sent", "text": "Marked as sent.", "author": {"id": gid("User", user.id)}},
        {"kind": "HISTORY", "action": "accept", "text": "Marked as accepted.", "author": {"id": gid("User", user.id)}},
    ]


async def test_other_kinds_steps(gql):
    user, principal, org, customer = await books_user()
    vendor = await f.make_customer(org, contact_type="vendor")
    po = await f.make_transaction(principal, "purchase_order", vendor)
    so = await f.make_transaction(principal, "sales_order", customer)
    inv = await f.make_transaction(principal, "invoice", customer)
    query = f"""mutation($po: ID!, $so: ID!, $inv: ID!) {{
      close: closePurchaseOrder(id: $po) {{ {RESULT} }}
      sent: markPurchaseOrderSent(id: $po) {{ {RESULT} ... on PurchaseOrderPayload {{ purchaseOrder {{ status }} }} }}
      closed: closePurchaseOrder(id: $po) {{ {RESULT} ... on PurchaseOrderPayload {{ purchaseOrder {{ status }} }} }}
      confirmed: confirmSalesOrder(id: $so) {{ {RESULT} ... on SalesOrderPayload {{ salesOrder {{ status }} }} }}
      voided: voidInvoice(id: $inv) {{ {RESULT} ... on InvoicePayload {{ invoice {{ status }} }} }}
      again: markInvoiceSent(id: $inv) {{ {RESULT} }}
    }}"""
    data = await gql(user, query, {"po": gid("PurchaseOrder", po.id), "so": gid("SalesOrder", so.id),
                                   "inv": gid("Invoice", inv.id)})
    assert data == {
        "close": {"__typename": "Conflict", "message": "This purchase order is “Draft”: it cannot be closed."},
        "sent": {"__typename": "PurchaseOrderPayload", "purchaseOrder": {"status": "SENT"}},
        "closed": {"__typename": "PurchaseOrderPayload", "purchaseOrder": {"status": "CLOSED"}},
        "confirmed": {"__typename": "SalesOrderPayload", "salesOrder": {"status": "CONFIRMED"}},
        "voided": {"__typename": "InvoicePayload", "invoice": {"status": "VOID"}},
        "again": {"__typename": "Conflict", "message": "This invoice is “Void”: it cannot be marked as sent."},
    }


LINKS = """fragment Links on Transaction {
  __typename id number status
  source { __typename id number }
  conversions { __typename id number ... on Invoice { balance } }
}"""


async def test_convert_estimate_to_invoice_linked_both_ways(gql):
    user, principal, _, customer = await books_user()
    est = await f.make_transaction(principal, "estimate", customer, [("設計", 1, 100000, 10), ("資料", 2, 500, 8)])
    est_id = gid("Estimate", est.id)
    convert = LINKS + """mutation($id: ID!) { convertEstimate(id: $id, to: INVOICE) {
      __typename ... on ConversionPayload { source { ...Links } created { ...Links total } }
      ... on Conflict { message } } }"""
    data = (await gql(user, convert, {"id": est_id}))["convertEstimate"]
    inv = await Transaction.get(kind=Kind.INVOICE)
    inv_id = gid("Invoice", inv.id)
    assert data["source"] == {"__typename": "Estimate", "id": est_id, "number": "EST-00001", "status": "CONVERTED",
                              "source": None, "conversions": [
                                  {"__typename": "Invoice", "id": inv_id, "number": "INV-00001", "balance": "111080"}]}
    assert data["created"] == {"__typename": "Invoice", "id": inv_id, "number": "INV-00001", "status": "DRAFT",
                               "total": "111080", "conversions": [],
                               "source": {"__typename": "Estimate", "id": est_id, "number": "EST-00001"}}

    # Read from either end.
    read = LINKS + """query($est: ID!, $inv: ID!) { estimate(id: $est) { ...Links }
      invoice(id: $inv) { source { ...Links } } }"""
    data = await gql(user, read, {"est": est_id, "inv": inv_id})
    assert data["estimate"]["conversions"] == [{"__typename": "Invoice", "id": inv_id, "number": "INV-00001",
                                                "balance": "111080"}]
    assert data["invoice"]["source"]["id"] == est_id

    again = (await gql(user, convert, {"id": est_id}))["convertEstimate"]
    assert again == {"__typename": "Conflict", "message": "This estimate is “Converted”: it cannot be converted."}


async def test_sales_order_is_confirmed_before_it_is_invoiced(gql):
    user, principal, _, customer = await books_user()
    so = await f.make_transaction(principal, "sales_order", customer)
    so_id = gid("SalesOrder", so.id)
    convert = """mutation($id: ID!) { convertSalesOrderToInvoice(id: $id) { __typename
      ... on ConversionPayload { source { status } created { __typename source { id } } }
      ... on Conflict { message } } }"""
    assert (await gql(user, convert, {"id": so_id}))["convertSalesOrderToInvoice"] == {
        "__typename": "Conflict", "message": "Confirm the sales order before invoicing it."}
    await workflow.confirm(principal, so.id)
    data = (await gql(user, convert, {"id": so_id}))["convertSalesOrderToInvoice"]
    assert data["source"] == {"status": "INVOICED"}
    assert data["created"] == {"__typename": "Invoice", "source": {"id": so_id}}


PAY = """mutation($id: ID!, $input: PaymentInput!) { recordPayment(invoiceId: $id, input: $input) {
  __typename
  ... on PaymentPayload { payment { id amount mode reference voidedAt } invoice { status amountPaid balance } }
  ... on ValidationError { fields { path message } }
  ... on Conflict { message }
} }"""
VOID_PAYMENT = """mutation($id: ID!) { voidPayment(id: $id) { __typename
  ... on PaymentPayload { payment { voidedAt } invoice { status amountPaid balance } }
  ... on Conflict { message } } }"""


async def test_partial_then_full_payment_overpayment_and_void(gql):
    user, principal, _, customer = await books_user()
    inv = await f.make_sent_invoice(principal, customer, [("作業", 1, 10000, 10)])  # 11,000
    inv_id = gid("Invoice", inv.id)

    first = (await gql(user, PAY, {"id": inv_id, "input": {"amount": "4000", "reference": "振込1", "date": "2026-04-01"}}))["recordPayment"]
    assert first["payment"]["amount"] == "4000" and first["payment"]["mode"] == "BANK_TRANSFER"
    assert first["invoice"] == {"status": "PARTIALLY_PAID", "amountPaid": "4000", "balance": "7000"}

    over = (await gql(user, PAY, {"id": inv_id, "input": {"amount": "7001"}}))["recordPayment"]
    assert over == {"__typename": "ValidationError", "fields": [
        {"path": "amount", "message": "The payment of ¥7,001 is more than the balance due of ¥7,000."}]}

    full = (await gql(user, PAY, {"id": inv_id, "input": {"amount": "7000", "mode": "CASH", "date": "2026-04-30"}}))
    assert full["recordPayment"]["invoice"] == {"status": "PAID", "amountPaid": "11000", "balance": "0"}
    more = (await gql(user, PAY, {"id": inv_id, "input": {"amount": "1"}}))["recordPayment"]
    assert more == {"__typename": "Conflict", "message": "This invoice is paid in full."}

    voided = (await gql(user, VOID_PAYMENT, {"id": first["payment"]["id"]}))["voidPayment"]
    assert voided["payment"]["voidedAt"] is not None
    assert voided["invoice"] == {"status": "PARTIALLY_PAID", "amountPaid": "7000", "balance": "4000"}
    again = (await gql(user, VOID_PAYMENT, {"id": first["payment"]["id"]}))["voidPayment"]
    assert again == {"__typename": "Conflict", "message": "This payment is already void."}

    data = await gql(user, "query($id: ID!) { invoice(id: $id) { payments { amount voidedAt } } }", {"id": inv_id})
    assert [(p["amount"], p["voidedAt"] is None) for p in data["invoice"]["payments"]] == [
        ("4000", False), ("7000", True)]


async def test_draft_invoice_takes_no_payment(gql):
    user, principal, _, customer = await books_user()
    inv = await f.make_transaction(principal, "invoice", customer)
    data = await gql(user, PAY, {"id": gid("Invoice", inv.id), "input": {"amount": "100"}})
    assert data["recordPayment"] == {
        "__typename": "Conflict", "message": "Send the invoice (or mark it as sent) before recording payments."}


async def test_notes_and_history_in_the_request_language(gql):
    user, principal, _, customer = await books_user()
    inv = await f.make_transaction(principal, "invoice", customer)
    add = """mutation($id: ID!, $text: String!) { addComment(transactionId: $id, text: $text) { __typename
      ... on CommentPayload { comment { kind text author { id } } } ... on ValidationError { fields { path message } } } }"""
    data = await gql(user, add, {"id": gid("Invoice", inv.id), "text": "  電話で確認済み  "})
    assert data["addComment"]["comment"] == {"kind": "NOTE", "text": "電話で確認済み", "author": {"id": gid("User", user.id)}}
    data = await gql(user, add, {"id": gid("Invoice", inv.id), "text": " "})
    assert data["addComment"]["fields"] == [{"path": "text", "message": "This field is required."}]

    comments = "query($id: ID!) { invoice(id: $id) { comments { text } } }"
    data = await gql(user, comments, {"id": gid("Invoice", inv.id)}, headers={"Accept-Language": "ja"})
    # History is translated when read (from app/locale's catalog); a note is the user's own words.
    assert [c["text"] for c in data["invoice"]["comments"]] == ["作成しました。", "電話で確認済み"]
    data = await gql(user, comments, {"id": gid("Invoice", inv.id)}, headers={"Accept-Language": "en"})
    assert [c["text"] for c in data["invoice"]["comments"]] == ["Created.", "電話で確認済み"]


async def test_display_status_filters_and_ordering(gql):
    user, principal, _, customer = await books_user()
    # The user's today (Asia/Tokyo): after 15:00 UTC the machine's date is a day behind it.
    from app.services.transactions import today_in

    today = today_in(principal)
    late = await f.make_sent_invoice(principal, customer, [("a", 1, 3000, 10)],
                                     issue_date=today - timedelta(days=40), due_date=today - timedelta(days=10))
    await f.make_sent_invoice(principal, customer, [("b", 1, 1000, 10)], issue_date=today, due_date=today)
    await f.make_transaction(principal, "invoice", customer, [("c", 1, 2000, 10)], issue_date=today)
    expired = await f.make_transaction(principal, "estimate", customer, issue_date=today - timedelta(days=40),
                                       due_date=today - timedelta(days=1))
    query = """query($filter: TransactionFilter, $orderBy: [TransactionOrder!]) {
      invoices(filter: $filter, orderBy: $orderBy) { totalCount edges { node { number total displayStatus } } } }"""

    async def numbers(flt=None, order=None):
        data = await gql(user, query, {"filter": flt, "orderBy": order})
        return [(e["node"]["number"], e["node"]["displayStatus"]) for e in data["invoices"]["edges"]]

    assert await numbers(order=[{"field": "TOTAL", "direction": "DESC"}]) == [
        ("INV-00001", "OVERDUE"), ("INV-00003", "DRAFT"), ("INV-00002", "SENT")]
    assert await numbers({"status": {"eq": "SENT"}, "dueDate": {"lt": today.isoformat()}}) == [
        ("INV-00001", "OVERDUE")]
    assert await numbers({"status": {"in": ["DRAFT"]}}) == [("INV-00003", "DRAFT")]
    assert await numbers({"number": {"startsWith": "inv-0000"}, "contact": {"eq": gid("BooksContact", customer.id)},
                          "not": {"id": {"eq": gid("Invoice", late.id)}}},
                         [{"field": "NUMBER"}]) == [("INV-00002", "SENT"), ("INV-00003", "DRAFT")]
    assert await numbers({"issueDate": {"gte": today.isoformat()}, "organization": {"eq": gid("Organization", 0)}}) == []
    data = await gql(user, "query($id: ID!) { estimate(id: $id) { displayStatus expiryDate dueDate } }",
                     {"id": gid("Estimate", expired.id)})
    assert data["estimate"] == {"displayStatus": "EXPIRED", "expiryDate": expired.due_date.isoformat(),
                                "dueDate": expired.due_date.isoformat()}


COMPOSE = """query($id: ID!) { composeEmail(id: $id) { __typename
  ... on EmailComposition { to subject attachmentName recipients { name email } template { language } }
  ... on Conflict { message } ... on ValidationError { fields { path message } } } }"""
SEND = """mutation($id: ID!, $input: SendInput!) { sendInvoice(id: $id, input: $input) { __typename
  ... on InvoicePayload { invoice { status comments { action } } }
  ... on ValidationError { fields { path message } }
  ... on DeliveryFailed { message } } }"""


async def test_compose_then_send_needs_smtp(gql, smtp_server_refusing):
    user, principal, org, customer = await books_user()
    inv = await f.make_transaction(principal, "invoice", customer)
    inv_id = gid("Invoice", inv.id)
    person = await customer.persons.all().first()

    data = (await gql(user, COMPOSE, {"id": inv_id}))["composeEmail"]
    assert data["to"] == [person.email] and data["recipients"] == [{"name": "山田 太郎", "email": person.email}]
    assert data["template"] == {"language": "ja"} and data["attachmentName"] == "請求書_INV-00001.pdf"
    assert "INV-00001" in data["subject"]

    message = {"to": [person.email], "subject": data["subject"], "body": "本文"}
    result = (await gql(user, SEND, {"id": inv_id, "input": message}))["sendInvoice"]
    assert result == {"__typename": "ValidationError", "fields": [
        {"path": "smtp", "message": "Set up the organization's outgoing mail (SMTP) in Settings first."}]}
    result = (await gql(user, SEND, {"id": inv_id, "input": {**message, "to": ["someone@else.jp"]}}))["sendInvoice"]
    assert result["fields"][0] == {
        "path": "to", "message": "Send to the customer's contact persons; put other addresses in Cc (someone@else.jp)."}

    # A real SMTP server (aiosmtpd) that refuses one address at RCPT: nothing is sent to anyone.
    org.smtp_host, org.smtp_port, org.smtp_security = "127.0.0.1", smtp_server_refusing.port, "none"
    org.sender_email = "billing@example.jp"
    await org.save()
    refused = {**message, "cc": [REFUSED]}
    result = (await gql(user, SEND, {"id": inv_id, "input": refused}, headers={"Accept-Language": "ja"}))["sendInvoice"]
    assert result == {"__typename": "DeliveryFailed",
                      "message": "メールを送信できませんでした：SMTP サーバーが宛先のメールアドレスを受け付けませんでした。"}
    assert smtp_server_refusing.messages == []
    assert (await Transaction.get(id=inv.id)).status == Status.DRAFT

    result = (await gql(user, SEND, {"id": inv_id, "input": message}))["sendInvoice"]
    assert result["invoice"] == {"status": "SENT", "comments": [{"action": "created"}, {"action": "sent"}]}
    (sent,) = smtp_server_refusing.messages
    assert (sent["To"], sent["Subject"]) == (person.email, data["subject"])
    (attachment,) = list(sent.iter_attachments())
    assert attachment.get_filename() == "請求書_INV-00001.pdf"
    pdf = attachment.get_content()  # rendered by the real renderer, read back as text
    assert "INV-00001" in "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)

    await workflow.void(principal, Kind.INVOICE, inv.id)
    data = (await gql(user, COMPOSE, {"id": inv_id}))["composeEmail"]
    assert data == {"__typename": "Conflict", "message": "This invoice is “Void”: it cannot be sent by e-mail."}
    assert (await gql(user, COMPOSE, {"id": gid("BooksContact", customer.id)}))["composeEmail"]["__typename"] == "NotFound"


LIST = """query($n: Int) { invoices(first: $n) { edges { node {
  number contact { displayName } payments { amount } lines { amount } } } } }"""


async def test_invoice_list_query_count_does_not_grow_with_the_page(gql):
    user, principal, org, _ = await books_user()
    for i in range(40):
        customer = await f.make_customer(org)
        inv = await f.make_sent_invoice(principal, customer, [("a", 1, 1000, 10), ("b", 2, 500, 8)])
        await payments.record_payment(principal, inv.id, {"amount": 100})
    await gql(user, "{ me { timezone } }")  # creates the token and records its first use

    counts = {}
    for n in (5, 40):
        with count_queries() as queries:
            data = await gql(user, LIST, {"n": n})
        edges = data["invoices"]["edges"]
        assert len(edges) == n
        assert all(len(e["node"]["lines"]) == 2 and e["node"]["payments"] == [{"amount": "100"}] for e in edges)
        counts[n] = len(queries)
    assert counts[5] == counts[40], queries.sql
    # the user with their token and the access stamp (what they may reach is kept from the first
    # request); then invoices, contacts, payments, lines
    assert counts[40] == 5, queries.sql


async def test_node_reaches_books_records_the_user_may_see(gql):
    from app.permissions import Principal
    from tests import factories as f
    from schema.types.node import to_global_id

    user = await f.make_user("Accountant")
    org = await f.make_org(user)
    customer = await f.make_customer(org, display_name="株式会社ノード")
    invoice = await f.make_transaction(await Principal.load(user), "invoice", customer)
    query = "query($id: ID!) { node(id: $id) { __typename ... on Invoice { number } ... on BooksContact { displayName } } }"
    data = await gql(user, query, {"id": to_global_id("Invoice", invoice.id)})
    assert data["node"] == {"__typename": "Invoice", "number": "INV-00001"}
    data = await gql(user, query, {"id": to_global_id("BooksContact", customer.id)})
    assert data["node"] == {"__typename": "BooksContact", "displayName": "株式会社ノード"}
    assert (await gql(user, query, {"id": to_global_id("Estimate", invoice.id)}))["node"] is None
    outsider = await f.make_user("Accountant")
    assert (await gql(outsider, query, {"id": to_global_id("Invoice", invoice.id)}))["node"] is None


async def test_concurrent_requests_get_consecutive_numbers(gql, is_postgres):
    """Twenty createInvoice requests at once (each in its own pooled connection on PostgreSQL),
    three of them invalid: the seventeen invoices are numbered 1..17, no gap, no duplicate."""
    import asyncio

    user, _, org, customer = await books_user()
    await gql(user, "{ me { timezone } }")  # the API token exists before the burst

    def payload(i: int) -> dict:
        quantity = "0" if i % 7 == 3 else "1"  # refused: quantity 0
        return {"input": {"contactId": gid("BooksContact", customer.id),
                          "lines": [{"description": f"作業{i}", "quantity": quantity, "rate": "1000"}]}}

    results = await asyncio.gather(*(gql(user, CREATE_INVOICE, payload(i)) for i in range(20)))
    kinds = [r["createInvoice"]["__typename"] for r in results]
    assert kinds.count("ValidationError") == 3 and kinds.count("InvoicePayload") == 17
    numbers = sorted(r["createInvoice"]["invoice"]["number"] for r in results
                     if r["createInvoice"]["__typename"] == "InvoicePayload")
    assert numbers == [f"INV-{n:05d}" for n in range(1, 18)]


async def test_later_payloads_in_one_request_see_earlier_writes(gql):
    """Mutations run in order; what one changes, the next payloads show (no stale loader cache)."""
    user, principal, org, customer = await books_user()
    invoice = await f.make_transaction(principal, "invoice", customer)
    invoice_id, contact_id = gid("Invoice", invoice.id), gid("BooksContact", customer.id)
    data = await gql(user, """mutation($inv: ID!, $c: ID!) {
      before: updateInvoice(id: $inv, input: {reference: "1"}) { ... on InvoicePayload { invoice { contact { displayName } } } }
      rename: updateBooksContact(id: $c, input: {displayName: "株式会社新社名"}) { __typename }
      after: updateInvoice(id: $inv, input: {reference: "2"}) { ... on InvoicePayload { invoice { contact { displayName } } } }
    }""", {"inv": invoice_id, "c": contact_id})
    assert data["before"]["invoice"]["contact"]["displayName"] == "株式会社テスト"
    assert data["rename"]["__typename"] == "BooksContactPayload"
    assert data["after"]["invoice"]["contact"]["displayName"] == "株式会社新社名"
