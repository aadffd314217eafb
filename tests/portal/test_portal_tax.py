"""The customer's view of a document shows the transaction period, the tax categories by name
(never as 0%), 内税 and the document discount, as the PDF does, in the organization's
language (ja)."""

from __future__ import annotations

from app.i18n import gettext
from app.models import Kind
from app.services import workflow
from tests import factories as f


async def test_the_customer_sees_the_period_categories_and_inclusive_totals(client, principal, customer):
    txn = await f.make_transaction(
        principal, "invoice", customer,
        [("作業", 1, 11000, 10), ("お弁当", 1, 1080, 8), ("輸出品", 1, 5000, "export"), ("立替金", 1, 300, "out_of_scope")],
        transaction_date="2026-11-01", transaction_date_end="2026-11-30", prices_include_tax=True,
        discount_value="1738")
    await workflow.mark_sent(principal, Kind.INVOICE, txn.id)
    page = await client.get(f"/portal/{txn.portal_token}")
    assert page.status_code == 200
    html = page.text
    def ja(msgid: str, **params) -> str:
        return gettext("ja", msgid) % params if params else gettext("ja", msgid)

    for expected in (ja("Transaction date"), ja("Prices include tax"), ja("Tax-free (export)"), ja("Out of scope"),
                     "値引", ja("%(rate)s%% taxable (incl.)", rate=10), ja("%(rate)s%% taxable (incl.)", rate=8),
                     ja("Incl. consumption tax"), "※"):
        assert expected in html, expected
    assert "取引年月日" in html and "不課税" in html
    assert "0% subtotal" not in html.replace("10% subtotal", "")


async def test_a_dollar_invoice_shows_its_rate_and_the_tax_per_rate_in_yen(client, principal, org):
    acme = await f.make_customer(org, currency="USD", display_name="Acme Inc.")
    txn = await f.make_transaction(principal, "invoice", acme, [("Consulting", 1, "333.33", 10)],
                                   exchange_rate="150.25", exchange_rate_date="2026-11-28")
    await workflow.mark_sent(principal, Kind.INVOICE, txn.id)
    html = (await client.get(f"/portal/{txn.portal_token}")).text
    rate = gettext("ja", "Exchange rate: 1 %(currency)s = %(rate)s yen (%(date)s)") % {
        "currency": "USD", "rate": "150.25", "date": "2026/11/28"}
    assert rate in html
    yen = html.split('id="yen-10"')[1].split("</tr>")[0]
    assert "¥50,083" in yen and "¥5,008" in yen
