"""The one computation of a document's totals: tax categories, 外税/内税 per rate with each
rounding mode, the document discount allocated in proportion, and discount lines."""

from decimal import Decimal as D

import pytest

from app.services.tax import (
    DiscountTooLarge, DiscountType, NegativeCategory, Pricing, RateTotal, TaxCategory, allocate, category_of_rate,
    totals,
)

S, R, EXPORT, EXEMPT, OUT = (TaxCategory.STANDARD, TaxCategory.REDUCED, TaxCategory.EXPORT, TaxCategory.EXEMPT,
                             TaxCategory.OUT_OF_SCOPE)


def rows(result):
    return [(r.category.value, r.rate, r.subtotal, r.tax, r.discount) for r in result.rates]


def test_mixed_categories_list_each_category_once_and_tax_only_the_rates():
    result = totals([(D(1000), S), (D(500), R), (D(300), EXPORT), (D(200), EXEMPT), (D(100), OUT), (D(1000), S)],
                    "JPY")
    assert rows(result) == [("standard", 10, 2000, 200, 0), ("reduced", 8, 500, 40, 0),
                            ("export", 0, 300, 0, 0), ("exempt", 0, 200, 0, 0), ("out_of_scope", 0, 100, 0, 0)]
    assert (result.subtotal, result.tax, result.total) == (D(3100), D(240), D(3340))


def test_a_bare_rate_is_read_as_its_category_and_0_as_exempt():
    assert [category_of_rate(r) for r in ("10", D(8), 0)] == [S, R, EXEMPT]
    assert category_of_rate(5) is None
    assert rows(totals([(D(100), D(10)), (D(100), D(0))], "JPY")) == [
        ("standard", 10, 100, 10, 0), ("exempt", 0, 100, 0, 0)]
    # breakdowns stored before categories existed read the same way
    assert RateTotal.from_json({"rate": "0", "subtotal": "5", "tax": "0"}).category == EXEMPT


@pytest.mark.parametrize(("rounding", "tax10", "tax8"), [("down", 999, 80), ("half_up", 1000, 80), ("up", 1000, 81)])
def test_tax_inclusive_prices_extract_the_tax_once_per_rate(rounding, tax10, tax8):
    # 10,995 incl. 10%: 10995 x 10 / 110 = 999.54...; 1,085 incl. 8%: 1085 x 8 / 108 = 80.37...
    lines = [(D(5000), S), (D(5995), S), (D(1085), R), (D(500), EXEMPT)]
    result = totals(lines, "JPY", Pricing(rounding=rounding, inclusive=True))
    assert rows(result) == [("standard", 10, 10995 - tax10, tax10, 0), ("reduced", 8, 1085 - tax8, tax8, 0),
                            ("exempt", 0, 500, 0, 0)]
    assert result.total == D(10995 + 1085 + 500)  # what the customer pays is what the prices say
    assert result.inclusive


@pytest.mark.parametrize(("rounding", "tax"), [("down", 99), ("half_up", 100), ("up", 100)])
def test_tax_exclusive_rounding_modes(rounding, tax):
    assert totals([(D(999), S)], "JPY", rounding).tax == D(tax)  # 99.9


def test_an_amount_discount_is_allocated_in_proportion_and_sums_exactly():
    # 1,000 off 6,000 (10%) / 3,000 (8%) / 1,000 (exempt): 600 / 300 / 100
    result = totals([(D(6000), S), (D(3000), R), (D(1000), EXEMPT)], "JPY",
                    Pricing(discount_type=DiscountType.AMOUNT, discount_value=D(1000)))
    assert rows(result) == [("standard", 10, 5400, 540, 600), ("reduced", 8, 2700, 216, 300),
                            ("exempt", 0, 900, 0, 100)]
    assert (result.discount, result.subtotal, result.total) == (D(1000), D(9000), D(9756))


def test_remainders_go_to_the_largest_fractions_so_shares_add_up():
    # 100 off three equal parts: 33.33 each; the extra yen goes to the first (ties: earlier)
    result = totals([(D(1000), S), (D(1000), R), (D(1000), EXPORT)], "JPY", Pricing(discount_value=D(100)))
    assert [r.discount for r in result.rates] == [D(34), D(33), D(33)]
    assert allocate(D(10), [D(1), D(2), D(4)], "JPY") == [D(1), D(3), D(6)]  # 1.43 / 2.86 / 5.71
    assert sum(allocate(D("0.05"), [D(1), D(1), D(1)], "USD")) == D("0.05")
    for amount in range(0, 200, 7):
        assert sum(allocate(D(amount), [D(7), D(11), D(13), D(1)], "JPY")) == amount


def test_a_percent_discount_applies_to_the_sum_then_is_allocated():
    result = totals([(D(3333), S), (D(1111), R)], "JPY",
                    Pricing(rounding="down", discount_type=DiscountType.PERCENT, discount_value=D(10)))
    assert result.discount == D(444)  # 444.4 rounded half-up, once
    assert [r.discount for r in result.rates] == [D(333), D(111)]
    assert [r.subtotal for r in result.rates] == [D(3000), D(1000)]


def test_an_inclusive_document_with_a_discount_extracts_tax_after_the_discount():
    result = totals([(D(11000), S), (D(10800), R)], "JPY",
                    Pricing(inclusive=True, discount_value=D(2180)))
    # shares 1100 / 1080; 9900 incl. 10% -> 900; 9720 incl. 8% -> 720
    assert rows(result) == [("standard", 10, 9000, 900, 1100), ("reduced", 8, 9000, 720, 1080)]
    assert result.total == D(11000 + 10800 - 2180)


def test_discount_lines_reduce_their_own_category_only():
    result = totals([(D(5000), S), (D(2000), R), (D(-500), R)], "JPY")
    assert rows(result) == [("standard", 10, 5000, 500, 0), ("reduced", 8, 1500, 120, 0)]
    with pytest.raises(NegativeCategory) as err:
        totals([(D(5000), S), (D(-500), R)], "JPY")
    assert err.value.category == R


def test_a_discount_above_the_sum_is_refused():
    with pytest.raises(DiscountTooLarge):
        totals([(D(100), S)], "JPY", Pricing(discount_value=D(101)))
    full = totals([(D(100), S), (D(50), EXEMPT)], "JPY", Pricing(discount_type=DiscountType.PERCENT,
                                                                  discount_value=D(100)))
    assert (full.total, full.discount) == (D(0), D(150))
