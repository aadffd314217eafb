"""app.cleaning, the one input-cleaning layer, value by value (the services' and faces' tests show
the same rules through pages and GraphQL)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from app import cleaning
from app.cleaning import Unclean


def refused(call, *args) -> str:
    with pytest.raises(Unclean) as info:
        call(*args)
    return info.value.msgid % info.value.params if info.value.params else info.value.msgid


def test_text_refuses_what_no_database_stores():
    assert cleaning.text("  山田 ") == "山田"
    for bad in ("a\x00b", "\ud800", "x\udfff"):
        assert refused(cleaning.text, bad) == "Contains characters that cannot be stored."
    errors = cleaning.unstorable({"name": "ok", "lines": [{"rate": "1"}, {"description": "\x00"}]})
    assert [e.field for e in errors] == ["lines.1.description"]


def test_ids_outside_the_key_range_name_nothing():
    assert cleaning.pk("12") == 12 and cleaning.pk(2**31 - 1) == 2**31 - 1
    for bad in ("9" * 30, 2**31, 0, -1, "-1", "١٢", "²", "1.0", "", None, True, "9" * 5000):
        assert cleaning.pk(bad) is None, bad


def test_integers_fit_their_column():
    assert cleaning.integer("５０", 0, 100) == 50 and cleaning.integer(" -3 ") == -3
    assert refused(cleaning.integer, "2147483648") == "Enter a whole number from -2147483648 to 2147483647."
    for bad in ("1e999999", "1.5", "١٢", "9" * 5000):
        assert refused(cleaning.integer, bad) == "Enter a whole number.", bad


def test_decimals_fit_their_column():
    assert cleaning.decimal("1,200", 18, 4) == Decimal(1200)
    assert cleaning.decimal("1.50000", 18, 4) == Decimal("1.5000")
    assert cleaning.decimal("0.00000000", 18, 4) == 0
    assert cleaning.decimal("99999999999999.9999", 18, 4) == Decimal("99999999999999.9999")
    for bad in ("1e999999", "100000000000000", "-1e1000000"):
        assert refused(cleaning.decimal, bad, 18, 4) == \
            "Enter a number with at most 14 digits before the decimal point."
    for bad in ("1e-999999", "0.00001"):
        assert refused(cleaning.decimal, bad, 18, 4) == "Use at most 4 decimal places."
    for bad in ("NaN", "Infinity", "-inf", "abc", ""):
        assert refused(cleaning.decimal, bad, 18, 4) == "Enter a number."


def test_dates_stay_inside_the_calendar_in_every_time_zone():
    assert cleaning.day("9998-12-31") == date(9998, 12, 31)
    for bad in ("9999-12-31", "0001-01-01"):
        assert refused(cleaning.day, bad) == "Enter a date from 1000-01-01 to 9998-12-31."
    assert refused(cleaning.day, "2030-02-30") == "Enter a valid date (YYYY-MM-DD)."
    assert cleaning.moment("2030-01-01T10:00", "Asia/Tokyo").utcoffset().total_seconds() == 9 * 3600
    for bad in ("0001-01-01T00:00", "9999-12-31T23:59", datetime(1, 1, 1, tzinfo=timezone.utc)):
        assert refused(cleaning.moment, bad, "Pacific/Kiritimati").startswith("Enter a date from")
    assert refused(cleaning.moment, "2030-01-01T25:00", "UTC") == "Enter a valid date and time."


def test_websites_are_http_or_https():
    assert cleaning.url("example.com") == "https://example.com"
    assert cleaning.url("localhost:8080/x") == "https://localhost:8080/x"
    assert cleaning.url("http://例え.jp/パス") == "http://例え.jp/パス"
    for bad in ("javascript:alert(3)", "JavaScript:alert(3)", "data:text/html,x", "ftp://x.jp", "//x.jp", "http://a b"):
        assert refused(cleaning.url, bad) == "Enter a web address starting with http:// or https://.", bad


def test_searches_and_row_numbers():
    assert cleaning.search(" Ac\x00me ") == "Acme"
    assert len(cleaning.search("a" * 10_000_000)) == cleaning.SEARCH_MAX
    assert cleaning.index("3") == 3
    for bad in ("²", "١", "9" * 5000, "-1", "10000"):
        assert cleaning.index(bad) is None, bad


def test_a_search_of_lone_surrogates_is_no_search():
    from app.search import matches, normalise

    assert normalise("a\ud800b") == "ab"
    assert matches("\ud800") is None
