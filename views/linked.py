"""Record selects offer what the form links to now, whatever the option list holds.

A select lists at most OPTION_LIMIT records the user can see. The record a form links to now may
be past that limit, or hidden from the user (a colleague's account on a shared deal): without an
option for it the browser would post the select's first choice and the link would be lost. So the
form offers it: by its name when the user may see it, as "(hidden)" otherwise. Posted back, a
hidden one is kept as it is (app.services.links), and the user sees that the link exists.

Search pickers (views/pickers.py: attendees, the related record) and the deal's contact selects
(the chosen account's contacts first) show what depends on the form's values: filled here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from starlette.requests import Request
from tortoise.models import Model

from app.models import Contact, Deal, Lead
from app.permissions import MODULE_OF_MODEL
from app.services import pickers as picker_service
from app.services.links import as_id
from views import pickers
from views.templating import translator

MODEL_OF_MODULE = {module: model for model, module in MODULE_OF_MODEL.items()}
PICKER_KINDS = {Contact: "contact", Lead: "lead", Deal: "deal"}


async def offer_linked(request: Request, fields: Iterable, options: dict[str, Any], values: dict) -> None:
    """Add to `options` (the form's choices, by field) the linked records they lack."""
    from views.records import visible_refs  # records imports this module

    principal = request.state.principal
    for f in fields:
        if f.kind == "attendees":
            options[f.name] = await pickers.attendee_chips(principal, values.get(f.name) or [])
        elif f.kind == "related":
            options[f.name] = await pickers.related_chosen(principal, values)
        elif f.kind == "deal_contacts":
            options[f.name] = await pickers.deal_contact_groups(principal, values.get("account_id"))
    for choices, key, model, ids in _linked(fields, options, values):
        offered = {v for v, _ in choices[key]}
        missing = {pk for pk in map(as_id, ids) if pk is not None and str(pk) not in offered}
        if missing:
            if model in PICKER_KINDS:  # labelled as pickers label them (namesakes told apart)
                labels = await picker_service.labels(principal, PICKER_KINDS[model], missing)
                found = {pk: p.label for pk, p in labels.items()}
            else:
                found = {pk: str(o) for pk, o in (await visible_refs(principal, model, set(missing))).items()}
            hidden = translator(request)("(hidden)")
            choices[key] = [*choices[key], *((str(pk), found.get(pk, hidden)) for pk in sorted(missing))]


def _linked(fields: Iterable, options: dict[str, Any], values: dict) -> Iterator[tuple[dict, str, type[Model], set]]:
    """(the dict holding a select's choices, its key there, the records' model, the ids linked)."""
    for f in fields:
        if f.kind == "ref" and f.module in MODEL_OF_MODULE:
            yield options, f.name, MODEL_OF_MODULE[f.module], {values.get(f.name)}
        elif f.kind == "deal_contacts":
            chosen = {r.get("contact_id") for r in values.get(f.name) or ()}
            yield options[f.name], "others", Contact, chosen - {v for v, _ in options[f.name]["first"]}
