"""Demo Books data: the demo company's customers, items and a few months of estimates, orders,
invoices (some paid, some overdue) and purchase orders — created through the services, so
numbers, totals and history are what users would see."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from app.models import Kind, Membership, Organization, User, VersionReason
from app.permissions import Principal
from app.services import archive, payments, transactions, workflow
from app.services.books_contacts import books_contacts
from app.services.items import items
from app.services.organizations import install_default_templates

CUSTOMERS = [
    ("株式会社さくら商事", True, "東京都", "千代田区丸の内1-1-1", "100-0005", "佐藤", "健一", "end_of_next_month", "JPY"),
    ("富士精機株式会社", True, "静岡県", "静岡市葵区追手町9-6", "420-0853", "鈴木", "真理", "net_30", "JPY"),
    ("株式会社なごみ食品", True, "京都府", "京都市中京区寺町通御池上る", "604-8571", "高橋", "直樹", "end_of_month", "JPY"),
    ("合同会社ひかりデジタル", True, "大阪府", "大阪市北区梅田2-4-9", "530-0001", "田中", "美咲", "close_20_1_10", "JPY"),
    ("山本 一郎", False, "神奈川県", "横浜市中区日本大通1", "231-0021", "山本", "一郎", "due_on_receipt", "JPY"),
    ("Northwind Traders Inc.", True, "WA", "1 Microsoft Way, Redmond", "98052", "Davolio", "Nancy", "net_30", "USD"),
]
VENDORS = [
    ("株式会社ミヤコ印刷", "東京都", "台東区上野2-1-1", "110-0005", "小林", "誠一"),
    ("東海物流株式会社", "愛知県", "名古屋市中区三の丸3-1-1", "460-0001", "中村", "由美"),
]
# A fictional registration number with a valid check digit (T + check digit + 123456789012): never
# a real business's number, which would then print on every demo invoice.
DEMO_REGISTRATION_NUMBER = "T7123456789012"
ITEMS = [
    ("コンサルティング（時間）", "CONS-H", "時間", 15000, 10),
    ("システム導入支援", "IMPL", "式", 300000, 10),
    ("保守サポート（月額）", "SUP-M", "月", 50000, 10),
    ("研修（1日）", "TRAIN-D", "日", 120000, 10),
    ("会議用お弁当", "BENTO", "個", 1080, 8),
    ("お茶（500ml）", "TEA", "本", 150, 8),
    ("パンフレット印刷", "PRINT", "部", 80, 10),
    ("配送料", "SHIP", "件", 1200, 10),
]


async def load_books_demo(admin: User, members: list[User], seed: int = 2026) -> Organization:
    rng = random.Random(seed)
    org = await Organization.create(
        name="株式会社キズナ商事", registration_number=DEMO_REGISTRATION_NUMBER, phone="03-5555-0100",
        email="billing@kizuna.example", address_code="100-0001", address_state="東京都",
        address_city="千代田区", address_street="千代田1-1 キズナビル5F",
        bank_details="みずほ銀行 東京営業部（001）普通 1234567\n口座名義 カ）キズナショウジ",
        sender_email="billing@kizuna.example", sender_name="キズナ商事 経理部",
    )
    await Membership.bulk_create([Membership(organization_id=org.id, user_id=u.id) for u in [admin, *members]])
    await install_default_templates(org)
    principal = await Principal.load(admin)
    principal.active_organization_id = org.id

    customers = [await books_contacts.create(principal, {
        "display_name": name, "company_name": name if company else "", "is_company": company,
        "billing_state": state, "billing_street": street, "billing_code": code,
        "billing_country": "日本" if currency == "JPY" else "USA", "payment_terms": terms, "currency": currency,
        "email": f"info{i}@customer.example",
        "persons": [{"last_name": last, "first_name": first, "email": f"contact{i}@customer.example",
                     "phone": f"03-0000-{1000 + i}"}],
    }) for i, (name, company, state, street, code, last, first, terms, currency) in enumerate(CUSTOMERS)]
    vendors = [await books_contacts.create(principal, {
        "display_name": name, "company_name": name, "contact_type": "vendor", "billing_state": state,
        "billing_street": street, "billing_code": code, "payment_terms": "end_of_next_month",
        "persons": [{"last_name": last, "first_name": first, "email": f"vendor{i}@vendor.example"}],
    }) for i, (name, state, street, code, last, first) in enumerate(VENDORS)]
    catalog = [await items.create(principal, {"name": n, "sku": s, "unit": u, "rate": r, "tax_rate": t})
               for n, s, u, r, t in ITEMS]

    today = date.today()

    def lines(count: int, usd: bool = False) -> list[dict]:
        picked = rng.sample(catalog, count)
        return [{"item_id": i.id, "quantity": rng.choice([1, 2, 3, 5, 10, 20]),
                 **({"rate": (Decimal(i.rate) / 150).quantize(Decimal("0.01"))} if usd else {})} for i in picked]

    async def make(kind: Kind, contact, days_ago: int, count: int = 3):
        issued = today - timedelta(days=days_ago)
        return await transactions.create(principal, kind, {
            "contact_id": contact.id, "issue_date": issued, "lines": lines(count, contact.currency == "USD"),
            "salesperson_id": rng.choice([admin, *members]).id,
            "notes": "ご不明な点がございましたらお気軽にお問い合わせください。",
            # Northwind's invoice in USD: the rate to the yen (TTM) of the day before it was issued
            **({"exchange_rate": "150.25", "exchange_rate_date": issued - timedelta(days=1)}
               if contact.currency == "USD" else {}),
        })

    # Estimates through their life cycle.
    for i, step in enumerate(["draft", "sent", "viewed", "accepted", "declined", "converted"]):
        est = await make(Kind.ESTIMATE, customers[i % 5], 5 + i * 3)
        if step != "draft" and step != "converted":
            await workflow.mark_sent(principal, Kind.ESTIMATE, est.id)
        if step in ("viewed", "accepted", "declined"):
            await workflow.mark_viewed(est)
        if step == "accepted":
            await workflow.accept(principal, est.id)
        if step == "declined":
            await workflow.decline(principal, est.id)
        if step == "converted":
            so = await workflow.convert(principal, Kind.ESTIMATE, est.id, Kind.SALES_ORDER)
            await workflow.confirm(principal, so.id)
    # Invoices: paid, partially paid, overdue, current, one draft.
    for i, days_ago in enumerate([120, 95, 75, 60, 45, 40, 20, 10, 3]):
        inv = await make(Kind.INVOICE, customers[i % len(customers)], days_ago, count=rng.randint(2, 5))
        inv = await workflow.mark_sent(principal, Kind.INVOICE, inv.id)
        if i < 3:  # the archive has what was sent (a few: rendering costs)
            await archive.keep(inv, VersionReason.SENT, user=admin)
        if i % 3 == 0:
            await payments.record_payment(principal, inv.id, {
                "amount": inv.total, "date": inv.issue_date + timedelta(days=25), "reference": f"振込 {inv.number}"})
        elif i % 3 == 1:
            await payments.record_payment(principal, inv.id, {
                "amount": (inv.total / 2).quantize(Decimal(1)), "date": today - timedelta(days=2), "mode": "cash"})
    await _credit_demo(principal, inv, today)
    await make(Kind.INVOICE, customers[0], 0)
    # Last month's work billed tax-inclusive: every tax category, a discount line (値引) and a
    # document discount, with the transaction period printed apart from the issue date.
    month_end = today.replace(day=1) - timedelta(days=1)
    await transactions.create(principal, Kind.INVOICE, {
        "contact_id": customers[0].id, "issue_date": today, "transaction_date": month_end.replace(day=1),
        "transaction_date_end": month_end, "prices_include_tax": True, "discount_value": "1000",
        "subject": "月額保守・サポート", "lines": [
            {"description": "システム保守（月額）", "rate": 55000, "tax_category": "standard"},
            {"description": "会議用お弁当", "quantity": 5, "unit": "個", "rate": 1080, "tax_category": "reduced"},
            {"description": "海外拠点向け技術サポート", "rate": 30000, "tax_category": "export"},
            {"description": "収入印紙代（立替）", "rate": 200, "tax_category": "out_of_scope"},
            {"description": "出精値引", "rate": -5500, "tax_category": "standard"},
        ]})
    # Closing-date billing (20日締め翌月10日払い): the last closed period's orders on one
    # consolidated invoice, an order of the running period still to bill.
    await _consolidation_demo(principal, customers[3], make, today)
    # Purchase orders.
    po = await make(Kind.PURCHASE_ORDER, vendors[0], 14, count=1)
    await workflow.mark_sent(principal, Kind.PURCHASE_ORDER, po.id)
    await archive.keep(po, VersionReason.SENT, user=admin)
    await make(Kind.PURCHASE_ORDER, vendors[1], 2, count=2)
    return org


async def _credit_demo(principal: Principal, invoice, today: date) -> None:
    """A return (返品) on the last invoice: a credit note for one of its first line's units, half
    of its credit applied to the invoice, the rest left for the customer."""
    from app.services import credit_applications, credit_notes

    line = (await transactions.lines_of(invoice))[0]
    note = await credit_notes.create(principal, {
        "invoice_ids": [invoice.id], "reason": "return", "issue_date": today, "reference": invoice.number,
        "lines": [{"description": f"{line.description}（返品）", "quantity": 1, "unit": line.unit, "rate": line.rate,
                   "tax_category": line.tax_category}]})
    note = await workflow.mark_sent(principal, Kind.CREDIT_NOTE, note.id)
    await credit_applications.apply_credit(principal, note.id, [
        {"invoice_id": invoice.id, "amount": min(invoice.balance, (note.total / 2).quantize(Decimal(1)))}], today)


async def _consolidation_demo(principal: Principal, customer, make, today: date) -> None:
    from app.services import consolidation

    periods = consolidation.periods(await consolidation.terms_of(customer), today)
    closed = next(p for p in periods if p.end < today)
    for day in (closed.start + timedelta(days=2), closed.end - timedelta(days=3), today):
        order = await make(Kind.SALES_ORDER, customer, (today - day).days, count=2)
        await workflow.confirm(principal, order.id)
    await consolidation.create(principal, {"contact_id": customer.id, "period_end": closed.end})


async def load_link_demo(admin: User, org: Organization) -> None:
    """The CRM linked to the demo organization, as an administrator would link it (a connection
    key, the estimate rule), then synced once: accounts that Books already knows by name (株式会社
    さくら商事) are linked to their customer, the others pushed; products and items alike."""
    from app.models import SyncTrigger
    from app.services import books_link, books_sync

    principal = await Principal.load(admin)
    _, secret = await books_link.create_key(principal, org.id)
    await books_link.connect(principal, admin.email, secret, org.id, "estimate", "127.0.0.1")
    link = await books_link.save_settings(principal, {
        "sync_module": "accounts", "direction": "two_way", "conflict_policy": "overwrite",
        "product_direction": "two_way", "product_conflict_policy": "overwrite"})
    await books_sync.run(link, SyncTrigger.MANUAL, admin)
