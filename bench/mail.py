"""Mail sync: 10,000 messages from a real IMAP server (Dovecot when installed, else pymap) synced
end to end (fetch, parse, store, match, associate) against a bare imapclient fetch of the same
messages in the same run. Targets (issue 11): ratio under 2x, at least 10,000 messages a minute;
and a poll with nothing new is one round trip after login.

The messages come from the dataset's contacts (a third of them reply to a thread, some carry a
Japanese body and an attachment), so matching and deal association do real work.
"""

from __future__ import annotations

import random
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from imapclient import IMAPClient

from app.mail import sync
from app.mail.imap import quiet_wire_log
from app.models import Contact, Email, EmailDeal, Mailbox, MailFolder, MailSecurity, User

BATCH = 200


QUOTE = ("> いつもお世話になっております。株式会社山田商事の山田です。\n"
         "> 先日はお打ち合わせのお時間をいただき、誠にありがとうございました。\n") * 60
SIGNATURE = "\n-- \n株式会社山田商事 営業部\n山田 太郎\nTEL 03-1234-5678\n"


def messages(addresses: list[str], count: int, owner: str) -> list[bytes]:
    """Business mail as it comes: text and HTML alternatives with the quoted history and a
    signature (about 40 KB, the calibration's size in shared/PERFORMANCE.md); every tenth with a
    PDF attached; two in three replying to the one before."""
    rng = random.Random(11)
    start = datetime(2026, 6, 1, tzinfo=UTC)
    pdf = bytes(rng.getrandbits(8) for _ in range(30_000))
    result = []
    for n in range(count):
        msg = EmailMessage()
        sender = rng.choice(addresses)
        msg["From"] = f"顧客 {n} <{sender}>"
        msg["To"] = owner
        msg["Subject"] = f"見積のご依頼 {n // 3}" if n % 3 == 0 else f"Re: 見積のご依頼 {n // 3}"
        msg["Date"] = format_datetime(start + timedelta(minutes=n))
        msg["Message-ID"] = f"<bench-{n}@customer.example>"
        if n % 3:
            msg["In-Reply-To"] = f"<bench-{n - 1}@customer.example>"
            msg["References"] = f"<bench-{n - n % 3}@customer.example> <bench-{n - 1}@customer.example>"
        text = f"ご担当者様\n\nお見積りの件、{n} 番の内容で承知いたしました。\n" + SIGNATURE + "\n" + QUOTE
        msg.set_content(text)
        html = "".join(f"<p style=\"margin:0\">{line}</p>" for line in text.splitlines())
        msg.add_alternative(f"<html><body><div>{html}</div><img src=\"https://track.example/{n}.gif\">"
                            "</body></html>", subtype="html")
        if n % 10 == 0:
            msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="見積書.pdf")
        result.append(msg.as_bytes())
    return result


@contextmanager
def imap_server():
    from tests.imap import running_dovecot, running_pymap

    try:
        with running_dovecot() as server:
            yield server
    except FileNotFoundError:
        with running_pymap() as server:
            yield server


def bare_fetch(server, *, quiet: bool = False) -> float:
    """The baseline: log in, list the UIDs, UID FETCH BODY.PEEK[] in batches, nothing else. With
    `quiet`, imaplib's wire log is off as in Kizuna's own session (app.mail.imap.quiet_wire_log):
    the stricter baseline, printed beside the issue's."""
    t = time.perf_counter()
    with IMAPClient(server.host, server.port, ssl=False, timeout=60) as client:
        if quiet:
            quiet_wire_log(client)
        client.login(server.username, server.password)
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        got = 0
        for start in range(0, len(uids), BATCH):
            got += len(client.fetch(uids[start:start + BATCH], ["BODY.PEEK[]"]))
    assert got == len(uids)
    return time.perf_counter() - t


async def run(label: str, count: int = 10_000) -> str:
    admin = await User.filter(role__name="Administrator").first()
    addresses = [a for a in await Contact.exclude(email="").limit(2000).values_list("email", flat=True)]
    with imap_server() as server:
        server.append_many("INBOX", messages(addresses, count, "owner@kizuna.example"))
        bare = min(bare_fetch(server) for _ in range(2))
        quiet = min(bare_fetch(server, quiet=True) for _ in range(2))
        box = await Mailbox.create(
            owner_id=admin.id, email="owner@kizuna.example", imap_host=server.host, imap_port=server.port,
            imap_security=MailSecurity.NONE, username=server.username, password=server.password,
            connected_at=datetime(2026, 1, 1, tzinfo=UTC))
        await MailFolder.create(mailbox_id=box.id, name="INBOX")
        t = time.perf_counter()
        runs = 0
        while True:
            outcome = await sync.sync_mailbox(box.id, budget=3600, batch=BATCH)
            runs += 1
            assert not outcome.error, outcome.error
            if outcome.complete:
                break
        synced = time.perf_counter() - t
        poll = await sync.sync_mailbox(box.id)
    stored = await Email.all().count()
    associated = await EmailDeal.all().count()
    assert stored == count, (stored, count)
    rate = count / synced * 60
    return (f"mail sync {count} messages: bare imapclient fetch {bare:.2f} s, Kizuna sync {synced:.2f} s "
            f"(ratio {synced / bare:.2f}x, target < 2x; {rate:,.0f} msgs/min, target >= 10,000; "
            f"against the same fetch with imaplib's wire log off, {quiet:.2f} s: {synced / quiet:.2f}x; "
            f"{associated} associated with deals); poll with nothing new: {poll.roundtrips} round trip(s) "
            f"after login")
