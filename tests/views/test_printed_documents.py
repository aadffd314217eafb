"""What customers read: PDFs through the service and the portal (issue 10, sections 4 and 6) —
one honorific, addresses in their country's order, numbers as people write them, unit prices at
their own precision, long descriptions across pages."""

from __future__ import annotations

import re
from decimal import Decimal as D
from io import BytesIO

from pypdf import PdfReader

from app.models import Kind
from app.permissions import Principal
from app.services import books_pdf, workflow
from tests import factories as f


def pdf_text(pdf: bytes) -> str:
    return " ".join(re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(BytesIO(pdf)).pages)


async def setup(**customer):
    user = await f.make_user("Accountant")
    org = await f.make_org(user, name="株式会社キズナ")
    principal = await Principal.load(user)
    contact = await f.make_customer(org, **customer)
    return principal, contact, org


async def test_a_company_with_a_contact_person_gets_one_honorific(db):
    principal, contact, org = await setup(display_name="株式会社さくら商事",
                                     persons=[{"last_name": "佐藤", "first_name": "健一"}])
    text = pdf_text(await books_pdf.render(await f.make_transaction(principal, "invoice", contact), "ja"))
    assert "株式会社さくら商事" in text and "佐藤 健一 様" in text and "御中" not in text

    nobody = await f.make_customer(org, display_name="株式会社もみじ", persons=[])
    text = pdf_text(await books_pdf.render(await f.make_transaction(principal, "invoice", nobody), "ja"))
    assert "株式会社もみじ 御中" in text and "様" not in text.split("下記")[0]


async def test_foreign_addresses_print_in_their_countrys_order(db):
    principal, contact, org = await setup(
        display_name="Contoso Ltd.", persons=[], billing_street="1 Microsoft Way", billing_city="Redmond",
        billing_state="WA", billing_code="98052", billing_country="United States")
    txn = await f.make_transaction(principal, "invoice", contact)
    for lang in ("ja", "en"):
        text = pdf_text(await books_pdf.render(txn, lang))
        assert "〒" not in text.split("株式会社キズナ")[0]
        assert "1 Microsoft Way Redmond, WA 98052 United States" in text, lang
    japanese = await f.make_customer(org, display_name="株式会社テスト", persons=[], billing_code="530-0001",
                              billing_state="大阪府", billing_city="大阪市北区", billing_street="梅田2-4-9",
                              billing_country="日本")
    text = pdf_text(await books_pdf.render(await f.make_transaction(principal, "invoice", japanese), "ja"))
    assert "〒530-0001 大阪府大阪市北区梅田2-4-9" in text and "日本" not in text


async def test_portal_prints_quantities_and_rates_as_people_write_them(client):
    principal, contact, _ = await setup(display_name="株式会社テスト")
    inv = await f.make_transaction(principal, "invoice", contact, [("作業", 10, 5000, 10), ("ボルト", D("2.5"), D("12.125"), 8)])
    inv = await workflow.mark_sent(principal, Kind.INVOICE, inv.id)
    page = (await client.get(f"/portal/{inv.portal_token}", headers={"Accept-Language": "ja"})).text
    assert '<p class="recipient">株式会社テスト 御中</p>' in page  # nobody named on the page
    assert "E+" not in page
    assert re.search(r">10 時間|>10 ", page) and ">10%" in page and ">8%※" in page
    assert "2.5 " in page and "¥12.125" in page


async def test_portal_pdf_with_a_2000_character_description(client):
    principal, contact, _ = await setup(display_name="株式会社テスト")
    long = "".join(f"第{i:03d}項 仕様の詳細と検収条件。" for i in range(200))[:2000]
    inv = await f.make_transaction(principal, "invoice", contact, [(long, 1, 300000, 10)])
    inv = await workflow.mark_sent(principal, Kind.INVOICE, inv.id)
    response = await client.get(f"/portal/{inv.portal_token}.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    assert len(reader.pages) > 1
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    numbers = re.findall(r"第\d{3}項", long)
    assert len(numbers) == 118 and all(n in text for n in numbers)
