"""Books master data: organizations (the tenants), Books contacts (customers and vendors) with
their contact persons, items and e-mail templates; and how Books amounts are sent."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from app.models import BooksContact as BooksContactModel
from app.models import ContactType as ContactTypeEnum
from app.models import Edition as EditionEnum
from app.models import EmailTemplate as EmailTemplateModel
from app.models import Item as ItemModel
from app.models import Kind as KindEnum
from app.models import Organization as OrganizationModel
from app.models import PaymentTerms as PaymentTermsEnum
from app.models import SmtpSecurity as SmtpSecurityEnum
from app.models import TaxRounding as TaxRoundingEnum
from schema.context import Info
from schema.loaders import ready
from schema.types.node import Node, global_id_field, model_type_check

Edition = strawberry.enum(EditionEnum, name="Edition")
TaxRounding = strawberry.enum(TaxRoundingEnum, name="TaxRounding")
SmtpSecurity = strawberry.enum(SmtpSecurityEnum, name="SmtpSecurity")
ContactType = strawberry.enum(ContactTypeEnum, name="ContactType")
PaymentTerms = strawberry.enum(PaymentTermsEnum, name="PaymentTerms")
TransactionKind = strawberry.enum(KindEnum, name="TransactionKind")


@strawberry.type(description="Payment terms as data: net N days, or closing-date terms (締め日): "
                 "closing on a day (1-28 or month end), paid on a day of the month 0-3 months later.")
class PaymentTermsRule:
    code: str = strawberry.field(description="The terms as one code: net_30, close_20_1_10 "
                                 "(20日締め翌月10日払い), close_eom_1_eom or its preset name "
                                 "end_of_next_month, due_on_receipt ...")
    label: str = strawberry.field(description="The terms in words, in your language.")
    net_days: int | None = strawberry.field(description="Net terms: days after the document date.")
    closing_day: int | None = strawberry.field(description="Closing-date terms: 1-28, or 31 for month end.")
    payment_month_offset: int | None = strawberry.field(description="0: the closing month, 1: the next ...")
    payment_day: int | None = strawberry.field(description="1-28, or 31 for month end.")


def terms_rule(code: str, info: Info) -> PaymentTermsRule | None:
    """The rule a stored code spells; None for a blank (or unreadable) one."""
    from app.errors import ValidationError
    from app.services import payment_terms

    try:
        terms = payment_terms.parse(code)
    except ValidationError:
        return None
    return PaymentTermsRule(
        code=terms.code, label=payment_terms.text(terms.code, info.context.lang),
        net_days=terms.net_days, closing_day=terms.closing_day,
        payment_month_offset=terms.month_offset if terms.is_closing else None,
        payment_day=terms.payment_day)


def preset(code: str) -> Any:
    """The PaymentTerms enum value a code is, or None (blank, or terms no preset names)."""
    try:
        return PaymentTermsEnum(code)
    except ValueError:
        return None


def exact(value: Decimal | int) -> Decimal:
    """The value without the trailing zeros of its database column ("11000.0000" -> "11000"),
    never in exponent notation. (A record not yet read back may still hold a column's int default.)"""
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def decimal_field(name: str, description: str | None = None) -> Any:
    """A Decimal attribute of the model, sent by `exact`."""

    def resolve(root: Any) -> Decimal:
        return exact(getattr(root, name))

    return strawberry.field(resolver=resolve, description=description, metadata={"columns": (name,)})


def organization_field() -> Any:
    def resolve(root: Any, info: Info) -> Organization:
        return ready(info.context.loaders.organization, root.organization_id)

    return strawberry.field(resolver=resolve, description="The organization the record belongs to.")



def _admin_only(column: str) -> Any:
    """An organization's mail server settings: administrators (members, as every organization
    shown is one's own) read them; for other members they are null."""

    def resolve(root: Any, info: Info) -> Any:
        return getattr(root, column) if info.context.principal.is_admin else None

    return strawberry.field(resolver=resolve, metadata={"columns": (column,)},
                            description="Mail server setting: administrators only, null for others.")


@strawberry.type(description="A company keeping its books in Kizuna; users belong to one or more.")
class Organization(Node):
    id: strawberry.ID = global_id_field("Organization")
    name: str
    edition: Edition = strawberry.field(description="INVOICE has no sales orders.")
    address_attention: str
    address_street: str
    address_city: str
    address_state: str
    address_code: str
    address_country: str
    phone: str
    email: str
    website: str
    registration_number: str = strawberry.field(
        description="Qualified-invoice registration number (T + 13 digits), or empty."
    )
    bank_details: str
    currency: str = strawberry.field(description="ISO 4217 code of the books, e.g. JPY.")
    fiscal_year_start_month: int
    tax_rounding: TaxRounding = strawberry.field(description="How consumption tax is rounded, once per rate.")
    language: str = strawberry.field(description="Language of PDFs and default e-mail templates (ja, en).")

    @strawberry.field(description="The payment terms of customers without their own.",
                      metadata={"columns": ("payment_terms",)})
    def payment_terms(self, info: Info) -> PaymentTermsRule | None:
        return terms_rule(self.payment_terms, info)

    estimate_prefix: str
    sales_order_prefix: str
    invoice_prefix: str
    purchase_order_prefix: str
    smtp_host: str | None = _admin_only("smtp_host")
    smtp_port: int | None = _admin_only("smtp_port")
    smtp_username: str | None = _admin_only("smtp_username")
    smtp_security: SmtpSecurity | None = _admin_only("smtp_security")  # type: ignore[valid-type]
    sender_email: str
    sender_name: str
    created_at: datetime
    modified_at: datetime
    is_type_of = model_type_check(OrganizationModel)

    @strawberry.field(description="Whether documents can be sent by e-mail (SMTP host and sender set).")
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host and self.sender_email)


@strawberry.type(description="A person to address at a Books contact; the primary one comes first.")
class ContactPerson:
    last_name: str
    first_name: str
    full_name: str
    email: str
    phone: str
    is_primary: bool


@strawberry.type(description="A customer or vendor of one organization (not a CRM contact).")
class BooksContact(Node):
    id: strawberry.ID = global_id_field("BooksContact")
    contact_type: ContactType
    is_company: bool = strawberry.field(description="Companies are addressed 御中, persons 様.")
    display_name: str
    company_name: str
    email: str
    phone: str
    website: str
    billing_attention: str
    billing_street: str
    billing_city: str
    billing_state: str
    billing_code: str
    billing_country: str
    shipping_attention: str
    shipping_street: str
    shipping_city: str
    shipping_state: str
    shipping_code: str
    shipping_country: str
    @strawberry.field(description="The contact's payment terms when a preset names them; null when "
                      "the contact has none of its own (the organization's apply) or others: see `paymentTermsRule`.",
                      metadata={"columns": ("payment_terms",)})
    def payment_terms(self) -> PaymentTerms | None:
        return preset(self.payment_terms)

    @strawberry.field(description="The contact's own payment terms; null: the organization's apply.",
                      metadata={"columns": ("payment_terms",)})
    def payment_terms_rule(self, info: Info) -> PaymentTermsRule | None:
        return terms_rule(self.payment_terms, info)

    currency: str = strawberry.field(description="ISO 4217 code; the contact's transactions use it.")
    registration_number: str
    notes: str
    is_active: bool = strawberry.field(
        description="An inactive customer or vendor keeps its documents but takes no new ones.")
    created_at: datetime
    modified_at: datetime
    organization: Organization = organization_field()
    is_type_of = model_type_check(BooksContactModel)

    @strawberry.field(description="Contact persons, the primary one first.")
    def persons(self, info: Info) -> list[ContactPerson]:
        return ready(info.context.loaders.persons_by_contact, self.id)


@strawberry.type(description="Something an organization sells or buys.")
class Item(Node):
    id: strawberry.ID = global_id_field("Item")
    name: str
    sku: str
    unit: str
    rate: Decimal = decimal_field("rate", "Unit price as a decimal string, in the organization's currency.")
    tax_rate: Decimal = decimal_field("tax_rate", "Consumption-tax rate in percent: 10, 8 or 0.")
    description: str
    is_active: bool
    created_at: datetime
    modified_at: datetime
    organization: Organization = organization_field()
    is_type_of = model_type_check(ItemModel)


@strawberry.type(description="The subject and body of the e-mail that sends one kind of document.")
class EmailTemplate(Node):
    id: strawberry.ID = global_id_field("EmailTemplate")
    kind: TransactionKind
    name: str
    language: str
    subject: str = strawberry.field(description="With `{placeholder}`s, filled in when composing.")
    body: str
    is_default: bool
    created_at: datetime
    modified_at: datetime
    is_type_of = model_type_check(EmailTemplateModel)
