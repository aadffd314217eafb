"""Pages against hand-written SQL plus a bare Jinja template of the same HTML.

Two pages a CRM user opens all day: the contacts list (50 rows, sorted by reading) and an account's
page with its related lists (contacts, deals, tasks, events). Each baseline runs the queries the
page cannot do without (the session cookie's user and role, the rows, their totals) through the
same driver, and renders the same table markup with a bare Jinja template; the page's chrome
(header, navigation, forms around the table) is taken once from the page itself and pasted in as
text, so that both sides send the same bytes' worth of HTML. What is measured is what the generic
record pages add: routing, middleware, permissions, the page description, the shared templates.
Both sides are checked to show the same records in the same order before timing.
"""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
from babel.numbers import format_currency
from jinja2 import Environment

from app.main import create_app, freeze_heap
from app.models import Account, RelatedType
from bench.asgi import get
from bench.stats import compare, report
from tests.factories import PASSWORD

CONTACTS_URL = "/contacts?sort=full_name&per_page=50"  # the name column: by reading
# The contacts list's order (by reading, views/contacts.py) as plain SQL.
READING_ORDER = "c.last_name_kana, c.first_name_kana, c.last_name, c.first_name, c.id"

_env = Environment(autoescape=True)

CONTACT_ROWS = _env.from_string("""<tbody>
  {% for r in rows %}
  <tr id="row-{{ r.id }}"><td class="select"><input type="checkbox" name="ids" value="{{ r.id }}" aria-label="Select: {{ r.last_name }} {{ r.first_name }}"></td><td><a href="/contacts/{{ r.id }}">{{ r.last_name }} {{ r.first_name }}</a></td><td>{% if r.account_id %}<a href="/accounts/{{ r.account_id }}">{{ r.account }}</a>{% endif %}</td><td>{{ r.email }}</td><td>{{ r.work_phone }}</td><td>{{ r.owner }}</td></tr>
  {% endfor %}
  </tbody>""")

RELATED = _env.from_string("""{% for key, title, rows, total, cells in lists %}
<section class="card panel" id="related-{{ key }}"><header><h2>{{ title }}</h2></header>
<div id="related-{{ key }}-list">{% if rows %}<table class="records compact"><tbody>
{% for r in rows %}<tr><td><a href="/{{ key }}/{{ r.id }}">{{ r.name }}</a></td>{% for c in cells %}<td>{{ r[c] if r[c] is not none else "" }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>{% if total > rows|length %}<p class="muted">Showing {{ rows|length }} of {{ total }}.</p>{% endif %}
{% else %}<p class="empty">None yet.</p>{% endif %}</div></section>
{% endfor %}""")

ACCOUNT = _env.from_string("""<div class="detail-grid"><section class="card"><h2>Account</h2><dl>
<dt>Account name</dt><dd>{{ a.name }}</dd><dt>Phone</dt><dd>{{ a.phone }}</dd>
<dt>Owner</dt><dd>{{ a.owner }}</dd></dl></section></div>""")

_TABLE = re.compile(r'<table class="records[^"]*">.*?</table>', re.S)
_LINK_TEXT = re.compile(r'<tr[^>]*>(?:(?!</tr>).)*?<a href="([^"]+)">([^<]*)</a>', re.S)


def _links(page: str) -> list[tuple[str, str]]:
    """The first link of every row of every record table: which records, in which order."""
    return [(href, html.unescape(text).strip()) for table in _TABLE.findall(page)
            for href, text in _LINK_TEXT.findall(table)]


def _split(page: str, start: str, end: str) -> tuple[str, str]:
    """The page's chrome before `start` and after the last `end`."""
    return page[:page.index(start)], page[page.rindex(end) + len(end):]


class PageClient:
    """A signed-in browser's cookie against a fresh application."""

    def __init__(self) -> None:
        self.app = create_app(manage_db=False)
        self.headers: dict[str, str] = {}

    async def sign_in(self, user: Any) -> None:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            form = (await client.get("/login")).text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
            answer = await client.post("/login", data={
                "email": user.email, "password": PASSWORD, "csrf_token": token, "next": "/"})
            assert answer.status_code == 303, answer.text
            self.headers = {"cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items())}

    def page(self, url: str):
        async def call() -> str:
            status, body = await get(self.app, url, self.headers)
            assert status == 200, (url, status, body[:500])
            return body.decode()
        return call


async def _session_user(conn, mark: str, secret_hash: str) -> dict:
    """What every signed-in page looks up first: the cookie's session, its user and role."""
    rows = await conn.execute_query_dict(
        "SELECT u.id, u.name, u.language, r.sees_all_records FROM user_sessions s "
        "JOIN users u ON u.id = s.user_id JOIN roles r ON r.id = u.role_id "
        f"WHERE s.secret_hash = {mark} AND u.is_active", [secret_hash])
    return rows[0] if rows else {}


async def _secret_hash(user: Any) -> str:
    from app.models import UserSession

    return (await UserSession.filter(user_id=user.id).order_by("-id").first()).secret_hash


async def run(ctx, admin, iterations: int) -> str:
    conn = ctx.connections.get("default")
    mark = "$1" if conn.capabilities.dialect == "postgres" else "?"
    client = PageClient()
    await client.sign_in(admin)
    freeze_heap()  # as the server does once started (app.main)
    secret_hash = await _secret_hash(admin)
    out = []

    # ---- the contacts list ---------------------------------------------------------------------
    ours = client.page(CONTACTS_URL)
    page = await ours()
    before, after = _split(page, "<tbody>", "</tbody>")

    async def contacts_sql() -> str:
        await _session_user(conn, mark, secret_hash)
        total = (await conn.execute_query_dict("SELECT COUNT(*) AS n FROM contacts"))[0]["n"]
        rows = await conn.execute_query_dict(
            "SELECT c.id, c.last_name, c.first_name, c.email, c.work_phone, c.account_id, "
            "a.name AS account, o.name AS owner FROM contacts c "
            "LEFT JOIN accounts a ON a.id = c.account_id JOIN users o ON o.id = c.owner_id "
            f"ORDER BY {READING_ORDER} LIMIT 50")
        assert total >= len(rows)
        return before + CONTACT_ROWS.render(rows=rows) + after

    mine = await contacts_sql()
    assert len(_links(page)) == 50 and _links(page) == _links(mine), ("the two contacts lists differ", len(_links(page)), [(x, y) for x, y in zip(_links(page), _links(mine)) if x != y][:3])
    a, b = await compare(ours, contacts_sql, iterations=iterations)
    out.append(report("page /contacts (50 rows, sorted by reading)  vs SQL + bare Jinja", a, b, target=3.0))

    # ---- an account's page with its related lists ------------------------------------------------
    account = await Account.filter(contacts__id__isnull=False, deals__id__isnull=False).order_by("id").first()
    ours = client.page(f"/accounts/{account.id}")
    page = await ours()
    before, _ = _split(page, '<div class="detail-grid">', "</div>")
    _, after = _split(page, '<div class="detail-grid">', "</section>")
    related = RelatedType.ACCOUNT.value

    async def account_sql() -> str:
        await _session_user(conn, mark, secret_hash)
        a = (await conn.execute_query_dict(
            "SELECT a.id, a.name, a.phone, o.name AS owner FROM accounts a JOIN users o ON o.id = a.owner_id "
            f"WHERE a.id = {int(account.id)}"))[0]
        lists = []
        for key, title, select, where, order, cells in (
            ("contacts", "Contacts", "id, last_name || ' ' || first_name AS name, email, title",
             f"account_id = {int(account.id)}", "last_name, first_name, id", ("email", "title")),
            ("deals", "Deals", "d.id, d.name, s.name AS stage, d.amount, d.currency, d.closing_date",
             f"account_id = {int(account.id)}", "d.modified_at DESC, d.id", ("stage", "amount", "closing_date")),
            ("tasks", "Tasks", "id, subject AS name, due_date, status",
             f"related_type = '{related}' AND related_id = {int(account.id)}", "due_date, id", ("due_date", "status")),
            ("events", "Events", "id, subject AS name, start_at, location",
             f"related_type = '{related}' AND related_id = {int(account.id)}", "start_at, id", ("start_at", "location")),
        ):
            table = {"deals": "deals d JOIN stages s ON s.id = d.stage_id"}.get(key, key)
            total = (await conn.execute_query_dict(f"SELECT COUNT(*) AS n FROM {table} WHERE {where}"))[0]["n"]
            rows = await conn.execute_query_dict(f"SELECT {select} FROM {table} WHERE {where} ORDER BY {order} LIMIT 50")
            for r in rows:
                if "amount" in r:
                    r["amount"] = format_currency(r["amount"], r["currency"], locale="en")
            lists.append((key, title, rows, total, cells))
        return before + ACCOUNT.render(a=a) + RELATED.render(lists=lists) + after

    mine = await account_sql()
    assert _links(page)[:3] and {t for _, t in _links(page)} == {t for _, t in _links(mine)}, \
        "the two account pages differ"
    a, b = await compare(ours, account_sql, iterations=iterations)
    out.append(report(f"page /accounts/<id> ({len(_links(page))} related rows)  vs SQL + bare Jinja", a, b,
                      target=3.0))
    return "\n".join(out)
