"""Books master data: organizations (administrators), Books contacts with their contact persons,
items, and the e-mail templates that send documents."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry
from strawberry import UNSET

from app.services import email_templates
from app.services.books_contacts import books_contacts
from app.services.items import items
from app.services.organizations import organizations
from schema.context import Info
from schema.errors import Conflict, NotFound, PermissionDenied, ValidationError, attempt
from schema.mutations.common import (
    ID_TYPES,
    DeletePayload,
    create,
    delete,
    existing_pk,
    result,
    to_data,
    update,
)
from schema.queries.common import AUTH
from schema.types.books import (
    BooksContact,
    ContactType,
    Edition,
    EmailTemplate,
    Item,
    Organization,
    PaymentTerms,
    SmtpSecurity,
    TaxRounding,
    TransactionKind,
)

# Books inputs reuse CRM field names for other types: a Books `contactId` names a BooksContact.
BOOKS_ID_TYPES = {
    **ID_TYPES,
    "contact_id": "BooksContact",
    "organization_id": "Organization",
    "item_id": "Item",
    "salesperson_id": "User",
}


def _data(input: Any) -> dict[str, Any]:
    """Input as service data: `paymentTermsCode` is the service's `payment_terms`."""
    data = to_data(input, BOOKS_ID_TYPES)
    if "payment_terms_code" in data:
        code = data.pop("payment_terms_code")
        data["payment_terms"] = "" if code is None else code
    return data


def organization_id_field() -> Any:
    return strawberry.field(
        default=UNSET, description="Global id of an organization you belong to; default: your current "
        "one. Fixed once created."
    )


@strawberry.input(description="Settings of an organization; on update, omitted fields keep their value. "
                  "The SMTP password is set in the Settings page only.")
class OrganizationInput:
    name: str | None = UNSET
    edition: Edition | None = UNSET
    address_attention: str | None = UNSET
    address_street: str | None = UNSET
    address_city: str | None = UNSET
    address_state: str | None = UNSET
    address_code: str | None = UNSET
    address_country: str | None = UNSET
    phone: str | None = UNSET
    email: str | None = UNSET
    website: str | None = UNSET
    registration_number: str | None = UNSET
    bank_details: str | None = UNSET
    currency: str | None = UNSET
    fiscal_year_start_month: int | None = UNSET
    tax_rounding: TaxRounding | None = UNSET
    language: str | None = UNSET
    payment_terms_code: str | None = strawberry.field(
        default=UNSET, description="Payment terms as a code (net_30, close_20_1_10 for 20日締め翌月10日払い, "
        "close_eom_1_eom ...: see PaymentTermsRule); takes the place of `paymentTerms`. The terms of "
        "customers without their own.")
    estimate_prefix: str | None = UNSET
    sales_order_prefix: str | None = UNSET
    invoice_prefix: str | None = UNSET
    purchase_order_prefix: str | None = UNSET
    smtp_host: str | None = UNSET
    smtp_port: int | None = UNSET
    smtp_username: str | None = UNSET
    smtp_security: SmtpSecurity | None = UNSET
    sender_email: str | None = UNSET
    sender_name: str | None = UNSET


@strawberry.input(description="A contact person; the first one is primary unless one says otherwise.")
class ContactPersonInput:
    last_name: str
    first_name: str = ""
    email: str = ""
    phone: str = ""
    is_primary: bool = False


@strawberry.input(description="Fields of a Books contact; on update, omitted fields keep their value.")
class BooksContactInput:
    organization_id: strawberry.ID | None = organization_id_field()
    contact_type: ContactType | None = UNSET
    is_company: bool | None = UNSET
    display_name: str | None = UNSET
    company_name: str | None = UNSET
    email: str | None = UNSET
    phone: str | None = UNSET
    website: str | None = UNSET
    billing_attention: str | None = UNSET
    billing_street: str | None = UNSET
    billing_city: str | None = UNSET
    billing_state: str | None = UNSET
    billing_code: str | None = UNSET
    billing_country: str | None = UNSET
    shipping_attention: str | None = UNSET
    shipping_street: str | None = UNSET
    shipping_city: str | None = UNSET
    shipping_state: str | None = UNSET
    shipping_code: str | None = UNSET
    shipping_country: str | None = UNSET
    payment_terms: PaymentTerms | None = UNSET
    payment_terms_code: str | None = strawberry.field(
        default=UNSET, description="Payment terms as a code (net_30, close_20_1_10 for 20日締め翌月10日払い, "
        "close_eom_1_eom ...: see PaymentTermsRule); takes the place of `paymentTerms`. Empty: the "
        "organization's terms apply.")
    currency: str | None = UNSET
    registration_number: str | None = UNSET
    notes: str | None = UNSET
    is_active: bool | None = strawberry.field(
        default=UNSET,
        description="False: no longer offered for new documents (a customer with documents cannot be deleted).")
    persons: list[ContactPersonInput] | None = strawberry.field(
        default=UNSET, description="Replaces every contact person when given."
    )


@strawberry.input(description="Fields of an item; on update, omitted fields keep their value.")
class ItemInput:
    organization_id: strawberry.ID | None = organization_id_field()
    name: str | None = UNSET
    sku: str | None = UNSET
    unit: str | None = UNSET
    rate: Decimal | None = UNSET
    tax_rate: Decimal | None = strawberry.field(default=UNSET, description="Percent: 10, 8 or 0.")
    description: str | None = UNSET
    is_active: bool | None = UNSET


@strawberry.input(description="Fields of an e-mail template; on update, omitted fields keep their value.")
class EmailTemplateInput:
    name: str | None = UNSET
    language: str | None = strawberry.field(default=UNSET, description="ja or en.")
    subject: str | None = UNSET
    body: str | None = UNSET
    is_default: bool | None = strawberry.field(
        default=UNSET, description="The default template of its kind; the previous default stops being one."
    )


@strawberry.type
class OrganizationPayload:
    organization: Organization


@strawberry.type
class BooksContactPayload:
    books_contact: BooksContact


@strawberry.type
class ItemPayload:
    item: Item


@strawberry.type
class EmailTemplatePayload:
    email_template: EmailTemplate


CreateOrganizationResult = result("CreateOrganization", OrganizationPayload, ValidationError, PermissionDenied)
UpdateOrganizationResult = result(
    "UpdateOrganization", OrganizationPayload, ValidationError, NotFound, PermissionDenied
)
CreateBooksContactResult = result(
    "CreateBooksContact", BooksContactPayload, ValidationError, NotFound, PermissionDenied
)
UpdateBooksContactResult = result(
    "UpdateBooksContact", BooksContactPayload, ValidationError, NotFound, PermissionDenied
)
DeleteBooksContactResult = result("DeleteBooksContact", DeletePayload, NotFound, PermissionDenied, Conflict)
CreateItemResult = result("CreateItem", ItemPayload, ValidationError, NotFound, PermissionDenied)
UpdateItemResult = result("UpdateItem", ItemPayload, ValidationError, NotFound, PermissionDenied)
DeleteItemResult = result("DeleteItem", DeletePayload, NotFound, PermissionDenied, Conflict)
CreateEmailTemplateResult = result(
    "CreateEmailTemplate", EmailTemplatePayload, ValidationError, NotFound, PermissionDenied
)
UpdateEmailTemplateResult = result(
    "UpdateEmailTemplate", EmailTemplatePayload, ValidationError, NotFound, PermissionDenied
)
DeleteEmailTemplateResult = result(
    "DeleteEmailTemplate", DeletePayload, ValidationError, NotFound, PermissionDenied
)


@strawberry.type
class BooksMutation:
    @strawberry.mutation(permission_classes=AUTH, description="A new organization, with you as its "
                         "first member and the default e-mail templates (administrators).")
    async def create_organization(self, info: Info, input: OrganizationInput) -> CreateOrganizationResult:
        return await attempt(info, lambda: organizations.create(info.context.principal, _data(input)),
                             lambda r: OrganizationPayload(organization=r))

    @strawberry.mutation(permission_classes=AUTH,
                         description="Change an organization's settings (administrators).")
    async def update_organization(
        self, info: Info, id: strawberry.ID, input: OrganizationInput
    ) -> UpdateOrganizationResult:
        return await attempt(
            info, lambda: organizations.update(info.context.principal, existing_pk(id, "Organization"), _data(input)),
            lambda r: OrganizationPayload(organization=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def create_books_contact(self, info: Info, input: BooksContactInput) -> CreateBooksContactResult:
        return await attempt(info, lambda: books_contacts.create(info.context.principal, _data(input)),
                             lambda r: BooksContactPayload(books_contact=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def update_books_contact(
        self, info: Info, id: strawberry.ID, input: BooksContactInput
    ) -> UpdateBooksContactResult:
        return await attempt(
            info, lambda: books_contacts.update(info.context.principal, existing_pk(id, "BooksContact"), _data(input)),
            lambda r: BooksContactPayload(books_contact=r))

    @strawberry.mutation(permission_classes=AUTH,
                         description="Refused (Conflict) while documents use the contact.")
    async def delete_books_contact(self, info: Info, id: strawberry.ID) -> DeleteBooksContactResult:
        return await delete(info, books_contacts, "BooksContact", id)

    @strawberry.mutation(permission_classes=AUTH)
    async def create_item(self, info: Info, input: ItemInput) -> CreateItemResult:
        return await create(info, items, input, lambda r: ItemPayload(item=r), BOOKS_ID_TYPES)

    @strawberry.mutation(permission_classes=AUTH)
    async def update_item(self, info: Info, id: strawberry.ID, input: ItemInput) -> UpdateItemResult:
        return await update(info, items, "Item", id, input, lambda r: ItemPayload(item=r), BOOKS_ID_TYPES)

    @strawberry.mutation(permission_classes=AUTH)
    async def delete_item(self, info: Info, id: strawberry.ID) -> DeleteItemResult:
        return await delete(info, items, "Item", id)

    @strawberry.mutation(permission_classes=AUTH,
                         description="A new template for one kind of document (administrators).")
    async def create_email_template(
        self, info: Info, organization_id: strawberry.ID, kind: TransactionKind, input: EmailTemplateInput
    ) -> CreateEmailTemplateResult:
        principal = info.context.principal
        return await attempt(
            info,
            lambda: email_templates.create(
                principal, existing_pk(organization_id, "Organization"), kind, to_data(input)),
            lambda r: EmailTemplatePayload(email_template=r),
        )

    # email_templates.update and .delete take the same arguments as a RecordService's.
    @strawberry.mutation(permission_classes=AUTH, description="Change a template (administrators).")
    async def update_email_template(
        self, info: Info, id: strawberry.ID, input: EmailTemplateInput
    ) -> UpdateEmailTemplateResult:
        return await update(info, email_templates, "EmailTemplate", id, input,
                            lambda r: EmailTemplatePayload(email_template=r))

    @strawberry.mutation(permission_classes=AUTH, description="Remove a template; every kind keeps one "
                         "at least (administrators).")
    async def delete_email_template(self, info: Info, id: strawberry.ID) -> DeleteEmailTemplateResult:
        return await delete(info, email_templates, "EmailTemplate", id)
