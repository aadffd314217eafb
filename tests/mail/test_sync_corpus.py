"""The corpus of difficult messages (tests/mail/corpus.py) through a real IMAP server and the
whole sync: nothing crashes it, everything readable is stored right, no script reaches a page.
Run against pymap in-process and, where installed (CI), Debian's Dovecot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from imapclient.exceptions import IMAPClientError

from app import jobs
from app.mail import sync
from app.mail.mime import parse
from app.mail import blobs, bodies
from app.mail.store import storage_key
from app.models import Email, EmailAttachment, Mailbox, MailFolder, MailSecurity
from tests.factories import make_user
from tests.mail.corpus import CORPUS, EXPECTED

pytestmark = pytest.mark.usefixtures("db")


async def test_every_difficult_message_is_stored_and_none_stops_the_sync(any_imap_server, client):
    server = any_imap_server
    jobs.engine().connector.reset()
    owner = await make_user(email="owner@example.com")
    names = []
    for name, raw in CORPUS.items():
        try:
            server.append("INBOX", raw)
        except IMAPClientError:  # pymap parses with the stdlib and refuses some of the traps
            assert server.name != "dovecot", f"Dovecot refused {name}"
            continue
        names.append(name)
    assert len(names) >= len(CORPUS) - 3
    box = await Mailbox.create(
        owner_id=owner.id, email=owner.email, imap_host=server.host, imap_port=server.port,
        imap_security=MailSecurity.NONE, username=server.username, password=server.password,
        connected_at=datetime.now(UTC) - timedelta(days=1))
    await MailFolder.create(mailbox_id=box.id, name="INBOX")
    outcome = await sync.sync_mailbox(box.id, batch=7)
    # (pymap may keep a message whose APPEND answered with an error: count what it holds)
    held = len(server.uids("INBOX"))
    assert (outcome.error, outcome.complete, outcome.fetched) == ("", True, held)
    assert await bodies.pending()  # the sync read headers only
    assert await bodies.fill_pending() == held

    # Two messages sharing a Message-ID are two e-mails; each message is stored once.
    assert await Email.all().count() == held
    for name in names:
        expected = EXPECTED.get(name, {})
        email = await Email.get(key=storage_key(parse(CORPUS[name])))
        if "text" in expected:
            assert email.text_body.strip() == expected["text"], name
        if "subject" in expected:
            assert email.subject == expected["subject"], name
        if "sender" in expected:
            assert (email.from_name, email.from_email) == expected["sender"], name
        if "malformed" in expected:
            assert email.malformed == expected["malformed"], name
        if "attachments" in expected:
            files = await EmailAttachment.filter(email_id=email.id).order_by("id").values_list("filename", flat=True)
            assert sorted(files) == sorted(expected["attachments"]), name
    for email in await Email.all():
        assert "<script" not in email.html_body.lower()
        assert "javascript:" not in email.html_body.lower()
    assert await Email.filter(is_bulk=True).count() >= sum(1 for n in names if EXPECTED.get(n, {}).get("is_bulk"))

    # The 20 MB attachment is kept whole, by its hash.
    big = await EmailAttachment.get(filename="big.bin").prefetch_related("blob")
    assert big.size >= 20 * 1024 * 1024
    assert blobs.path(big.blob.sha256).stat().st_size == big.size
