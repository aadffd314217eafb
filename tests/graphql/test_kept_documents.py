"""The archive of kept documents through GraphQL: the same search as the page (date, amount,
counterparty), the same permissions, typed errors for bad criteria."""

from __future__ import annotations

from app.models import Membership, VersionReason
from app.services import archive
from tests import factories as f
from tests.graphql.conftest import gid

KEPT = """query($search: ArchiveSearch, $first: Int, $offset: Int) {
  keptDocuments(search: $search, first: $first, offset: $offset) {
    __typename
    ... on KeptDocuments { totalCount limit items { documentId version kind number issueDate total currency
                           counterparty sha256 size reason keptAt downloadPath } }
    ... on ValidationError { message fields { path message } } } }"""


async def _kept(principal, contact, kind, amount, issued):
    txn = await f.make_transaction(principal, kind, contact, [("作業", 1, amount, 10)], issue_date=issued)
    await archive.keep(txn, VersionReason.SENT, user=principal.user)
    return txn


async def test_search_by_date_amount_and_counterparty(gql):
    user = await f.make_user("Accountant")
    org = await f.make_org(user)
    principal = await f.principal_for(user)
    a = await _kept(principal, await f.make_customer(org, display_name="A商事"), "invoice", 10000, "2026-10-01")
    b = await _kept(principal, await f.make_customer(org, display_name="B物産"), "estimate", 50000, "2026-11-10")
    vendor = await f.make_customer(org, display_name="C仕入", contact_type="vendor")
    await _kept(principal, vendor, "purchase_order", 20000, "2026-11-20")
    # Another organization's document with a matching name is never found.
    stranger = await f.make_user("Accountant")
    other = await f.make_org(stranger)
    await _kept(await f.principal_for(stranger), await f.make_customer(other, display_name="B物産"), "invoice",
                50000, "2026-11-10")

    everything = (await gql(user, KEPT))["keptDocuments"]
    assert everything["totalCount"] == 3 and everything["limit"] == 50
    found = (await gql(user, KEPT, {"search": {"dateFrom": "2026-11-01", "dateTo": "2026-11-15",
                                               "amountMin": "40000", "counterparty": "物産"}}))["keptDocuments"]
    (row,) = found["items"]
    assert row["documentId"] == gid("Estimate", b.id) and row["number"] == b.number
    assert (row["version"], row["kind"], row["reason"], row["total"]) == (1, "ESTIMATE", "SENT", "55000")
    assert row["counterparty"] == "B物産" and len(row["sha256"]) == 64 and row["size"] > 1000
    assert row["downloadPath"] == f"/books/estimates/{b.id}/versions/1.pdf"
    purchases = (await gql(user, KEPT, {"search": {"direction": "PURCHASES"}}))["keptDocuments"]
    assert [r["counterparty"] for r in purchases["items"]] == ["C仕入"]
    invoices = (await gql(user, KEPT, {"search": {"kind": "INVOICE"}, "first": 1000}))["keptDocuments"]
    assert [r["number"] for r in invoices["items"]] == [a.number] and invoices["limit"] == 100
    # A salesperson of the organization: no purchase orders.
    sales = await f.make_user("Sales")
    await Membership.create(organization=org, user=sales)
    seen = (await gql(sales, KEPT))["keptDocuments"]
    assert sorted(r["kind"] for r in seen["items"]) == ["ESTIMATE", "INVOICE"]


async def test_bad_criteria_are_typed_errors(gql):
    user = await f.make_user("Accountant")
    await f.make_org(user)
    for search, path in (({"dateFrom": "2026-12-01", "dateTo": "2026-11-01"}, "dateTo"),
                         ({"amountMin": "1e30"}, "amountMin"),
                         ({"amountMin": "9", "amountMax": "1"}, "amountMax"),
                         ({"counterparty": "x" * 101}, "counterparty"),
                         ({"dateFrom": "0001-01-01"}, "dateFrom")):
        result = (await gql(user, KEPT, {"search": search}))["keptDocuments"]
        assert result["__typename"] == "ValidationError" and [f["path"] for f in result["fields"]] == [path]
    refused = await gql.post(user, KEPT, {"search": {"dateFrom": "not a date"}})
    assert refused.status_code in (200, 400) and refused.json()["errors"]
    anonymous = await gql.post(None, KEPT)
    assert anonymous.status_code in (200, 401) and not (anonymous.json().get("data") or {}).get("keptDocuments")


RECEIVED = """query($search: ArchiveSearch) { receivedFiles(search: $search) {
  ... on ReceivedFiles { totalCount items { fileId documentId filename sha256 size uploadedAt kind number issueDate
                                            total currency counterparty downloadPath } }
  ... on ValidationError { fields { path } } } }"""


async def test_received_files(gql):
    import io

    from app.services import documents

    user = await f.make_user("Accountant")
    org = await f.make_org(user)
    principal = await f.principal_for(user)
    vendor = await f.make_customer(org, display_name="仕入先商店", contact_type="vendor")
    po = await f.make_transaction(principal, "purchase_order", vendor, [("P", 1, 90000, 10)], issue_date="2026-10-01")
    doc = await documents.upload(principal, "purchase_order", po.id, "請求書.pdf", io.BytesIO(b"%PDF-1.4\n%%EOF\n"))
    data = (await gql(user, RECEIVED, {"search": {"counterparty": "仕入先", "amountMin": "99000"}}))["receivedFiles"]
    (row,) = data["items"]
    assert row["fileId"] == gid("Document", doc.id) and row["documentId"] == gid("PurchaseOrder", po.id)
    assert (row["filename"], row["total"], row["kind"], row["counterparty"]) == ("請求書.pdf", "99000", "PURCHASE_ORDER", "仕入先商店")
    assert row["downloadPath"] == f"/books/documents/{doc.id}" and row["sha256"] == doc.sha256
    none = (await gql(user, RECEIVED, {"search": {"dateFrom": "2026-10-02"}}))["receivedFiles"]
    assert none["totalCount"] == 0
    bad = (await gql(user, RECEIVED, {"search": {"amountMin": "5", "amountMax": "1"}}))["receivedFiles"]
    assert bad == {"fields": [{"path": "amountMax"}]}
