"""First-start setup: the administrator, believable demo data, and nothing twice."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app import auth, cli, settings
from datetime import date

from app.models import (
    Account, BooksContact, Contact, Deal, Event, EventAttendee, Kind, Lead, Membership, Organization, Task,
    Transaction, User,
)
from app.services import workflow
from tests.conftest import sqlite_suite_only


async def test_setup_creates_admin_and_demo_data_once(db):
    said: list[str] = []
    await cli.setup(demo=True, out=said.append)
    text = "\n".join(said)
    assert settings.ADMIN_EMAIL in text and "http://127.0.0.1:8000/login" in text
    password = (settings.VAR_DIR / "admin_password").read_text().strip()
    assert password in text
    assert oct((settings.VAR_DIR / "admin_password").stat().st_mode & 0o777) == "0o600"
    admin = await auth.authenticate(settings.ADMIN_EMAIL, password, "127.0.0.1")
    assert admin.role.name == "Administrator"

    assert 45 <= await Contact.all().count() <= 60
    assert 25 <= await Deal.all().count() <= 35
    categories = set(await Deal.all().values_list("stage__category", flat=True))
    assert categories == {"open", "won", "lost"}
    names = await Account.all().values_list("name", flat=True)
    assert any(not n.isascii() for n in names) and any(n.isascii() for n in names)
    assert await Task.all().count() > 0 and await Lead.all().count() > 0
    assert await EventAttendee.filter(event_id__in=await Event.all().values_list("id", flat=True)).count() > 0
    assert set(await User.all().values_list("role__name", flat=True)) == {
        "Administrator", "Manager", "Sales", "Accountant"}

    # Books: the demo company with customers, items and documents in every state.
    org = await Organization.get(name="株式会社キズナ商事")
    assert await Membership.filter(organization_id=org.id).count() == await User.all().count()
    statuses = set(await Transaction.filter(kind=Kind.ESTIMATE).values_list("status", flat=True))
    assert statuses == {"draft", "sent", "viewed", "accepted", "declined", "converted"}
    invoices = await Transaction.filter(kind=Kind.INVOICE)
    assert {i.status for i in invoices} >= {"draft", "sent", "partially_paid", "paid"}
    assert any(workflow.is_overdue(i, date.today()) for i in invoices)
    assert await Transaction.filter(kind=Kind.PURCHASE_ORDER).count() == 2
    assert await BooksContact.filter(currency="USD").exists()
    # Closing-date billing: a consolidated invoice of a 20日締め customer's orders, one order left to bill.
    consolidated = await Transaction.get(billed_orders__kind=Kind.SALES_ORDER).distinct()
    assert consolidated.kind == Kind.INVOICE and consolidated.transaction_date_end is not None
    assert await Transaction.filter(billed_by_id=consolidated.id).count() == 2
    assert await Transaction.filter(kind=Kind.SALES_ORDER, status="confirmed", billed_by_id=None).exists()

    # Products in Japanese, a few deals priced from them (their amount is their lines' total), and
    # the catalogue readable by the salespeople.
    from app.models import DealLine, Product
    from app.permissions import Principal
    from app.services import deal_lines
    from app.services.products import products

    assert await Product.all().count() >= 5 and all(not n.isascii() for n in await Product.all().values_list(
        "name", flat=True))
    priced = await Deal.filter(id__in=await DealLine.all().values_list("deal_id", flat=True))
    assert len(priced) >= 2
    for deal in priced:
        assert deal.amount == deal_lines.total(await deal_lines.lines_of(deal), deal.currency)
    salesperson = await User.filter(role__name="Sales").first().prefetch_related("role")
    assert await products.query(await Principal.load(salesperson)).count() == await Product.all().count()

    # The CRM is linked to the demo company and synced once: the account Books knows by name is
    # linked to its customer (not pushed twice), so its page shows that customer's documents.
    from app.models import BooksSyncRecord, BooksSyncRun
    from app.services import books_link, books_mapping
    from app.services.books_fields import Side

    link = await books_link.active_link()
    assert link is not None and link.organization_id == org.id and link.automation == "estimate"
    assert await BooksSyncRun.filter(status="done", errors=0).exists()
    sakura = await Account.get(name="株式会社さくら商事")
    customer_id = (await books_mapping.customer_ids(link, Side.ACCOUNTS, [sakura.id]))[sakura.id]
    assert await BooksContact.filter(display_name="株式会社さくら商事").values_list("id", flat=True) == [customer_id]
    assert await Transaction.filter(contact_id=customer_id).exists()
    assert await BooksSyncRecord.filter(organization_id=org.id, crm_module="products").count() == \
        await Product.all().count()

    # The team's channel gets the Books notifications of customers' actions, delivered through the
    # outbox; the administrator, whose documents they are, has them in-app too.
    from app.models import ChatMessage, Delivery, Notification

    admin_user = await User.filter(role__name="Administrator").order_by("id").first()
    assert await Delivery.filter(status="delivered").count() >= 3
    assert await ChatMessage.filter(author_id=None).count() >= 3
    assert await Notification.filter(user_id=admin_user.id).exists()

    counts = [await m.all().count() for m in (User, Account, Contact, Deal, Task, Event, Transaction)]
    said.clear()
    await cli.setup(demo=True, out=said.append)
    assert [await m.all().count() for m in (User, Account, Contact, Deal, Task, Event, Transaction)] == counts
    assert "set up" in said[0]
    assert str(settings.VAR_DIR / "admin_password") in "\n".join(said)


async def test_createuser_adds_a_user_who_can_log_in(db):
    await cli.createuser("rep@example.jp", "営業 花子", "Sales", "a-long-Passw0rd")
    user = await auth.authenticate("rep@example.jp", "a-long-Passw0rd", "127.0.0.1")
    assert user.name == "営業 花子" and user.role.name == "Sales"
    with pytest.raises(SystemExit, match="No role named"):
        await cli.createuser("x@example.jp", "X", "Nobody", "a-long-Passw0rd")


@sqlite_suite_only
def test_make_run_commands_migrate_and_set_up_a_new_database(tmp_path):
    """What `make run` does before serving, as separate processes on a fresh SQLite file."""
    env = {**os.environ, "DATABASE_URL": f"sqlite://{tmp_path / 'db' / 'k.sqlite3'}",
           "KIZUNA_VAR_DIR": str(tmp_path), "KIZUNA_ADMIN_PASSWORD": "first-Passw0rd"}

    def cli_run(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, cwd=settings.BASE_DIR,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli_run("migrate")
    cli_run("migrate")  # idempotent
    first = cli_run("setup", "--no-demo")
    assert "http://127.0.0.1:8000/login" in first and settings.ADMIN_EMAIL in first and "first-Passw0rd" in first
    again = cli_run("setup", "--no-demo")
    assert "first-Passw0rd" not in again and "http://127.0.0.1:8000/login" in again
    assert (tmp_path / "db" / "k.sqlite3").exists()


async def test_setup_without_demo_gives_the_admin_an_organization_to_work_in(db):
    await cli.setup(demo=False, out=lambda _: None)
    org = await Organization.get(name=settings.ORGANIZATION_NAME)
    admin = await User.get(email=settings.ADMIN_EMAIL)
    assert await Membership.filter(organization_id=org.id, user_id=admin.id).exists()
    assert not await Transaction.exists() and not await BooksContact.exists()


async def test_demo_data_reads_like_a_real_company_without_real_identities(db):
    from app.services import books_pdf
    from app.services.organizations import registration_number_problem
    from tests.pdf.test_render import text_of

    await cli.setup(demo=True, out=lambda _: None)
    org = await Organization.get(name="株式会社キズナ商事")
    # A valid number, but not the National Tax Agency's own (T7000012050002).
    assert registration_number_problem(org.registration_number) is None
    assert org.registration_number != "T7000012050002"

    # People have plain names: no "(Sales)" after them, no "担当 者" for a vendor's contact.
    names = await User.all().values_list("name", flat=True)
    assert not [n for n in names if "(" in n or "（" in n]
    order = await Transaction.filter(kind=Kind.PURCHASE_ORDER).first().prefetch_related("contact")
    text = " ".join(text_of(await books_pdf.render(order, "ja")))
    assert "担当 者" not in text  # ("担当者" alone is the salesperson label)
    persons = await order.contact.persons.all()
    assert persons and f"{persons[0].last_name} {persons[0].first_name} 様" in text
    assert org.registration_number in text


def test_serve_leaves_forwarded_headers_to_the_app(monkeypatch):
    """uvicorn must not believe X-Forwarded-For on its own: KIZUNA_TRUSTED_PROXIES decides (app.main)."""
    import uvicorn

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kw: seen.update(kw))
    cli.main(["serve"])
    assert seen["proxy_headers"] is False
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    entrypoint = (settings.BASE_DIR / "docker-entrypoint.sh").read_text()  # the image's command
    assert "docker-entrypoint.sh" in dockerfile and "FORWARDED_ALLOW_IPS" not in dockerfile + entrypoint
    assert "exec uvicorn --factory app.main:app_factory" in entrypoint and "--no-proxy-headers" in entrypoint


async def test_setup_prunes_old_sign_in_attempts_and_expired_sessions(db):
    from datetime import datetime, timedelta, timezone

    from app import sessions
    from app.models import LoginAttempt, UserSession
    from tests import factories as f

    user = await f.make_user()
    kept: dict = {}
    await sessions.start(kept, user)
    gone = await sessions.start({}, user)
    await UserSession.filter(id=gone.id).update(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    old = await LoginAttempt.create(login="x@example.jp", ip="10.0.0.1", succeeded=False)
    await LoginAttempt.filter(id=old.id).update(
        at=datetime.now(timezone.utc) - timedelta(seconds=settings.LOGIN_WINDOW_SECONDS + 1))
    recent = await LoginAttempt.create(login="x@example.jp", ip="10.0.0.1", succeeded=False)
    await cli.setup(demo=False, out=lambda *_: None)
    assert [a.id for a in await LoginAttempt.all()] == [recent.id]
    assert not await UserSession.filter(id=gone.id).exists()
    assert (await auth.user_for_session(kept)).user.id == user.id
