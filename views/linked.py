"""Record selects offer what the form links to now, whatever the option list holds.

A select lists at most OPTION_LIMIT records the user can see. The record a form links to now may
be past that limit, or hidden from the user (a colleague's account on a shared deal): without an
option for it the browser would post the select's first choice and the link would be lost. So the
form offers it: by its name when the user may see it, as "(hidden)" otherwise. Posted back, a
hidden one is kept as it is (app.services.links), and the user sees that the link exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from starlette.requests import Request
from tortoise.models import Model

from app.models import Contact, RelatedType, User
from app.permissions import MODULE_OF_MODEL
from app.services.activities import RELATED_MODELS
from app.services.links import as_id
from views.templating import translator

MODEL_OF_MODULE = {module: model for model, module in MODULE_OF_MODEL.items()}


async def offer_linked(request: Request, fields: Iterable, options: dict[str, Any], values: dict) -> None:
    """Add to `options` (the form's choices, by field) the linked records they lack."""
    from views.records import visible_refs  # records imports this module

    for choices, key, model, ids in _linked(fields, options, values):
        offered = {v for v, _ in choices[key]}
        missing = {pk for pk in map(as_id, ids) if pk is not None and str(pk) not in offered}
        if missing:
            found = await visible_refs(request.state.principal, model, set(missing))
            hidden = translator(request)("(hidden)")
            choices[key] = [*choices[key],
                            *((str(pk), str(found[pk]) if pk in found else hidden) for pk in sorted(missing))]


def _linked(fields: Iterable, options: dict[str, Any], values: dict) -> Iterator[tuple[dict, str, type[Model], set]]:
    """(the dict holding a select's choices, its key there, the records' model, the ids linked)."""
    for f in fields:
        if f.kind == "ref" and f.module in MODEL_OF_MODULE:
            yield options, f.name, MODEL_OF_MODULE[f.module], {values.get(f.name)}
        elif f.kind == "deal_contacts":
            yield options, f.name, Contact, {r.get("contact_id") for r in values.get(f.name) or ()}
        elif f.kind == "related" and values.get("related_type") in options[f.name]:
            rtype = values["related_type"]
            yield options[f.name], rtype, RELATED_MODELS[RelatedType(rtype)], {values.get("related_id")}
        elif f.kind == "attendees":  # users offered are the active ones: one who left still attends
            chosen = values.get(f.name) or ()
            yield options[f.name], "contacts", Contact, {a.get("contact_id") for a in chosen}
            yield options[f.name], "users", User, {a.get("user_id") for a in chosen}
