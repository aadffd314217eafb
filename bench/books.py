"""GraphQL `invoices(first: 50)` with customer and payments vs the same rows by hand-written SQL
(same driver, same run). The SQL side also resolves the bearer token and the user's
organizations, the look-ups any API request needs before it can answer."""

from __future__ import annotations

import json
from decimal import Decimal

from bench.asgi import ApiClient
from bench.crm import _gid, _in
from bench.stats import compare_answers, report

QUERY = """{ invoices(first: 50) { edges { node { id number status issueDate dueDate total balance
  contact { id displayName } payments { amount date reference } } } } }"""


def _exact(value) -> str:
    value = Decimal(value)
    return str(value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize())


async def hand_sql(conn, token_hash: str) -> bytes:
    mark = "$1" if conn.capabilities.dialect == "postgres" else "?"
    user = await conn.execute_query_dict(
        "SELECT u.id FROM api_tokens t JOIN users u ON u.id = t.user_id "
        f"WHERE t.token_hash = {mark} AND t.revoked_at IS NULL AND u.is_active", [token_hash])
    assert user, "the bench token does not authenticate"
    orgs = [r["organization_id"] for r in await conn.execute_query_dict(
        f"SELECT organization_id FROM memberships WHERE user_id = {int(user[0]['id'])}")]
    invoices = await conn.execute_query_dict(
        "SELECT id, number, status, issue_date, due_date, total, balance, contact_id FROM transactions "
        f"WHERE kind = 'invoice' AND organization_id IN ({_in(orgs)}) ORDER BY issue_date DESC, id DESC LIMIT 50")
    contacts = {c["id"]: {"id": _gid("BooksContact", c["id"]), "displayName": c["display_name"]}
                for c in await conn.execute_query_dict(
                    "SELECT id, display_name FROM books_contacts "
                    f"WHERE id IN ({_in({i['contact_id'] for i in invoices})})")}
    payments: dict[int, list] = {}
    for p in await conn.execute_query_dict(
            "SELECT invoice_id, amount, date, reference FROM payments "
            f"WHERE invoice_id IN ({_in(i['id'] for i in invoices)}) ORDER BY date, id"):
        payments.setdefault(p["invoice_id"], []).append(
            {"amount": _exact(p["amount"]), "date": str(p["date"]), "reference": p["reference"]})
    edges = [{"node": {
        "id": _gid("Invoice", i["id"]), "number": i["number"], "status": i["status"].upper(),
        "issueDate": str(i["issue_date"]), "dueDate": str(i["due_date"]) if i["due_date"] else None,
        "total": _exact(i["total"]), "balance": _exact(i["balance"]),
        "contact": contacts[i["contact_id"]], "payments": payments.get(i["id"], []),
    }} for i in invoices]
    return json.dumps({"data": {"invoices": {"edges": edges}}}).encode()


async def run(ctx, admin, iterations: int) -> str:
    api = await ApiClient.for_user(admin, "bench-books")
    conn, token_hash = ctx.connections.get("default"), api.token_hash
    ours, base = await compare_answers(api.caller(QUERY), lambda: hand_sql(conn, token_hash), "invoices",
                                       iterations=iterations)
    return report("GraphQL invoices(first: 50) { contact, payments }  vs hand-written SQL", ours, base, target=3.0)
