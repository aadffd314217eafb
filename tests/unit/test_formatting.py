"""Dates, moments, money and numbers as each language writes them (babel's CLDR patterns)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.formatting import format_day, format_document_date, format_moment, format_money, format_number

TOKYO, NEW_YORK = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York")


def test_a_day_is_2026_11_29_in_japanese():
    assert format_day(date(2026, 11, 29), "ja") == "2026/11/29"
    assert format_day(date(2026, 11, 29), "en") == "Nov 29, 2026"
    assert format_day(None, "ja") == ""


def test_a_moment_is_shown_on_the_readers_clock():
    moment = datetime(2026, 11, 29, 15, 5, tzinfo=UTC)  # Monday 00:05 in Tokyo
    assert format_moment(moment, "ja", TOKYO) == "2026/11/30 0:05"
    assert format_moment(moment, "en", NEW_YORK) == "Nov 29, 2026, 10:05\u202fAM"
    assert format_day(moment, "ja", TOKYO) == "2026/11/30"  # the day where the reader is
    assert format_moment(moment, "ja", TOKYO, "long") == "2026年11月30日(月) 0:05"
    assert format_moment(moment, "ja", TOKYO, "short") == "2026/11/30 0:05"


def test_documents_print_the_long_date():
    assert format_document_date(date(2026, 11, 29), "ja") == "2026年11月29日"
    assert format_document_date(date(2026, 11, 29), "en") == "November 29, 2026"


def test_money_and_numbers():
    assert format_money(Decimal("1234567"), "JPY", "ja") == "¥1,234,567"
    assert format_money(Decimal("1234.5"), "USD", "en") == "1,234.50 USD"
    assert format_money(Decimal("0.5"), "JPY", "ja") == "¥0"  # yen has no minor unit (half to even)
    assert format_money(Decimal("-1E+3"), "EUR", "ja") == "-1,000.00 EUR"
    assert format_number(Decimal("1E+1"), "ja") == "10" and format_number(Decimal("12345.50"), "en") == "12,345.5"


def test_a_day_in_a_message_is_written_for_its_reader():
    from app.errors import InvalidTransition
    from app.i18n import N_, Day, Translator

    refused = InvalidTransition(N_("The estimate expired on %(date)s."), date=Day.of(date(2026, 11, 29)))
    assert refused.message == "The estimate expired on 2026-11-29."  # no reader: as stored (logs)
    assert refused.render(Translator("en")) == "The estimate expired on Nov 29, 2026."
    assert "2026/11/29" in refused.render(Translator("ja"))


def test_a_history_entry_writes_its_day_for_the_reader():
    from types import SimpleNamespace

    from app.i18n import Translator
    from app.models import CommentKind
    from app.services.history import render_comment

    entry = SimpleNamespace(kind=CommentKind.HISTORY, params={"amount": "¥11,000", "date": "2026-11-27", "remitter": "ﾔﾏﾀﾞ"},
                            text="The customer reported a bank transfer of %(amount)s on %(date)s from %(remitter)s.")
    assert render_comment(entry, Translator("en")) == (
        "The customer reported a bank transfer of ¥11,000 on Nov 27, 2026 from ﾔﾏﾀﾞ.")
    assert "2026/11/27" in render_comment(entry, Translator("ja"))
