"""A document's input as saving reads it: its lines (an item's defaults, quantities and prices,
tax categories, discount lines) and its pricing (tax-inclusive, a document discount, the
transaction period), each problem collected with its field path. app.services.transactions
saves what this reads; the live preview (app.services.preview) reads lines the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from app import cleaning
from app.errors import FieldError, ValidationError
from app.i18n import N_, Msgid
from app.models import Item, TaxCategory, Transaction, TransactionLine
from app.money import needs_rate
from app.services.items import tax_rate_problem
from app.services.tax import (
    CATEGORY_NAMES, CATEGORY_RATES, DiscountTooLarge, DiscountType, NegativeCategory, Pricing, Totals,
    category_of_rate, line_amount, totals,
)

MAX_LINES = 500
_AMOUNT = Transaction._meta.fields_map["total"]  # line amounts and totals share its precision
_DIGITS = _AMOUNT.max_digits - _AMOUNT.decimal_places
_TOO_LARGE = N_("The amount is too large: at most %(digits)d digits before the decimal point.")
PRICING_FIELDS = ("prices_include_tax", "discount_type", "discount_value")
EXCHANGE_FIELDS = ("exchange_rate", "exchange_rate_date")
DESCRIPTION_MAX = 2000  # a line's description
LINE_FIELDS = {"item_id", "description", "quantity", "unit", "rate", "discount", "tax_rate", "tax_category",
               "delivery_date"}
_TRUE, _FALSE = {"true", "1", "on", "yes"}, {"false", "0", "off", "no", ""}

def _date(value: Any) -> date | None:
    return None if value in (None, "") else cleaning.day(value)


class Problems:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, msgid: str, **params: Any) -> None:
        self.errors.append(FieldError(field, msgid, params))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


async def _clean_lines(org_id: int, raw_lines: Any, problems: Problems) -> list[dict[str, Any]]:
    if not isinstance(raw_lines, (list, tuple)) or not raw_lines:
        problems.add("lines", N_("Add at least one line."))
        return []
    if len(raw_lines) > MAX_LINES:
        problems.add("lines", N_("At most %(max)d lines."), max=MAX_LINES)
        return []
    item_ids = {cleaning.pk(raw.get("item_id")) for raw in raw_lines
                if isinstance(raw, dict) and raw.get("item_id") not in (None, "")} - {None}
    items = {i.id: i for i in await Item.filter(organization_id=org_id, id__in=sorted(item_ids))}
    lines = []
    for i, raw in enumerate(raw_lines):
        path = f"lines.{i}"
        if not isinstance(raw, dict):
            problems.add(path, N_("Enter a valid value."))
            continue
        for name in sorted(set(raw) - LINE_FIELDS):
            problems.add(f"{path}.{name}", N_("Unknown field."))
        item = None
        if raw.get("item_id") not in (None, ""):
            item = items.get(cleaning.pk(raw["item_id"]))
            if item is None:
                problems.add(f"{path}.item_id", N_("Choose a valid record."))
        lines.append(clean_line(raw, item, path, problems))
    return lines


def clean_line(raw: dict[str, Any], item: Item | None, path: str, problems: Problems) -> dict[str, Any]:
    """One line's values (an item's name, unit, rate and tax rate fill what is left blank), its
    problems added under `path`: the rules of saving, and of the totals preview."""
    line: dict[str, Any] = {"item_id": item.id if item else None}
    description = str(raw.get("description") or "").strip() or (item.name if item else "")
    if not description:
        problems.add(f"{path}.description", N_("Choose an item or describe the line."))
    elif len(description) > DESCRIPTION_MAX:
        problems.add(f"{path}.description", N_("Must be at most %(max)d characters (now %(length)d)."),
                     max=DESCRIPTION_MAX, length=len(description))
    line["description"] = description
    unit = str(raw.get("unit") or "").strip() or (item.unit if item else "")
    if len(unit) > 20:
        problems.add(f"{path}.unit", N_("Must be at most %(max)d characters (now %(length)d)."),
                     max=20, length=len(unit))
    line["unit"] = unit
    try:  # 納品日: a sales-order line delivered apart (app.services.billing)
        line["delivery_date"] = _date(raw.get("delivery_date"))
    except cleaning.Unclean as problem:
        problems.add(f"{path}.delivery_date", problem.msgid, **problem.params)
        line["delivery_date"] = None
    defaults = {"quantity": Decimal(1), "rate": item.rate if item else None, "discount": Decimal(0)}
    for name, default in defaults.items():
        value = raw.get(name)
        if value in (None, ""):
            if default is None:
                problems.add(f"{path}.{name}", N_("This field is required."))
            line[name] = default
            continue
        try:
            line[name] = cleaning.column_decimal(TransactionLine, name, value)
        except cleaning.Unclean as problem:
            problems.add(f"{path}.{name}", problem.msgid, **problem.params)
            line[name] = None
    if line["quantity"] is not None and line["quantity"] <= 0:
        problems.add(f"{path}.quantity", N_("Enter a quantity above zero."))
    if line["discount"] is not None and not Decimal(0) <= line["discount"] <= Decimal(100):
        problems.add(f"{path}.discount", N_("Enter a discount from 0 to 100%."))
    category = _tax_category(raw, item, path, problems)
    line["tax_category"] = category
    line["tax_rate"] = CATEGORY_RATES[category] if category is not None else None
    if None not in (line["quantity"], line["rate"], line["discount"]) and not cleaning.fits(
            _AMOUNT, line_amount(line["quantity"], line["rate"], line["discount"], "JPY")):
        problems.add(f"{path}.quantity", _TOO_LARGE, digits=_DIGITS)
    return line


def _tax_category(raw: dict[str, Any], item: Item | None, path: str, problems: Problems) -> TaxCategory | None:
    """The line's category: given, else read from a given tax rate, else the item's, else 10%."""
    value = raw.get("tax_category")
    if value not in (None, ""):
        try:
            return TaxCategory(str(value))
        except ValueError:
            problems.add(f"{path}.tax_category", N_("Choose one of the offered values."))
            return None
    rate = raw.get("tax_rate")
    if rate in (None, ""):
        return (category_of_rate(item.tax_rate) if item else None) or TaxCategory.STANDARD
    try:
        rate = cleaning.column_decimal(TransactionLine, "tax_rate", rate)
    except cleaning.Unclean as problem:
        problems.add(f"{path}.tax_rate", problem.msgid, **problem.params)
        return None
    if problem := tax_rate_problem(rate):
        problems.add(f"{path}.tax_rate", problem)
        return None
    return category_of_rate(rate)


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, (str, int)) else None
    return True if text in _TRUE else False if text in _FALSE else None


def _clean_pricing(data: dict[str, Any], values: dict[str, Any], problems: Problems) -> None:
    """外税/内税, the document discount and the transaction date or period into `values`."""
    for name in ("transaction_date", "transaction_date_end"):
        if name in data:
            try:
                values[name] = _date(data[name])
            except cleaning.Unclean as problem:
                problems.add(name, problem.msgid, **problem.params)
    if "prices_include_tax" in data:
        flag = _flag(data["prices_include_tax"])
        if flag is None:
            problems.add("prices_include_tax", N_("Choose one of the offered values."))
        values["prices_include_tax"] = bool(flag)
    if "discount_type" in data:
        try:
            values["discount_type"] = DiscountType(str(data["discount_type"] or DiscountType.AMOUNT))
        except ValueError:
            problems.add("discount_type", N_("Choose one of the offered values."))
    if "discount_value" in data:
        try:
            value = Decimal(0) if data["discount_value"] in (None, "") else cleaning.column_decimal(
                Transaction, "discount_value", data["discount_value"])
        except cleaning.Unclean as problem:
            problems.add("discount_value", problem.msgid, **problem.params)
        else:
            if value < 0:
                problems.add("discount_value", N_("Enter zero or more."))
            elif values.get("discount_type") == DiscountType.PERCENT and value > 100:
                problems.add("discount_value", N_("Enter a discount from 0 to 100%."))
            values["discount_value"] = value


def clean_exchange(data: dict[str, Any], values: dict[str, Any], currency: str, instance: Transaction | None,
                   problems: Problems, required: bool = True) -> None:
    """The exchange rate (yen per 1 unit) and its date into `values`: both required on a document
    in another currency than the yen (given, or kept from `instance`) whose kind prints its tax in
    yen (`required`), both or neither on the other kinds, cleared on a yen document."""
    given = any(data.get(name) not in (None, "") for name in EXCHANGE_FIELDS) or (
        instance is not None and instance.exchange_rate is not None)
    if not needs_rate(currency) or not (required or given):
        if instance is None or instance.exchange_rate is not None or instance.exchange_rate_date is not None:
            values["exchange_rate"] = values["exchange_rate_date"] = None
        return
    rate = _exchange_rate(data, instance, currency, problems)
    if rate is not None:
        values["exchange_rate"] = rate
    day = _exchange_day(data, instance, problems)
    if day is not None:
        values["exchange_rate_date"] = day


def _exchange_rate(data: dict[str, Any], instance: Transaction | None, currency: str,
                   problems: Problems) -> Decimal | None:
    """The rate given (else the document's), or None with its problem added."""
    if "exchange_rate" not in data and instance is not None and instance.exchange_rate is not None:
        return instance.exchange_rate
    if data.get("exchange_rate") in (None, ""):
        problems.add("exchange_rate", N_("Enter the exchange rate of %(currency)s: yen per 1 %(currency)s."),
                     currency=currency)
        return None
    try:
        rate = cleaning.column_decimal(Transaction, "exchange_rate", data["exchange_rate"])
    except cleaning.Unclean as problem:
        problems.add("exchange_rate", problem.msgid, **problem.params)
        return None
    if rate <= 0:
        problems.add("exchange_rate", N_("Enter an exchange rate above zero."))
        return None
    return rate


def _exchange_day(data: dict[str, Any], instance: Transaction | None, problems: Problems) -> date | None:
    """The rate's date given (else the document's), or None with its problem added."""
    if "exchange_rate_date" not in data and instance is not None and instance.exchange_rate_date is not None:
        return instance.exchange_rate_date
    try:
        day = _date(data.get("exchange_rate_date"))
    except cleaning.Unclean as problem:
        problems.add("exchange_rate_date", problem.msgid, **problem.params)
        return None
    if day is None:
        problems.add("exchange_rate_date", N_("Enter the date of the exchange rate."))
    return day


def _period_problems(values: dict[str, Any], instance: Transaction | None, problems: Problems) -> None:
    start = values.get("transaction_date", instance.transaction_date if instance else None)
    end = values.get("transaction_date_end", instance.transaction_date_end if instance else None)
    if end is not None and start is None:
        problems.add("transaction_date", N_("Enter the first day of the period."))
    elif end is not None and end < start:
        problems.add("transaction_date_end", N_("Must be on or after the transaction date."))


def pricing_of(values: dict[str, Any], instance: Transaction | None, rounding: str) -> Pricing:
    """The pricing of a document: `values` being saved over what `instance` has."""
    def value(name: str, default: Any) -> Any:
        return values[name] if name in values else getattr(instance, name) if instance else default

    discount_type = value("discount_type", DiscountType.AMOUNT)
    return Pricing(rounding=rounding, inclusive=bool(value("prices_include_tax", False)),
                   discount_type=DiscountType(discount_type), discount_value=Decimal(value("discount_value", 0)),
                   exchange_rate=value("exchange_rate", None))


def read_pricing(data: Mapping[str, Any], rounding: str) -> tuple[Pricing, list[FieldError]]:
    """The pricing a form or a preview asks for (what cannot be read is left at its default)."""
    values: dict[str, Any] = {}
    problems = Problems()
    _clean_pricing({k: data[k] for k in PRICING_FIELDS if k in data}, values, problems)
    if data.get("exchange_rate") not in (None, ""):  # the yen per rate, when a rate can be read
        try:
            rate = cleaning.column_decimal(Transaction, "exchange_rate", data["exchange_rate"])
        except cleaning.Unclean:
            rate = None
        if rate is not None and rate > 0:
            values["exchange_rate"] = rate
    bad = {e.field for e in problems.errors}
    return pricing_of({k: v for k, v in values.items() if k not in bad}, None, rounding), problems.errors


def price_problems(lines: list[dict[str, Any]], currency: str, pricing: Pricing,
                   problems: Problems) -> Totals | None:
    """The totals, or None with the problem the lines and discount make together."""
    try:
        return price(lines, currency, pricing)[1]
    except DiscountTooLarge:
        problems.add("discount_value", N_("The discount cannot be more than the sum of the lines."))
    except NegativeCategory as exc:
        problems.add("lines", N_("The discount lines of “%(category)s” are more than its other lines."),
                     category=Msgid(CATEGORY_NAMES[exc.category]))
    return None


def price(lines: list[dict[str, Any]], currency: str, pricing: Pricing | str) -> tuple[list[dict[str, Any]], Totals]:
    """Cleaned lines with their position and amount, and the document's totals (the one
    computation: app.services.tax.totals). Raises tax.DiscountTooLarge, tax.NegativeCategory."""
    rows = [
        {**line, "position": position,
         "amount": line_amount(line["quantity"], line["rate"], line["discount"], currency)}
        for position, line in enumerate(lines, start=1)
    ]
    return rows, totals(((r["amount"], r["tax_category"]) for r in rows), currency, pricing)
