"""A calendar through GraphQL: `events` narrowed to a range (what touches it: starts before its end
and ends after its start) shows only what the user may see, as the calendar page does; moving an
event is `updateEvent` with a new start and end."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from app.models import Access, Event
from tests import factories as f
from tests.graphql.conftest import gid

TOKYO = ZoneInfo("Asia/Tokyo")
RANGE = """query($from: DateTime!, $to: DateTime!) {
  events(filter: {startAt: {lt: $to}, endAt: {gt: $from}}, orderBy: [{field: START_AT}]) {
    edges { node { subject startAt endAt } } } }"""
MOVE = """mutation($id: ID!, $input: EventInput!) { updateEvent(id: $id, input: $input) {
  __typename ... on EventPayload { event { startAt endAt } } ... on PermissionDenied { message } } }"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


async def test_events_of_a_range_and_a_move(gql):
    me, sharer, other = await f.make_user("Sales"), await f.make_user("Sales"), await f.make_user("Sales")
    await f.share("events", Access.READ_ONLY, owner=sharer, grantee=me)
    await f.make_event(me, subject="前の週", start_at=at("2026-11-25T10:00"))
    await f.make_event(me, subject="週をまたぐ", start_at=at("2026-11-28T22:00"), end_at=at("2026-11-29T02:00"))
    mine = await f.make_event(me, subject="朝会", start_at=at("2026-12-02T09:00"))
    await f.make_event(sharer, subject="共有の予定", start_at=at("2026-12-03T09:00"))
    await f.make_event(other, subject="他人の予定", start_at=at("2026-12-03T09:00"))
    week = {"from": at("2026-11-29T00:00").isoformat(), "to": at("2026-12-06T00:00").isoformat()}
    data = await gql(me, RANGE, week)
    assert [e["node"]["subject"] for e in data["events"]["edges"]] == ["週をまたぐ", "朝会", "共有の予定"]

    moved = await gql(me, MOVE, {"id": gid("Event", mine.id), "input": {
        "startAt": at("2026-12-09T09:00").isoformat(), "endAt": at("2026-12-09T10:00").isoformat()}})
    assert moved["updateEvent"]["__typename"] == "EventPayload"
    assert (await Event.get(id=mine.id)).start_at == at("2026-12-09T09:00")
