"""Syncing a mailbox from a real IMAP server (pymap in-process): incremental by UID, stored once,
resumable, budgeted, with failures recorded and backed off."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import pytest

from app import jobs
from app.mail import sync, tasks
from app.models import (
    Email,
    EmailCopy,
    EmailDeal,
    EmailParticipant,
    Mailbox,
    MailFolder,
    MailSecurity,
    SyncRun,
)
from app.permissions import Principal
from app.services import mail, mailboxes
from tests.factories import make_contact, make_deal, make_user

pytestmark = pytest.mark.usefixtures("db")


def message(n: int, *, sender="customer@example.com", to="owner@example.com", subject=None,
            message_id: str | None = None, when: datetime | None = None, **headers) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject or f"Message {n}"
    msg["Date"] = format_datetime(when or datetime.now(UTC))
    msg["Message-ID"] = message_id or f"<m{n}.{id(msg)}@example.com>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(f"本文 {n}\n")
    return msg.as_bytes()


async def mailbox_on(server, owner, *, folders=("INBOX", "Sent"), **kw) -> Mailbox:
    box = await Mailbox.create(
        owner_id=owner.id, email=kw.pop("email", "owner@example.com"), imap_host=server.host, imap_port=server.port,
        imap_security=MailSecurity.NONE, username=server.username, password=server.password,
        connected_at=kw.pop("connected_at", datetime.now(UTC) - timedelta(days=1)), **kw)
    for name in folders:
        await MailFolder.create(mailbox_id=box.id, name=name, is_sent=name == "Sent")
    return box


@pytest.fixture(autouse=True)
def empty_queue():
    jobs.engine().connector.reset()
    yield
    jobs.engine().connector.reset()


async def test_first_sync_stores_every_message_once_and_a_poll_after_it_is_one_round_trip(any_imap_server):
    imap_server = any_imap_server  # pymap, and Dovecot where installed (CI)
    owner = await make_user(email="owner@example.com")
    for n in range(5):
        imap_server.append("INBOX", message(n))
    imap_server.append("Sent", message(9, sender="owner@example.com", to="customer@example.com"))
    box = await mailbox_on(imap_server, owner)
    outcome = await sync.sync_mailbox(box.id)
    assert (outcome.error, outcome.fetched, outcome.complete) == ("", 6, True)
    assert await Email.all().count() == 6
    await box.refresh_from_db()
    assert box.message_count == 6 and box.last_sync_at is not None and box.last_error == ""
    outgoing = await EmailCopy.filter(direction="outgoing").count()
    assert outgoing == 1
    run = await SyncRun.get(mailbox_id=box.id)
    assert run.complete and run.stored == 6

    # Nothing new: one STATUS per folder after login, and nothing stored.
    await MailFolder.filter(mailbox_id=box.id, name="Sent").update(sync=False)
    again = await sync.sync_mailbox(box.id)
    assert (again.fetched, again.roundtrips) == (0, 1)
    print(f"\npoll with nothing new: {again.roundtrips} round trip after login")

    imap_server.append("INBOX", message(10))
    third = await sync.sync_mailbox(box.id)
    assert third.fetched == 1
    assert await Email.all().count() == 7
    # Mail is never marked read by the sync.
    assert all("\\Seen" not in flags for flags in imap_server.flags("INBOX").values())


async def test_one_message_in_two_folders_and_two_mailboxes_is_stored_once(imap_server):
    owner = await make_user(email="owner@example.com")
    colleague = await make_user(email="colleague@example.com")
    raw = message(1, message_id="<shared@example.com>", to="owner@example.com, colleague@example.com")
    imap_server.append("INBOX", raw)
    imap_server.append("Sent", raw)
    mine = await mailbox_on(imap_server, owner)
    theirs = await mailbox_on(imap_server, colleague, email="colleague@example.com", sharing="all")
    await sync.sync_mailbox(mine.id)
    await sync.sync_mailbox(theirs.id)
    assert await Email.all().count() == 1
    assert await EmailCopy.all().count() == 4
    email = await Email.get()
    holders = await mail.mailboxes_holding(await Principal.load(owner), email)
    assert {b.owner.email for b in holders} == {"owner@example.com", "colleague@example.com"}
    # The colleague sees only their own (shared) mailbox among the holders.
    holders = await mail.mailboxes_holding(await Principal.load(colleague), email)
    assert {b.owner.email for b in holders} == {"colleague@example.com"}
    assert await EmailParticipant.filter(email_id=email.id).count() == 3


async def test_a_uidvalidity_change_resyncs_without_duplicates(any_imap_server):
    imap_server = any_imap_server
    owner = await make_user(email="owner@example.com")
    for n in range(3):
        imap_server.append("INBOX", message(n))
    box = await mailbox_on(imap_server, owner, folders=("INBOX",))
    await sync.sync_mailbox(box.id)
    imap_server.uidvalidity_change("INBOX")
    imap_server.append("INBOX", message(3))
    outcome = await sync.sync_mailbox(box.id)
    assert outcome.error == ""
    assert await Email.all().count() == 4
    assert await EmailCopy.all().count() == 4
    folder = await MailFolder.get(mailbox_id=box.id, name="INBOX")
    assert folder.uidvalidity == imap_server.uidvalidity("INBOX")


async def test_a_long_mailbox_is_synced_over_several_runs_within_their_budget(imap_server):
    owner = await make_user(email="owner@example.com")
    imap_server.append_many("INBOX", [message(n) for n in range(7)])
    box = await mailbox_on(imap_server, owner, folders=("INBOX",))
    runs = 0
    while True:
        outcome = await sync.sync_mailbox(box.id, budget=0, batch=3)
        runs += 1
        if outcome.complete:
            break
        assert outcome.fetched == 3 and runs < 5
    assert runs == 3
    assert await Email.all().count() == 7
    # An unfinished run asks for the next one at once.
    await box.refresh_from_db()
    assert box.next_sync_at is None


async def test_the_sync_job_queues_the_next_run_when_the_budget_runs_out(imap_server, monkeypatch):
    owner = await make_user(email="owner@example.com")
    imap_server.append_many("INBOX", [message(n) for n in range(5)])
    box = await mailbox_on(imap_server, owner, folders=("INBOX",))
    monkeypatch.setattr(sync.settings, "MAIL_SYNC_BUDGET_SECONDS", 0)
    monkeypatch.setattr(sync.settings, "MAIL_FETCH_BATCH", 2)
    await tasks.request_sync(box.id)
    await tasks.request_sync(box.id)  # asked twice: one job waits
    assert await jobs.run_pending() == 3 + 3  # 2 + 2 + 1 messages, each batch's bodies after it
    assert await Email.all().count() == 5
    assert await Email.filter(body_parsed=True).count() == 5


async def test_a_refused_login_is_recorded_backs_off_and_clears_on_success(imap_server):
    owner = await make_user(email="owner@example.com")
    box = await mailbox_on(imap_server, owner, folders=("INBOX",))
    await Mailbox.filter(id=box.id).update(password="wrong-password")
    outcome = await sync.sync_mailbox(box.id)
    assert outcome.error
    await box.refresh_from_db()
    assert box.last_error and box.failing_since is not None
    assert box.next_sync_at > datetime.now(UTC) + timedelta(minutes=4)
    assert box.id not in await tasks.due(datetime.now(UTC)).values_list("id", flat=True)
    # Failing for days: the wait grows, to a day at most.
    now = datetime.now(UTC)
    waits = [sync.backoff(now - timedelta(days=d), now) for d in (0, 1, 2, 10)]
    assert waits == sorted(waits) and waits[0] == sync.BACKOFF_FIRST and waits[-1] == timedelta(days=1)
    box.password = imap_server.password
    await box.save()
    assert (await sync.sync_mailbox(box.id)).error == ""
    await box.refresh_from_db()
    assert (box.last_error, box.failing_since) == ("", None)


async def test_connecting_logs_in_first_and_shows_the_servers_words(imap_server, monkeypatch):
    owner = await make_user(email="owner@example.com")
    principal = await Principal.load(owner)
    monkeypatch.setattr(mailboxes.settings, "MAIL_VERIFY_TLS", False)
    data = {"email": "owner@example.com", "imap_host": imap_server.host, "imap_port": str(imap_server.port),
            "imap_security": "none", "username": imap_server.username, "password": "wrong"}
    from app.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        await mailboxes.connect(principal, data)
    assert refused.value.errors[0].field == "password"
    assert await Mailbox.all().count() == 0
    box = await mailboxes.connect(principal, {**data, "password": imap_server.password})
    folders = {f.name: f for f in await MailFolder.filter(mailbox_id=box.id)}
    assert folders["INBOX"].sync and folders["Sent"].sync and folders["Sent"].is_sent
    assert (await Mailbox.get(id=box.id)).password == imap_server.password  # decrypted back
    assert await jobs.run_pending() == 1  # the first sync, queued by connecting


async def test_sync_associates_mail_with_the_contacts_deal(imap_server):
    owner = await make_user(email="owner@example.com")
    contact = await make_contact(owner, email="customer@example.com")
    deal = await make_deal(owner, [contact])
    imap_server.append("INBOX", message(1))
    imap_server.append("INBOX", message(2, Precedence="bulk"))
    box = await mailbox_on(imap_server, owner, folders=("INBOX",))
    await sync.sync_mailbox(box.id)
    assert await EmailDeal.filter(deal_id=deal.id).count() == 1


KILLER = textwrap.dedent("""
    import asyncio, os, signal, sys
    from tortoise.context import TortoiseContext
    from app.db import tortoise_config
    from app.mail import store, sync

    calls = 0
    real = store.store_batch

    async def store_then_die(mailbox, folder, batch):
        global calls
        calls += 1
        if calls == 3:  # killed in the middle of the third batch, before it commits
            os.kill(os.getpid(), signal.SIGKILL)
        return await real(mailbox, folder, batch)

    sync.store_batch = store_then_die

    async def main():
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(sys.argv[1]))
            await sync.sync_mailbox(int(sys.argv[2]), batch=4)

    asyncio.run(main())
""")


async def test_a_sync_killed_half_way_resumes_with_nothing_lost_or_doubled(imap_server, database_url, tmp_path):
    if database_url.startswith("sqlite://:memory:"):
        # The killed process needs the same database: a file of its own.
        from tortoise.context import TortoiseContext

        from app.db import create_schema, tortoise_config
        from app.services.stages import ensure_default_stages
        from app.services.users import ensure_default_roles

        database_url = f"sqlite://{tmp_path / 'kill.sqlite3'}"
        ctx = TortoiseContext()
        await ctx.__aenter__()
        await ctx.init(config=tortoise_config(database_url))
        await create_schema(ctx)
        await ensure_default_roles()
        await ensure_default_stages()
    else:
        ctx = None
    try:
        owner = await make_user(email="owner@example.com")
        imap_server.append_many("INBOX", [message(n) for n in range(20)])
        box = await mailbox_on(imap_server, owner, folders=("INBOX",))
        env = {**os.environ, "PYTHONPATH": os.getcwd()}
        killed = subprocess.run([sys.executable, "-c", KILLER, database_url, str(box.id)], env=env,
                                capture_output=True, timeout=120)
        assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
        assert await Email.all().count() == 8  # two whole batches, the third rolled back
        assert (await MailFolder.get(mailbox_id=box.id)).last_uid == sorted(imap_server.uids("INBOX"))[7]
        outcome = await sync.sync_mailbox(box.id, batch=4)
        assert outcome.fetched == 12
        assert await Email.all().count() == 20
        assert await EmailCopy.all().count() == 20
    finally:
        if ctx is not None:
            await ctx.__aexit__(None, None, None)
