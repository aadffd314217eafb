"""The Books benchmark dataset: one organization, customers, invoices with lines and payments,
bulk-inserted with the same totals the service computes."""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta
from decimal import Decimal

from app.models import (
    BooksContact,
    Kind,
    Membership,
    NumberSequence,
    Organization,
    Payment,
    Status,
    Transaction,
    TransactionLine,
    User,
)
from app.services.tax import line_amount, totals

BATCH = 2000


async def generate(admin: User, customers: int, invoices: int, seed: int = 11) -> Organization:
    rng = random.Random(seed)
    org = await Organization.create(name="株式会社ベンチ", registration_number="T7000012050002")
    await Membership.create(organization_id=org.id, user_id=admin.id)
    await BooksContact.bulk_create(
        [BooksContact(organization_id=org.id, display_name=f"株式会社顧客{i:05d}", email=f"b{i}@example.jp")
         for i in range(customers)], batch_size=BATCH)
    contact_ids = await BooksContact.filter(organization_id=org.id).order_by("id").values_list("id", flat=True)
    today = date.today()
    txns, all_lines = [], []
    for i in range(invoices):
        issued = today - timedelta(days=rng.randint(0, 400))
        lines = [(Decimal(rng.choice([1, 2, 3, 10])), Decimal(rng.randrange(500, 200_000, 100)),
                  Decimal(rng.choice([10, 10, 8]))) for _ in range(3)]
        amounts = [line_amount(q, r, Decimal(0), "JPY") for q, r, _ in lines]
        result = totals(zip(amounts, (t for _, _, t in lines)), "JPY")
        paid = (result.total / 2).quantize(Decimal(1)) if rng.random() < 0.6 else Decimal(0)
        txns.append(Transaction(
            organization_id=org.id, kind=Kind.INVOICE, number=f"INV-{i + 1:05d}",
            status=Status.PARTIALLY_PAID if paid else Status.SENT,
            contact_id=rng.choice(contact_ids), issue_date=issued, due_date=issued + timedelta(days=30),
            subtotal=result.subtotal, tax_total=result.tax, total=result.total, amount_paid=paid,
            balance=result.total - paid,
            tax_breakdown=[r.as_json() for r in result.rates], portal_token=secrets.token_urlsafe(24)))
        all_lines.append(list(zip(lines, amounts)))
    await Transaction.bulk_create(txns, batch_size=BATCH)
    await NumberSequence.create(organization_id=org.id, kind=Kind.INVOICE, last_value=invoices)
    ids = await Transaction.filter(organization_id=org.id).order_by("id").values_list("id", "amount_paid")
    await TransactionLine.bulk_create(
        [TransactionLine(transaction_id=tid, position=p, description=f"作業{p}", quantity=q, rate=r, tax_rate=t,
                         amount=a)
         for (tid, _), lines in zip(ids, all_lines) for p, ((q, r, t), a) in enumerate(lines, 1)],
        batch_size=BATCH)
    await Payment.bulk_create(
        [Payment(organization_id=org.id, invoice_id=tid, amount=paid, reference="振込",
                 date=today - timedelta(days=rng.randint(0, 30))) for tid, paid in ids if paid],
        batch_size=BATCH)
    await Transaction._meta.db.execute_script("ANALYZE")
    return org
