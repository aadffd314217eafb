"""CRM records: accounts, contacts, leads, deals (with stages, contact roles and line items), cases,
products."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from app.models.base import OwnedRecord, Searchable, long_text


def _address(prefix: str) -> dict[str, fields.Field]:
    """Street <=250, building <=100, city/state/postal code/country <=30 each, as one address
    block. In Japanese: state 都道府県, city 市区町村, street 番地, building 建物 (app.addressing)."""
    return {
        f"{prefix}_street": fields.CharField(max_length=250, default=""),
        f"{prefix}_building": fields.CharField(max_length=100, default="", db_default=""),
        f"{prefix}_city": fields.CharField(max_length=30, default=""),
        f"{prefix}_state": fields.CharField(max_length=30, default=""),
        f"{prefix}_code": fields.CharField(max_length=30, default=""),
        f"{prefix}_country": fields.CharField(max_length=30, default=""),
    }


class PersonName:
    """Japanese order: family name first."""

    # How names sort: by reading (app.readings), then as written (lists, their columns)
    NAME_ORDER = ("last_name_kana", "first_name_kana", "last_name", "first_name")
    last_name: str
    first_name: str

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name) if p)

    def __str__(self) -> str:
        return self.full_name


def _reading(max_length: int) -> fields.CharField:
    """A name's reading in katakana (app.readings), entered or generated."""
    # db_default: the column is added to tables that have rows (migration 0028_readings)
    return fields.CharField(max_length=max_length, default="", db_default="")


def _reading_generated() -> fields.BooleanField:
    """Whether the readings were generated from the name (they follow it) or entered (kept)."""
    return fields.BooleanField(default=False, db_default=False)


class Account(Searchable, OwnedRecord):
    SEARCH_FIELDS = ("name", "name_kana", "phone", "website", "billing_city")
    NAME_ORDER = ("name_kana", "name")  # how names sort: by reading (lists, their columns)
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200, db_index=True)
    name_kana = _reading(255)
    reading_generated = _reading_generated()
    phone = fields.CharField(max_length=30, default="")
    fax = fields.CharField(max_length=30, default="")
    website = fields.CharField(max_length=255, default="")
    locals().update(_address("billing"))
    locals().update(_address("shipping"))
    description = long_text()

    class Meta:
        table = "accounts"
        # By reading (app.readings), then name: lists come straight off the index, no sort.
        ordering = ["name_kana", "name", "id"]
        indexes = (("name_kana", "name", "id"),)

    def __str__(self) -> str:
        return self.name


class Contact(Searchable, PersonName, OwnedRecord):
    SEARCH_FIELDS = ("last_name", "first_name", "last_name_kana", "first_name_kana", "email", "secondary_email",
                     "department")
    SEARCH_NAMES = (("last_name", "first_name"), ("last_name_kana", "first_name_kana"))
    id = fields.IntField(primary_key=True)
    first_name = fields.CharField(max_length=40, default="")
    last_name = fields.CharField(max_length=80, db_index=True)
    first_name_kana = _reading(100)
    last_name_kana = _reading(100)
    reading_generated = _reading_generated()
    email = fields.CharField(max_length=254, default="", db_index=True)
    secondary_email = fields.CharField(max_length=254, default="", db_index=True)
    title = fields.CharField(max_length=100, default="")
    department = fields.CharField(max_length=50, default="")
    work_phone = fields.CharField(max_length=50, default="")
    home_phone = fields.CharField(max_length=30, default="")
    other_phone = fields.CharField(max_length=30, default="")
    mobile = fields.CharField(max_length=30, default="")
    fax = fields.CharField(max_length=30, default="")
    assistant = fields.CharField(max_length=50, default="")
    assistant_phone = fields.CharField(max_length=30, default="")
    reports_to = fields.CharField(max_length=50, default="")
    locals().update(_address("mailing"))
    locals().update(_address("other"))
    description = long_text()
    birthday = fields.DateField(null=True)
    # Comma-separated, as Outlook and vCard CATEGORIES have them; PIM sync may be limited to one.
    categories = fields.CharField(max_length=255, default="", db_default="")
    account = fields.ForeignKeyField(
        "models.Account", related_name="contacts", null=True, on_delete=fields.SET_NULL, db_index=True)

    class Meta:
        table = "contacts"
        # By reading (app.readings), then name: the default order of lists and the API, straight
        # off the index, no sort.
        ordering = ["last_name_kana", "first_name_kana", "last_name", "first_name", "id"]
        indexes = (("last_name_kana", "first_name_kana", "last_name", "first_name", "id"),)


class LeadStatus(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    QUALIFIED = "qualified"
    UNQUALIFIED = "unqualified"


class Lead(Searchable, PersonName, OwnedRecord):
    SEARCH_FIELDS = ("last_name", "first_name", "last_name_kana", "first_name_kana", "company", "email")
    SEARCH_NAMES = (("last_name", "first_name"), ("last_name_kana", "first_name_kana"))
    id = fields.IntField(primary_key=True)
    first_name = fields.CharField(max_length=40, default="")
    last_name = fields.CharField(max_length=80, db_index=True)
    first_name_kana = _reading(100)
    last_name_kana = _reading(100)
    reading_generated = _reading_generated()
    company = fields.CharField(max_length=200, default="")
    email = fields.CharField(max_length=254, default="", db_index=True)
    phone = fields.CharField(max_length=50, default="")
    mobile = fields.CharField(max_length=30, default="")
    status = fields.CharEnumField(LeadStatus, max_length=20, default=LeadStatus.NEW, db_index=True)
    description = long_text()
    # What the lead became (app.services.lead_conversion); a converted lead stays converted.
    converted_at = fields.DatetimeField(null=True)
    converted_contact = fields.ForeignKeyField(
        "models.Contact", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    converted_account = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    converted_deal = fields.ForeignKeyField(
        "models.Deal", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)

    class Meta:
        table = "leads"
        # By reading (app.readings), then name: the default order of lists and the API, straight
        # off the index, no sort.
        ordering = ["last_name_kana", "first_name_kana", "last_name", "first_name", "id"]
        indexes = (("last_name_kana", "first_name_kana", "last_name", "first_name", "id"),)


class StageCategory(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class Stage(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    category = fields.CharEnumField(StageCategory, max_length=10)
    probability = fields.IntField(default=0)
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "stages"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Deal(Searchable, OwnedRecord):
    SEARCH_FIELDS = ("name",)
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120, db_index=True)
    account = fields.ForeignKeyField(
        "models.Account", related_name="deals", null=True, on_delete=fields.SET_NULL, db_index=True)
    amount = fields.DecimalField(max_digits=18, decimal_places=2, null=True)
    currency = fields.CharField(max_length=3, default="JPY")
    stage = fields.ForeignKeyField("models.Stage", related_name="deals", on_delete=fields.RESTRICT, db_index=True)
    closing_date = fields.DateField(null=True, db_index=True)
    description = long_text()
    # Why a lost deal was lost: asked for when it moves to a lost stage, cleared when it leaves it.
    lost_reason = fields.CharField(max_length=255, default="")

    class Meta:
        table = "deals"
        ordering = ["-modified_at", "id"]

    def __str__(self) -> str:
        return self.name


class DealContact(Model):
    """A contact's part in a deal, with the role they play (decision maker, evaluator...)."""

    id = fields.IntField(primary_key=True)
    deal = fields.ForeignKeyField("models.Deal", related_name="deal_contacts", on_delete=fields.CASCADE, db_index=True)
    contact = fields.ForeignKeyField(
        "models.Contact", related_name="deal_links", on_delete=fields.CASCADE, db_index=True)
    role = fields.CharField(max_length=50, default="")

    class Meta:
        table = "deal_contacts"
        unique_together = (("deal", "contact"),)


class CaseStatus(StrEnum):
    NEW = "new"
    ON_HOLD = "on_hold"
    ESCALATED = "escalated"
    CLOSED = "closed"


class Case(Searchable, OwnedRecord):
    SEARCH_FIELDS = ("subject", "email")
    id = fields.IntField(primary_key=True)
    subject = fields.CharField(max_length=255)
    status = fields.CharEnumField(CaseStatus, max_length=20, default=CaseStatus.NEW, db_index=True)
    description = long_text()
    contact = fields.ForeignKeyField(
        "models.Contact", related_name="cases", null=True, on_delete=fields.SET_NULL, db_index=True)
    email = fields.CharField(max_length=254, default="", db_index=True)

    class Meta:
        table = "cases"
        ordering = ["-modified_at", "id"]

    def __str__(self) -> str:
        return self.subject


class CaseAttachment(Model):
    """A file kept with a case, taken from an e-mail.

    Its bytes are the mail blob the e-mail names (shared, never copied): removing the file or the
    case leaves the blob in place."""

    id = fields.IntField(primary_key=True)
    case = fields.ForeignKeyField("models.Case", related_name="attachments", on_delete=fields.CASCADE,
                                  db_index=True)
    blob = fields.ForeignKeyField("models.MailBlob", related_name=False, on_delete=fields.RESTRICT, db_index=True)
    filename = fields.CharField(max_length=255, default="")
    content_type = fields.CharField(max_length=100, default="application/octet-stream")
    size = fields.BigIntField(default=0)
    # The e-mail it was taken from; the file stays when the e-mail is gone.
    email = fields.ForeignKeyField("models.Email", related_name=False, null=True, on_delete=fields.SET_NULL,
                                   db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "case_attachments"
        ordering = ["id"]


class Product(Searchable, OwnedRecord):
    """A product or service the company sells, priced per unit with its consumption-tax rate."""

    SEARCH_FIELDS = ("name", "code", "description")
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200, db_index=True)
    # The SKU: unique among products when given (app.services.products)
    code = fields.CharField(max_length=100, default="", db_index=True)
    unit = fields.CharField(max_length=20, default="")
    unit_price = fields.DecimalField(max_digits=18, decimal_places=2, default=0)
    currency = fields.CharField(max_length=3, default="JPY")
    tax_rate = fields.DecimalField(max_digits=5, decimal_places=2, default=10)  # percent, as Books items
    description = long_text()
    active = fields.BooleanField(default=True, db_index=True)

    class Meta:
        table = "products"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class DealLine(Model):
    """One line item of a deal: a product (or free text), quantity, unit price and discount.

    A deal with lines has the sum of their amounts as its amount (app.services.deal_lines)."""

    id = fields.IntField(primary_key=True)
    deal = fields.ForeignKeyField("models.Deal", related_name="lines", on_delete=fields.CASCADE, db_index=True)
    position = fields.SmallIntField(default=0)
    product = fields.ForeignKeyField(
        "models.Product", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    description = fields.CharField(max_length=255, default="")
    quantity = fields.DecimalField(max_digits=14, decimal_places=4, default=1)
    unit_price = fields.DecimalField(max_digits=18, decimal_places=2, default=0)
    discount = fields.DecimalField(max_digits=18, decimal_places=2, default=0)  # an amount, not a percentage

    class Meta:
        table = "deal_lines"
        ordering = ["position", "id"]
