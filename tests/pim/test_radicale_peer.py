"""The .vcf and .ics Kizuna writes are accepted elsewhere: a real CalDAV/CardDAV server (Radicale,
run as a subprocess on loopback with its storage in a temporary folder) takes them with PUT and
gives them back with every field intact (read back through Kizuna's own readers)."""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.models import PimKind, TaskPriority, TaskStatus
from app.pim import ical, vcard
from app.pim.items import Attendee, Item
from tests.smtp import free_port

pytestmark = pytest.mark.skipif(importlib.util.find_spec("radicale") is None,
                                reason="Radicale (a dev dependency) is not installed")

TOKYO = ZoneInfo("Asia/Tokyo")
USER = "kizuna"
ADDRESSBOOK = f"""<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
  <D:set><D:prop><D:resourcetype><D:collection/><C:addressbook/></D:resourcetype></D:prop></D:set>
</D:mkcol>"""


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    """Poll until the server accepts connections (or has died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"radicale exited with {process.returncode}: {process.stderr.read().decode()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)  # a connect poll, not a fixed wait
    raise RuntimeError("radicale did not start listening")


@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    storage = tmp_path_factory.mktemp("radicale")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", "", "--server-hosts", f"127.0.0.1:{port}",
         "--auth-type", "none", "--rights-type", "owner_only",
         "--storage-filesystem-folder", str(storage), "--logging-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for_port(port, process)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", auth=(USER, "any"), timeout=10) as client:
            assert client.request("MKCALENDAR", f"/{USER}/calendar/").status_code == 201
            made = client.request("MKCOL", f"/{USER}/contacts/", content=ADDRESSBOOK,
                                  headers={"Content-Type": "application/xml; charset=utf-8"})
            assert made.status_code == 201, made.text
            yield client
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def _put(client: httpx.Client, path: str, body: str, content_type: str) -> httpx.Response:
    return client.put(path, content=body.encode("utf-8"), headers={"Content-Type": f"{content_type}; charset=utf-8"})


def _same(read: Item, written: Item) -> None:
    read.source = ""
    assert read == written


def test_radicale_accepts_a_vcard_kizuna_writes(radicale):
    contact = Item(PimKind.CONTACTS, uid="kizuna-contact-7", categories=["Kizuna", "顧客"], values={
        "first_name": "太郎", "last_name": "髙橋", "email": "taro@example.jp", "secondary_email": "t@home.example.jp",
        "title": "部長", "account_name": "株式会社①商事", "department": "営業部", "work_phone": "03-1111-0000",
        "home_phone": "042-000-0000", "mobile": "090-1111-2222", "fax": "03-1111-0009", "other_phone": "06-0000-0000",
        "assistant": "佐藤 花子", "assistant_phone": "03-1111-0002", "reports_to": "﨑山 部長",
        "mailing_street": "丸の内1-1-1\nビル2F", "mailing_city": "千代田区", "mailing_state": "東京都",
        "mailing_code": "100-0005", "mailing_country": "日本", "other_street": "梅田3-3", "other_city": "大阪市北区",
        "description": "展示会で名刺交換。\n～次回訪問～; a, b", "birthday": date(1975, 3, 15),
    })
    for version in ("3.0", "4.0"):
        contact.uid = f"kizuna-contact-7-{version}"  # one UID per resource in a collection
        path = f"/{USER}/contacts/{contact.uid}.vcf"
        put = _put(radicale, path, vcard.dumps(contact, version=version), "text/vcard")
        assert put.status_code in (201, 204), put.text
        got = radicale.get(path)
        assert got.status_code == 200
        [back] = vcard.loads(got.content)
        _same(back, contact)


def test_radicale_accepts_an_event_with_attendees_and_a_rule_and_a_task(radicale):
    event = Item(PimKind.EVENTS, uid="kizuna-event-3", categories=["Kizuna"], values={
        "subject": "定例会議", "location": "会議室Ａ", "description": "週次。\n資料持参。",
        "start_at": datetime(2026, 12, 1, 10, tzinfo=TOKYO), "end_at": datetime(2026, 12, 1, 11, 30, tzinfo=TOKYO),
        "all_day": False,
    }, attendees=[Attendee("taro@example.jp", "髙橋, 太郎"), Attendee("hanako@example.jp", "")],
        recurrence="RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=10\nEXDATE;TZID=Asia/Tokyo:20261208T100000\n"
                   # one meeting of the series moved by an hour (an override, kept with its series)
                   "BEGIN:VEVENT\nSUMMARY:定例会議（時間変更）\nDTSTART;TZID=Asia/Tokyo:20261215T110000\n"
                   "DTEND;TZID=Asia/Tokyo:20261215T123000\nRECURRENCE-ID;TZID=Asia/Tokyo:20261215T100000\n"
                   "END:VEVENT")
    holiday = Item(PimKind.EVENTS, uid="kizuna-event-4", values={
        "subject": "年末休暇", "start_at": datetime(2026, 12, 28, tzinfo=TOKYO),
        "end_at": datetime(2027, 1, 5, tzinfo=TOKYO), "all_day": True,
    })
    task = Item(PimKind.TASKS, uid="kizuna-task-9", categories=["Kizuna"], values={
        "subject": "見積書を送る", "due_date": date(2026, 12, 4), "start_date": date(2026, 11, 30),
        "priority": TaskPriority.HIGH, "status": TaskStatus.WAITING, "description": "数量を確認。",
    }, recurrence="RRULE:FREQ=MONTHLY;BYMONTHDAY=1")
    for item in (event, holiday, task):
        body = ical.dumps([item])
        assert "METHOD" not in body and "RSVP" not in body
        path = f"/{USER}/calendar/{item.uid}.ics"
        put = _put(radicale, path, body, "text/calendar")
        assert put.status_code in (201, 204), put.text
        got = radicale.get(path)
        assert got.status_code == 200
        [back] = ical.loads(got.content)
        _same(back, item)
