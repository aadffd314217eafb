"""What a user can do with an e-mail in Books (seed 000): "Add e-mail to" an estimate or invoice
(a comment in its comments and history), and each attachment's menu (the customer's documents,
attach to a document, a new document with it)."""

from __future__ import annotations

import pytest

from app.errors import Conflict, NotFound, PermissionDenied, ValidationError
from app.models import Comment, CommentKind, Document, Kind, MailboxSharing, Status, Transaction
from app.permissions import Principal
from app.services import documents, email_books as books
from app.services import transactions as txns
from tests import factories as f

pytestmark = pytest.mark.usefixtures("db")

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


async def _books(role: str = "Accountant"):
    """A member of an organization with a customer whose contact person writes to them."""
    user = await f.make_user(role)
    org = await f.make_org(user)
    p = await Principal.load(user)
    customer = await f.make_customer(org, persons=[{"last_name": "山田", "email": "Yamada@Example.jp"}])
    return user, p, org, customer


async def _mail(owner, **kw):
    box = await f.make_mailbox(owner, sharing=kw.pop("sharing", MailboxSharing.PRIVATE))
    kw.setdefault("attachments", (("見積依頼.pdf", "application/pdf", PDF),))
    kw.setdefault("subject", "見積のお願い")
    kw.setdefault("text", "お見積りをお願いします。")
    return await f.make_email(box, sender="山田 太郎 <yamada@example.jp>", to=(owner.email,), **kw)


async def test_offered_are_the_estimates_and_invoices_of_the_emails_customers():
    user, p, org, customer = await _books()
    by_address = await f.make_customer(org, email="YAMADA@example.jp", persons=[])
    other = await f.make_customer(org)
    email = await _mail(user)
    estimate = await f.make_transaction(p, "estimate", customer)
    invoice = await f.make_sent_invoice(p, by_address)
    await f.make_transaction(p, "sales_order", customer)  # not offered: estimates and invoices only
    await f.make_transaction(p, "invoice", other)
    assert {c.id for c in await books.books_contacts_offered(p, email.id)} == {customer.id, by_address.id}
    assert {t.id for t in await books.transactions_offered(p, email.id)} == {estimate.id, invoice.id}
    stranger = await Principal.load(await f.make_user("Accountant"))  # no organization
    box = await f.make_mailbox(stranger.user, sharing=MailboxSharing.ALL)
    shared = await f.make_email(box, sender="yamada@example.jp", to=(stranger.user.email,), subject="x")
    assert await books.transactions_offered(stranger, shared.id) == []


async def test_the_email_becomes_a_comment_on_the_invoice_and_its_history():
    user, p, org, customer = await _books()
    email = await _mail(user)
    invoice = await f.make_sent_invoice(p, customer)
    comment = await books.add_to_transaction(p, email.id, invoice.id)
    assert (comment.kind, comment.action, comment.text, comment.author_id) == (
        CommentKind.NOTE, "email", "お見積りをお願いします。", user.id)
    assert comment.params == {"email_id": email.id, "subject": "見積のお願い", "from": "山田 太郎 <yamada@example.jp>"}
    entries = await Comment.filter(transaction_id=invoice.id).order_by("id")
    assert entries[-2].id == comment.id
    history = entries[-1]
    assert (history.kind, history.action, history.params) == (CommentKind.HISTORY, "email_added",
                                                               {"subject": "見積のお願い"})
    with pytest.raises(Conflict):
        await books.add_to_transaction(p, email.id, invoice.id)


async def test_adding_to_a_document_needs_it_to_be_the_customers_and_editable():
    user, p, org, customer = await _books()
    other = await f.make_customer(org)
    email = await _mail(user)
    elsewhere = await f.make_transaction(p, "estimate", other)
    with pytest.raises(ValidationError) as refused:
        await books.add_to_transaction(p, email.id, elsewhere.id)
    assert refused.value.errors[0].field == "transaction_id"
    order = await f.make_transaction(p, "sales_order", customer)
    with pytest.raises(NotFound):
        await books.add_to_transaction(p, email.id, order.id)
    # A Sales user of the organization sees invoices but may not write on them.
    seller = await f.make_user("Sales")
    from app.models import Membership

    await Membership.create(organization=org, user=seller)
    sp = await Principal.load(seller)
    invoice = await f.make_sent_invoice(p, customer)
    box = await f.make_mailbox(seller)
    theirs = await f.make_email(box, sender="yamada@example.jp", to=(seller.email,), subject="請求書")
    assert [t.id for t in await books.transactions_offered(sp, theirs.id)] == []
    with pytest.raises(PermissionDenied):
        await books.add_to_transaction(sp, theirs.id, invoice.id)
    # Someone outside the organization does not see the invoice at all.
    outsider = await f.make_user("Accountant")
    box = await f.make_mailbox(outsider)
    mail_of_outsider = await f.make_email(box, sender="yamada@example.jp", to=(outsider.email,), subject="x")
    with pytest.raises(NotFound):
        await books.add_to_transaction(await Principal.load(outsider), mail_of_outsider.id, invoice.id)


async def test_private_mail_is_not_found():
    owner, _p, org, customer = await _books()
    email = await _mail(owner)
    admin = await f.make_user("Administrator")
    from app.models import Membership

    await Membership.create(organization=org, user=admin)
    p = await Principal.load(admin)
    invoice = await f.make_sent_invoice(p, customer)
    attachment = (await email.attachments.all())[0]
    for call in (books.books_contacts_offered(p, email.id), books.transactions_offered(p, email.id),
                 books.add_to_transaction(p, email.id, invoice.id),
                 books.add_attachment_to_documents(p, email.id, attachment.id, customer.id),
                 books.attach_to_transaction(p, email.id, attachment.id, invoice.id),
                 books.new_transaction_with_attachment(p, email.id, attachment.id, "estimate", customer.id)):
        with pytest.raises(NotFound):
            await call
    assert not await Document.exists()


async def test_attachment_into_the_customers_documents():
    user, p, org, customer = await _books()
    email = await _mail(user)
    attachment = (await email.attachments.all())[0]
    doc = await books.add_attachment_to_documents(p, email.id, attachment.id, customer.id)
    assert (doc.books_contact_id, doc.transaction_id, doc.filename, doc.content_type, doc.size) == (
        customer.id, None, "見積依頼.pdf", "application/pdf", len(PDF))
    assert documents.storage_path(doc.storage_name).read_bytes() == PDF
    assert [d.id for d in await documents.documents_of(p, "contact", customer.id)] == [doc.id]
    other = await f.make_customer(org)
    with pytest.raises(ValidationError) as refused:
        await books.add_attachment_to_documents(p, email.id, attachment.id, other.id)
    assert refused.value.errors[0].field == "books_contact_id"
    with pytest.raises(NotFound):  # an attachment of another e-mail
        second = await _mail(user, subject="別件")
        await books.add_attachment_to_documents(p, second.id, attachment.id, customer.id)


async def test_attachment_attached_to_an_estimate_with_a_history_entry():
    user, p, org, customer = await _books()
    email = await _mail(user)
    estimate = await f.make_transaction(p, "estimate", customer)
    attachment = (await email.attachments.all())[0]
    doc = await books.attach_to_transaction(p, email.id, attachment.id, estimate.id)
    assert doc.transaction_id == estimate.id
    last = await Comment.filter(transaction_id=estimate.id).order_by("-id").first()
    assert (last.action, last.params["filename"]) == ("email_attachment", "見積依頼.pdf")


async def test_new_estimate_with_the_attachment():
    user, p, org, customer = await _books()
    email = await _mail(user)
    attachment = (await email.attachments.all())[0]
    txn = await books.new_transaction_with_attachment(p, email.id, attachment.id, "estimate", customer.id)
    assert (txn.kind, txn.status, txn.contact_id, txn.subject) == (Kind.ESTIMATE, Status.DRAFT, customer.id,
                                                                   "見積のお願い")
    assert [d.filename for d in await documents.documents_of(p, "estimate", txn.id)] == ["見積依頼.pdf"]
    assert [line.description for line in await txns.lines_of(txn)] == ["見積のお願い"]
    with pytest.raises(ValidationError) as refused:
        await books.new_transaction_with_attachment(p, email.id, attachment.id, "sales_order", customer.id)
    assert refused.value.errors[0].field == "kind"


async def test_a_refused_file_creates_no_document_and_uses_no_number():
    user, p, org, customer = await _books()
    email = await _mail(user, attachments=(("setup.exe", "application/octet-stream", b"MZ\x90\x00" * 10),))
    attachment = (await email.attachments.all())[0]
    with pytest.raises(ValidationError) as refused:
        await books.new_transaction_with_attachment(p, email.id, attachment.id, "invoice", customer.id)
    assert refused.value.errors[0].field == "file"
    assert not await Transaction.exists() and not await Document.exists()
    first = await f.make_transaction(p, "invoice", customer)
    assert first.number.endswith("1")  # the refused draft gave its number back


async def test_a_blob_missing_on_disk_is_a_conflict():
    user, p, org, customer = await _books()
    email = await _mail(user, attachments=(("gone.pdf", "application/pdf", PDF + b"gone"),))
    attachment = (await email.attachments.all())[0]
    from app.mail.store import blob_path

    await attachment.fetch_related("blob")
    blob_path(attachment.blob.sha256).unlink()
    with pytest.raises(Conflict):
        await books.add_attachment_to_documents(p, email.id, attachment.id, customer.id)


async def test_a_vendors_attachment_goes_to_its_documents_but_makes_no_estimate():
    user, p, org, _customer = await _books()
    vendor = await f.make_customer(org, contact_type="vendor", email="yamada@example.jp", persons=[])
    email = await _mail(user)
    attachment = (await email.attachments.all())[0]
    assert vendor.id in {c.id for c in await books.books_contacts_offered(p, email.id)}
    doc = await books.add_attachment_to_documents(p, email.id, attachment.id, vendor.id)
    assert doc.books_contact_id == vendor.id
    with pytest.raises(ValidationError) as refused:
        await books.new_transaction_with_attachment(p, email.id, attachment.id, "estimate", vendor.id)
    assert refused.value.message and refused.value.errors[0].msgid == books.NOT_OFFERED_CUSTOMER
    purchase = await f.make_transaction(p, "purchase_order", vendor)
    assert purchase.id not in {t.id for t in await books.transactions_offered(p, email.id)}
