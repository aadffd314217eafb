"""Pages write dates, moments and money the user's way: 2026/11/29 in Japanese, Nov 29, 2026 in
English, on the user's own clock; machine values (form inputs, <time datetime>) stay ISO."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.models import Deal
from tests import factories as f


@pytest.mark.parametrize("language, day, moment, amount", [
    ("ja", "2026/11/29", "2026/11/30 0:05", "¥1,234,567"),
    ("en", "Nov 29, 2026", "Nov 30, 2026, 12:05\u202fAM", "¥1,234,567"),
])
async def test_deal_page_in_the_users_language_and_zone(signed_in, client, language, day, moment, amount):
    me = await signed_in("Sales", language=language, timezone="Asia/Tokyo")
    deal = await f.make_deal(me, name="Annual", amount=Decimal(1234567), closing_date=date(2026, 11, 29))
    await Deal.filter(id=deal.id).update(modified_at=datetime(2026, 11, 29, 15, 5, tzinfo=UTC))
    page = (await client.get(f"/deals/{deal.id}")).text
    assert day in page and moment in page and amount in page
    assert "2026-11-29" not in page.replace('datetime="2026-11-29', "")
    edit = (await client.get(f"/deals/{deal.id}/edit")).text
    assert 'value="2026-11-29"' in edit  # the <input type=date> keeps the machine format


async def test_board_card_dates(signed_in, client):
    me = await signed_in("Sales", language="ja")
    await f.make_deal(me, name="Board", closing_date=date(2026, 11, 29))
    board = (await client.get("/deals/board")).text
    assert '<time datetime="2026-11-29">2026/11/29</time>' in board
