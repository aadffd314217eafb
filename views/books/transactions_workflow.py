"""The status changes a transaction's page offers as buttons, each a small POST endpoint
(views/books/transactions_actions.py). A button shows when the service offers its action
(`app.services.workflow.available_actions`, which GraphQL's `availableActions` reads too); the
service still decides, and a refusal it explains (an expired estimate, an invoice with payments)
is shown on the page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from app.i18n import N_
from app.models import Kind, Transaction
from app.permissions import Principal
from app.services import workflow
from app.services.workflow import ALLOWED, CONVERSIONS

Run = Callable[[Principal, Kind, Any], Awaitable[Transaction]]


@dataclass(frozen=True)
class Action:
    slug: str  # POST /books/<kind>/<id>/<slug>
    label: str
    step: str  # the workflow action, a key of ALLOWED
    run: Run
    done: str  # msgid of the flash once done, about the resulting document (views/books/feedback.py)
    target: Kind | None = None  # a conversion: the kind it creates
    confirm: str = ""  # a question asked before (hx-confirm); a conversion has a page of its own instead
    danger: bool = False

    @property
    def name(self) -> str:
        """Its name among `workflow.OFFERS`."""
        return f"convert_to_{self.target.value}" if self.target is not None else self.step

    def applies_to(self, kind: Kind) -> bool:
        if self.target is not None:
            return self.target in CONVERSIONS.get(kind, ())
        return kind in ALLOWED[self.step]


def _convert(target: Kind) -> Run:
    return lambda p, kind, record_id: workflow.convert(p, kind, record_id, target)


# A conversion's message is about the document it created, on that document's page.
CONVERTED = N_("%(source)s was converted into %(kind)s %(number)s.")
ACTIONS = (
    Action("mark-sent", N_("Mark as sent"), "mark_sent", workflow.mark_sent,
           N_("%(kind)s %(number)s was marked as sent.")),
    Action("accept", N_("Mark as accepted"), "accept", lambda p, kind, i: workflow.accept(p, i),
           N_("%(kind)s %(number)s was marked as accepted.")),
    Action("decline", N_("Mark as declined"), "decline", lambda p, kind, i: workflow.decline(p, i),
           N_("%(kind)s %(number)s was marked as declined.")),
    Action("confirm", N_("Confirm"), "confirm", lambda p, kind, i: workflow.confirm(p, i),
           N_("%(kind)s %(number)s was confirmed.")),
    Action("close", N_("Close"), "close", lambda p, kind, i: workflow.close(p, i),
           N_("%(kind)s %(number)s was closed.")),
    Action("convert-to-sales-order", N_("Convert to sales order"), "convert", _convert(Kind.SALES_ORDER),
           CONVERTED, target=Kind.SALES_ORDER),
    Action("convert-to-invoice", N_("Convert to invoice"), "convert", _convert(Kind.INVOICE),
           CONVERTED, target=Kind.INVOICE),
    Action("void", N_("Mark as void"), "void", workflow.void, N_("%(kind)s %(number)s was voided."), danger=True,
           confirm=N_("Void this document? It keeps its number and stays on record as void.")),
)
# What the confirmation page of a conversion says will happen.
CONVERT_QUESTION = N_("Convert %(source)s into a new %(target)s?")
CONVERT_EXPLAINED = N_("The new %(target)s is a draft with the same customer and lines; %(source)s is then "
                       "marked as converted and can no longer be edited.")


def offered_actions(available: list[str]) -> list[Action]:
    """The buttons of the actions the service offers (`workflow.available_actions`)."""
    return [a for a in ACTIONS if a.name in available]
