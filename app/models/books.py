"""Books master data: organizations (with their members and settings), Books contacts (customers
and vendors, kept apart from CRM contacts) with their contact persons, and items."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from app.crypto import EncryptedField
from app.models.base import Searchable, Timestamped, long_text


class Edition(StrEnum):
    BOOKS = "books"  # full Books: sales orders too
    INVOICE = "invoice"  # invoicing only: estimates, invoices, purchase orders


class TaxRounding(StrEnum):
    DOWN = "down"  # 切り捨て, the usual choice in Japan
    HALF_UP = "half_up"  # 四捨五入
    UP = "up"  # 切り上げ


class SmtpSecurity(StrEnum):
    STARTTLS = "starttls"
    TLS = "tls"
    NONE = "none"


def _address(prefix: str) -> dict[str, fields.Field]:
    return {
        f"{prefix}_attention": fields.CharField(max_length=100, default=""),
        f"{prefix}_street": fields.CharField(max_length=250, default=""),
        f"{prefix}_city": fields.CharField(max_length=60, default=""),
        f"{prefix}_state": fields.CharField(max_length=60, default=""),
        f"{prefix}_code": fields.CharField(max_length=20, default=""),
        f"{prefix}_country": fields.CharField(max_length=60, default=""),
    }


class Organization(Timestamped):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    edition = fields.CharEnumField(Edition, max_length=10, default=Edition.BOOKS)
    locals().update(_address("address"))
    phone = fields.CharField(max_length=30, default="")
    email = fields.CharField(max_length=254, default="", db_index=True)
    website = fields.CharField(max_length=255, default="")
    # 適格請求書発行事業者登録番号: T + the 13-digit corporate number (check digit validated).
    registration_number = fields.CharField(max_length=14, default="")
    bank_details = fields.TextField(default="")
    # A stored document id-less file under DOCUMENTS_DIR (random name), PNG or JPEG.
    logo_path = fields.CharField(max_length=255, default="")
    # The company seal (角印) printed beside the issuer block, stored like the logo.
    seal_path = fields.CharField(max_length=255, default="", db_default="")  # added to tables with rows (0030)
    # Fiscal settings
    currency = fields.CharField(max_length=3, default="JPY")
    fiscal_year_start_month = fields.SmallIntField(default=4)  # April, as most Japanese companies
    tax_rounding = fields.CharEnumField(TaxRounding, max_length=10, default=TaxRounding.DOWN)
    # The payment terms of customers without their own (a code of app.services.payment_terms).
    payment_terms = fields.CharField(max_length=20, default="end_of_next_month", db_default="end_of_next_month")
    language = fields.CharField(max_length=5, default="ja")  # of PDFs and default templates
    # Numbering: prefix per transaction kind; the counters live in NumberSequence.
    estimate_prefix = fields.CharField(max_length=10, default="EST-")
    sales_order_prefix = fields.CharField(max_length=10, default="SO-")
    invoice_prefix = fields.CharField(max_length=10, default="INV-")
    purchase_order_prefix = fields.CharField(max_length=10, default="PO-")
    credit_note_prefix = fields.CharField(max_length=10, default="CN-", db_default="CN-")
    # Outgoing mail
    smtp_host = fields.CharField(max_length=255, default="")
    smtp_port = fields.IntField(default=587)
    smtp_username = fields.CharField(max_length=255, default="")
    smtp_password = EncryptedField()  # stored encrypted (app.crypto); never shown back
    smtp_security = fields.CharEnumField(SmtpSecurity, max_length=10, default=SmtpSecurity.STARTTLS)
    sender_email = fields.CharField(max_length=254, default="")
    sender_name = fields.CharField(max_length=100, default="")

    class Meta:
        table = "organizations"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Membership(Model):
    """A user belongs to one or more organizations."""

    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="memberships", on_delete=fields.CASCADE, db_index=True)
    user = fields.ForeignKeyField(
        "models.User", related_name="memberships", on_delete=fields.CASCADE, db_index=True)

    class Meta:
        table = "memberships"
        unique_together = (("organization", "user"),)


class ContactType(StrEnum):
    CUSTOMER = "customer"
    VENDOR = "vendor"


class PaymentTerms(StrEnum):
    """The presets of earlier versions: codes of app.services.payment_terms among others."""

    DUE_ON_RECEIPT = "due_on_receipt"
    NET_15 = "net_15"
    NET_30 = "net_30"
    NET_45 = "net_45"
    NET_60 = "net_60"
    END_OF_MONTH = "end_of_month"  # 当月末払い
    END_OF_NEXT_MONTH = "end_of_next_month"  # 月末締め翌月末払い


class BooksContact(Searchable, Timestamped):
    """A customer or vendor of one organization (Books' own record, not a CRM contact)."""
    SEARCH_FIELDS = ("display_name", "company_name", "email", "phone")

    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="books_contacts", on_delete=fields.RESTRICT, db_index=True)
    contact_type = fields.CharEnumField(ContactType, max_length=10, default=ContactType.CUSTOMER)
    # Companies are addressed 御中, persons 様.
    is_company = fields.BooleanField(default=True)
    display_name = fields.CharField(max_length=200, db_index=True)
    company_name = fields.CharField(max_length=200, default="")
    email = fields.CharField(max_length=254, default="", db_index=True)
    phone = fields.CharField(max_length=30, default="")
    website = fields.CharField(max_length=255, default="")
    locals().update(_address("billing"))
    locals().update(_address("shipping"))
    # A code of app.services.payment_terms (net N days or closing-date terms), blank for the
    # organization's terms.
    payment_terms = fields.CharField(max_length=20, default="")
    currency = fields.CharField(max_length=3, default="JPY")
    registration_number = fields.CharField(max_length=14, default="")
    notes = long_text()
    # An inactive customer keeps its documents but is no longer offered for new ones.
    is_active = fields.BooleanField(default=True, db_default=True, db_index=True)
    created_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)

    class Meta:
        table = "books_contacts"
        ordering = ["display_name", "id"]

    def __str__(self) -> str:
        return self.display_name


class ContactPerson(Model):
    id = fields.IntField(primary_key=True)
    books_contact = fields.ForeignKeyField(
        "models.BooksContact", related_name="persons", on_delete=fields.CASCADE, db_index=True)
    last_name = fields.CharField(max_length=80)
    first_name = fields.CharField(max_length=40, default="")
    email = fields.CharField(max_length=254, default="", db_index=True)
    phone = fields.CharField(max_length=30, default="")
    is_primary = fields.BooleanField(default=False)

    class Meta:
        table = "contact_persons"
        ordering = ["-is_primary", "id"]

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name) if p)


class Item(Searchable, Timestamped):
    SEARCH_FIELDS = ("name", "sku", "description")
    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="items", on_delete=fields.RESTRICT, db_index=True)
    name = fields.CharField(max_length=200, db_index=True)
    sku = fields.CharField(max_length=100, default="")
    unit = fields.CharField(max_length=20, default="")
    rate = fields.DecimalField(max_digits=18, decimal_places=4, default=0)
    tax_rate = fields.DecimalField(max_digits=5, decimal_places=2, default=10)
    description = long_text()
    is_active = fields.BooleanField(default=True)

    class Meta:
        table = "items"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
