"""Keeping what was sent (電子帳簿保存法): the PDF a customer received is kept byte for byte with
its SHA-256, served again while the document is unchanged, versioned on edits, checked on every
read, and found again by date, amount and counterparty, only by those who may see it."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from app import settings
from app.errors import ValidationError
from app.models import DocumentVersion, Kind, VersionReason
from app.permissions import Principal
from app.services import archive, archive_search, sending
from app.services import transactions as txns
from tests import factories as f
from tests.books.test_sending import smtp_on


def text_of(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)


@pytest.fixture
async def invoice(accountant, customer):
    return await f.make_transaction(accountant, "invoice", customer, [("コンサルティング", 2, 50000, 10)])


async def send(principal, txn, smtp_server):
    draft = await sending.compose(principal, txn.kind, txn.id)
    await sending.send(principal, txn.kind, txn.id, to=draft.to, subject=draft.subject, body=draft.body)
    message = smtp_server.messages[-1]
    (part,) = list(message.iter_attachments())
    return part.get_content()


async def test_sending_twice_unchanged_sends_the_same_kept_bytes(accountant, invoice, org, smtp_server):
    await smtp_on(org, smtp_server.port)
    first = await send(accountant, invoice, smtp_server)
    second = await send(accountant, invoice, smtp_server)
    assert first == second  # the kept bytes, not a new rendering
    (version,) = await DocumentVersion.filter(transaction_id=invoice.id)
    assert version.version == 1 and version.reason == VersionReason.SENT
    assert version.sha256 == hashlib.sha256(first).hexdigest() and version.size == len(first)
    assert version.created_by_id == accountant.user.id
    assert (settings.ARCHIVE_DIR / version.storage_name).read_bytes() == first
    # The staff download serves the kept bytes too.
    filename, body = await archive.current_pdf(accountant, Kind.INVOICE, invoice.id)
    assert body == first and filename == "請求書_INV-00001.pdf"


async def test_an_edit_after_sending_keeps_version_two_and_version_one_stays(accountant, invoice, org, smtp_server):
    await smtp_on(org, smtp_server.port)
    sent = await send(accountant, invoice, smtp_server)
    data = {"lines": f.lines(("コンサルティング", 3, 50000, 10))}
    await txns.update(accountant, Kind.INVOICE, invoice.id, data)
    v1, v2 = await DocumentVersion.filter(transaction_id=invoice.id).order_by("version")
    assert (v2.version, v2.reason, v2.created_by_id) == (2, VersionReason.EDITED, accountant.user.id)
    assert v2.total == Decimal(165000) and v1.total == Decimal(110000)
    assert (await archive.version_pdf(accountant, Kind.INVOICE, invoice.id, 1)).body == sent
    edited = (await archive.version_pdf(accountant, Kind.INVOICE, invoice.id, 2)).body
    assert "165,000" in text_of(edited) and "165,000" not in text_of(sent)
    # Sending again sends version 2 as kept: no third version.
    assert await send(accountant, invoice, smtp_server) == edited
    assert await DocumentVersion.filter(transaction_id=invoice.id).count() == 2


async def test_an_edit_of_a_document_never_sent_keeps_nothing(accountant, invoice):
    await txns.update(accountant, Kind.INVOICE, invoice.id, {"subject": "変更"})
    assert not await DocumentVersion.exists(transaction_id=invoice.id)


async def test_a_refused_mail_keeps_nothing(accountant, invoice, org, closed_port):
    await smtp_on(org, closed_port)
    draft = await sending.compose(accountant, Kind.INVOICE, invoice.id)
    with pytest.raises(Exception):
        await sending.send(accountant, Kind.INVOICE, invoice.id, to=draft.to, subject=draft.subject, body=draft.body)
    assert not await DocumentVersion.exists(transaction_id=invoice.id)


async def test_a_tampered_file_is_detected_and_not_sent(accountant, invoice, org, smtp_server):
    await smtp_on(org, smtp_server.port)
    await send(accountant, invoice, smtp_server)
    version = await DocumentVersion.get(transaction_id=invoice.id)
    path = settings.ARCHIVE_DIR / version.storage_name
    path.write_bytes(path.read_bytes().replace(b"%PDF", b"%PDX", 1))
    with pytest.raises(archive.TamperedVersion) as err:
        await archive.version_pdf(accountant, Kind.INVOICE, invoice.id, 1)
    assert "INV-00001" in err.value.message and "SHA-256" in err.value.message
    count = len(smtp_server.messages)
    with pytest.raises(archive.TamperedVersion):
        await send(accountant, invoice, smtp_server)
    assert len(smtp_server.messages) == count  # nothing went out
    path.unlink()  # a lost file is reported the same way
    with pytest.raises(archive.TamperedVersion):
        await archive.current_pdf(accountant, Kind.INVOICE, invoice.id)


async def test_version_numbers_that_name_nothing_are_not_found(accountant, invoice):
    from app.errors import NotFound

    for number in ("0", "-1", "99", "1e3", "１", "9" * 40, "../../etc/passwd"):
        with pytest.raises(NotFound):
            await archive.version_pdf(accountant, Kind.INVOICE, invoice.id, number)


# ---- search -------------------------------------------------------------------------------------

async def _kept(principal, contact, kind, lines, **kw):
    txn = await f.make_transaction(principal, kind, contact, lines, **kw)
    await archive.keep(txn, VersionReason.SENT, user=principal.user)
    return txn


async def test_search_by_date_amount_and_counterparty(accountant, org, customer):
    other = await f.make_customer(org, display_name="有限会社サンプル")
    vendor = await f.make_customer(org, display_name="仕入先商店", contact_type="vendor")
    a = await _kept(accountant, customer, "invoice", [("A", 1, 10000, 10)], issue_date="2026-10-01")
    b = await _kept(accountant, other, "invoice", [("B", 1, 50000, 10)], issue_date="2026-11-15")
    e = await _kept(accountant, other, "estimate", [("E", 1, 200000, 10)], issue_date="2026-11-20")
    p = await _kept(accountant, vendor, "purchase_order", [("P", 1, 30000, 10)], issue_date="2026-11-02")

    async def found(**data):
        result = await archive_search.search(accountant, archive_search.criteria(data))
        return {v.transaction_id for v in result.versions}

    assert await found() == {a.id, b.id, e.id, p.id}
    assert await found(date_from="2026-11-01", date_to="2026-11-16") == {b.id, p.id}
    assert await found(amount_min="30000", amount_max="60000") == {b.id, p.id}
    assert await found(counterparty="サンプル") == {b.id, e.id}
    assert await found(direction="purchases") == {p.id}
    assert await found(direction="issued", kind="invoice", counterparty="テスト") == {a.id}


async def test_search_never_finds_what_the_user_may_not_see(accountant, org, customer):
    from app.models import Membership

    mine_invoice = await _kept(accountant, customer, "invoice", [("A", 1, 10000, 10)])
    vendor = await f.make_customer(org, display_name="仕入先テスト", contact_type="vendor")
    await _kept(accountant, vendor, "purchase_order", [("P", 1, 30000, 10)])
    stranger_user = await f.make_user("Accountant")
    other_org = await f.make_org(stranger_user)
    stranger = await Principal.load(stranger_user)
    theirs = await _kept(stranger, await f.make_customer(other_org, display_name="株式会社テスト"),
                         "invoice", [("X", 1, 10000, 10)])
    mine = await archive_search.search(accountant, archive_search.criteria({"counterparty": "テスト"}))
    assert {v.organization_id for v in mine.versions} == {org.id} and mine.total == 2
    seen = await archive_search.search(stranger, archive_search.criteria({}))
    assert [v.transaction_id for v in seen.versions] == [theirs.id]
    # A salesperson of the organization sees invoices but not purchase orders: nor do they find them.
    sales = await f.make_user("Sales")
    await Membership.create(organization=org, user=sales)
    found = await archive_search.search(await Principal.load(sales), archive_search.criteria({}))
    assert [v.transaction_id for v in found.versions] == [mine_invoice.id] and found.total == 1
    # Someone of no organization finds nothing.
    outsider = await archive_search.search(await Principal.load(await f.make_user("Accountant")), archive_search.criteria({}))
    assert outsider.versions == [] and outsider.total == 0


@pytest.mark.parametrize("data, field", [
    ({"date_from": "2026-13-01"}, "date_from"),
    ({"date_from": "9999-99-99"}, "date_from"),
    ({"date_from": "2026-12-01", "date_to": "2026-11-01"}, "date_to"),
    ({"amount_min": "abc"}, "amount_min"),
    ({"amount_max": "1e400"}, "amount_max"),
    ({"amount_min": "NaN"}, "amount_min"),
    ({"amount_min": "5", "amount_max": "1"}, "amount_max"),
    ({"direction": "sideways"}, "direction"),
    ({"kind": "'; DROP TABLE document_versions; --"}, "kind"),
    ({"counterparty": "x" * 500}, "counterparty"),
])
def test_hostile_criteria_are_field_errors(data, field):
    with pytest.raises(ValidationError) as err:
        archive_search.criteria(data)
    assert [e.field for e in err.value.errors] == [field]


async def test_search_bounds_its_page(accountant, customer):
    await _kept(accountant, customer, "invoice", [("A", 1, 10000, 10)])
    for limit, offset in (("100000", "0"), ("-5", "x"), ("abc", "999999999999")):
        result = await archive_search.search(accountant, archive_search.criteria({"counterparty": "%_\x00"}), limit=limit, offset=offset)
        assert result.limit <= archive_search.PAGE_MAX and result.versions == []
    assert (await archive_search.search(accountant, archive_search.criteria({}), limit="500")).limit == archive_search.PAGE_MAX


# ---- received files ------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_received_files_are_found_by_their_documents_date_amount_and_counterparty(accountant, org, customer):
    import io

    from app.services import documents

    vendor = await f.make_customer(org, display_name="仕入先商店", contact_type="vendor")
    order = await f.make_transaction(accountant, "sales_order", customer, [("A", 1, 10000, 10)], issue_date="2026-11-01")
    po = await f.make_transaction(accountant, "purchase_order", vendor, [("P", 1, 90000, 10)], issue_date="2026-10-01")
    customers_order = await documents.upload(accountant, "sales_order", order.id, "注文書.pdf", io.BytesIO(PDF))
    bill = await documents.upload(accountant, "purchase_order", po.id, "請求書.pdf", io.BytesIO(PDF + b"%bill"))
    await documents.upload(accountant, "contact", vendor.id, "会社案内.pdf", io.BytesIO(PDF))  # no document: not searched

    async def found(**data):
        result = await archive_search.search_received(accountant, archive_search.criteria(data))
        return {r.document.id for r in result.files}

    assert await found() == {customers_order.id, bill.id}
    assert await found(counterparty="仕入先") == {bill.id}
    assert await found(amount_min="50000") == {bill.id}
    assert await found(date_from="2026-10-15") == {customers_order.id}
    assert await found(direction="received", kind="sales_order") == {customers_order.id}
    assert await found(direction="issued") == set()  # the kept versions' side
    result = await archive_search.search_received(accountant, archive_search.criteria({}))
    row = next(r for r in result.files if r.document.id == bill.id)
    assert row.counterparty == "仕入先商店" and row.transaction.number == po.number
    assert row.document.sha256 == hashlib.sha256(PDF + b"%bill").hexdigest()
    # Another organization never sees them; a salesperson does not see purchase orders' files.
    from app.models import Membership

    stranger = await f.make_user("Accountant")
    await f.make_org(stranger)
    assert (await archive_search.search_received(await Principal.load(stranger), archive_search.criteria({}))).files == []
    sales = await f.make_user("Sales")
    await Membership.create(organization=org, user=sales)
    theirs = await archive_search.search_received(await Principal.load(sales), archive_search.criteria({}))
    assert [r.document.id for r in theirs.files] == [customers_order.id]


def test_any_criteria_are_read_or_refused_field_by_field():
    from hypothesis import given, settings as hsettings
    from hypothesis import strategies as st

    from tests.property.strategies import NASTY_TEXT

    names = ["direction", "kind", "date_from", "date_to", "amount_min", "amount_max", "counterparty"]
    values = st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=300), st.integers().map(str),
                       st.floats(allow_nan=True).map(str), st.dates().map(str), st.none())

    @hsettings(max_examples=300, deadline=None)
    @given(st.dictionaries(st.sampled_from(names), values))
    def check(data):
        try:
            found = archive_search.criteria(data)
        except ValidationError as exc:
            assert exc.errors and {e.field for e in exc.errors} <= set(names)
        else:
            assert len(found.counterparty) <= archive_search.COUNTERPARTY_MAX and "\x00" not in found.counterparty

    check()


async def test_customers_opening_a_document_at_once_get_one_version(accountant, invoice):
    import asyncio

    kept = await asyncio.gather(*(archive.portal_copy(invoice, customer_name="山田", staff=False) for _ in range(4)))
    (version,) = await DocumentVersion.filter(transaction_id=invoice.id)
    assert {hashlib.sha256(body).hexdigest() for _, body in kept} == {version.sha256}
    assert version.reason == VersionReason.PORTAL and version.customer_name == "山田"
