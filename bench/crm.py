"""GraphQL `contacts(first: 50)` with account and deals vs the same rows by hand-written SQL."""

from __future__ import annotations

import json

import httpx

from app.auth import create_api_token
from app.main import create_app
from bench.stats import compare, report

QUERY = """{ contacts(first: 50) { edges { node { id firstName lastName email
  account { id name } deals { id name amount currency stage { name category } } } } } }"""


def _in(ids) -> str:
    return ",".join(str(int(i)) for i in ids) or "NULL"


async def hand_sql(conn) -> bytes:
    """The same rows, the same order, the same JSON shape: three queries through the same driver."""
    contacts = await conn.execute_query_dict(
        "SELECT id, first_name, last_name, email, account_id FROM contacts "
        "ORDER BY last_name, first_name, id LIMIT 50"
    )
    account_ids = {c["account_id"] for c in contacts if c["account_id"]}
    accounts = {a["id"]: a for a in await conn.execute_query_dict(
        f"SELECT id, name FROM accounts WHERE id IN ({_in(account_ids)})")}
    deals: dict[int, list] = {}
    for row in await conn.execute_query_dict(
        "SELECT dc.contact_id, d.id, d.name, d.amount, d.currency, s.name AS stage, s.category "
        "FROM deal_contacts dc JOIN deals d ON d.id = dc.deal_id JOIN stages s ON s.id = d.stage_id "
        f"WHERE dc.contact_id IN ({_in(c['id'] for c in contacts)})"
    ):
        deals.setdefault(row["contact_id"], []).append({
            "id": row["id"], "name": row["name"], "amount": str(row["amount"]), "currency": row["currency"],
            "stage": {"name": row["stage"], "category": row["category"]},
        })
    edges = [{"node": {
        "id": c["id"], "firstName": c["first_name"], "lastName": c["last_name"], "email": c["email"],
        "account": accounts.get(c["account_id"]), "deals": deals.get(c["id"], []),
    }} for c in contacts]
    return json.dumps({"data": {"contacts": {"edges": edges}}}).encode()


async def run(ctx, admin, iterations: int) -> str:
    _, secret = await create_api_token(admin, "bench")
    app = create_app(manage_db=False)
    conn = ctx.connections.get("default")
    headers = {"Authorization": f"Bearer {secret}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        async def graphql() -> bytes:
            response = await client.post("/graphql", json={"query": QUERY}, headers=headers)
            return response.content

        first = json.loads(await graphql())
        assert "errors" not in first, first
        assert len(first["data"]["contacts"]["edges"]) == 50
        ours, base = await compare(graphql, lambda: hand_sql(conn), iterations=iterations)
    return report("GraphQL contacts(first: 50) { account, deals { stage } }  vs hand-written SQL",
                  ours, base, target=3.0)
