"""The fields the Books sync may map (one registry): for each CRM module (accounts, contacts,
products) and its Books counterpart (customers, items), the fields with their label, type and
maximum length, read from the models; the default mappings; and the check of a mapping.

A mapping is a list of (CRM field, Books field) pairs. It is refused when a field is unknown,
the types do not fit, the Books field is shorter than the CRM field, a Books field is fed twice
or a required Books field is not fed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tortoise.models import Model

from app.errors import FieldError
from app.i18n import N_, Msgid
from app.models import Account, BooksContact, Contact, Item, Product
from app.services import products

MAX_ROWS = 100  # pairs per mapping; every known field fits many times over


class FieldType(StrEnum):
    TEXT = "text"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    DECIMAL = "decimal"
    CHOICE = "choice"


# A source type may feed these target types (text takes any short text; nothing becomes a number).
COMPATIBLE: dict[FieldType, set[FieldType]] = {
    FieldType.TEXT: {FieldType.TEXT},
    FieldType.EMAIL: {FieldType.EMAIL, FieldType.TEXT},
    FieldType.PHONE: {FieldType.PHONE, FieldType.TEXT},
    FieldType.URL: {FieldType.URL, FieldType.TEXT},
    FieldType.DECIMAL: {FieldType.DECIMAL},
    FieldType.CHOICE: {FieldType.CHOICE},
}


@dataclass(frozen=True)
class SyncField:
    name: str
    label: str  # msgid
    type: FieldType
    max_length: int | None  # None: unbounded text, or not text
    required: bool = False
    # decimals: digits in all and after the point (None otherwise)
    max_digits: int | None = None
    decimal_places: int | None = None


def _fields(model: type[Model], spec: list[tuple[str, str, FieldType]], required: tuple[str, ...] = (),
            digits: dict[str, int] | None = None) -> dict[str, SyncField]:
    """`digits`: numbers a service keeps below their column's bound (max_digits overridden)."""
    out = {}
    for name, label, kind in spec:
        column = model._meta.fields_map[name]
        max_digits = (digits or {}).get(name, getattr(column, "max_digits", None))
        out[name] = SyncField(name, label, kind, getattr(column, "max_length", None), name in required,
                              max_digits, getattr(column, "decimal_places", None))
    return out


def _address(prefix: str) -> list[tuple[str, str, FieldType]]:
    # Whole labels, not pieces: translators see each one.
    names = {
        "billing": (N_("Billing street"), N_("Billing city"), N_("Billing state"), N_("Billing postal code"),
                    N_("Billing country")),
        "shipping": (N_("Shipping street"), N_("Shipping city"), N_("Shipping state"),
                     N_("Shipping postal code"), N_("Shipping country")),
        "mailing": (N_("Mailing street"), N_("Mailing city"), N_("Mailing state"), N_("Mailing postal code"),
                    N_("Mailing country")),
        "other": (N_("Other street"), N_("Other city"), N_("Other state"), N_("Other postal code"),
                  N_("Other country")),
    }[prefix]
    return [(f"{prefix}_{part}", names[i], FieldType.TEXT)
            for i, part in enumerate(("street", "city", "state", "code", "country"))]


class Side(StrEnum):
    ACCOUNTS = "accounts"
    CONTACTS = "contacts"
    PRODUCTS = "products"


CRM_FIELDS: dict[Side, dict[str, SyncField]] = {
    Side.ACCOUNTS: _fields(Account, [
        ("name", N_("Account name"), FieldType.TEXT),
        ("phone", N_("Phone"), FieldType.PHONE),
        ("fax", N_("Fax"), FieldType.PHONE),
        ("website", N_("Website"), FieldType.URL),
        *_address("billing"), *_address("shipping"),
        ("description", N_("Description"), FieldType.TEXT),
    ]),
    Side.CONTACTS: _fields(Contact, [
        ("last_name", N_("Last name"), FieldType.TEXT),
        ("first_name", N_("First name"), FieldType.TEXT),
        ("email", N_("E-mail"), FieldType.EMAIL),
        ("secondary_email", N_("Secondary e-mail"), FieldType.EMAIL),
        ("work_phone", N_("Work phone"), FieldType.PHONE),
        ("home_phone", N_("Home phone"), FieldType.PHONE),
        ("mobile", N_("Mobile"), FieldType.PHONE),
        ("fax", N_("Fax"), FieldType.PHONE),
        ("title", N_("Title"), FieldType.TEXT),
        ("department", N_("Department"), FieldType.TEXT),
        *_address("mailing"), *_address("other"),
        ("description", N_("Description"), FieldType.TEXT),
    ]),
    Side.PRODUCTS: _fields(Product, [
        ("name", N_("Product name"), FieldType.TEXT),
        ("code", N_("Product code"), FieldType.TEXT),
        ("unit", N_("Unit"), FieldType.TEXT),
        ("unit_price", N_("Unit price"), FieldType.DECIMAL),
        ("tax_rate", N_("Tax rate"), FieldType.DECIMAL),
        ("description", N_("Description"), FieldType.TEXT),
    ], digits={"unit_price": products.PRICE_MAX_DIGITS}),
}

_CUSTOMER = _fields(BooksContact, [
    ("display_name", N_("Display name"), FieldType.TEXT),
    ("company_name", N_("Company name"), FieldType.TEXT),
    ("email", N_("E-mail"), FieldType.EMAIL),
    ("phone", N_("Phone"), FieldType.PHONE),
    ("website", N_("Website"), FieldType.URL),
    *_address("billing"), *_address("shipping"),
    ("payment_terms", N_("Payment terms"), FieldType.CHOICE),
    ("notes", N_("Notes"), FieldType.TEXT),
], required=("display_name",))

BOOKS_FIELDS: dict[Side, dict[str, SyncField]] = {
    Side.ACCOUNTS: _CUSTOMER,
    Side.CONTACTS: _CUSTOMER,
    Side.PRODUCTS: _fields(Item, [
        ("name", N_("Item name"), FieldType.TEXT),
        ("sku", N_("SKU"), FieldType.TEXT),
        ("unit", N_("Unit"), FieldType.TEXT),
        ("rate", N_("Rate"), FieldType.DECIMAL),
        ("tax_rate", N_("Tax rate"), FieldType.DECIMAL),
        ("description", N_("Description"), FieldType.TEXT),
    ], required=("name",)),
}

# Postal codes are left out: the CRM keeps up to 30 characters, Books 20 (a longer code would be
# cut). Payment terms have no CRM counterpart. A contact's work phone (50) is longer than Books' (30).
DEFAULTS: dict[Side, list[tuple[str, str]]] = {
    Side.ACCOUNTS: [
        ("name", "display_name"), ("name", "company_name"), ("phone", "phone"), ("website", "website"),
        *[(f"{p}_{part}", f"{p}_{part}") for p in ("billing", "shipping")
          for part in ("street", "city", "state", "country")],
        ("description", "notes"),
    ],
    Side.CONTACTS: [
        ("last_name", "display_name"), ("email", "email"), ("mobile", "phone"),
        *[(f"mailing_{part}", f"billing_{part}") for part in ("street", "city", "state", "country")],
        ("description", "notes"),
    ],
    Side.PRODUCTS: [
        ("name", "name"), ("code", "sku"), ("unit", "unit"), ("unit_price", "rate"), ("tax_rate", "tax_rate"),
        ("description", "description"),
    ],
}


def effective(side: Side, stored: Any) -> list[tuple[str, str]]:
    """The pairs in force: the stored ones, or the defaults when none are stored."""
    pairs = (stored or {}).get(side.value) if isinstance(stored, dict) else None
    return [tuple(p) for p in pairs] if pairs else list(DEFAULTS[side])  # type: ignore[misc]


TYPE_LABELS: dict[FieldType, str] = {
    FieldType.TEXT: N_("text"),
    FieldType.EMAIL: N_("e-mail address"),
    FieldType.PHONE: N_("phone number"),
    FieldType.URL: N_("web address"),
    FieldType.DECIMAL: N_("number"),
    FieldType.CHOICE: N_("choice"),
}


def _decimal_problem(src: SyncField, dst: SyncField) -> FieldError | None:
    """A CRM number that Books would round (fewer decimal places) or could not hold (fewer
    digits before the point): refused as a text too long would be."""
    if src.type != FieldType.DECIMAL or dst.type != FieldType.DECIMAL:
        return None
    places = (src.decimal_places or 0, dst.decimal_places or 0)
    whole = ((src.max_digits or 0) - places[0], (dst.max_digits or 0) - places[1])
    if places[0] > places[1]:
        return FieldError("", N_("CRM field “%(crm)s” keeps %(source)d decimal places, Books field “%(books)s” "
                                 "only %(target)d."),
                          {"crm": Msgid(src.label), "source": places[0], "books": Msgid(dst.label), "target": places[1]})
    if whole[0] > whole[1]:
        return FieldError("", N_("CRM field “%(crm)s” holds numbers of up to %(source)d digits, Books field "
                                 "“%(books)s” only %(target)d."),
                          {"crm": Msgid(src.label), "source": whole[0], "books": Msgid(dst.label), "target": whole[1]})
    return None


def check(side: Side, pairs: list[tuple[Any, Any]], prefix: str) -> tuple[list[list[str]], list[FieldError]]:
    """The pairs cleaned, and the errors, each on `<prefix>.<row>` (or `<prefix>` for the whole)."""
    crm, books = CRM_FIELDS[side], BOOKS_FIELDS[side]
    errors: list[FieldError] = []
    if len(pairs) > MAX_ROWS:
        return [], [FieldError(prefix, N_("Map at most %(max)d fields."), {"max": MAX_ROWS})]
    clean: list[list[str]] = []
    fed: dict[str, int] = {}
    for row, (source, target) in enumerate(pairs):
        where = f"{prefix}.{row}"
        src = crm.get(source) if isinstance(source, str) else None
        dst = books.get(target) if isinstance(target, str) else None
        if src is None:
            errors.append(FieldError(where, N_("Choose one of the CRM fields offered.")))
        if dst is None:
            errors.append(FieldError(where, N_("Choose one of the Books fields offered.")))
        if src is None or dst is None:
            continue
        if dst.type not in COMPATIBLE[src.type]:
            errors.append(FieldError(where, N_(
                "CRM field “%(crm)s” (%(source)s) cannot be stored in Books field “%(books)s” (%(target)s)."),
                {"crm": Msgid(src.label), "source": Msgid(TYPE_LABELS[src.type]), "books": Msgid(dst.label),
                 "target": Msgid(TYPE_LABELS[dst.type])}))
            continue
        if dst.max_length is not None and (src.max_length is None or src.max_length > dst.max_length):
            errors.append(FieldError(where, N_(
                "CRM field “%(crm)s” holds up to %(source)s characters, Books field “%(books)s” only %(target)d."),
                {"crm": Msgid(src.label), "source": src.max_length or "∞", "books": Msgid(dst.label),
                 "target": dst.max_length}))
            continue
        if (problem := _decimal_problem(src, dst)) is not None:
            errors.append(FieldError(where, problem.msgid, problem.params))
            continue
        if target in fed:
            errors.append(FieldError(where, N_("Books field “%(books)s” is already fed by row %(row)d."),
                                     {"books": Msgid(dst.label), "row": fed[target] + 1}))
            continue
        fed[target] = row
        clean.append([source, target])
    if not errors:
        for name, f in books.items():
            if f.required and name not in fed:
                errors.append(FieldError(prefix, N_("Map a CRM field to the required Books field “%(books)s”."),
                                         {"books": Msgid(f.label)}))
    return clean, errors


# ---- the sync's record filter ("which records") ---------------------------------------------

# A condition is {"field", "op", "value"}: a CRM field of the synced module (or `owner`, a user
# id), an operator, and a value (none for is_empty / not_empty). All conditions must match;
# [] = every record.
FILTER_MAX = 20
FILTER_VALUE_MAX = 200
OWNER = "owner"
TEXT_OPS = ("equals", "not_equals", "contains", "starts_with", "is_empty", "not_empty")
NUMBER_OPS = ("equals", "not_equals", "greater_than", "less_than")
OWNER_OPS = ("equals", "not_equals")
VALUELESS = ("is_empty", "not_empty")
OPS: dict[str, str] = {
    "equals": N_("equals"), "not_equals": N_("does not equal"), "contains": N_("contains"),
    "starts_with": N_("starts with"), "is_empty": N_("is empty"), "not_empty": N_("is not empty"),
    "greater_than": N_("is greater than"), "less_than": N_("is less than"),
}


def filter_ops(side: Side, field: str) -> tuple[str, ...]:
    """The operators a filter condition on `field` may use (none for an unknown field)."""
    if field == OWNER:
        return OWNER_OPS
    known = CRM_FIELDS[side].get(field)
    if known is None:
        return ()
    return NUMBER_OPS if known.type == FieldType.DECIMAL else TEXT_OPS


def check_filter(side: Side, conditions: Any, prefix: str = "record_filter"
                 ) -> tuple[list[dict[str, str]], list[FieldError]]:
    """The conditions cleaned ({field, op, value} with a text value), and the errors, each on
    `<prefix>.<row>` (or `<prefix>` for the whole)."""
    if conditions in (None, ""):
        return [], []
    if not isinstance(conditions, (list, tuple)):
        return [], [FieldError(prefix, N_("The record filter is not valid."))]
    if len(conditions) > FILTER_MAX:
        return [], [FieldError(prefix, N_("Use at most %(max)d conditions."), {"max": FILTER_MAX})]
    clean: list[dict[str, str]] = []
    errors: list[FieldError] = []
    for row, item in enumerate(conditions):
        where = f"{prefix}.{row}"
        item = item if isinstance(item, dict) else {}
        field, op, value = item.get("field"), item.get("op"), item.get("value")
        ops = filter_ops(side, field) if isinstance(field, str) else ()
        if not ops:
            errors.append(FieldError(where, N_("Choose one of the CRM fields offered.")))
            continue
        if op not in ops:
            errors.append(FieldError(where, N_("Choose one of the conditions offered.")))
            continue
        if op in VALUELESS:
            clean.append({"field": field, "op": op, "value": ""})
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or len(value) > FILTER_VALUE_MAX or "\x00" in value:
            errors.append(FieldError(where, N_("Enter a value of at most %(max)d characters."),
                                     {"max": FILTER_VALUE_MAX}))
            continue
        value = value.strip()
        if field == OWNER or CRM_FIELDS[side][field].type == FieldType.DECIMAL:
            if not _number(value, whole=field == OWNER):
                errors.append(FieldError(where, N_("Enter a number.")))
                continue
        clean.append({"field": field, "op": op, "value": value})
    return clean, errors


def _number(value: str, *, whole: bool) -> bool:
    from decimal import Decimal, InvalidOperation

    if whole:
        return value.isdigit() and len(value) < 10
    try:
        number = Decimal(value)
    except InvalidOperation:
        return False
    return number.is_finite() and abs(number) < Decimal(10) ** 16
