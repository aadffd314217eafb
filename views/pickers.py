"""Search pickers in record forms: an event's attendees and the record a task or event belongs to.

Typing in a picker asks for matching records (debounced htmx GET); each result is a button that
asks for the picker again with that record added. The server keeps the chosen records as hidden
inputs named as the form has always posted them (`attendee_contacts`, `attendee_leads`,
`attendee_users`, `attendee_emails`; `related_type` + `related_id`), so the services see the same
data as before. No script: Enter and the arrow key are wired in static/js/app.js.

    GET /pickers/attendees?attendee_q=...          matching contacts, leads and users (buttons)
    GET /pickers/attendees/editor?...&add=contact:3  the chips again: one added (or `add_email`
                                                   with the typed address, or `remove=<key>`)
    GET /pickers/related?related_q=...             matching records of every kind a task may relate to
    GET /pickers/related/choose?pick=deal:3        the related picker with that record chosen
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app import cleaning
from app.errors import NotFound
from app.i18n import N_
from app.models import RelatedType
from app.permissions import Principal
from app.services import pickers
from app.services.links import as_id
from app.services.records import EMAIL_RE
from views.pages import page
from views.templating import render

KIND_LABELS = {
    "account": N_("Account"), "contact": N_("Contact"), "lead": N_("Lead"), "deal": N_("Deal"),
    "case": N_("Case"), "user": N_("User"), "email": N_("E-mail"),
}
# Attendees by kind: (the service's key, the form's input name), in the order the form was always read
ATTENDEE_INPUTS = {"contact": ("contact_id", "attendee_contacts"), "user": ("user_id", "attendee_users"),
                   "lead": ("lead_id", "attendee_leads")}
ATTENDEE_KINDS = tuple(ATTENDEE_INPUTS)
RELATED_KINDS = tuple(t.value for t in RelatedType)


# ---- attendees ----------------------------------------------------------------------------------


def parse_attendees(form: FormData | ImmutableMultiDict) -> dict:
    items: list[dict] = []
    for key, name in ATTENDEE_INPUTS.values():
        items += [{key: v} for v in form.getlist(name) if v]
    # One input per address (the picker's chips), or several per line or comma (older forms).
    emails = "\n".join(str(v) for v in form.getlist("attendee_emails"))
    items += [{"email": e.strip()} for e in emails.replace(",", "\n").splitlines() if e.strip()]
    return {"attendees": items}


async def attendee_chips(principal: Principal, items: list[dict]) -> list[dict[str, Any]]:
    """The chosen attendees as the picker shows them, each once: contacts, leads and users by
    their label (None when hidden from the user: kept, shown as hidden), addresses as typed."""
    ids = {kind: {as_id(i.get(key)) for i in items} for kind, (key, _) in ATTENDEE_INPUTS.items()}
    found = {kind: await pickers.labels(principal, kind, ids[kind]) for kind in ATTENDEE_INPUTS}
    chips, seen = [], set()
    for item in items:
        for kind, (key, name) in ATTENDEE_INPUTS.items():
            if item.get(key) not in (None, ""):
                pk = as_id(item[key])
                chip_key = f"{kind}:{pk}"
                pick = found[kind].get(pk) if pk is not None else None
                value, label = str(pk if pk is not None else item[key]), pick.label if pick else None
                break
        else:
            value = label = str(item.get("email", "")).strip()
            kind, name, chip_key = "email", "attendee_emails", f"email:{value.casefold()}"
        if chip_key in seen or not value:
            continue
        seen.add(chip_key)
        chips.append({"key": chip_key, "name": name, "value": value, "kind": KIND_LABELS[kind], "label": label})
    return chips


async def attendee_search(request: Request) -> Response:
    q = request.query_params.get("attendee_q", "")
    picks = await pickers.search(request.state.principal, q, ATTENDEE_KINDS)
    return _results(request, picks, q, "add", "/pickers/attendees/editor", "#attendee-picker")


async def attendee_editor(request: Request) -> Response:
    """The attendee picker again with one attendee added or removed (nothing is saved)."""
    principal: Principal = request.state.principal
    params = request.query_params
    items = parse_attendees(params)["attendees"]
    typed, error = "", None
    if added := pickers.parse_key(params.get("add"), ATTENDEE_KINDS):
        kind, pk = added
        if not await pickers.may_pick(principal, kind, pk):
            raise NotFound()
        items.append({ATTENDEE_INPUTS[kind][0]: str(pk)})
    elif "add_email" in params:
        typed = cleaning.search(params.get("attendee_q", ""))
        if EMAIL_RE.match(typed) and len(typed) <= 254:
            items.append({"email": typed})
            typed = ""
        else:
            error = N_("Enter a valid e-mail address.")
    remove = params.get("remove", "")
    chips = [c for c in await attendee_chips(principal, items) if c["key"] != remove]
    return render(request, "records/_attendee_picker.html",
                  {"chips": chips, "typed": typed, "picker_error": error, "focus": True})


# ---- the record a task or event belongs to ------------------------------------------------------


async def related_chosen(principal: Principal, values: dict) -> dict[str, Any] | None:
    """The related record a form holds now: its kind label and its label (None when hidden)."""
    rtype, rid = str(values.get("related_type") or ""), as_id(values.get("related_id"))
    if rtype not in RELATED_KINDS or rid is None:
        return None
    pick = (await pickers.labels(principal, rtype, [rid])).get(rid)
    return {"type": rtype, "id": rid, "kind": KIND_LABELS[rtype], "label": pick.label if pick else None}


async def related_search(request: Request) -> Response:
    q = request.query_params.get("related_q", "")
    picks = await pickers.search(request.state.principal, q, RELATED_KINDS)
    return _results(request, picks, q, "pick", "/pickers/related/choose", None, "#related-picker")


async def related_choose(request: Request) -> Response:
    picked = pickers.parse_key(request.query_params.get("pick"), RELATED_KINDS)
    chosen = None
    if picked is not None:
        kind, pk = picked
        chosen = await related_chosen(request.state.principal, {"related_type": kind, "related_id": pk})
        if chosen is None or chosen["label"] is None:
            raise NotFound()
    elif request.query_params.get("pick"):
        raise NotFound()
    return render(request, "records/_related_picker.html", {"chosen": chosen, "focus": True})


def _results(request: Request, picks, q: str, name: str, action: str, include: str | None,
             target: str | None = None) -> Response:
    context = {"picks": picks, "q": cleaning.search(q), "name": name, "action": action,
               "include": include, "target": target or include, "kinds": KIND_LABELS}
    return render(request, "records/_pick_results.html", context)




# ---- a deal's contacts ---------------------------------------------------------------------------


async def deal_contact_groups(principal: Principal, account_id: Any) -> dict[str, list[tuple[str, str]]]:
    """Contacts for a deal's contact selects: the chosen account's first, then the others."""
    first, others = await pickers.contact_choices(principal, as_id(account_id))
    return {"first": [(str(p.id), p.label) for p in first], "others": [(str(p.id), p.label) for p in others]}


routes = [
    Route("/pickers/attendees", page(attendee_search)),
    Route("/pickers/attendees/editor", page(attendee_editor)),
    Route("/pickers/related", page(related_search)),
    Route("/pickers/related/choose", page(related_choose)),
]
