"""The one source of permission rules, used by services, GraphQL and pages alike.

A user's role grants actions per module (the permission matrix). Within a module, a user sees
their own records, every record when their role `sees_all_records`, and the records that sharing
rules open to them (read-only or read-write). Editing or deleting needs both the module grant and
read-write access to the record.

    principal = await Principal.load(user)       # once per request
    can(principal, "create_edit", contact)      # -> bool
    require(principal, "create_edit", contact)  # raises PermissionDenied / NotFound
    restrict(Contact.all(), principal)          # -> queryset of what may be seen
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from app import kinds
from app.errors import NotFound, PermissionDenied
from app.i18n import N_
from app.kept import MISSING, Kept
from app.statements import Statements
from app.models import (
    Access,
    Account,
    BooksContact,
    Item,
    Kind,
    Membership,
    Transaction,
    Case,
    Contact,
    Deal,
    Event,
    Grant,
    Lead,
    Product,
    SharingRule,
    Task,
    User,
)

CRM_MODULES = ("accounts", "contacts", "leads", "deals", "tasks", "events", "cases", "products")
# Books records belong to an organization: members see them all, as far as their role's grants go.
TRANSACTION_MODULES = ("estimates", "sales_orders", "invoices", "purchase_orders", "credit_notes")
BOOKS_MODULES = ("books_contacts", "items", *TRANSACTION_MODULES, "receivables")
MODULES = (*CRM_MODULES, *BOOKS_MODULES, "settings")
ACTIONS = ("view", "create_edit", "delete", "email", "admin")
# Which actions make sense in which module (settings only knows `admin`). Transactions are never
# deleted (numbers must stay gapless): they are voided.
MODULE_ACTIONS: dict[str, tuple[str, ...]] = {
    **{m: ("view", "create_edit", "delete", "email") for m in CRM_MODULES},
    "products": ("view", "create_edit", "delete"),  # a catalogue: nothing to e-mail
    "books_contacts": ("view", "create_edit", "delete"),
    "items": ("view", "create_edit", "delete"),
    **{m: ("view", "create_edit", "email") for m in TRANSACTION_MODULES},
    "receivables": ("view",),
    "settings": ("admin",),
}
MODULE_OF_KIND: dict[Kind, str] = {k.kind: k.module for k in kinds.KINDS}

MODULE_OF_MODEL: dict[type[Model], str] = {
    Account: "accounts",
    Contact: "contacts",
    Lead: "leads",
    Deal: "deals",
    Task: "tasks",
    Event: "events",
    Case: "cases",
    Product: "products",
}

BOOKS_MODEL_MODULE: dict[type[Model], str] = {BooksContact: "books_contacts", Item: "items"}

# The roles every deployment starts with and their grants.
_ALL_CRM = {(m, a) for m in CRM_MODULES for a in MODULE_ACTIONS[m]}
_ALL_BOOKS = {(m, a) for m in BOOKS_MODULES for a in MODULE_ACTIONS[m]}
DEFAULT_ROLES: dict[str, dict] = {
    "Administrator": {
        "description": "Full access, including settings.",
        "sees_all_records": True,
        "grants": _ALL_CRM | _ALL_BOOKS | {("settings", "admin")},
    },
    "Manager": {
        "description": "Sees and edits every record; no settings.",
        "sees_all_records": True,
        "grants": _ALL_CRM | _ALL_BOOKS,
    },
    "Sales": {
        "description": "Works their own records and those shared with them; quotes and orders.",
        "sees_all_records": False,
        "grants": {(m, a) for m in CRM_MODULES for a in ("view", "create_edit", "email")
                   if a in MODULE_ACTIONS[m]}
        | {(m, a) for m in ("estimates", "sales_orders") for a in ("view", "create_edit", "email")}
        | {("books_contacts", "view"), ("books_contacts", "create_edit"), ("items", "view"),
           ("invoices", "view")},
    },
    "Accountant": {
        "description": "Reads accounts, contacts and deals; runs the books.",
        "sees_all_records": False,
        "grants": {("accounts", "view"), ("contacts", "view"), ("deals", "view"), ("products", "view")}
        | _ALL_BOOKS,
    },
}


@dataclass(frozen=True)
class Scope:
    """Which owners' records one user reaches in one module (immutable: kept across requests)."""

    everything: bool = False
    read_owner_ids: frozenset[int] = frozenset()
    write_owner_ids: frozenset[int] = frozenset()
    write_everything: bool = False


async def _nothing() -> list:
    return []


@dataclass(frozen=True)
class Reach:
    """What one user at one access stamp may do: everything `Principal` reads, computed once.

    `statements` keeps the look-ups built for this reach (`app.statements`): those that filter by
    what it may see depend on nothing else, and live exactly as long as the reach is kept."""

    grants: frozenset[tuple[str, str]]
    sees_all: bool
    scopes: Mapping[str, Scope]  # read-only (a MappingProxyType)
    organization_ids: frozenset[int]
    statements: Statements = field(default_factory=Statements, compare=False, repr=False)

    @classmethod
    async def load(cls, user: User) -> Reach:
        """Three look-ups at once, a fourth for role-wide shares."""
        role = user.role if hasattr(user.role, "sees_all_records") else await user.role
        # Independent look-ups run together: on PostgreSQL each takes a pooled connection.
        grant_rows, organization_ids, rules = await asyncio.gather(
            Grant.filter(role_id=role.id).values_list("module", "action"),
            Membership.filter(user_id=user.id).values_list("organization_id", flat=True),
            SharingRule.filter(Q(grantee_user_id=user.id) | Q(grantee_role_id=role.id), module__in=CRM_MODULES)
            if not role.sees_all_records else _nothing(),
        )
        if role.sees_all_records:
            scopes = dict.fromkeys(CRM_MODULES, Scope(everything=True, write_everything=True))
        else:
            scopes = _shared_scopes(rules, await _role_members(rules))
        return cls(grants=frozenset(grant_rows), sees_all=role.sees_all_records,
                   scopes=MappingProxyType(scopes),
                   organization_ids=frozenset(organization_ids))


async def _role_members(rules: list[SharingRule]) -> dict[int, set[int]]:
    """The members of the roles whose records the rules share, by role."""
    owner_roles = {r.owner_role_id for r in rules if r.owner_role_id}
    members: dict[int, set[int]] = {}
    if owner_roles:
        for uid, rid in await User.filter(role_id__in=owner_roles).values_list("id", "role_id"):
            members.setdefault(rid, set()).add(uid)
    return members


def _shared_scopes(rules: list[SharingRule], role_members: dict[int, set[int]]) -> dict[str, Scope]:
    everything = dict.fromkeys(CRM_MODULES, False)
    write_everything = dict.fromkeys(CRM_MODULES, False)
    read: dict[str, set[int]] = {m: set() for m in CRM_MODULES}
    write: dict[str, set[int]] = {m: set() for m in CRM_MODULES}
    for rule in rules:
        writes = rule.access == Access.READ_WRITE
        if not rule.owner_user_id and not rule.owner_role_id:
            everything[rule.module] = True
            write_everything[rule.module] |= writes
            continue
        owners = {rule.owner_user_id} if rule.owner_user_id else role_members.get(rule.owner_role_id, set())
        read[rule.module] |= owners
        if writes:
            write[rule.module] |= owners
    return {m: Scope(everything[m], frozenset(read[m]), frozenset(write[m]), write_everything[m])
            for m in CRM_MODULES}


class _Reaches:
    """Reaches kept per process, by (user, role, access stamp), least recently used out first.

    Every change that shapes a reach replaces the stamp (`app.models.AccessStamp`), which the
    request's authenticating look-up reads, so a kept reach is never older than the database."""

    def __init__(self, size: int) -> None:
        self._kept: Kept[Reach] = Kept(size)

    async def get(self, user: User, stamp: str | None) -> Reach:
        if stamp is None:  # a database without its stamp row: nothing can be kept
            return await Reach.load(user)
        key = (user.id, user.role_id, stamp)
        reach = self._kept.get(key)
        if reach is MISSING:
            reach = self._kept.put(key, await Reach.load(user))
        return reach

    def __len__(self) -> int:
        return len(self._kept)


reaches = _Reaches(size=1024)


@dataclass
class Principal:
    """The requesting user and their reach, for one request."""

    user: User
    grants: frozenset[tuple[str, str]]
    sees_all: bool
    scopes: Mapping[str, Scope]
    # The Books organizations the user belongs to.
    organization_ids: frozenset[int] = frozenset()
    # The organization the user works in now (chosen in the page header); None: their first one.
    active_organization_id: int | None = None
    # Look-ups built for the reach, shared by the requests of one reach (see `Reach.statements`).
    statements: Statements = field(default_factory=Statements, repr=False)

    @property
    def current_organization_id(self) -> int | None:
        if self.active_organization_id in self.organization_ids:
            return self.active_organization_id
        return min(self.organization_ids) if self.organization_ids else None

    @classmethod
    async def load(cls, user: User, access_stamp: str | None = None) -> Principal:
        """Everything permission checks need. With the access stamp read along with the user (as
        authentication does), a reach computed for the same user, role and stamp is reused."""
        reach = await reaches.get(user, access_stamp)
        return cls(user=user, grants=reach.grants, sees_all=reach.sees_all, scopes=reach.scopes,
                   organization_ids=reach.organization_ids, statements=reach.statements)

    def joined(self, organization_id: int) -> None:
        """The user has just been made a member of `organization_id` (this request sees it)."""
        self.organization_ids = self.organization_ids | {organization_id}
        self.statements = Statements()  # those built for the reach would leave the new one out

    @property
    def is_admin(self) -> bool:
        return ("settings", "admin") in self.grants

    def has(self, module: str, action: str) -> bool:
        return (module, action) in self.grants

    def access_to(self, module: str, owner_id: int) -> Access | None:
        """The access this user has to a record of `owner_id` in `module`, ignoring grants."""
        if owner_id == self.user.id:
            return Access.READ_WRITE
        scope = self.scopes[module]
        if scope.write_everything or owner_id in scope.write_owner_ids:
            return Access.READ_WRITE
        if scope.everything or owner_id in scope.read_owner_ids:
            return Access.READ_ONLY
        return None


def module_of(obj_or_model: Model | type[Model]) -> str:
    if isinstance(obj_or_model, Transaction):
        return MODULE_OF_KIND[obj_or_model.kind]
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return MODULE_OF_MODEL.get(model) or BOOKS_MODEL_MODULE[model]


def is_books(obj: Model) -> bool:
    return isinstance(obj, Transaction) or type(obj) in BOOKS_MODEL_MODULE


def can(principal: Principal, action: str, target: Model | str) -> bool:
    """May the principal do `action` on a record (or, given a module name, in that module)?"""
    if isinstance(target, str):
        return principal.has(target, action)
    try:
        require(principal, action, target)
    except (PermissionDenied, NotFound):
        return False
    return True


def require(principal: Principal, action: str, target: Model | str) -> None:
    """Raise unless allowed. A record the user may not see at all is reported as NotFound."""
    if isinstance(target, str):
        if not principal.has(target, action):
            raise PermissionDenied()
        return
    module = module_of(target)
    if is_books(target):
        _require_books(principal, action, module, target)
        return
    access = principal.access_to(module, target.owner_id) if principal.has(module, "view") else None
    if access is None:
        raise NotFound()
    if action == "view":
        return
    if not principal.has(module, action):
        raise PermissionDenied()
    if action in ("create_edit", "delete") and access != Access.READ_WRITE:
        raise PermissionDenied(N_("This record is shared with you read-only."))


def _require_books(principal: Principal, action: str, module: str, target: Model) -> None:
    """Books records: members of the record's organization, as far as their grants go."""
    if target.organization_id not in principal.organization_ids or not principal.has(module, "view"):
        raise NotFound()
    if action != "view" and not principal.has(module, action):
        raise PermissionDenied()


def restrict(
    queryset: QuerySet, principal: Principal, action: str = "view", module: str | None = None
) -> QuerySet:
    """Filter a queryset to the records the principal may `view` (or edit, for `create_edit`).

    Transactions share one table: pass the kind's `module` (the queryset filtered to that kind)."""
    module = module or MODULE_OF_MODEL.get(queryset.model) or BOOKS_MODEL_MODULE[queryset.model]
    if not principal.has(module, "view") or not principal.has(module, action):
        return queryset.filter(id__isnull=True)  # nothing: never counted, never leaked
    if module in BOOKS_MODULES:
        return queryset.filter(organization_id__in=sorted(principal.organization_ids))
    scope = principal.scopes[module]
    write = action in ("create_edit", "delete")
    if scope.write_everything or (scope.everything and not write):
        return queryset
    owners = {principal.user.id} | (scope.write_owner_ids if write else scope.read_owner_ids)
    return queryset.filter(owner_id__in=sorted(owners))


def visible_mailboxes(principal: Principal) -> QuerySet:
    """The mailboxes whose mail a user sees: their own, those shared with every user, and those
    shared with them by name. Nothing else, administrators included: private mail stays private."""
    from tortoise.expressions import Subquery

    from app.models import Mailbox, MailboxShare, MailboxSharing

    uid = principal.user.id
    chosen = Subquery(MailboxShare.filter(user_id=uid).values("mailbox_id"))
    return Mailbox.filter(Q(owner_id=uid) | Q(sharing=MailboxSharing.ALL)
                          | Q(sharing=MailboxSharing.CHOSEN, id__in=chosen))
