"""The DAV protocol on the ASGI app: discovery, authentication, PROPFIND, sync-collection and its
tokens, hostile bodies, and the query count of a sync with nothing new."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

from app import auth
from app.models import Access
from app.services.contacts import contacts
from tests.dav.conftest import dav_user, propfind_body, request, sync_body
from tests.factories import PASSWORD, make_contact, make_user, principal_for, share
from tests.querycount import count_queries
from tests.views.conftest import login

D = "{DAV:}"
CONTACTS = "/dav/addressbooks/contacts/"
CALENDAR = "/dav/calendars/calendar/"


def xml(response) -> ET.Element:
    return ET.fromstring(response.content)


def hrefs(doc: ET.Element) -> list[str]:
    return [r.findtext(f"{D}href") for r in doc.findall(f"{D}response")]


def removed(doc: ET.Element) -> list[str]:
    return [r.findtext(f"{D}href") for r in doc.findall(f"{D}response")
            if (r.findtext(f"{D}status") or "").endswith("404 Not Found")]


async def test_discovery_from_well_known_to_the_collections(client, alice):
    assert (await client.get("/.well-known/carddav")).headers["location"] == "/dav/"
    options = await client.options("/dav/")
    assert "calendar-access" in options.headers["DAV"] and "addressbook" in options.headers["DAV"]

    root = xml(await request(client, alice, "PROPFIND", "/dav/", propfind_body("<d:current-user-principal/>"),
                             Depth="0"))
    principal = root.find(f".//{D}current-user-principal/{D}href").text
    assert principal == "/dav/principal/"
    doc = xml(await request(client, alice, "PROPFIND", principal, propfind_body(
        "<cal:calendar-home-set/>", "<card:addressbook-home-set/>", "<d:displayname/>"), Depth="0"))
    home = doc.find(".//{urn:ietf:params:xml:ns:caldav}calendar-home-set/{DAV:}href").text
    assert doc.find(".//{urn:ietf:params:xml:ns:carddav}addressbook-home-set/{DAV:}href").text == "/dav/addressbooks/"
    listing = xml(await request(client, alice, "PROPFIND", home, propfind_body(
        "<d:resourcetype/>", "<cs:getctag/>", "<d:sync-token/>", "<cal:supported-calendar-component-set/>",
        "<d:unknown-prop/>"), Depth="1"))
    assert hrefs(listing) == ["/dav/calendars/", CALENDAR]
    calendar = listing.findall(f"{D}response")[1]
    assert calendar.find(".//{urn:ietf:params:xml:ns:caldav}calendar") is not None
    comps = {c.get("name") for c in calendar.iter("{urn:ietf:params:xml:ns:caldav}comp")}
    assert comps == {"VEVENT", "VTODO"}
    # A property Kizuna does not know is answered 404 in its own propstat.
    statuses = [p.findtext(f"{D}status") for p in calendar.findall(f"{D}propstat")]
    assert statuses == ["HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found"]


async def test_depth_infinity_is_refused(client, alice):
    response = await request(client, alice, "PROPFIND", "/dav/", propfind_body("<d:resourcetype/>"),
                             Depth="infinity")
    assert response.status_code == 403
    assert xml(response).find(f"{D}propfind-finite-depth") is not None
    # No Depth header: the resource itself.
    bare = xml(await request(client, alice, "PROPFIND", "/dav/", propfind_body("<d:resourcetype/>")))
    assert hrefs(bare) == ["/dav/"]


async def test_only_a_dav_token_opens_dav(client, alice):
    url, body = CONTACTS, propfind_body("<d:getetag/>")
    anonymous = await client.request("PROPFIND", url, content=body, headers={"Depth": "0"})
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith('Basic realm="Kizuna"')

    def basic(password: str) -> dict:
        return {"Authorization": "Basic " + base64.b64encode(f"{alice.user.email}:{password}".encode()).decode(),
                "Depth": "0"}

    # The account password is never a DAV password.
    assert (await client.request("PROPFIND", url, content=body, headers=basic(PASSWORD))).status_code == 401
    _, api_secret = await auth.create_api_token(alice.user, "Script", scopes=["api"])
    assert (await client.request("PROPFIND", url, content=body, headers=basic(api_secret))).status_code == 401
    # Bearer is not how DAV clients sign in, and a signed-in browser's cookie opens nothing here.
    bearer = {"Authorization": f"Bearer {alice.token}", "Depth": "0"}
    assert (await client.request("PROPFIND", url, content=body, headers=bearer)).status_code == 401
    assert (await login(client, alice.user)).status_code == 303
    assert (await client.request("PROPFIND", url, content=body, headers={"Depth": "0"})).status_code == 401
    assert (await client.delete(CONTACTS + "x.vcf")).status_code == 401  # no CSRF 403 either
    client.cookies.clear()
    # Any user name goes with the token.
    other = {"Authorization": "Basic " + base64.b64encode(f"phone:{alice.token}".encode()).decode(), "Depth": "0"}
    assert (await client.request("PROPFIND", url, content=body, headers=other)).status_code == 207


async def test_sync_collection_round_trips(client, db):
    alice = await dav_user("Manager")
    mine = [await make_contact(alice.user) for _ in range(3)]
    first = xml(await request(client, alice, "REPORT", CONTACTS, sync_body()))
    assert len(hrefs(first)) == 3
    token = first.findtext(f"{D}sync-token")

    same = xml(await request(client, alice, "REPORT", CONTACTS, sync_body(token)))
    assert hrefs(same) == [] and same.findtext(f"{D}sync-token") == token

    principal = await principal_for(alice.user)
    await contacts.update(principal, mine[0].id, {"title": "部長"})
    await contacts.delete(principal, mine[1].id)
    new = await make_contact(alice.user)
    changed = xml(await request(client, alice, "REPORT", CONTACTS, sync_body(token)))
    assert sorted(hrefs(changed)) == sorted(f"{CONTACTS}kizuna-contact-{c.id}.vcf" for c in (mine[0], mine[1], new))
    assert removed(changed) == [f"{CONTACTS}kizuna-contact-{mine[1].id}.vcf"]
    assert changed.findtext(f"{D}sync-token") != token


async def test_sync_collection_limit_and_bad_tokens(client, alice):
    for _ in range(5):
        await make_contact(alice.user)
    page = xml(await request(client, alice, "REPORT", CONTACTS, sync_body("", limit=2)))
    assert len([h for h in hrefs(page) if h != CONTACTS]) == 2
    assert any(r.findtext(f"{D}status", "").endswith("507 Insufficient Storage") for r in page.findall(f"{D}response"))
    rest = xml(await request(client, alice, "REPORT", CONTACTS, sync_body(page.findtext(f"{D}sync-token"))))
    assert len(hrefs(rest)) == 3

    for bad in ("urn:kizuna:sync:1:999999", "http://example.com/other", "urn:kizuna:sync:999:1"):
        response = await request(client, alice, "REPORT", CONTACTS, sync_body(bad))
        assert response.status_code == 403
        assert xml(response).find(f"{D}valid-sync-token") is not None


async def test_the_collection_holds_what_the_user_may_see(client, alice):
    bob = await make_user("Sales")
    hidden = await make_contact(bob)
    doc = xml(await request(client, alice, "REPORT", CONTACTS, sync_body()))
    assert hrefs(doc) == []
    await share("contacts", Access.READ_ONLY, owner=bob, grantee=alice.user)
    shared = xml(await request(client, alice, "REPORT", CONTACTS, sync_body(doc.findtext(f"{D}sync-token"))))
    assert hrefs(shared) == [f"{CONTACTS}kizuna-contact-{hidden.id}.vcf"]


async def test_no_change_sync_collection_is_a_constant_number_of_queries(client, alice):
    async def no_change_sync() -> int:
        token = xml(await request(client, alice, "REPORT", CONTACTS, sync_body())).findtext(f"{D}sync-token")
        await request(client, alice, "REPORT", CONTACTS, sync_body(token))  # the reach is kept from here
        with count_queries() as queries:
            response = await request(client, alice, "REPORT", CONTACTS, sync_body(token))
        assert response.status_code == 207 and hrefs(xml(response)) == []
        return len(queries)

    for _ in range(3):
        await make_contact(alice.user)
    small = await no_change_sync()
    for _ in range(60):
        await make_contact(alice.user)
    large = await no_change_sync()
    print(f"no-change sync-collection: {small} queries with 3 contacts, {large} with 63")
    assert small == large <= 6


async def test_hostile_bodies_are_refused(client, alice):
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
              '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
              '<d:propfind xmlns:d="DAV:"><d:prop><d:displayname>&lol3;</d:displayname></d:prop></d:propfind>')
    assert (await request(client, alice, "PROPFIND", "/dav/", laughs, Depth="0")).status_code == 400
    external = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                '<d:propfind xmlns:d="DAV:"><d:prop><d:displayname>&e;</d:displayname></d:prop></d:propfind>')
    assert (await request(client, alice, "PROPFIND", "/dav/", external, Depth="0")).status_code == 400
    assert (await request(client, alice, "REPORT", CONTACTS, "<not xml")).status_code == 400
    huge = b"<d:propfind xmlns:d='DAV:'>" + b" " * (10 * 1024 * 1024) + b"</d:propfind>"
    assert (await request(client, alice, "PROPFIND", "/dav/", huge, Depth="0")).status_code == 413
    assert (await request(client, alice, "PUT", CONTACTS + "big.vcf", huge)).status_code == 413


async def test_calendar_query_by_component_and_time_range(client, alice):
    from datetime import date, datetime, timezone

    from tests.factories import make_event, make_task

    december = await make_event(alice.user, start_at=datetime(2026, 12, 3, 1, tzinfo=timezone.utc))
    await make_event(alice.user, start_at=datetime(2027, 2, 3, 1, tzinfo=timezone.utc))
    weekly = await make_event(alice.user, start_at=datetime(2026, 1, 5, 1, tzinfo=timezone.utc),
                              recurrence="RRULE:FREQ=WEEKLY")
    task = await make_task(alice.user, due_date=date(2026, 12, 10))

    def query(component: str, time_range: str = "") -> str:
        return ('<?xml version="1.0"?><cal:calendar-query xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav">'
                '<d:prop><d:getetag/><cal:calendar-data/></d:prop><cal:filter><cal:comp-filter name="VCALENDAR">'
                f'<cal:comp-filter name="{component}">{time_range}</cal:comp-filter></cal:comp-filter></cal:filter>'
                "</cal:calendar-query>")

    december_range = '<cal:time-range start="20261201T000000Z" end="20270101T000000Z"/>'
    found = xml(await request(client, alice, "REPORT", CALENDAR, query("VEVENT", december_range), Depth="1"))
    # The recurring one is left to the client to expand.
    assert sorted(hrefs(found)) == sorted(f"{CALENDAR}kizuna-event-{e.id}.ics" for e in (december, weekly))
    assert "BEGIN:VEVENT" in found.findtext(".//{urn:ietf:params:xml:ns:caldav}calendar-data")
    todos = xml(await request(client, alice, "REPORT", CALENDAR, query("VTODO"), Depth="1"))
    assert hrefs(todos) == [f"{CALENDAR}kizuna-task-{task.id}.ics"]
    multiget = ('<?xml version="1.0"?><cal:calendar-multiget xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav">'
                f"<d:prop><d:getetag/><cal:calendar-data/></d:prop><d:href>{CALENDAR}kizuna-task-{task.id}.ics</d:href>"
                f"<d:href>{CALENDAR}gone.ics</d:href></cal:calendar-multiget>")
    got = xml(await request(client, alice, "REPORT", CALENDAR, multiget))
    assert removed(got) == [f"{CALENDAR}gone.ics"]
    assert "BEGIN:VTODO" in got.findtext(".//{urn:ietf:params:xml:ns:caldav}calendar-data")


async def test_collection_properties_cannot_be_set(client, alice):
    body = ('<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>x</d:displayname>'
            "</d:prop></d:set></d:propertyupdate>")
    response = await request(client, alice, "PROPPATCH", CALENDAR, body)
    assert response.status_code == 207
    assert xml(response).findtext(f".//{D}status") == "HTTP/1.1 403 Forbidden"


async def test_no_change_calendar_sync_is_constant_too(client, alice):
    from tests.factories import make_event, make_task

    for _ in range(5):
        await make_event(alice.user)
        await make_task(alice.user)
    token = xml(await request(client, alice, "REPORT", CALENDAR, sync_body())).findtext(f"{D}sync-token")
    await request(client, alice, "REPORT", CALENDAR, sync_body(token))
    with count_queries() as queries:
        response = await request(client, alice, "REPORT", CALENDAR, sync_body(token))
    assert hrefs(xml(response)) == []
    print(f"no-change calendar sync-collection: {len(queries)} queries")
    assert len(queries) <= 6


async def test_addressbook_multiget_and_query(client, alice):
    mine = [await make_contact(alice.user) for _ in range(3)]
    real = [f"{CONTACTS}kizuna-contact-{c.id}.vcf" for c in mine]
    missing = [f"{CONTACTS}none-{i}.vcf" for i in range(700)]  # more than one statement's worth
    body = ('<?xml version="1.0"?><card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav">'
            "<d:prop><d:getetag/><card:address-data/></d:prop>"
            + "".join(f"<d:href>{h}</d:href>" for h in real + missing) + "</card:addressbook-multiget>")
    doc = xml(await request(client, alice, "REPORT", CONTACTS, body))
    assert sorted(removed(doc)) == sorted(missing)
    assert len(doc.findall(".//{urn:ietf:params:xml:ns:carddav}address-data")) == 3
    query = ('<?xml version="1.0"?><card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav">'
             "<d:prop><d:getetag/></d:prop></card:addressbook-query>")
    assert sorted(hrefs(xml(await request(client, alice, "REPORT", CONTACTS, query)))) == sorted(real)
