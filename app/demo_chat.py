"""Demo data of the team chat: the team's channel, where Books notifications go, with a few
messages (one links an invoice, shown as a card), and a direct conversation."""

from __future__ import annotations

from app.models import Transaction, User
from app.permissions import Principal
from app.services import chat


async def load_chat_demo(admin: User, users: list[User], organization) -> None:
    principal = await Principal.load(admin)
    team = await chat.create_channel(principal, "営業と経理", member_ids=[u.id for u in users])
    await chat.create_channel(principal, "雑談")
    await chat.post_message(principal, team.id, "今月の請求書はすべて送付済みです。入金の確認は経理で進めます。")
    invoice = await Transaction.filter(organization_id=organization.id, kind="invoice").order_by("id").first()
    if invoice is not None:
        await chat.post_notification(team.id, f"請求書 {invoice.number} が閲覧されました",
                                     f"/books/invoices/{invoice.id}", {"demo": True})
    if users:
        direct = await chat.open_direct(principal, users[0].id)
        await chat.post_message(await Principal.load(users[0]), direct.id, "来週の商談の件、見積をお願いできますか?")
