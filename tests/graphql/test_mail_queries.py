"""Mail through GraphQL: mailboxes, e-mails with their participants, attachments, threads and
deal associations, and the `emails` connection with its filters, under one visibility rule
(app.services.mail): a user sees their own mailboxes, those shared with them, and mail sent from
Kizuna; private mail shows nowhere else (email(), emails, counts, threads, attachments, node)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app import settings
from app.models import EmailAttachment, MailboxShare, MailboxSharing, StageCategory
from tests import factories as f
from tests.graphql.conftest import gid
from tests.querycount import count_queries

EMAIL = """query($id: ID!) { email(id: $id) {
  id subject snippet textBody sentFromKizuna isBulk
  from { name address contact { id } }
  to { address contact { id } lead { id } user { id } }
  cc { address contact { id } }
  attachments { id filename contentType size inline downloadUrl }
  dealAssociation { automatic deal { id } contact { id } }
  thread { id subject }
  mailboxes { id email owner { id } imapHost enabled }
} }"""
EMAILS = """query($filter: EmailFilter, $first: Int, $after: String) {
  emails(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id subject } } } }"""
NODE = "query($id: ID!) { node(id: $id) { __typename id } }"


def day(n: int) -> datetime:
    return datetime(2026, 3, 1, 9, tzinfo=UTC) + timedelta(days=n)


async def subjects(gql, user, flt=None, first=None) -> list[str]:
    data = await gql(user, EMAILS, {"filter": flt, "first": first})
    return [e["node"]["subject"] for e in data["emails"]["edges"]]


async def count(gql, user, flt=None) -> int:
    return (await gql(user, EMAILS, {"filter": flt}))["emails"]["totalCount"]


async def test_private_mail_shows_to_its_owner_and_nobody_else(gql):
    owner = await f.make_user("Sales", email="owner@kizuna.example")
    other = await f.make_user("Sales")
    admin = await f.make_user("Administrator")
    box = await f.make_mailbox(owner)
    first = await f.make_email(box, subject="Private question", sent_at=day(1), message_id="<q@example.com>",
                               attachments=(("secret.txt", "text/plain", b"secret"),))
    reply = await f.make_email(box, subject="Re: Private question", sent_at=day(2), sender="owner@kizuna.example",
                               to=("customer@example.com",), headers={"In-Reply-To": "<q@example.com>"})
    attachment = await EmailAttachment.get(email_id=first.id)

    data = await gql(owner, EMAIL, {"id": gid("Email", first.id)})
    email = data["email"]
    assert email["subject"] == "Private question" and email["textBody"].strip() == "Body"
    assert [t["subject"] for t in email["thread"]] == ["Private question", "Re: Private question"]
    assert email["attachments"] == [{"id": gid("EmailAttachment", attachment.id), "filename": "secret.txt",
                                     "contentType": "text/plain", "size": 6, "inline": False,
                                     "downloadUrl": f"/mail/attachments/{attachment.id}"}]
    assert email["mailboxes"] == [{"id": gid("Mailbox", box.id), "email": "owner@kizuna.example",
                                   "owner": {"id": gid("User", owner.id)}, "imapHost": "imap.example.invalid",
                                   "enabled": True}]
    assert await count(gql, owner) == 2
    assert await subjects(gql, owner) == ["Re: Private question", "Private question"]  # newest first

    for outsider in (other, admin):  # administrators included: private mail stays private
        for global_id in (gid("Email", first.id), gid("Email", reply.id)):
            assert (await gql(outsider, EMAIL, {"id": global_id}))["email"] is None
            assert (await gql(outsider, NODE, {"id": global_id}))["node"] is None
        assert (await gql(outsider, NODE, {"id": gid("EmailAttachment", attachment.id)}))["node"] is None
        assert (await gql(outsider, NODE, {"id": gid("Mailbox", box.id)}))["node"] is None
        assert await count(gql, outsider) == 0
        assert await count(gql, outsider, {"search": "Private"}) == 0
        assert (await gql(outsider, "{ mailboxes { id } }"))["mailboxes"] == []
    node = await gql(owner, NODE, {"id": gid("EmailAttachment", attachment.id)})
    assert node["node"] == {"__typename": "EmailAttachment", "id": gid("EmailAttachment", attachment.id)}


async def test_shared_mailboxes_show_their_mail_but_not_their_settings(gql):
    owner = await f.make_user("Sales")
    chosen = await f.make_user("Sales")
    other = await f.make_user("Sales")
    everyone = await f.make_mailbox(owner, email="team@kizuna.example", sharing=MailboxSharing.ALL)
    some = await f.make_mailbox(owner, email="deals@kizuna.example", sharing=MailboxSharing.CHOSEN)
    await MailboxShare.create(mailbox_id=some.id, user_id=chosen.id)
    private = await f.make_mailbox(owner, email="me@kizuna.example")
    root = await f.make_email(everyone, subject="Order", sent_at=day(1), message_id="<order@example.com>")
    await f.make_email(some, subject="Re: Order", sent_at=day(2), headers={"In-Reply-To": "<order@example.com>"},
                       message_id="<r1@example.com>")
    await f.make_email(private, subject="Re: Re: Order", sent_at=day(3), headers={"References": "<order@example.com>"})
    await f.make_email(private, subject="From Kizuna", sent_at=day(4), sent_from_kizuna=True)

    expected = {
        owner: ["From Kizuna", "Re: Re: Order", "Re: Order", "Order"],
        chosen: ["From Kizuna", "Re: Order", "Order"],
        other: ["From Kizuna", "Order"],
    }
    for user, seen in expected.items():
        assert await subjects(gql, user) == seen
        assert await count(gql, user) == len(seen)
        thread = (await gql(user, EMAIL, {"id": gid("Email", root.id)}))["email"]["thread"]
        assert [t["subject"] for t in thread] == [s for s in reversed(seen) if "Order" in s]

    # the holder of a shared e-mail shows its address and owner; its settings are the owner's
    email = (await gql(other, EMAIL, {"id": gid("Email", root.id)}))["email"]
    assert email["mailboxes"] == [{"id": gid("Mailbox", everyone.id), "email": "team@kizuna.example",
                                   "owner": {"id": gid("User", owner.id)}, "imapHost": None, "enabled": None}]
    query = """query($id: ID!) { mailbox(id: $id) { email imapHost username sharing hasPassword folders { name }
      sharedWith { id } messageCount lastError } }"""
    assert (await gql(other, query, {"id": gid("Mailbox", everyone.id)}))["mailbox"] == {
        "email": "team@kizuna.example", "imapHost": None, "username": None, "sharing": None, "hasPassword": None,
        "folders": None, "sharedWith": None, "messageCount": None, "lastError": None}
    assert (await gql(other, query, {"id": gid("Mailbox", some.id)}))["mailbox"] is None
    mine = (await gql(owner, query, {"id": gid("Mailbox", some.id)}))["mailbox"]
    assert mine == {"email": "deals@kizuna.example", "imapHost": "imap.example.invalid",
                    "username": owner.email, "sharing": "CHOSEN", "hasPassword": True, "folders": [{"name": "INBOX"}],
                    "sharedWith": [{"id": gid("User", chosen.id)}], "messageCount": 1, "lastError": ""}
    listed = (await gql(owner, "{ mailboxes { email } }"))["mailboxes"]
    assert [m["email"] for m in listed] == ["deals@kizuna.example", "me@kizuna.example", "team@kizuna.example"]
    assert (await gql(chosen, "{ mailboxes { email } }"))["mailboxes"] == []


async def test_participants_name_the_records_the_viewer_may_see(gql):
    me = await f.make_user("Sales", email="me@kizuna.example")
    colleague = await f.make_user("Sales", email="colleague@kizuna.example")
    box = await f.make_mailbox(me, sharing=MailboxSharing.ALL)
    contact = await f.make_contact(me, email="Taro.Yamada@Example.JP")  # matched whatever its case
    other_contact = await f.make_contact(colleague, secondary_email="hanako@example.jp")
    lead = await f.make_lead(me, email="lead@example.jp")
    email = await f.make_email(box, sender="Taro Yamada <taro.yamada@example.jp>",
                               to=("me@kizuna.example", "lead@example.jp"), cc=("HANAKO@example.jp",))

    data = (await gql(me, EMAIL, {"id": gid("Email", email.id)}))["email"]
    assert data["from"] == {"name": "Taro Yamada", "address": "taro.yamada@example.jp",
                            "contact": {"id": gid("Contact", contact.id)}}
    assert data["to"] == [
        {"address": "me@kizuna.example", "contact": None, "lead": None, "user": {"id": gid("User", me.id)}},
        {"address": "lead@example.jp", "contact": None, "lead": {"id": gid("Lead", lead.id)}, "user": None}]
    assert data["cc"] == [{"address": "hanako@example.jp", "contact": None}]  # a colleague's contact: hidden

    data = (await gql(colleague, EMAIL, {"id": gid("Email", email.id)}))["email"]
    assert data["from"]["contact"] is None
    assert data["cc"] == [{"address": "hanako@example.jp", "contact": {"id": gid("Contact", other_contact.id)}}]


async def test_deal_association_and_the_deal_filters(gql):
    me = await f.make_user("Sales", email="me@kizuna.example")
    box = await f.make_mailbox(me)
    contact = await f.make_contact(me, email="buyer@example.jp")
    deal = await f.make_deal(me, contacts=[contact])
    associated = await f.make_email(box, sender="buyer@example.jp", subject="Quote", sent_at=day(1))
    bulk = await f.make_email(box, sender="buyer@example.jp", subject="Newsletter", sent_at=day(2),
                              headers={"Precedence": "bulk"})
    lead = await f.make_lead(me, email="lead@example.jp")
    await f.make_email(box, sender="lead@example.jp", subject="Interest", sent_at=day(3))

    data = (await gql(me, EMAIL, {"id": gid("Email", associated.id)}))["email"]
    assert data["dealAssociation"] == {"automatic": True, "deal": {"id": gid("Deal", deal.id)},
                                       "contact": {"id": gid("Contact", contact.id)}}
    data = (await gql(me, EMAIL, {"id": gid("Email", bulk.id)}))["email"]
    assert data["isBulk"] is True and data["dealAssociation"] is None

    assert await subjects(gql, me, {"deal": gid("Deal", deal.id)}) == ["Quote"]
    assert await subjects(gql, me, {"deal": gid("Deal", deal.id), "dealMode": "CONTACTS"}) == ["Newsletter", "Quote"]
    assert await subjects(gql, me, {"contact": gid("Contact", contact.id)}) == ["Newsletter", "Quote"]
    assert await subjects(gql, me, {"lead": gid("Lead", lead.id)}) == ["Interest"]
    assert await subjects(gql, me, {"contact": gid("Contact", contact.id), "search": "quo"}) == ["Quote"]
    assert await subjects(gql, me, {"search": "LEAD@example"}) == ["Interest"]
    # a record the viewer may not see, or an id of another type: nothing
    stranger = await f.make_user("Sales")
    assert await count(gql, stranger, {"contact": gid("Contact", contact.id)}) == 0
    assert await count(gql, me, {"contact": gid("Lead", lead.id)}) == 0
    assert await count(gql, me, {"contact": "not an id"}) == 0
    # the deal's owner sees the deal in the association; someone who may not see it gets null
    box2 = await f.make_mailbox(stranger, sharing=MailboxSharing.ALL)
    shared = await f.make_email(box2, sender="buyer@example.jp", subject="Shared quote")
    assert (await gql(me, EMAIL, {"id": gid("Email", shared.id)}))["email"]["dealAssociation"]["deal"] == {
        "id": gid("Deal", deal.id)}
    assert (await gql(stranger, EMAIL, {"id": gid("Email", shared.id)}))["email"]["dealAssociation"]["deal"] is None


async def test_account_filter_gives_the_mail_of_its_contacts(gql):
    me = await f.make_user("Sales")
    box = await f.make_mailbox(me)
    account = await f.make_account(me)
    await f.make_contact(me, account=account, email="a@example.jp")
    await f.make_contact(me, account=account, secondary_email="b@example.jp")
    await f.make_email(box, sender="a@example.jp", subject="From A", sent_at=day(1))
    await f.make_email(box, sender="b@example.jp", subject="From B", sent_at=day(2))
    await f.make_email(box, sender="c@example.jp", subject="From C", sent_at=day(3))
    assert await subjects(gql, me, {"account": gid("Account", account.id)}) == ["From B", "From A"]


async def test_source_filters(gql):
    me = await f.make_user("Sales")
    colleague = await f.make_user("Sales")
    mine = await f.make_mailbox(me)
    theirs = await f.make_mailbox(colleague, sharing=MailboxSharing.ALL)
    await f.make_email(mine, subject="Mine", sent_at=day(1))
    await f.make_email(theirs, subject="Theirs", sent_at=day(2))
    await f.make_email(mine, subject="Sent from Kizuna", sent_at=day(3), sent_from_kizuna=True)
    assert await subjects(gql, me, {"source": "KIZUNA"}) == ["Sent from Kizuna"]
    assert await subjects(gql, me, {"source": "USER", "user": gid("User", colleague.id)}) == ["Theirs"]
    assert await subjects(gql, me, {"source": "USER", "user": gid("User", me.id)}) == ["Sent from Kizuna", "Mine"]
    assert await subjects(gql, colleague, {"source": "USER", "user": gid("User", me.id)}) == []
    assert await subjects(gql, me, {"source": "USER"}) == []


async def test_paging_is_newest_first_and_bounded(gql):
    me = await f.make_user("Sales")
    box = await f.make_mailbox(me)
    for n in range(5):
        await f.make_email(box, subject=f"Mail {n}", sent_at=day(n))
    seen, after = [], None
    while True:
        data = (await gql(me, EMAILS, {"first": 2, "after": after}))["emails"]
        seen += [e["node"]["subject"] for e in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert seen == [f"Mail {n}" for n in reversed(range(5))]
    refused = (await gql.post(me, EMAILS, {"first": settings.MAX_PAGE_SIZE + 1})).json()
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


PAGE = """query($n: Int) { emails(first: $n) { totalCount edges { node {
  id subject sentAt from { address contact { id lastName } lead { id } user { id } }
  to { address contact { id lastName } lead { id } user { id } } cc { address contact { id } }
  attachments { filename size downloadUrl }
  dealAssociation { automatic deal { name stage { name } } contact { lastName } }
  thread { id subject from { address } }
  mailboxes { email owner { name } }
} } } }"""


async def test_query_count_does_not_grow_with_the_page(gql):
    me = await f.make_user("Sales", email="me@kizuna.example")
    box = await f.make_mailbox(me)
    lead = await f.make_lead(me, email="lead@example.jp")
    for n in range(12):
        contact = await f.make_contact(me, email=f"c{n}@example.jp")
        await f.make_deal(me, contacts=[contact])
        await f.make_email(box, sender=f"c{n}@example.jp", to=("me@kizuna.example", lead.email),
                           cc=(f"c{(n + 1) % 12}@example.jp",), subject=f"Mail {n}", sent_at=day(n),
                           attachments=((f"f{n}.txt", "text/plain", b"x" * n),))
    await gql(me, "{ me { timezone } }")  # the token and its first use

    counts = {}
    for n in (2, 12):
        with count_queries() as queries:
            data = await gql(me, PAGE, {"n": n})
        nodes = [e["node"] for e in data["emails"]["edges"]]
        assert len(nodes) == n
        assert all(node["dealAssociation"]["deal"]["stage"]["name"] for node in nodes)
        assert all(node["from"]["contact"] and node["to"][1]["lead"] and node["to"][0]["user"] for node in nodes)
        assert all(len(node["attachments"]) == 1 and node["mailboxes"] for node in nodes)
        counts[n] = len(queries)
    assert counts[2] == counts[12], queries.sql
    # the token's user; the page, its count and the stages (read with the first page); then one
    # query per relation: attachments, threads, the copies and their mailboxes, participants, deal
    # associations, the contacts, leads and users the addresses name, deals, contacts, owners
    assert counts[12] == 16, queries.sql


async def test_demo_data_has_mail_to_show(db, gql):
    from app import cli
    from app.models import EmailDeal, User

    await cli.setup(demo=True, out=lambda _: None)
    sales = await User.filter(role__name="Sales").order_by("id").first()
    data = await gql(sales, """{ emails(first: 20) { totalCount edges { node { subject isBulk
      dealAssociation { automatic } thread { id } attachments { filename } } } } }""")
    nodes = [e["node"] for e in data["emails"]["edges"]]
    assert data["emails"]["totalCount"] >= 5  # the administrator's mailbox is shared with everyone
    assert any(n["isBulk"] for n in nodes) and any(n["attachments"] for n in nodes)
    assert any(len(n["thread"]) == 2 for n in nodes)
    assert await EmailDeal.filter(deal__stage__category=StageCategory.OPEN).exists()
