"""Books sync (issue 12): a full first sync of the dataset's CRM accounts to a Books organization
of their own, then an incremental sync after 100 of them changed, against writing the same rows
(customers, mapping rows, log entries) with hand-written bulk SQL in the same run, into another
organization. Targets: the full sync under 3x the SQL; the incremental run reads and writes only
the changed rows (the counts are printed).

The SQL side reads the accounts' columns once and writes multi-row INSERTs (UPDATEs by id for the
incremental run) through the same driver: what a hand-written sync with no rules would do.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime

from tortoise import connections
from tortoise.transactions import in_transaction

from app.models import Account, BooksSyncRun, Membership, Organization, SyncTrigger, User
from app.permissions import Principal
from app.search import search_text
from app.services import books_fields, books_link, books_sync
from app.services.books_fields import Side
from app.services.organizations import install_default_templates

CHANGED = 100
IP = "192.0.2.99"


async def _org(admin: User, name: str) -> Organization:
    org = await Organization.create(name=name, registration_number="T7000012050002", address_code="100-0001",
                                    address_state="東京都", address_city="千代田区", address_street="千代田1-1")
    await Membership.create(organization=org, user=admin)
    await install_default_templates(org)
    return org


def _ph(dialect: str, n: int) -> str:
    return f"${n}" if dialect == "postgres" else "?"


async def _insert_many(conn, table: str, columns: list[str], rows: list[list]) -> None:
    dialect = conn.capabilities.dialect
    names = ", ".join(f'"{c}"' for c in columns)
    if dialect != "postgres":
        await conn.execute_many(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})', rows)
        return
    per = 30_000 // len(columns)
    width = len(columns)
    for start in range(0, len(rows), per):
        chunk = rows[start:start + per]
        groups = ", ".join("(" + ", ".join(f"${i * width + j + 1}" for j in range(width)) + ")"
                           for i in range(len(chunk)))
        await conn.execute_query(f'INSERT INTO "{table}" ({names}) VALUES {groups}', [v for r in chunk for v in r])


def _digest(values: dict) -> str:
    return hashlib.sha256(json.dumps(values, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


async def hand_full(conn, org_id: int, run_id: int) -> int:
    """Every account as a Books customer, its mapping row and its log entry, by hand."""
    pairs = books_fields.DEFAULTS[Side.ACCOUNTS]
    crm_cols = list(dict.fromkeys(["id", *(c for c, _ in pairs)]))
    accounts = await conn.execute_query_dict(f'SELECT {", ".join(crm_cols)} FROM accounts ORDER BY id')
    now = datetime.now(UTC)
    dialect = conn.capabilities.dialect
    top = await conn.execute_query_dict("SELECT coalesce(max(id), 0) AS top FROM books_contacts")
    first_id = top[0]["top"] + 1
    books_cols = [b for _, b in pairs]
    customers, mapping, entries = [], [], []
    for n, a in enumerate(accounts):
        values = {b: a[c] or "" for c, b in pairs}
        cid = first_id + n
        text = search_text([values["display_name"], values["company_name"], "", values["phone"]])
        customers.append([cid, org_id, "customer", True, *[values[b] for b in books_cols], "", "", "", "",
                          "end_of_next_month", "JPY", "", "", text, now, now])
        d = _digest(values)
        mapping.append([org_id, "accounts", a["id"], cid, d, d, True, 0, now])
        entries.append([run_id, "added", "books", "accounts", a["id"], cid, values["display_name"],
                        "Created in Books.", "{}"])
    async with in_transaction() as tx:
        await _insert_many(tx, "books_contacts", _customer_columns(books_cols), customers)
        await _insert_many(tx, "books_sync_records", [
            "organization_id", "crm_module", "account_id", "books_contact_id", "crm_digest", "books_digest", "pushed",
            "generation", "synced_at"], mapping)
        await _insert_many(tx, "books_sync_log_entries", [
            "run_id", "outcome", "side", "crm_module", "crm_id", "books_id", "label", "reason", "params"], entries)
        if dialect == "postgres":
            await tx.execute_query("SELECT setval(pg_get_serial_sequence('books_contacts', 'id'), "
                                   "(SELECT max(id) FROM books_contacts))")
    return len(accounts)


def _customer_columns(books_cols: list[str]) -> list[str]:
    """The customer columns the mapping feeds, then every other NOT NULL column."""
    return ["id", "organization_id", "contact_type", "is_company", *books_cols, "billing_attention", "billing_code",
            "shipping_attention", "shipping_code", "payment_terms", "currency", "registration_number", "email",
            "search_text", "created_at", "modified_at"]


async def run(ctx, admin: User, label: str) -> str:
    conn = connections.get("default")
    ours_org = await _org(admin, "株式会社ベンチ同期")
    base_org = await _org(admin, "株式会社ベンチ基準")
    principal = await Principal.load(await User.get(id=admin.id))
    _, secret = await books_link.create_key(principal, ours_org.id)
    await books_link.connect(principal, admin.email, secret, ours_org.id, "none", IP)
    count = await Account.all().count()
    base_run = await BooksSyncRun.create(organization_id=base_org.id, trigger=SyncTrigger.MANUAL)

    t = time.perf_counter()
    await hand_full(conn, base_org.id, base_run.id)
    sql_full = time.perf_counter() - t
    t = time.perf_counter()
    full = await books_sync.run(await books_link.active_link(), SyncTrigger.MANUAL)
    ours_full = time.perf_counter() - t
    assert full is not None and full.added == count, (full and full.failure, full and full.added)

    ids = await Account.all().order_by("id").limit(CHANGED).values_list("id", flat=True)
    changed_at = datetime.now(UTC)
    await Account.filter(id__in=ids).update(phone="06-1234-5678", modified_at=changed_at)

    t = time.perf_counter()
    await hand_incremental(conn, base_org.id, base_run.id, changed_at)
    sql_inc = time.perf_counter() - t
    t = time.perf_counter()
    inc = await books_sync.run(await books_link.active_link(), SyncTrigger.MANUAL)
    ours_inc = time.perf_counter() - t
    assert inc is not None and inc.updated == CHANGED and inc.added == 0, (inc and inc.failure)
    again = await books_sync.run(await books_link.active_link(), SyncTrigger.MANUAL)
    assert again is not None and not (again.added or again.updated)
    written = inc.updated + inc.added
    return (f"Books sync: full {count} accounts {ours_full:.2f} s vs hand SQL {sql_full:.2f} s = "
            f"{ours_full / sql_full:.2f}x (target < 3x); incremental after {CHANGED} changes {ours_inc * 1000:.0f} ms "
            f"vs hand SQL {sql_inc * 1000:.0f} ms = {ours_inc / sql_inc:.2f}x; "
            f"rows read {getattr(inc, 'reads', {})}, records written {written} (+{written} mapping rows, "
            f"{written} log entries); a run after it: read {getattr(again, 'reads', {})}, wrote 0")


async def hand_incremental(conn, org_id: int, run_id: int, since: datetime) -> None:
    pairs = books_fields.DEFAULTS[Side.ACCOUNTS]
    crm_cols = list(dict.fromkeys(["id", *(c for c, _ in pairs)]))
    dialect = conn.capabilities.dialect
    accounts = await conn.execute_query_dict(
        f'SELECT {", ".join(crm_cols)} FROM accounts WHERE modified_at >= {_ph(dialect, 1)}', [since])
    ids = [a["id"] for a in accounts]
    marks = ", ".join(_ph(dialect, i + 2) for i in range(len(ids)))
    maps = {r["account_id"]: r for r in await conn.execute_query_dict(
        f"SELECT id, account_id, books_contact_id FROM books_sync_records WHERE organization_id = {_ph(dialect, 1)} "
        f"AND account_id IN ({marks})", [org_id, *ids])}
    now = datetime.now(UTC)
    books_cols = [b for _, b in pairs]
    columns = [*books_cols, "search_text", "modified_at"]
    sets = ", ".join(f'"{c}" = {_ph(dialect, i + 1)}' for i, c in enumerate(columns))
    n = len(books_cols) + 2
    customers, mapping, entries = [], [], []
    for a in accounts:
        values = {b: a[c] or "" for c, b in pairs}
        m = maps[a["id"]]
        text = search_text([values["display_name"], values["company_name"], "", values["phone"]])
        customers.append([*[values[b] for b in books_cols], text, now, m["books_contact_id"]])
        d = _digest(values)
        mapping.append([d, d, now, m["id"]])
        entries.append([run_id, "updated", "books", "accounts", a["id"], m["books_contact_id"],
                        values["display_name"], "Updated in Books with the CRM values.", "{}"])
    async with in_transaction() as tx:
        await tx.execute_many(f'UPDATE books_contacts SET {sets} WHERE id = {_ph(dialect, n + 1)}', customers)
        await tx.execute_many(
            f"UPDATE books_sync_records SET crm_digest = {_ph(dialect, 1)}, books_digest = {_ph(dialect, 2)}, "
            f"synced_at = {_ph(dialect, 3)} WHERE id = {_ph(dialect, 4)}", mapping)
        await _insert_many(tx, "books_sync_log_entries", [
            "run_id", "outcome", "side", "crm_module", "crm_id", "books_id", "label", "reason", "params"], entries)
