"""me, users, roles and node(id)."""

from __future__ import annotations

from typing import Any

import strawberry

from app.errors import NotFound
from app.models import ApiToken as ApiTokenModel
from app.models import Role as RoleModel
from app.models import Stage as StageModel
from app.services.accounts import accounts
from app.services.activities import events, tasks
from app.services.cases import cases, get_attachment
from app.services.products import products
from app.services.contacts import contacts
from app.services.deals import deals
from app.services.leads import leads
from app import kinds
from app.services import transactions
from app.services.books_contacts import books_contacts
from app.services.items import items
from app.services.organizations import organizations
from schema.context import Info
from app.services import sharing
from app.services.users import visible_users
from schema.queries.common import AUTH, AfterArg, FirstArg
from schema.queries.mail import attachment_by_id, email_by_id, mailbox_by_id
from schema.types.connection import Connection, paginate
from schema.types.node import Node, from_global_id
from schema.types.users import Me, User

SERVICES = {
    "Account": accounts,
    "Contact": contacts,
    "Lead": leads,
    "Deal": deals,
    "Task": tasks,
    "Event": events,
    "Case": cases,
    "Product": products,
}


SERVICES.update({"Organization": organizations, "BooksContact": books_contacts, "Item": items})
# Mail: under app.services.mail's visibility (schema.queries.mail)
MAIL = {"Email": email_by_id, "EmailAttachment": attachment_by_id, "Mailbox": mailbox_by_id}
TRANSACTION_KINDS = {k.type_name: k.kind for k in kinds.KINDS}


async def resolve_node(info: Info, global_id: str) -> Any:
    decoded = from_global_id(global_id)
    if decoded is None:
        return None
    type_name, pk = decoded
    try:
        if type_name in SERVICES:
            return await SERVICES[type_name].get(info.context.principal, pk)
        if type_name in TRANSACTION_KINDS:
            return await transactions.get(info.context.principal, TRANSACTION_KINDS[type_name], pk)
        if type_name == "CaseAttachment":  # a case's file: whoever sees the case
            return await get_attachment(info.context.principal, pk)
    except NotFound:
        return None
    if type_name == "User":
        return await visible_users(info.context.principal).get_or_none(id=pk)
    if type_name == "Role":
        return await RoleModel.get_or_none(id=pk)
    if type_name == "SharingRule":  # administrators only
        if not info.context.principal.is_admin:
            return None
        return await sharing.rules(info.context.principal).get_or_none(id=pk)
    if type_name == "Stage":
        return await StageModel.get_or_none(id=pk)
    if type_name == "ApiToken":  # one's own tokens only
        return await ApiTokenModel.get_or_none(id=pk, user_id=info.context.user.id)
    if type_name in MAIL:
        return await MAIL[type_name](info, global_id)
    return None


@strawberry.type
class UserQuery:
    @strawberry.field(permission_classes=AUTH, description="The signed-in user.")
    async def me(self, info: Info) -> Me:
        user = info.context.user
        return Me(user=user, role=user.role, language=user.language, timezone=user.timezone)

    @strawberry.field(permission_classes=AUTH, description="Active users, e.g. to choose an owner, by "
                      "name: yourself and those who share an organization with you (administrators: all).")
    async def users(self, info: Info, first: FirstArg = None, after: AfterArg = None) -> Connection[User]:
        return await paginate(visible_users(info.context.principal), ["name", "id"], first, after)

    @strawberry.field(permission_classes=AUTH, description="Any record by global id; null if not visible.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)
