"""GraphQL `contacts(first: 50)` with account and deals vs the same rows by hand-written SQL.

The SQL side also does the one look-up any API request needs before it can answer: the bearer
token's hash to its active user and role. It leaves out what only the generic API does (the ASGI
application with its middleware, parsing, validation, permission grants, JSON), which is the
overhead being measured. Requests enter the application as a server hands them over
(`bench.asgi`).
"""

from __future__ import annotations

import base64
import json

from bench.asgi import ApiClient
from bench.stats import compare_answers, measure, report

QUERY = """{ contacts(first: 50) { edges { node { id firstName lastName email
  account { id name } deals { id name amount currency stage { name category } } } } } }"""


def _in(ids) -> str:
    return ",".join(str(int(i)) for i in ids) or "NULL"


async def hand_sql(conn, token_hash: str) -> bytes:
    """The same rows, the same order, the same JSON shape: four queries through the same driver."""
    user = await conn.execute_query_dict(
        "SELECT u.id, r.sees_all_records FROM api_tokens t JOIN users u ON u.id = t.user_id "
        "JOIN roles r ON r.id = u.role_id WHERE t.token_hash = "
        + ("$1" if conn.capabilities.dialect == "postgres" else "?") + " AND t.revoked_at IS NULL AND u.is_active",
        [token_hash],
    )
    assert user, "the bench token does not authenticate"
    contacts = await conn.execute_query_dict(
        "SELECT id, first_name, last_name, email, account_id FROM contacts "
        "ORDER BY last_name_kana, first_name_kana, last_name, first_name, id LIMIT 50"
    )
    account_ids = {c["account_id"] for c in contacts if c["account_id"]}
    accounts = {a["id"]: a for a in await conn.execute_query_dict(
        f"SELECT id, name FROM accounts WHERE id IN ({_in(account_ids)})")}
    for a in accounts.values():
        a["id"] = _gid("Account", a["id"])
    deals: dict[int, list] = {}
    for row in await conn.execute_query_dict(
        "SELECT dc.contact_id, d.id, d.name, d.amount, d.currency, s.name AS stage, s.category "
        "FROM deal_contacts dc JOIN deals d ON d.id = dc.deal_id JOIN stages s ON s.id = d.stage_id "
        f"WHERE dc.contact_id IN ({_in(c['id'] for c in contacts)})"
    ):
        deals.setdefault(row["contact_id"], []).append({
            "id": _gid("Deal", row["id"]), "name": row["name"], "amount": str(row["amount"]),
            "currency": row["currency"],
            "stage": {"name": row["stage"], "category": row["category"].upper()},
        })
    edges = [{"node": {
        "id": _gid("Contact", c["id"]), "firstName": c["first_name"], "lastName": c["last_name"],
        "email": c["email"],
        "account": accounts.get(c["account_id"]), "deals": deals.get(c["id"], []),
    }} for c in contacts]
    return json.dumps({"data": {"contacts": {"edges": edges}}}).encode()


def _gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def _comparable(response: dict) -> dict:
    """Deal order inside a contact is not part of the contract: compare sorted."""
    for edge in response["data"]["contacts"]["edges"]:
        edge["node"]["deals"].sort(key=lambda d: d["id"])
    return response


async def run(ctx, admin, iterations: int) -> str:
    api = await ApiClient.for_user(admin, "bench")
    conn, token_hash = ctx.connections.get("default"), api.token_hash
    ours, base = await compare_answers(api.caller(QUERY), lambda: hand_sql(conn, token_hash), "contacts",
                                       iterations=iterations, comparable=_comparable)

    floor = api.caller("{ __typename }")

    # What every API request pays before any field: middleware, token look-up, parse, JSON.
    empty = await measure(floor, iterations=iterations)
    title = "GraphQL contacts(first: 50) { account, deals { stage } }  vs hand-written SQL"
    return (report(title, ours, base, target=3.0)
            + f"\n  floor: GraphQL {{ __typename }} median {empty.median_ms:.2f} ms   p95 {empty.p95_ms:.2f} ms")
