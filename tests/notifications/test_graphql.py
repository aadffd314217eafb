"""GraphQL: destinations CRUD, test message, rotating the secret (shown in the payload only),
the delivery log as a connection, in-app notifications, unread count and opt-outs; others are
refused with typed errors."""

from __future__ import annotations

import pytest

from app.models import EventType
from tests import factories as f
from tests.graphql.conftest import GraphQLClient, gid
from tests.notifications.conftest import invoice, raise_event, run

CREATE = """mutation($org: ID!, $input: NotificationDestinationInput!) {
  createNotificationDestination(organizationId: $org, kind: WEBHOOK, input: $input) {
    __typename
    ... on NotificationSecretPayload { secret destination { id kind name urlHost eventTypes } }
    ... on ValidationError { fields { path message } }
    ... on PermissionDenied { message }
    ... on NotFound { message }
  }
}"""


@pytest.fixture
def gql(client) -> GraphQLClient:
    return GraphQLClient(client)


async def test_destinations_deliveries_and_notifications(gql, world, receiver, clock):
    org = gid("Organization", world.org.id)
    data = await gql(world.admin, CREATE, {"org": org, "input": {
        "name": "ERP", "url": receiver.url, "eventTypes": ["invoice.paid"], "allowPrivateNetwork": True}})
    made = data["createNotificationDestination"]
    assert made["__typename"] == "NotificationSecretPayload" and made["secret"].startswith("whsec_")
    assert made["destination"]["urlHost"] == "127.0.0.1" and made["destination"]["kind"] == "WEBHOOK"
    receiver.secret = made["secret"]
    dest = made["destination"]["id"]
    tested = await gql(world.admin, """mutation($id: ID!) { sendNotificationTest(destinationId: $id) {
        ... on SendNotificationTestPayload { delivered status } } }""", {"id": dest})
    assert tested["sendNotificationTest"] == {"delivered": True, "status": 200}
    rotated = await gql(world.admin, """mutation($id: ID!) { rotateNotificationSecret(destinationId: $id) {
        ... on NotificationSecretPayload { secret } } }""", {"id": dest})
    receiver.secret = rotated["rotateNotificationSecret"]["secret"]
    await raise_event(await invoice(world), EventType.INVOICE_PAID, amount="10", currency="JPY")
    await run(clock)
    assert receiver.received[-1].verified
    log = await gql(world.admin, """query($id: ID!) { notificationDeliveries(destinationId: $id, first: 10) {
        totalCount edges { node { eventType status attempts lastStatus } } } }""", {"id": dest})
    assert log["notificationDeliveries"]["totalCount"] == 1
    assert log["notificationDeliveries"]["edges"][0]["node"] == {
        "eventType": "invoice.paid", "status": "DELIVERED", "attempts": 1, "lastStatus": 200}
    listed = await gql(world.admin, """query($org: ID!) { notificationDestinations(organizationId: $org) {
        ... on NotificationDestinationList { notificationsEnabled destinations { name } } } }""", {"org": org})
    assert listed["notificationDestinations"] == {"notificationsEnabled": True, "destinations": [{"name": "ERP"}]}
    updated = await gql(world.admin, """mutation($id: ID!) { updateNotificationDestination(id: $id,
        input: {eventTypes: ["invoice.viewed", "bogus"]}) { __typename ... on ValidationError { fields { path } } } }""",
                        {"id": dest})
    assert updated["updateNotificationDestination"]["__typename"] == "ValidationError"
    inbox = await gql(world.seller, """{ unreadNotificationCount notifications(first: 5) {
        edges { node { type count read documentPath } } } notificationPreferences { eventType inApp } }""")
    assert inbox["unreadNotificationCount"] == 1
    assert inbox["notifications"]["edges"][0]["node"]["type"] == "invoice.paid"
    await gql(world.seller, """mutation { setNotificationPreference(eventType: "invoice.paid", inApp: false) {
        __typename } markNotificationsRead { ... on MarkNotificationsReadPayload { marked } } }""")
    after = await gql(world.seller, "{ unreadNotificationCount notificationPreferences { eventType inApp } }")
    assert after["unreadNotificationCount"] == 0
    assert {"eventType": "invoice.paid", "inApp": False} in after["notificationPreferences"]
    deleted = await gql(world.admin, """mutation($id: ID!) { deleteNotificationDestination(id: $id) {
        __typename } }""", {"id": dest})
    assert deleted["deleteNotificationDestination"]["__typename"] == "DeletePayload"


async def test_others_are_refused(gql, world, receiver):
    stranger = await f.make_user("Sales", email="gql-stranger@example.jp")
    data = await gql(stranger, CREATE, {"org": gid("Organization", world.org.id), "input": {
        "name": "x", "url": receiver.url, "eventTypes": []}})
    assert data["createNotificationDestination"]["__typename"] in ("PermissionDenied", "NotFound")
    log = await gql(stranger, """query($id: ID!) { notificationDeliveries(destinationId: $id) { totalCount } }""",
                    {"id": gid("NotificationDestination", 1)})
    assert log["notificationDeliveries"] is None


async def test_the_delivery_log_reads_a_page_in_constant_queries(gql, world, receiver, clock):
    from tests.querycount import count_queries

    data = await gql(world.admin, CREATE, {"org": gid("Organization", world.org.id), "input": {
        "name": "ERP", "url": receiver.url, "eventTypes": ["invoice.viewed"], "allowPrivateNetwork": True}})
    dest = data["createNotificationDestination"]["destination"]["id"]
    query = """query($id: ID!, $n: Int) { notificationDeliveries(destinationId: $id, first: $n) {
        edges { node { eventType status } } } }"""
    counts = []
    for n in (2, 8):
        while len(receiver.received) < n:
            await raise_event(await invoice(world), EventType.INVOICE_VIEWED)
            await run(clock)
        with count_queries() as queries:
            page = await gql(world.admin, query, {"id": dest, "n": n})
        assert len(page["notificationDeliveries"]["edges"]) == n
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
