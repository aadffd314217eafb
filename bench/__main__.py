"""`python -m bench [--db sqlite|postgres|both] [--quick]`: build scratch databases, run benchmarks."""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import tempfile
import time
import uuid

os.environ.setdefault("KIZUNA_VAR_DIR", tempfile.mkdtemp(prefix="kizuna-bench-"))
os.environ.setdefault("KIZUNA_SECRET_KEY", "bench")

from tortoise.context import TortoiseContext  # noqa: E402

from app.db import create_schema, tortoise_config  # noqa: E402
from bench import books, books_dataset, books_sync, chat, crm, dataset, dav, mail, notifications, pages, pdf, pdf_tax, pim  # noqa: E402

PG_ADMIN = os.environ.get("KIZUNA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/test")
FULL = (10_000, 50_000, 20_000)
QUICK = (1_000, 5_000, 2_000)
CHAT_MESSAGES = 200


def pg_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
        return True
    except OSError:
        return False


async def bench_db(label: str, url: str, sizes: tuple[int, int, int], iterations: int) -> None:
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        await create_schema(ctx)
        t = time.perf_counter()
        admin = await dataset.generate(*sizes)
        print(f"[{label}] dataset {await dataset.counts()} in {time.perf_counter() - t:.1f} s", flush=True)
        print(f"[{label}] " + await crm.run(ctx, admin, iterations), flush=True)
        print(f"[{label}] " + await pages.run(ctx, admin, iterations), flush=True)
        t = time.perf_counter()
        await books_dataset.generate(admin, customers=sizes[0] // 5, invoices=sizes[2])
        print(f"[{label}] Books dataset {sizes[0] // 5} customers, {sizes[2]} invoices in "
              f"{time.perf_counter() - t:.1f} s", flush=True)
        print(f"[{label}] " + await books.run(ctx, admin, iterations), flush=True)
        print(f"[{label}] " + await books_sync.run(ctx, admin, label), flush=True)
        print(f"[{label}] " + await mail.run(label, 10_000 if sizes == FULL else 1_000), flush=True)
        print(f"[{label}] " + await notifications.run(ctx, admin, label), flush=True)
        print(f"[{label}] " + await pim.run(ctx, admin, label, 10_000 if sizes == FULL else 1_000), flush=True)
        print(f"[{label}] " + await dav.run(ctx, admin, label), flush=True)
        if label == "SQLite":
            print(f"[{label}] " + await chat.run(label, url, CHAT_MESSAGES), flush=True)


async def bench_chat_pg(base: str, admin) -> None:
    """Chat across two uvicorn workers: a database migrated like production (the workers start
    the job engine, which needs procrastinate's tables)."""
    from app import cli

    name = f"kizuna_bench_chat_{uuid.uuid4().hex[:8]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        await cli.migrate(f"{base}/{name}")
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(f"{base}/{name}"))
            print("[PostgreSQL] " + await chat.run("PostgreSQL", f"{base}/{name}", CHAT_MESSAGES), flush=True)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="a small dataset and few iterations")
    parser.add_argument("--chat-only", action="store_true", help="only the chat latency benchmark")
    args = parser.parse_args()
    sizes, iterations = (QUICK, 50) if args.quick else (FULL, 300)

    if args.db == "both":
        # One process per database: tortoise caches dialect-specific SQL on the model classes.
        import subprocess
        import sys

        extra = ["--quick"] if args.quick else []
        for db in ("sqlite", "postgres"):
            subprocess.run([sys.executable, "-m", "bench", "--db", db, *extra,
                            *(["--chat-only"] if args.chat_only else [])], check=True)
        return
    if args.chat_only:
        await _chat_only(args.db)
        return
    if args.db == "sqlite":  # no database involved: once per `make bench`, in the SQLite process
        print(pdf.run(20 if args.quick else 100), flush=True)
        print(pdf_tax.run(5 if args.quick else 20), flush=True)
        path = os.path.join(tempfile.mkdtemp(prefix="kizuna-bench-"), "bench.sqlite3")
        await bench_db("SQLite", f"sqlite://{path}", sizes, iterations)
    if args.db == "postgres":
        if not pg_reachable():
            print("[PostgreSQL] not reachable on 127.0.0.1:5432: skipped")
            return
        import asyncpg

        base, _, admin_db = PG_ADMIN.rpartition("/")
        name = f"kizuna_bench_{uuid.uuid4().hex[:8]}"
        conn = await asyncpg.connect(f"{base.replace('postgres://', 'postgresql://')}/{admin_db}")
        await conn.execute(f'CREATE DATABASE "{name}"')
        try:
            await bench_db("PostgreSQL", f"{base}/{name}", sizes, iterations)
            await bench_chat_pg(base, conn)
        finally:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()


async def _chat_only(db: str) -> None:
    if db == "sqlite":
        path = os.path.join(tempfile.mkdtemp(prefix="kizuna-bench-"), "chat.sqlite3")
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(f"sqlite://{path}"))
            await create_schema(ctx)
            print("[SQLite] " + await chat.run("SQLite", f"sqlite://{path}", CHAT_MESSAGES), flush=True)
    elif pg_reachable():
        import asyncpg

        base, _, admin_db = PG_ADMIN.rpartition("/")
        conn = await asyncpg.connect(f"{base.replace('postgres://', 'postgresql://')}/{admin_db}")
        try:
            await bench_chat_pg(base, conn)
        finally:
            await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
