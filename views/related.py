"""Related lists shown on record pages: how they look; which records they hold is
`app.services.related`, which GraphQL's loaders read too."""

from __future__ import annotations

from tortoise.models import Model

from app.i18n import N_
from app.models import Account, Contact, Deal, EventAttendee, Lead, RelatedType
from app.permissions import Principal, restrict
from app.services import related
from views.choices import TASK_STATUS
from views.records import Column, Related

CONTACT_COLUMNS = (
    Column(N_("Name"), "full_name", "link"),
    Column(N_("E-mail"), "email"),
    Column(N_("Title"), "title"),
)
DEAL_COLUMNS = (
    Column(N_("Deal name"), "name", "link"),
    Column(N_("Stage"), "stage.name", "msgid"),
    Column(N_("Amount"), "amount", "money"),
    Column(N_("Closing date"), "closing_date", "date"),
)
TASK_COLUMNS = (
    Column(N_("Subject"), "subject", "link"),
    Column(N_("Due date"), "due_date", "date"),
    Column(N_("Status"), "status", "choice", TASK_STATUS),
)
EVENT_COLUMNS = (
    Column(N_("Subject"), "subject", "link"),
    Column(N_("Start"), "start_at", "datetime"),
    Column(N_("Location"), "location"),
)


class _Listing:
    """The page's load of a related list: the service's relation for this one record. `keyed`
    is the same query by the parents' ids, so that the page can keep its statement
    (`app.statements`: only the record's id varies)."""

    def __init__(self, model: type[Model], key: str, *select: str) -> None:
        self.relation, self.select = related.relation(model, key), select

    def keyed(self, p: Principal, ids: list[int]):
        return self.relation.query(p, ids).select_related(*self.select)

    def __call__(self, p: Principal, obj: Model):
        return self.keyed(p, [obj.id])


_listing = _Listing


def activities(rtype: RelatedType) -> tuple[Related, Related]:
    """Tasks and events of a record, with links that create one already related to it."""
    model = related.MODEL_OF_TYPE[rtype]

    def new(module: str):
        return lambda obj: f"/{module}/new?related_type={rtype.value}&related_id={obj.id}"

    return (
        Related("tasks", N_("Tasks"), "tasks", TASK_COLUMNS, _listing(model, "tasks"), new_url=new("tasks")),
        Related("events", N_("Events"), "events", EVENT_COLUMNS, _listing(model, "events"), new_url=new("events")),
    )


account_contacts = _listing(Account, "contacts")
account_deals = _listing(Account, "deals", "stage")
contact_deals = _listing(Contact, "deals", "stage")
deal_contacts = _listing(Deal, "contacts")


async def add_roles(deal: Model, contacts: list) -> None:
    roles = {contact_id: role for _, contact_id, role in await related.deal_roles([deal.id])}
    for c in contacts:
        c.deal_role = roles.get(c.id, "")


async def event_attendees(p: Principal, event: Model) -> list[dict]:
    """Attendees as display rows; contacts and leads the user may not see stay anonymous."""
    rows = await EventAttendee.filter(event_id=event.id).select_related("user")
    contact_ids = {a.contact_id for a in rows if a.contact_id}
    lead_ids = {a.lead_id for a in rows if a.lead_id}
    contacts = {c.id: c for c in await restrict(Contact.filter(id__in=sorted(contact_ids)), p)}
    leads = {c.id: c for c in await restrict(Lead.filter(id__in=sorted(lead_ids)), p)}
    out = []
    for a in rows:
        if a.contact_id:
            c = contacts.get(a.contact_id)
            out.append({"name": str(c) if c else None, "href": f"/contacts/{a.contact_id}" if c else None,
                        "kind": N_("Contact")})
        elif a.lead_id:
            c = leads.get(a.lead_id)
            out.append({"name": str(c) if c else None, "href": f"/leads/{a.lead_id}" if c else None,
                        "kind": N_("Lead")})
        elif a.user_id:
            out.append({"name": a.user.name, "href": None, "kind": N_("User")})
        else:
            out.append({"name": a.email, "href": f"mailto:{a.email}", "kind": N_("E-mail")})
    return out


ATTENDEE_COLUMNS = (Column(N_("Name"), "name", "attendee"), Column(N_("Kind"), "kind", "msgid"))
EVENT_ATTENDEES = Related("attendees", N_("Attendees"), "events", ATTENDEE_COLUMNS, event_attendees)
# A contact's role in a deal (役割), not a permission role (ロール): a msgid of its own.
ROLE_COLUMN = Column(N_("Role in the deal"), "deal_role")
