"""The home page (/): its blocks, loaded by htmx, for an administrator and a Sales user; what
"due today" means on the user's clock; receivables only for users whose grants allow them; and a
constant number of queries per block however much there is."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from app.models import EventType, Stage, StageCategory, TaskStatus
from app.permissions import Principal
from app.services import home, notifications
from app.services.activities import user_today
from tests import factories as f
from tests.querycount import count_queries
from tests.views.test_related import main_of

HX = {"HX-Request": "true"}
BLOCKS = ("deals", "tasks", "events", "mail", "portal", "notifications", "receivables")


async def block(client, key: str):
    response = await client.get(f"/home/{key}", headers=HX)
    assert response.status_code == 200, response.text
    return response.text


async def test_home_page_loads_every_block_lazily_for_an_administrator(signed_in, client):
    me = await signed_in("Administrator")
    await f.make_org(me)
    response = await client.get("/")
    assert response.status_code == 200
    main = main_of(response.text)
    for key in BLOCKS:
        assert f'hx-get="/home/{key}" hx-trigger="load"' in main
    assert 'href="/deals?stage=open&amp;owner=mine"' in main
    assert 'href="/books/receivables"' in main
    assert "<script" not in main  # the CSP allows no inline script


async def test_anonymous_visitors_are_sent_to_login(client):
    assert (await client.get("/")).headers["location"] == "/login?next=/"
    fragment = await client.get("/home/deals", headers={**HX, "HX-Current-URL": "http://testserver/"})
    assert fragment.status_code == 204 and fragment.headers["HX-Redirect"] == "/login?next=/"


async def test_sales_user_sees_no_receivables_block(signed_in, client):
    me = await signed_in("Sales")
    await f.make_org(me)
    main = main_of((await client.get("/")).text)
    assert 'hx-get="/home/deals"' in main and 'hx-get="/home/portal"' in main
    assert "/home/receivables" not in main and "/books/receivables" not in main
    assert (await client.get("/home/receivables", headers=HX)).status_code == 404


async def test_no_books_membership_no_portal_block(signed_in, client):
    await signed_in("Sales")
    main = main_of((await client.get("/")).text)
    assert "/home/portal" not in main and "/home/receivables" not in main
    assert (await client.get("/home/portal", headers=HX)).status_code == 404
    assert (await client.get("/home/nothing", headers=HX)).status_code == 404


async def test_accounts_list_keeps_its_own_address(signed_in, client):
    me = await signed_in("Sales")
    account = await f.make_account(me, name="株式会社ホーム")
    assert "株式会社ホーム" in (await client.get("/accounts")).text
    assert "株式会社ホーム" not in main_of((await client.get("/")).text)
    assert account  # the brand link goes home
    assert 'class="brand" href="/"' in (await client.get("/accounts")).text


@pytest.mark.parametrize("role, shown", [
    ("Administrator", BLOCKS),
    ("Sales", tuple(b for b in BLOCKS if b != "receivables")),
    ("Accountant", ("deals", "mail", "portal", "notifications", "receivables")),  # no tasks, no events
])
async def test_every_block_a_role_may_see_answers_with_its_link(signed_in, client, role, shown):
    me = await signed_in(role)
    await f.make_org(me)
    main = main_of((await client.get("/")).text)
    for key in BLOCKS:
        assert (f'hx-get="/home/{key}"' in main) == (key in shown), key
        response = await client.get(f"/home/{key}", headers=HX)
        assert response.status_code == (200 if key in shown else 404), key
        if key in shown:
            assert f'id="home-{key}-link"' in response.text and 'class="empty"' in response.text


# ---- deals ----------------------------------------------------------------------------------


async def test_deals_block_groups_my_open_deals_by_stage_with_totals(signed_in, client):
    me = await signed_in("Sales", language="ja")
    other = await f.make_user("Sales")
    first, second = await Stage.filter(category=StageCategory.OPEN).order_by("sort_order").limit(2)
    won = await f.stage(StageCategory.WON)
    await f.make_deal(me, stage=first, amount=Decimal(1200000), name="大口案件")
    await f.make_deal(me, stage=first, amount=Decimal(300000))
    await f.make_deal(me, stage=second, amount=Decimal(50000))
    await f.make_deal(me, stage=second, amount=Decimal("99.50"), currency="USD")
    await f.make_deal(me, stage=won, amount=Decimal(777777), name="受注済み案件")  # closed: not open
    await f.make_deal(other, stage=first, amount=Decimal(888888))  # not mine
    text = await block(client, "deals")
    assert 'href="/deals?stage=open&amp;owner=mine"' in text
    assert 'id="home-deals-count">4<' in text
    stage_row = text.split(f'id="home-stage-{first.id}"')[1].split("</tr>")[0]
    assert ">2<" in stage_row and "¥1,500,000" in stage_row
    total = text.split('id="home-deals-total"')[1].split("</td>")[0]
    assert "¥1,550,000" in total and "99.50 USD" in total
    assert "777,777" not in text and "888,888" not in text
    # the list it links to shows the same deals
    listed = (await client.get("/deals?stage=open&owner=mine")).text
    assert "大口案件" in listed and "受注済み案件" not in listed


async def test_deals_block_empty_state(signed_in, client):
    await signed_in("Sales")
    text = await block(client, "deals")
    assert 'id="home-deals-empty"' in text and 'id="home-deals-count">0<' in text


async def test_administrator_sees_only_own_deals_on_home(signed_in, client):
    me = await signed_in("Administrator")
    other = await f.make_user("Sales")
    await f.make_deal(other, amount=Decimal(424242))
    text = await block(client, "deals")
    assert "424,242" not in text and 'id="home-deals-empty"' in text


# ---- tasks: "due today" is the user's day --------------------------------------------------


def ymd(day: date) -> str:
    """A day as Japanese writes it (babel's medium date for ja): 2026/11/29."""
    return f"{day.year}/{day.month:02d}/{day.day:02d}"


async def test_tasks_block_today_and_overdue_with_links(signed_in, client):
    me = await signed_in("Sales", language="ja")
    today = user_today(me)
    await f.make_task(me, subject="今日の電話", due_date=today)
    await f.make_task(me, subject="遅れた見積", due_date=today - timedelta(days=400))
    await f.make_task(me, subject="済んだ作業", due_date=today, status=TaskStatus.COMPLETED)
    await f.make_task(me, subject="来週の訪問", due_date=today + timedelta(days=7))
    other = await f.make_user("Sales")
    await f.make_task(other, subject="他人の作業", due_date=today)
    text = await block(client, "tasks")
    today_part = text.split('id="home-tasks-today"')[1].split("</ul>")[0]
    overdue_part = text.split('id="home-tasks-overdue"')[1].split("</ul>")[0]
    assert "今日の電話" in today_part and "遅れた見積" not in today_part
    assert "遅れた見積" in overdue_part and ymd(today - timedelta(days=400)) in overdue_part
    assert "済んだ作業" not in text and "来週の訪問" not in text and "他人の作業" not in text
    assert 'id="home-tasks-today-count">1<' in text and 'id="home-tasks-overdue-count">1<' in text
    assert 'href="/tasks?due=today&amp;owner=mine"' in text and 'href="/tasks?due=overdue&amp;owner=mine"' in text
    # the lists they link to hold the same tasks
    listed = (await client.get("/tasks?due=today&owner=mine")).text
    assert "今日の電話" in listed and "遅れた見積" not in listed and "済んだ作業" not in listed
    listed = (await client.get("/tasks?due=overdue&owner=mine")).text
    assert "遅れた見積" in listed and "今日の電話" not in listed


async def test_due_today_follows_the_users_time_zone(signed_in, client):
    """UTC+14 and UTC-11 are always on different days: one's today is the other's tomorrow."""
    east = await signed_in("Sales", timezone="Pacific/Kiritimati")
    west = await f.make_user("Sales", timezone="Pacific/Pago_Pago")
    east_today, west_today = user_today(east), user_today(west)
    assert east_today > west_today
    for owner in (east, west):
        await f.make_task(owner, subject=f"east-day {owner.id}", due_date=east_today)
        await f.make_task(owner, subject=f"west-day {owner.id}", due_date=west_today)
    east_view = await block(client, "tasks")
    assert f"east-day {east.id}" in east_view.split('id="home-tasks-today"')[1].split("</ul>")[0]
    assert f"west-day {east.id}" in east_view.split('id="home-tasks-overdue"')[1].split("</ul>")[0]
    west_tasks = await home.due_tasks(await Principal.load(west))
    assert [t.subject for t in west_tasks.today] == [f"west-day {west.id}"]
    assert west_tasks.overdue == []  # east's today is still the future in Pago Pago


async def test_due_today_at_midnight_in_tokyo(signed_in):
    me = await f.make_user("Sales", timezone="Asia/Tokyo")
    principal = await Principal.load(me)
    await f.make_task(me, subject="11/29", due_date=date(2026, 11, 29))
    await f.make_task(me, subject="11/30", due_date=date(2026, 11, 30))
    before = await home.due_tasks(principal, datetime(2026, 11, 29, 14, 59, tzinfo=UTC))  # 23:59 JST
    assert [t.subject for t in before.today] == ["11/29"] and before.overdue == []
    after = await home.due_tasks(principal, datetime(2026, 11, 29, 15, 0, tzinfo=UTC))  # 00:00 JST
    assert [t.subject for t in after.today] == ["11/30"] and [t.subject for t in after.overdue] == ["11/29"]


# ---- events --------------------------------------------------------------------------------


async def test_events_block_lists_my_next_events_in_my_time_zone(signed_in, client):
    me = await signed_in("Sales", language="ja", timezone="Asia/Tokyo")
    now = datetime.now(UTC)
    soon = now.replace(microsecond=0) + timedelta(days=2)
    await f.make_event(me, subject="打ち合わせ", start_at=soon)
    await f.make_event(me, subject="進行中", start_at=now - timedelta(minutes=30), end_at=now + timedelta(hours=1))
    await f.make_event(me, subject="終わった会議", start_at=now - timedelta(days=1))
    await f.make_event(await f.make_user("Sales"), subject="他人の会議", start_at=soon)
    text = await block(client, "events")
    assert text.index("進行中") < text.index("打ち合わせ")
    assert "終わった会議" not in text and "他人の会議" not in text
    assert 'id="home-events-count">2<' in text and 'href="/events?when=upcoming&amp;owner=mine"' in text
    tokyo = soon.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"{ymd(tokyo.date())} {tokyo.hour}:{tokyo.minute:02d}" in text
    listed = (await client.get("/events?when=upcoming&owner=mine")).text
    assert "打ち合わせ" in listed and "終わった会議" not in listed


async def test_events_block_empty_state(signed_in, client):
    await signed_in("Sales")
    assert 'id="home-events-empty"' in await block(client, "events")


# ---- mail ----------------------------------------------------------------------------------


async def test_mail_block_shows_mail_with_my_contacts_and_leads_only(signed_in, client):
    me = await signed_in("Sales")
    box = await f.make_mailbox(me)
    await f.make_contact(me, email="Kunde@Example.com")
    await f.make_lead(me, email="lead@example.org")
    await f.make_email(box, sender="kunde@example.com", subject="From a contact")
    await f.make_email(box, sender="me@example.com", to=("lead@example.org",), subject="To a lead")
    await f.make_email(box, sender="newsletter@example.net", subject="Newsletter")
    other = await f.make_user("Sales")
    await f.make_contact(other, email="hidden@example.com")  # someone else's contact
    await f.make_email(box, sender="hidden@example.com", subject="From a stranger to me")
    private = await f.make_mailbox(other, email="other@example.com")
    await f.make_email(private, sender="kunde@example.com", subject="In another's mailbox")
    text = await block(client, "mail")
    assert "From a contact" in text and "To a lead" in text
    assert "Newsletter" not in text and "From a stranger to me" not in text and "In another" not in text
    assert 'id="home-mail-count">2<' in text and 'href="/mail?people=known"' in text
    listed = (await client.get("/mail?people=known")).text
    assert "From a contact" in listed and "To a lead" in listed and "Newsletter" not in listed


async def test_mail_block_empty_state(signed_in, client):
    await signed_in("Sales")
    assert 'id="home-mail-empty"' in await block(client, "mail")


# ---- portal activity and notifications --------------------------------------------------------


async def _estimate_viewed(principal, customer, actor="山田 太郎"):
    estimate = await f.make_transaction(principal, "estimate", customer)
    async with notifications.change() as conn:
        await notifications.record(EventType.ESTIMATE_VIEWED, estimate, actor=actor, conn=conn)
        await notifications.record(EventType.ESTIMATE_COMMENTED, estimate, actor=actor, conn=conn)
    return estimate


async def test_portal_block_shows_customers_actions_of_my_organizations(signed_in, client):
    me = await signed_in("Sales")
    keeper = await f.make_user("Administrator")
    org = await f.make_org(me, keeper)
    elsewhere = await f.make_org(keeper)
    keeper_p = await Principal.load(keeper)
    estimate = await _estimate_viewed(keeper_p, await f.make_customer(org), actor="山田 太郎")
    await _estimate_viewed(keeper_p, await f.make_customer(elsewhere), actor="他社 次郎")
    text = await block(client, "portal")
    assert f'href="/books/estimates/{estimate.id}"' in text and "山田 太郎" in text
    assert "他社 次郎" not in text
    assert 'id="home-portal-count">1<' in text  # the comment is not portal activity here


async def test_portal_block_empty_state(signed_in, client):
    me = await signed_in("Sales")
    await f.make_org(me)
    assert 'id="home-portal-empty"' in await block(client, "portal")


async def test_notifications_block_shows_mine_and_unread_count(signed_in, client):
    from app.models import Notification

    me = await signed_in("Sales")
    other = await f.make_user("Sales")
    await Notification.create(user=me, type=EventType.INVOICE_PAID, txn_id=7, data={"number": "INV-000777"})
    await Notification.create(user=me, type=EventType.ESTIMATE_VIEWED, txn_id=8, data={"number": "EST-8"},
                              read_at=datetime.now(UTC))
    await Notification.create(user=other, type=EventType.INVOICE_PAID, txn_id=9, data={"number": "INV-000999"})
    text = await block(client, "notifications")
    assert "INV-000777" in text and "EST-8" in text and "INV-000999" not in text
    assert 'id="home-notifications-unread"' in text and ">1<" in text.split('id="home-notifications-unread"')[1]
    assert 'href="/books/invoices/7"' in text and 'href="/notifications"' in text


async def test_notifications_block_empty_state(signed_in, client):
    await signed_in("Sales")
    assert 'id="home-notifications-empty"' in await block(client, "notifications")


# ---- receivables -----------------------------------------------------------------------------


async def test_receivables_block_for_an_administrator(signed_in, client):
    me = await signed_in("Administrator")
    org = await f.make_org(me)
    principal = await Principal.load(me)
    customer = await f.make_customer(org)
    today = user_today(me)
    await f.make_sent_invoice(principal, customer, [("作業", 1, 10000, 10)],
                              issue_date=today - timedelta(days=80), due_date=today - timedelta(days=45))
    await f.make_sent_invoice(principal, customer, [("作業", 1, 5000, 10)], due_date=today + timedelta(days=10))
    text = await block(client, "receivables")
    row = text.split('id="home-receivables-JPY"')[1].split("</tr>")[0]
    assert "¥16,500" in row and "¥11,000" in row
    assert 'href="/books/receivables"' in text


async def test_receivables_block_empty_and_hidden(signed_in, client):
    me = await signed_in("Administrator")
    await f.make_org(me)
    assert 'id="home-receivables-empty"' in await block(client, "receivables")
    sales = await f.make_user("Sales")
    await f.make_org(sales)
    assert await home.receivables_summary(await Principal.load(sales)) is None


# ---- query counts ----------------------------------------------------------------------------


async def _queries(client, url: str) -> int:
    with count_queries() as queries:
        response = await client.get(url, headers=HX)
    assert response.status_code == 200
    return len(queries)


async def _more_of_everything(me, org, principal, n: int) -> None:
    from app.models import Notification

    today = user_today(me)
    box = await f.make_mailbox(me, email=f"box{n}-{me.id}@example.com")
    customer = await f.make_customer(org)
    for i in range(n):
        stage = (await Stage.filter(category=StageCategory.OPEN).order_by("sort_order"))[i % 3]
        await f.make_deal(me, stage=stage, currency=("JPY", "USD")[i % 2])
        await f.make_task(me, due_date=today)
        await f.make_task(me, due_date=today - timedelta(days=i + 1))
        await f.make_event(me)
        contact = await f.make_contact(me)
        await f.make_email(box, sender=contact.email)
        await _estimate_viewed(principal, customer)
        await f.make_sent_invoice(principal, customer, issue_date=today - timedelta(days=60),
                                  due_date=today - timedelta(days=i + 1))
        await Notification.create(user=me, type=EventType.INVOICE_PAID, txn_id=i + 1, data={"number": f"N{i}"})


@pytest.mark.parametrize("role, key", [("Administrator", k) for k in BLOCKS]
                         + [("Sales", k) for k in BLOCKS if k != "receivables"])
async def test_each_block_sends_a_constant_number_of_queries(signed_in, client, role, key):
    me = await signed_in(role)
    keeper = await f.make_user("Administrator")  # makes the Books documents
    org = await f.make_org(me, keeper)
    principal = await Principal.load(keeper)
    await _more_of_everything(me, org, principal, 2)
    await _queries(client, f"/home/{key}")  # what the user may reach is read once, then kept
    few = await _queries(client, f"/home/{key}")
    await _more_of_everything(me, org, principal, 12)
    assert await _queries(client, f"/home/{key}") == few
    assert few <= 8


async def test_the_page_itself_sends_no_block_query(signed_in, client):
    me = await signed_in("Administrator")
    org = await f.make_org(me)
    await _more_of_everything(me, org, await Principal.load(me), 3)
    await client.get("/")
    with count_queries() as queries:
        assert (await client.get("/")).status_code == 200
    assert len(queries) <= 2, queries.sql  # the session, nothing of the blocks
