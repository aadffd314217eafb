"""Create, update and delete accounts."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import UNSET

from app.services.accounts import accounts
from schema.context import Info
from schema.errors import Conflict, NotFound, PermissionDenied, ValidationError
from schema.mutations.common import DeletePayload, create, delete, update
from schema.queries.common import AUTH
from schema.types.accounts import Account


@strawberry.input(description="Fields of a account; on update, omitted fields keep their value.")
class AccountInput:
    name: str | None = UNSET
    name_kana: str | None = strawberry.field(
        default=UNSET, description="Reading of the name (katakana; hiragana is converted). Empty: generated.")
    phone: str | None = UNSET
    fax: str | None = UNSET
    website: str | None = UNSET
    description: str | None = UNSET
    billing_street: str | None = UNSET
    billing_building: str | None = UNSET
    billing_city: str | None = UNSET
    billing_state: str | None = UNSET
    billing_code: str | None = UNSET
    billing_country: str | None = UNSET
    shipping_street: str | None = UNSET
    shipping_building: str | None = UNSET
    shipping_city: str | None = UNSET
    shipping_state: str | None = UNSET
    shipping_code: str | None = UNSET
    shipping_country: str | None = UNSET
    owner_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Global id of the new owner (a user)."
    )


@strawberry.type
class AccountPayload:
    account: Account


CreateAccountResult = Annotated[
    AccountPayload | ValidationError | NotFound | PermissionDenied, strawberry.union("CreateAccountResult")
]
UpdateAccountResult = Annotated[
    AccountPayload | ValidationError | NotFound | PermissionDenied, strawberry.union("UpdateAccountResult")
]
DeleteAccountResult = Annotated[
    DeletePayload | NotFound | PermissionDenied | Conflict, strawberry.union("DeleteAccountResult")
]


@strawberry.type
class AccountMutation:
    @strawberry.mutation(permission_classes=AUTH)
    async def create_account(self, info: Info, input: AccountInput) -> CreateAccountResult:
        return await create(info, accounts, input, lambda r: AccountPayload(account=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def update_account(self, info: Info, id: strawberry.ID, input: AccountInput) -> UpdateAccountResult:
        return await update(info, accounts, "Account", id, input, lambda r: AccountPayload(account=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def delete_account(self, info: Info, id: strawberry.ID) -> DeleteAccountResult:
        return await delete(info, accounts, "Account", id)
