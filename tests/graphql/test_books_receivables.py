"""Receivables through GraphQL: totals per customer and aging buckets by days past due."""

from __future__ import annotations

from app.services import payments
from tests import factories as f
from tests.graphql.conftest import gid

RECEIVABLES = """query($org: ID, $asOf: Date) { receivables(organizationId: $org, asOf: $asOf) {
  customerName customer { displayName } currency invoiced paid outstanding overdue
  current days1To30 days31To60 days61To90 daysOver90 } }"""


async def test_totals_and_aging_buckets(gql):
    user = await f.make_user("Accountant")
    org = await f.make_org(user)
    principal = await f.principal_for(user)
    a = await f.make_customer(org, display_name="A商事")
    b = await f.make_customer(org, display_name="B物産")

    async def sent(contact, amount, issued, due):
        return await f.make_sent_invoice(principal, contact, [("作業", 1, amount, 10)], issue_date=issued, due_date=due)

    await sent(a, 10000, "2026-06-01", "2026-07-10")  # 11,000 not yet due
    partly = await sent(a, 20000, "2026-05-01", "2026-06-15")  # 22,000, 15 days late
    await payments.record_payment(principal, partly.id, {"amount": 2000})
    await sent(a, 10000, "2026-03-01", "2026-04-01")  # 11,000, 90 days late
    await sent(a, 1000, "2026-02-01", "2026-03-01")  # 1,100, 121 days late
    paid = await sent(a, 5000, "2026-02-01", "2026-03-01")  # 5,500, paid: invoiced but not outstanding
    await payments.record_payment(principal, paid.id, {"amount": 5500})
    await f.make_transaction(principal, "invoice", a, [("下書き", 1, 99999, 10)])  # drafts do not count
    await sent(b, 30000, "2026-04-15", "2026-05-15")  # 33,000, 46 days late
    # Another organization of the same user, left out when one organization is asked for.
    elsewhere = await f.make_org(user)
    principal = await f.principal_for(user)
    await sent(await f.make_customer(elsewhere, display_name="C興業"), 1000, "2026-06-01", "2026-06-01")

    data = await gql(user, RECEIVABLES, {"org": gid("Organization", org.id), "asOf": "2026-06-30"})
    assert data["receivables"] == [
        {"customerName": "A商事", "customer": {"displayName": "A商事"}, "currency": "JPY",
         "invoiced": "50600", "paid": "7500", "outstanding": "43100", "overdue": "32100",
         "current": "11000", "days1To30": "20000", "days31To60": "0", "days61To90": "11000", "daysOver90": "1100"},
        {"customerName": "B物産", "customer": {"displayName": "B物産"}, "currency": "JPY",
         "invoiced": "33000", "paid": "0", "outstanding": "33000", "overdue": "33000",
         "current": "0", "days1To30": "0", "days31To60": "33000", "days61To90": "0", "daysOver90": "0"},
    ]
    data = await gql(user, RECEIVABLES, {"asOf": "2026-06-30"})
    assert [r["customerName"] for r in data["receivables"]] == ["A商事", "B物産", "C興業"]
    # A day later, the invoice 90 days late is 91 days late.
    data = await gql(user, RECEIVABLES, {"org": gid("Organization", org.id), "asOf": "2026-07-01"})
    assert (data["receivables"][0]["days61To90"], data["receivables"][0]["daysOver90"]) == ("0", "12100")
