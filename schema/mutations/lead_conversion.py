"""convertLead: a lead becomes a contact, at an account, optionally with a deal
(app.services.lead_conversion holds every rule)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
import strawberry
from strawberry import UNSET

from app import errors
from app.services import lead_conversion
from schema.context import Info
from schema.errors import Conflict, NotFound, PermissionDenied, ValidationError, attempt
from schema.mutations.common import existing_pk, result, to_data
from schema.queries.common import AUTH
from schema.types.accounts import Account
from schema.types.contacts import Contact
from schema.types.deals import Deal
from schema.types.leads import Lead


@strawberry.input(description="The deal made with the conversion.")
class ConvertLeadDealInput:
    name: str
    amount: Decimal | None = UNSET
    currency: str | None = UNSET
    stage_id: strawberry.ID = strawberry.field(description="Global id of the deal's stage.")
    closing_date: date | None = UNSET


@strawberry.input(description="What a lead becomes. Without `accountId` and `accountName` the contact has no "
                              "account; without `contactId` a new contact is made from the lead.")
class ConvertLeadInput:
    account_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Global id of an existing account (see the lead's offer: same-name accounts).")
    account_name: str | None = strawberry.field(
        default=UNSET, description="The name of a new account, when no accountId is given.")
    contact_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Global id of an existing contact (a duplicate) to merge the lead into.")
    deal: ConvertLeadDealInput | None = strawberry.field(default=UNSET, description="A deal to create, if any.")


@strawberry.type(description="What the lead became.")
class ConvertLeadPayload:
    lead: Lead
    contact: Contact
    account: Account | None
    deal: Deal | None


ConvertLeadResult = result(
    "ConvertLead", ConvertLeadPayload, ValidationError, NotFound, PermissionDenied, Conflict)


@strawberry.type
class LeadConversionMutation:
    @strawberry.mutation(permission_classes=AUTH, description=(
        "Convert a lead into a contact (new, or an existing one with the same e-mail), at an account "
        "(existing or new) and optionally with a deal; its tasks, events, attendances and mail added by "
        "hand move to the contact. A lead is converted once."))
    async def convert_lead(self, info: Info, id: strawberry.ID, input: ConvertLeadInput) -> ConvertLeadResult:
        principal = info.context.principal

        async def run() -> ConvertLeadPayload:
            data = to_data(dataclasses.replace(input, deal=UNSET))
            if input.deal:
                try:
                    data["deal"] = to_data(input.deal)
                except errors.ValidationError as exc:  # paths within the input: deal.stageId
                    raise errors.ValidationError(
                        [errors.FieldError(f"deal.{e.field}", e.msgid, e.params) for e in exc.errors]) from None
            done = await lead_conversion.convert(principal, existing_pk(id, "Lead"), data)
            return ConvertLeadPayload(lead=done.lead, contact=done.contact, account=done.account, deal=done.deal)

        return await attempt(info, run)
