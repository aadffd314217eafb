"""Command line: `python -m app.cli migrate|setup|serve|worker|createuser|reindex|generate-key|rotate-keys`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import secrets
import sys

from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as migrate_api

from app import settings
from app.db import tortoise_config


def _ensure_sqlite_dir(url: str) -> None:
    if url.startswith("sqlite://") and ":memory:" not in url:
        from pathlib import Path

        Path(url[len("sqlite://"):]).parent.mkdir(parents=True, exist_ok=True)


async def migrate(db_url: str | None = None) -> None:
    """Apply the committed migrations (idempotent)."""
    url = db_url or settings.DATABASE_URL
    _ensure_sqlite_dir(url)
    try:
        await migrate_api(config=tortoise_config(url))
    finally:
        await Tortoise.close_connections()


def _admin_password() -> tuple[str, bool]:
    """The admin password: from KIZUNA_ADMIN_PASSWORD, else generated once and kept in var/."""
    if settings.ADMIN_PASSWORD:
        return settings.ADMIN_PASSWORD, False
    path = settings.VAR_DIR / "admin_password"
    if path.exists():
        return path.read_text().strip(), True
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password, True


async def setup(*, demo: bool = True, out=print) -> None:
    """First start: roles, stages, the admin and (optionally) demo data. Later starts: a no-op."""
    from app.demo import DEMO_ADMIN_NAME, load_demo
    from app.models import Role, User
    from app.services.stages import ensure_default_stages
    from app.services.users import create_user, ensure_default_roles

    from app import sessions, throttle

    await ensure_default_roles()
    await ensure_default_stages()
    await throttle.prune()
    await sessions.prune()
    url = "http://127.0.0.1:8000/login"
    if await User.exists():
        out(f"Kizuna is set up. Log in at {url}")
        if not settings.ADMIN_PASSWORD:
            out(f"(the first administrator's password is in {settings.VAR_DIR / 'admin_password'})")
        return
    password, from_file = _admin_password()
    admin_role = await Role.get(name="Administrator")
    admin = await create_user(None, {
        "email": settings.ADMIN_EMAIL, "name": DEMO_ADMIN_NAME if demo else "管理者", "password": password,
        "role_id": admin_role.id,
    })
    if not demo:
        await _first_organization(admin)
    lines = [f"Log in at {url}", f"  e-mail:   {admin.email}", f"  password: {password}"]
    if from_file:
        lines.append(f"  (kept in {settings.VAR_DIR / 'admin_password'})")
    if demo:
        from app.demo_books import load_books_demo, load_link_demo
        from app.demo_chat import load_chat_demo
        from app.demo_mail import load_mail_demo
        from app.demo_pim import load_pim_demo

        users = await load_demo(admin, password)
        org = await load_books_demo(admin, users)
        await load_link_demo(admin, org)
        await load_mail_demo(admin)
        await load_chat_demo(admin, users, org)
        await load_pim_demo(admin)
        lines.append("Demo data loaded. Other demo users (same password):")
        lines += [f"  {u.email:<28} {u.role.name}" for u in users]
    out("\n".join(lines))


async def _first_organization(admin) -> None:
    """Books needs an organization to work in: an empty one the administrator fills in."""
    from app.models import Membership, Organization
    from app.services.organizations import install_default_templates

    org = await Organization.create(name=settings.ORGANIZATION_NAME)
    await Membership.create(organization_id=org.id, user_id=admin.id)
    await install_default_templates(org)


async def _with_db(coro_fn, db_url: str | None = None):
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(db_url))
        return await coro_fn()


def worker(concurrency: int | None, queues: list[str], modules: list[str]) -> int:
    """Work the job queue until SIGINT/SIGTERM; the exit status."""
    import importlib
    import logging

    from app import jobs

    if not jobs.is_postgres():
        print("error: the worker command needs PostgreSQL (DATABASE_URL=postgres://...); with SQLite "
              "the server runs jobs itself (KIZUNA_JOBS_EMBEDDED)", file=sys.stderr)
        return 2
    if concurrency is not None and concurrency < 1:
        print("error: --concurrency must be at least 1", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for module in modules:
        importlib.import_module(module)
    try:
        asyncio.run(_with_db(lambda: jobs.work(concurrency=concurrency, queues=queues or None)))
    except jobs.QueueNotReady as exc:  # say so, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


async def createuser(email: str, name: str, role: str, password: str) -> None:
    from app.models import Role
    from app.services.users import create_user

    role_obj = await Role.get_or_none(name=role)
    if role_obj is None:
        raise SystemExit(f"No role named {role!r}")
    await create_user(None, {"email": email, "name": name, "password": password, "role_id": role_obj.id})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app.cli", description="Kizuna administration")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations")
    p_setup = sub.add_parser("setup", help="first-start setup: roles, admin user, demo data")
    p_setup.add_argument("--no-demo", action="store_true", help="do not load demo data")
    p_serve = sub.add_parser("serve", help="serve the web app and /graphql with uvicorn")
    p_serve.add_argument("--host", default="127.0.0.1")
    p_serve.add_argument("--port", type=int, default=8000)
    p_serve.add_argument("--workers", type=int, default=1)
    p_worker = sub.add_parser("worker", help="run background jobs (PostgreSQL; any number of workers)")
    p_worker.add_argument("--concurrency", type=int, default=None,
                          help=f"jobs run at once (default KIZUNA_JOBS_CONCURRENCY, {settings.JOBS_CONCURRENCY})")
    p_worker.add_argument("--queues", default="", help="comma-separated queues to work (default: all)")
    p_worker.add_argument("--tasks-from", action="append", default=[], metavar="MODULE",
                          help="also load the tasks of this module (extensions, tests)")
    p_user = sub.add_parser("createuser", help="create a user")
    p_user.add_argument("--email", required=True)
    p_user.add_argument("--name", required=True)
    p_user.add_argument("--role", default="Administrator")
    p_user.add_argument("--password")
    sub.add_parser("reindex", help="rebuild the stored search texts (after changing how search normalises)")
    sub.add_parser("generate-key", help="print a new encryption key for KIZUNA_ENCRYPTION_KEYS")
    sub.add_parser("rotate-keys", help="re-encrypt every stored secret with the first encryption key")
    args = parser.parse_args(argv)

    if args.command == "migrate":
        asyncio.run(migrate())
    elif args.command == "setup":
        asyncio.run(_with_db(lambda: setup(demo=not args.no_demo)))
    elif args.command == "serve":
        import uvicorn

        print(f"Kizuna: http://{args.host}:{args.port}/  (GraphQL at /graphql)", flush=True)
        uvicorn.run(
            "app.main:app_factory", factory=True, host=args.host, port=args.port,
            # The app reads X-Forwarded-* itself, from KIZUNA_TRUSTED_PROXIES only (app.main).
            workers=args.workers, proxy_headers=False,
        )
    elif args.command == "worker":
        sys.exit(worker(args.concurrency, [q.strip() for q in args.queues.split(",") if q.strip()],
                        args.tasks_from))
    elif args.command == "reindex":
        from app.services.search_index import reindex

        print(f"Search texts rebuilt: {asyncio.run(_with_db(reindex))} changed")
    elif args.command == "generate-key":
        from app.crypto import generate_key

        print(generate_key())
    elif args.command == "rotate-keys":
        from app.crypto import rotate_stored

        try:
            count = asyncio.run(_with_db(rotate_stored))
        except RuntimeError as exc:  # a bad or missing key: say which, not a traceback
            sys.exit(f"error: {exc}")
        print(f"Re-encrypted {count} stored secret(s) with the first key of KIZUNA_ENCRYPTION_KEYS.")
    elif args.command == "createuser":
        password = args.password or getpass.getpass("Password: ")
        try:
            asyncio.run(_with_db(lambda: createuser(args.email, args.name, args.role, password)))
        except Exception as exc:  # a clear message, not a traceback, for a CLI user
            from app.errors import KizunaError

            if isinstance(exc, KizunaError):
                details = getattr(exc, "errors", [])
                msg = "; ".join(f"{e.field}: {e.message}" for e in details) or exc.message
                sys.exit(f"error: {msg}")
            raise
        print(f"Created {args.email}")


if __name__ == "__main__":
    main()
