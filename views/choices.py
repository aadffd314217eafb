"""Labels for enum values and the option lists form selects offer (only what the user may see)."""

from __future__ import annotations

from tortoise.expressions import Q

from app import money
from app.i18n import N_
from app.models import (
    Account,
    CaseStatus,
    Contact,
    Lead,
    LeadStatus,
    Product,
    RelatedType,
    Stage,
    StageCategory,
    TaskPriority,
    TaskStatus,
    User,
)
from app.permissions import Principal, restrict
from app.services import pickers
from views.records import choices_of

OPTION_LIMIT = 500  # a select offers at most this many records

LEAD_STATUS = choices_of({
    LeadStatus.NEW: N_("New"), LeadStatus.CONTACTED: N_("Contacted"),
    LeadStatus.QUALIFIED: N_("Qualified"), LeadStatus.UNQUALIFIED: N_("Unqualified"),
})
TASK_STATUS = choices_of({
    TaskStatus.NOT_STARTED: N_("Not started"), TaskStatus.IN_PROGRESS: N_("In progress"),
    TaskStatus.WAITING: N_("Waiting"), TaskStatus.DEFERRED: N_("Deferred"),
    TaskStatus.COMPLETED: N_("Completed"),
})
TASK_PRIORITY = choices_of({
    TaskPriority.HIGHEST: N_("Highest"), TaskPriority.HIGH: N_("High"),
    TaskPriority.NORMAL: N_("Normal"), TaskPriority.LOW: N_("Low"), TaskPriority.LOWEST: N_("Lowest"),
})
CASE_STATUS = choices_of({
    CaseStatus.NEW: N_("New"), CaseStatus.ON_HOLD: N_("On hold"),
    CaseStatus.ESCALATED: N_("Escalated"), CaseStatus.CLOSED: N_("Closed"),
})
STAGE_CATEGORY = choices_of({
    StageCategory.OPEN: N_("Open"), StageCategory.WON: N_("Won"), StageCategory.LOST: N_("Lost"),
})
RELATED_TYPE = choices_of({
    RelatedType.ACCOUNT: N_("Account"), RelatedType.CONTACT: N_("Contact"),
    RelatedType.LEAD: N_("Lead"), RelatedType.DEAL: N_("Deal"), RelatedType.CASE: N_("Case"),
})
# Currency codes are the same in every language.
CURRENCIES = tuple((c, c) for c in money.CURRENCIES)


async def account_options(p: Principal) -> list[tuple[str, str]]:
    rows = await restrict(Account.all(), p).limit(OPTION_LIMIT).values_list("id", "name")
    return [(str(i), n) for i, n in rows]


async def contact_options(p: Principal) -> list[tuple[str, str]]:
    """Contacts with their account (and e-mail for namesakes at one account): app.services.pickers."""
    rows = await restrict(Contact.all(), p).only(*pickers.COLUMNS["contact"]).limit(OPTION_LIMIT)
    return [(str(c.id), c.label) for c in await pickers.label(p, "contact", rows)]


async def lead_options(p: Principal) -> list[tuple[str, str]]:
    rows = await restrict(Lead.all(), p).only(*pickers.COLUMNS["lead"]).limit(OPTION_LIMIT)
    return [(str(c.id), c.label) for c in await pickers.label(p, "lead", rows)]


async def product_options(p: Principal, keep: set[int] = frozenset()) -> list[tuple[str, str]]:
    """Active products the user may see, and any inactive one named in `keep` (a deal's lines)."""
    wanted = Q(active=True) | Q(id__in=sorted(keep)) if keep else Q(active=True)
    rows = await restrict(Product.filter(wanted), p).limit(OPTION_LIMIT).values_list("id", "name")
    return [(str(i), n) for i, n in rows]


async def stage_options(p: Principal) -> list[tuple[str, str]]:
    # Stage names are data; the default ones are in the catalog and shown translated.
    return [(str(i), n) for i, n in await Stage.all().values_list("id", "name")]


async def user_options(p: Principal) -> list[tuple[str, str]]:
    return [(str(i), n) for i, n in await User.filter(is_active=True).values_list("id", "name")]
