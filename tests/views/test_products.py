"""Product pages (list with its filters and search, page, form) and a deal's line items on the
deal form and page (the htmx row editor, the amount that follows the lines)."""

from __future__ import annotations

from decimal import Decimal

from app.models import Deal, DealLine, Product
from tests import factories as f
from tests.views.conftest import HX, post

DEAL = {"name": "複合機の入れ替え", "currency": "JPY", "amount": "1"}


async def deal_data(**extra) -> dict:
    return {**DEAL, "stage_id": str((await f.stage()).id), **extra}


async def test_product_list_filters_and_search(signed_in, client):
    me = await signed_in("Sales")
    await f.make_product(me, name="業務用プリンター", code="KZ-500", unit_price=Decimal(128000))
    await f.make_product(me, name="トナーカートリッジ", active=False)
    page = await client.get("/products")
    assert page.status_code == 200
    assert "業務用プリンター" in page.text and "トナーカートリッジ" in page.text and "¥128,000" in page.text
    active = await client.get("/products?state=active")
    assert "業務用プリンター" in active.text and "トナーカートリッジ" not in active.text
    inactive = await client.get("/products?state=inactive")
    assert "業務用プリンター" not in inactive.text and "トナーカートリッジ" in inactive.text
    found = await client.get("/products?q=kz-500")
    assert "業務用プリンター" in found.text and "トナーカートリッジ" not in found.text


async def test_product_form_and_page(signed_in, client):
    me = await signed_in("Sales")
    await f.make_product(me, code="SUP-Y")
    form = await client.get("/products/new")
    assert form.status_code == 200 and 'name="tax_rate"' in form.text and "8% (reduced)" in form.text
    bad = await post(client, "/products", {"name": "", "code": "SUP-Y", "unit_price": "-5", "tax_rate": "5",
                                           "currency": "JPY", "active": "True"}, htmx=True)
    assert bad.status_code == 422
    for message in ("This field is required.", "Another product already uses this code.", "Enter zero or more.",
                    "Choose a tax rate of 10%, 8% (reduced) or 0%."):
        assert message in bad.text
    good = await post(client, "/products", {"name": "業務用緑茶", "code": "TEA-100", "unit": "箱", "unit_price": "2400",
                                            "tax_rate": "8", "currency": "JPY", "active": "True"}, htmx=True)
    product = await Product.get(code="TEA-100")
    assert good.headers["HX-Location"] == f"/products/{product.id}"
    page = await client.get(f"/products/{product.id}")
    assert "業務用緑茶" in page.text and "¥2,400" in page.text and "8% (reduced)" in page.text and "Active" in page.text


async def test_deal_form_lines_make_the_amount(signed_in, client):
    me = await signed_in("Sales")
    printer = await f.make_product(me, name="業務用プリンター", unit_price=Decimal(128000))
    form = await client.get("/deals/new")
    assert 'id="line-editor"' in form.text and 'id="add-line"' in form.text
    data = await deal_data(**{
        "lines-0-product_id": str(printer.id), "lines-0-description": "", "lines-0-quantity": "2",
        "lines-0-unit_price": "128000", "lines-0-discount": "6000",
        # a blank row (left as added) is dropped
        "lines-1-product_id": "", "lines-1-description": "", "lines-1-quantity": "1", "lines-1-unit_price": "",
        "lines-1-discount": "",
        "lines-4-product_id": "", "lines-4-description": "設置作業", "lines-4-quantity": "1",
        "lines-4-unit_price": "30000", "lines-4-discount": "",
    })
    created = await post(client, "/deals", data)
    assert created.status_code == 303
    deal = await Deal.get(name=DEAL["name"])
    assert deal.amount == Decimal(280000)  # 2 x 128000 - 6000 + 30000, not the typed 1
    lines = await DealLine.filter(deal_id=deal.id).order_by("position")
    assert [(x.description, x.product_id, x.position) for x in lines] == [
        ("業務用プリンター", printer.id, 0), ("設置作業", None, 1)]

    page = await client.get(f"/deals/{deal.id}")
    assert 'id="deal-lines"' in page.text and f'href="/products/{printer.id}"' in page.text
    assert "¥250,000" in page.text and "¥280,000" in page.text

    edit = await client.get(f"/deals/{deal.id}/edit")
    assert 'name="lines-1-description" id="lines-1-description"' in edit.text and 'value="設置作業"' in edit.text
    # removing every line: the deal keeps the amount typed for it
    emptied = await post(client, f"/deals/{deal.id}/edit", await deal_data(amount="90000"))
    assert emptied.status_code == 303
    assert (await Deal.get(id=deal.id)).amount == Decimal(90000)
    assert not await DealLine.filter(deal_id=deal.id).exists()


async def test_line_errors_come_back_next_to_their_row(signed_in, client):
    await signed_in("Sales")
    data = await deal_data(**{
        "lines-0-description": "ok", "lines-0-quantity": "1", "lines-0-unit_price": "100",
        "lines-3-description": "bad", "lines-3-quantity": "-1", "lines-3-unit_price": "1e40",
        "lines-3-discount": "NaN",
    })
    bad = await post(client, "/deals", data, htmx=True)
    assert bad.status_code == 422
    # the rows come back renumbered, each message with its row
    assert 'id="error-lines-1-quantity"' in bad.text and "Enter more than zero." in bad.text
    assert 'id="error-lines-1-unit_price"' in bad.text and 'id="error-lines-1-discount"' in bad.text
    assert 'value="bad"' in bad.text
    assert not await Deal.filter(name=DEAL["name"]).exists()


async def test_line_editor_rows(signed_in, client):
    me = await signed_in("Sales")
    printer = await f.make_product(me, name="業務用プリンター", unit_price=Decimal(128000))
    hidden = await f.make_product(await f.make_user("Sales"), name="他人の製品")
    row = await client.get("/deals/lines/new?index=3", headers=HX)
    assert row.status_code == 200
    assert 'name="lines-3-product_id"' in row.text and "業務用プリンター" in row.text and "他人の製品" not in row.text
    assert 'hx-get="/deals/lines/new?index=4"' in row.text and 'hx-swap-oob="true"' in row.text
    filled = await client.get(f"/deals/lines/product?index=3&lines-3-product_id={printer.id}&lines-3-quantity=2",
                              headers=HX)
    assert 'value="業務用プリンター"' in filled.text and 'value="128000"' in filled.text and 'value="2"' in filled.text
    unseen = await client.get(f"/deals/lines/product?index=0&lines-0-product_id={hidden.id}", headers=HX)
    assert unseen.status_code == 200 and "他人の製品" not in unseen.text


async def test_deal_edit_keeps_a_line_product_the_editor_cannot_see(signed_in, client):
    me = await signed_in("Sales")
    colleague = await f.make_user("Sales")
    secret = await f.make_product(colleague, name="非公開製品")
    deal = await f.make_deal(me, name="案件")
    await DealLine.create(deal=deal, product=secret, description="特注品", quantity=1, unit_price=5000)
    page = await client.get(f"/deals/{deal.id}")
    assert "特注品" in page.text and "非公開製品" not in page.text and "(hidden)" in page.text
    edit = await client.get(f"/deals/{deal.id}/edit")
    assert "非公開製品" not in edit.text and f'<option value="{secret.id}" selected>' in edit.text
    saved = await post(client, f"/deals/{deal.id}/edit", {
        "name": "案件", "stage_id": str(deal.stage_id), "currency": "JPY", "amount": "",
        "lines-0-product_id": str(secret.id), "lines-0-description": "特注品", "lines-0-quantity": "2",
        "lines-0-unit_price": "5000", "lines-0-discount": ""})
    assert saved.status_code == 303
    line = await DealLine.get(deal_id=deal.id)
    assert line.product_id == secret.id and line.quantity == 2
    assert (await Deal.get(id=deal.id)).amount == Decimal(10000)
