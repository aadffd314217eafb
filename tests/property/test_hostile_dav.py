"""Property: a DAV client sending hostile values (NUL, lone surrogates, very long text, markup,
format strings) in a vCard or an iCalendar item, as a sync token, as an item's name or as a whole
body is answered with a 2xx or a clear 4xx, never a 500; and whatever was refused wrote nothing."""

from __future__ import annotations

from urllib.parse import quote

import pytest_asyncio
from hypothesis import given
from hypothesis import strategies as st

from app.models import Contact, Task
from tests.dav.conftest import dav_user, request, sync_body
from tests.property.strategies import NASTY_TEXT

BOOK = "/dav/addressbooks/contacts/"
CAL = "/dav/calendars/calendar/"
ALLOWED = {200, 201, 204, 207, 400, 403, 404, 405, 412, 413, 422}
value = st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=300), st.text(min_size=5000, max_size=6000))


@pytest_asyncio.fixture
async def phone(db):
    return await dav_user("Manager")


@given(last=value, email=value, note=value)
async def test_hostile_vcards(client, phone, last, email, note):
    before = await Contact.all().count()
    card = (f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:h\r\nN:{last};;;;\r\nFN:{last}\r\nEMAIL:{email}\r\n"
            f"NOTE:{note}\r\nEND:VCARD\r\n")
    response = await request(client, phone, "PUT", BOOK + "h.vcf", card.encode("utf-8", "surrogatepass"))
    assert response.status_code in ALLOWED, response.text
    if response.status_code >= 400:
        assert await Contact.all().count() == before


@given(summary=value, due=st.sampled_from(["20261231", "99999999", "2026-13-01", "", "\x00"]), rule=value)
async def test_hostile_todos(client, phone, summary, due, rule):
    before = await Task.all().count()
    todo = (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:t\r\nSUMMARY:{summary}\r\n"
            f"DUE;VALUE=DATE:{due}\r\nRRULE:{rule}\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")
    response = await request(client, phone, "PUT", CAL + "t.ics", todo.encode("utf-8", "surrogatepass"))
    assert response.status_code in ALLOWED, response.text
    if response.status_code >= 400:
        assert await Task.all().count() == before


@given(token=value, name=value, body=st.binary(max_size=2000))
async def test_hostile_tokens_names_and_bodies(client, phone, token, name, body):
    escaped = token.replace("&", "&amp;").replace("<", "&lt;").encode("utf-8", "surrogatepass")
    report = sync_body("TOKEN").encode().replace(b"TOKEN", escaped)
    assert (await request(client, phone, "REPORT", BOOK, report)).status_code in ALLOWED
    url = BOOK + quote(name.encode("utf-8", "surrogatepass"), safe="")
    for method in ("GET", "DELETE", "PROPFIND", "PUT", "REPORT"):
        response = await request(client, phone, method, url, body, Depth="1")
        assert response.status_code in ALLOWED, (method, response.status_code, response.text)
