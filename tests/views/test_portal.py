"""The customer's link: read-only, no sign-in, drafts hidden, the first outside view counts."""

from __future__ import annotations

from app.models import Comment, Kind, Status, Transaction
from app.models import Membership
from app.permissions import Principal
from app.services import workflow
from tests import factories as f
from tests.views.conftest import login


async def setup_invoice(status: str = "sent"):
    user = await f.make_user("Accountant")
    org = await f.make_org(user, name="株式会社キズナ")
    principal = await Principal.load(user)
    customer = await f.make_customer(org, display_name="株式会社テスト")
    inv = await f.make_transaction(principal, "invoice", customer,
                                   [("コンサルティング", 2, 50000, 10), ("お弁当", 3, 800, 8)])
    if status == "sent":
        inv = await workflow.mark_sent(principal, Kind.INVOICE, inv.id)
    return user, org, inv


async def test_customer_sees_the_document_and_it_becomes_viewed(client):
    _, _, inv = await setup_invoice()
    page = await client.get(f"/portal/{inv.portal_token}")
    assert page.status_code == 200
    assert "INV-00001" in page.text and "株式会社テスト" in page.text and "コンサルティング" in page.text
    assert "¥112,592" in page.text  # 100,000 + 10,000 tax + 2,400 + 192 tax
    assert page.headers["referrer-policy"] == "no-referrer"
    inv = await Transaction.get(id=inv.id)
    assert inv.status == Status.VIEWED and inv.viewed_at is not None
    await client.get(f"/portal/{inv.portal_token}")
    assert await Comment.filter(transaction_id=inv.id, action="viewed").count() == 1


async def test_members_looking_at_the_link_do_not_count(client):
    user, _, inv = await setup_invoice()
    await login(client, user)
    assert (await client.get(f"/portal/{inv.portal_token}")).status_code == 200
    assert (await Transaction.get(id=inv.id)).status == Status.SENT


async def test_drafts_and_unknown_tokens_are_not_found(client):
    _, _, draft = await setup_invoice(status="draft")
    assert (await client.get(f"/portal/{draft.portal_token}")).status_code == 404
    assert (await client.get("/portal/nonsense")).status_code == 404
    assert (await Transaction.get(id=draft.id)).viewed_at is None


async def test_outsider_user_counts_as_customer(client):
    _, _, inv = await setup_invoice()
    await login(client, await f.make_user("Administrator"))  # signed in, but not a member
    await client.get(f"/portal/{inv.portal_token}")
    assert (await Transaction.get(id=inv.id)).status == Status.VIEWED
    assert not await Membership.filter(organization_id=inv.organization_id, user__role__name="Administrator").exists()
