"""Payment terms: the due date and the closing period a date falls in, for net terms and for
closing-date terms (締め日), across month ends, February and leap years."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import ValidationError
from app.services import payment_terms as pt

D = date


@pytest.mark.parametrize(("code", "day", "due"), [
    # 月末締め翌月末払い
    ("end_of_next_month", D(2026, 11, 1), D(2026, 12, 31)),
    ("end_of_next_month", D(2026, 11, 30), D(2026, 12, 31)),  # on the closing day
    ("end_of_next_month", D(2026, 12, 15), D(2027, 1, 31)),  # over the year end
    ("end_of_next_month", D(2027, 1, 31), D(2027, 2, 28)),  # into a short February
    ("end_of_next_month", D(2028, 1, 10), D(2028, 2, 29)),  # a leap February
    ("close_eom_1_eom", D(2026, 2, 28), D(2026, 3, 31)),
    # 20日締め翌月10日払い
    ("close_20_1_10", D(2026, 10, 21), D(2026, 12, 10)),  # the first day of a period
    ("close_20_1_10", D(2026, 11, 20), D(2026, 12, 10)),  # exactly on the closing day
    ("close_20_1_10", D(2026, 11, 21), D(2027, 1, 10)),  # the day after it
    ("close_20_1_10", D(2026, 12, 25), D(2027, 2, 10)),
    ("close_20_1_10", D(2026, 1, 31), D(2026, 3, 10)),
    # 20日締め当月末払い, 25日締め翌々月5日払い, 月末締め翌月10日払い, 15日締め3か月後末払い
    ("close_20_0_eom", D(2026, 2, 20), D(2026, 2, 28)),
    ("close_20_0_eom", D(2024, 2, 20), D(2024, 2, 29)),
    ("close_20_0_eom", D(2026, 2, 21), D(2026, 3, 31)),
    ("close_25_2_5", D(2026, 11, 25), D(2027, 1, 5)),
    ("close_25_2_5", D(2026, 11, 26), D(2027, 2, 5)),
    ("close_eom_1_10", D(2026, 1, 31), D(2026, 2, 10)),
    ("close_eom_1_10", D(2026, 2, 1), D(2026, 3, 10)),
    ("close_15_3_eom", D(2026, 11, 16), D(2027, 3, 31)),
    ("close_15_3_eom", D(2027, 10, 15), D(2028, 1, 31)),
    ("close_28_1_28", D(2026, 2, 28), D(2026, 3, 28)),
    ("close_28_1_28", D(2026, 3, 1), D(2026, 4, 28)),
    # 当月末払い (closing and paid at month end, the same month)
    ("end_of_month", D(2026, 2, 1), D(2026, 2, 28)),
    ("end_of_month", D(2028, 2, 29), D(2028, 2, 29)),
    # net N days
    ("due_on_receipt", D(2026, 11, 30), D(2026, 11, 30)),
    ("net_30", D(2026, 1, 31), D(2026, 3, 2)),
    ("net_30", D(2028, 1, 31), D(2028, 3, 1)),  # leap year
    ("net_7", D(2026, 12, 28), D(2027, 1, 4)),
    ("net_60", D(2026, 11, 30), D(2027, 1, 29)),
])
def test_due_date(code, day, due):
    assert pt.due_date_for(code, day) == due


@pytest.mark.parametrize(("code", "day", "start", "end"), [
    ("close_20_1_10", D(2026, 11, 5), D(2026, 10, 21), D(2026, 11, 20)),
    ("close_20_1_10", D(2026, 11, 20), D(2026, 10, 21), D(2026, 11, 20)),
    ("close_20_1_10", D(2026, 11, 21), D(2026, 11, 21), D(2026, 12, 20)),
    ("close_20_1_10", D(2026, 1, 3), D(2025, 12, 21), D(2026, 1, 20)),  # across the year
    ("close_20_1_10", D(2026, 3, 1), D(2026, 2, 21), D(2026, 3, 20)),
    ("end_of_next_month", D(2026, 2, 14), D(2026, 2, 1), D(2026, 2, 28)),
    ("end_of_next_month", D(2028, 2, 29), D(2028, 2, 1), D(2028, 2, 29)),
    ("end_of_next_month", D(2026, 12, 31), D(2026, 12, 1), D(2026, 12, 31)),
    ("close_28_1_eom", D(2026, 3, 1), D(2026, 3, 1), D(2026, 3, 28)),  # after February's 28th
    ("close_28_1_eom", D(2028, 2, 29), D(2028, 2, 29), D(2028, 3, 28)),
    ("close_1_1_1", D(2026, 3, 1), D(2026, 2, 2), D(2026, 3, 1)),
    ("net_30", D(2026, 11, 18), D(2026, 11, 1), D(2026, 11, 30)),  # net terms: calendar months
])
def test_period(code, day, start, end):
    assert pt.period(pt.parse(code), day) == (start, end)


def test_previous_periods_are_contiguous():
    periods = pt.previous_periods(pt.parse("close_20_1_10"), D(2026, 3, 5), 4)
    assert periods[0] == (D(2026, 2, 21), D(2026, 3, 20))
    assert periods[-1] == (D(2025, 11, 21), D(2025, 12, 20))
    for newer, older in zip(periods, periods[1:]):
        assert (newer[0] - older[1]).days == 1


@pytest.mark.parametrize(("code", "spelled"), [
    ("close_eom_1_eom", "end_of_next_month"),  # the earlier presets keep their spelling
    ("close_eom_0_eom", "end_of_month"),
    ("net_0", "due_on_receipt"),
    ("net_30", "net_30"),
    (" CLOSE_20_1_10 ", "close_20_1_10"),
    ("close_05_01_eom", "close_5_1_eom"),
])
def test_one_spelling(code, spelled):
    assert pt.clean_code(code) == spelled


@pytest.mark.parametrize("code", [
    "", None, "net_", "net_-1", "net_366", "net_1000", "close_29_1_10", "close_0_1_10",
    "close_20_4_10", "close_20_1_31", "close_20_0_10", "close_eom_0_10", "bogus", "close_20_1",
    "close_20_1_10_x", "net_30\x00", "close_٢٠_1_10", 30, ["net_30"],
])
def test_invalid_codes(code):
    with pytest.raises(ValidationError) as raised:
        pt.parse(code)
    assert raised.value.errors[0].field == "payment_terms"


def test_labels_read_as_terms():
    msgid, params = pt.parse("close_20_1_10").label()
    assert msgid % params == "Closing on day 20, paid on day 10 of the next month"
    msgid, params = pt.parse("end_of_next_month").label()
    assert msgid % params == "Closing at month end, paid at the end of the next month"
    msgid, params = pt.parse("net_45").label()
    assert msgid % params == "Net 45 days"


def test_customer_terms_fall_back_to_the_organization():
    assert pt.effective("", "close_20_1_10") == pt.parse("close_20_1_10")
    assert pt.effective("net_30", "close_20_1_10") == pt.parse("net_30")
