"""The CRM <-> Books link, for administrators (app.services.books_link holds the rules).

Books: Settings > Integrations > CRM key (/books/settings/integrations) creates, regenerates or
revokes the administrator's connection key; the key is in the response that made it only.
CRM: Settings > Services > Books (/settings/services/books) takes the key's e-mail address and
the key, shows the organizations it reaches, then links the CRM to the one picked; the key
travels on to that second step in the form (the service checks it again), never in the session.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from app.errors import NotFound, ValidationError
from app.i18n import N_, gettext
from app.models import Automation, BooksLink, ConflictPolicy, SyncDirection, SyncModule, User
from app.services import books_fields, books_link, books_sync
from app.services.books_fields import Side
from views.auth import client_address
from views.books.settings import current_organization
from views.htmx import is_partial, redirect_after_post
from views.records import error_map
from views.settings import admin_page
from views.templating import render

AUTOMATION_LABELS = {
    Automation.NONE.value: N_("None"),
    Automation.ESTIMATE.value: N_("Estimate: create a draft estimate when a deal is created, accept it when the "
                                  "deal is won, decline it when it is lost"),
    Automation.INVOICE.value: N_("Invoice: create an invoice when a deal is won, void it when the deal is lost"),
}
KEY_NOTICES = {"revoked": N_("The key was revoked. A CRM connected with it no longer reads Books.")}
LINK_NOTICES = {
    "connected": N_("The CRM is connected to the organization."),
    "enabled": N_("The Books integration is enabled."),
    "disabled": N_("The Books integration is disabled: the CRM shows no Books data."),
    "disconnected": N_("The CRM is no longer connected to Books."),
    "synced": N_("The sync settings were saved."),
    "automation": N_("The automation rule was saved."),
    "queued": N_("A sync run was queued: it shows below when it is done."),
    "waiting": N_("A sync run is already waiting to start."),
}
OWNER_LABEL = N_("Owner")
RUNS_SHOWN = 10
OUTCOME_LABELS = {"added": N_("Added"), "updated": N_("Updated"), "skipped": N_("Skipped"),
                  "conflict": N_("Conflict"), "error": N_("Error"), "deleted": N_("Deleted")}
TRIGGER_LABELS = {"scheduled": N_("Scheduled"), "manual": N_("Manual"), "automation": N_("Automation")}
STATUS_LABELS = {"running": N_("Running"), "done": N_("Done"), "failed": N_("Failed")}
DIRECTIONS = [(SyncDirection.TWO_WAY.value, N_("Two-way")),
              (SyncDirection.CRM_TO_BOOKS.value, N_("One-way: CRM to Books"))]
POLICIES = [(ConflictPolicy.DUPLICATE.value, N_("Create a duplicate")),
            (ConflictPolicy.OVERWRITE.value, N_("Overwrite the Books record")),
            (ConflictPolicy.SKIP.value, N_("Skip the record"))]
SYNC_CHOICES = [
    ("sync_module", N_("CRM module synced with Books customers"),
     [(SyncModule.ACCOUNTS.value, N_("Accounts")), (SyncModule.CONTACTS.value, N_("Contacts"))]),
    ("direction", N_("Direction"), DIRECTIONS),
    ("conflict_policy", N_("When a record exists on both sides"), POLICIES),
    ("product_direction", N_("Direction"), DIRECTIONS),
    ("product_conflict_policy", N_("When a record exists on both sides"), POLICIES),
]
SYNC_FIELDS = [name for name, _, _ in SYNC_CHOICES]
TABLE_TITLES = {Side.ACCOUNTS: N_("Field mapping: accounts to Books customers"),
                Side.CONTACTS: N_("Field mapping: contacts to Books customers"),
                Side.PRODUCTS: N_("Field mapping: products to Books items")}


# ---- Books: Settings > Integrations > CRM key ------------------------------------------------


async def _key_page(request: Request, status_code: int = 200, **context) -> Response:
    context.update(
        org=await current_organization(request),
        key=await books_link.current_key(request.state.principal),
        notice=KEY_NOTICES.get(request.query_params.get("done", "")),
    )
    return render(request, "books_settings/integrations.html", context, status_code=status_code)


async def integrations(request: Request) -> Response:
    if request.state.principal.current_organization_id is None:
        return RedirectResponse("/books/settings/organizations/new", status_code=303)
    return await _key_page(request)


async def create_key(request: Request) -> Response:
    org = await current_organization(request)
    _, secret = await books_link.create_key(request.state.principal, org.id)
    # The key is in this response only; it is never stored in clear.
    response = await _key_page(request, secret=secret)
    response.headers["Cache-Control"] = "no-store"
    return response


async def revoke_key(request: Request) -> Response:
    try:
        await books_link.revoke_key(request.state.principal)
    except NotFound:
        pass  # already revoked (a second click): the page says there is none
    return redirect_after_post(request, "/books/settings/integrations?done=revoked")


# ---- CRM: Settings > Services > Books --------------------------------------------------------


def _stored_sync(link: BooksLink) -> tuple[dict, dict[Side, list[tuple[str, str]]]]:
    values = {name: getattr(link, name).value for name in SYNC_FIELDS}
    values["delete_previous"] = link.delete_previous
    values["record_filter"] = [dict(c) for c in link.record_filter or []]
    return values, {side: books_fields.effective(side, link.field_mapping) for side in Side}


def _filter_fields(module: str) -> list[tuple[str, str]]:
    """(name, label msgid) of the fields a condition may test, for the module chosen."""
    side = Side(module) if module in (SyncModule.ACCOUNTS.value, SyncModule.CONTACTS.value) else Side.ACCOUNTS
    return [(f.name, f.label) for f in books_fields.CRM_FIELDS[side].values()] + [(books_fields.OWNER, OWNER_LABEL)]


def _sync_context(values: dict, rows: dict[Side, list[tuple[str, str]]], errors: dict) -> dict:
    return {
        "filter_fields": _filter_fields(values.get("sync_module", "")), "filter_ops": books_fields.OPS,
        "sync_values": values, "sync_errors": errors, "sync_choices": SYNC_CHOICES,
        "mapping_tables": [{"side": side.value, "title": TABLE_TITLES[side], "rows": rows[side],
                            "crm_fields": list(books_fields.CRM_FIELDS[side].values()),
                            "books_fields": list(books_fields.BOOKS_FIELDS[side].values())} for side in Side],
    }


async def _users() -> list[tuple[int, str]]:
    return await User.filter(is_active=True).order_by("name", "id").limit(500).values_list("id", "name")


async def _link_page(request: Request, status_code: int = 200, **context) -> Response:
    link = await books_link.link_for(request.state.principal)
    context.setdefault("errors", {})
    context.setdefault("values", {})
    if link is not None and "sync_values" not in context:
        context.update(_sync_context(*_stored_sync(link), {}))
    if link is not None:
        context.update(users=await _users(), runs=await books_sync.runs(request.state.principal, RUNS_SHOWN),
                       trigger_labels=TRIGGER_LABELS, status_labels=STATUS_LABELS)
    context.update(
        link=link, key_valid=link is not None and await books_link.key_state(link) == books_link.KeyState.VALID,
        automation_labels=AUTOMATION_LABELS,
        notice=LINK_NOTICES.get(request.query_params.get("done", "")),
    )
    response = render(request, "settings/books.html", context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"  # the second step carries the key
    return response


async def _credentials(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name, "")) for name in ("email", "key", "organization_id", "automation")}


async def books_service(request: Request) -> Response:
    return await _link_page(request)


async def verify_key(request: Request) -> Response:
    values = await _credentials(request)
    try:
        organizations = await books_link.organizations_for_key(
            request.state.principal, values["email"], values["key"], client_address(request))
    except ValidationError as exc:
        return await _link_page(request, 422, errors=error_map(exc, request), values={"email": values["email"]})
    return await _link_page(request, values=values, organizations=organizations)


async def connect(request: Request) -> Response:
    values = await _credentials(request)
    try:
        await books_link.connect(request.state.principal, values["email"], values["key"],
                                 values["organization_id"], values["automation"], client_address(request))
    except ValidationError as exc:
        errors = error_map(exc, request)
        if "key" in errors:  # back to the first step
            return await _link_page(request, 422, errors=errors, values={"email": values["email"]})
        # The key was right (or not yet checked): its organizations again, to pick from.
        try:
            organizations = await books_link.organizations_for_key(
                request.state.principal, values["email"], values["key"], client_address(request))
        except ValidationError as again:
            return await _link_page(request, 422, errors=error_map(again, request),
                                    values={"email": values["email"]})
        return await _link_page(request, 422, errors=errors, values=values, organizations=organizations)
    return redirect_after_post(request, "/settings/services/books?done=connected")


async def set_enabled(request: Request) -> Response:
    enabled = (await request.form()).get("enabled") == "on"
    await books_link.set_enabled(request.state.principal, enabled)
    return redirect_after_post(request, f"/settings/services/books?done={'enabled' if enabled else 'disabled'}")


async def disconnect(request: Request) -> Response:
    try:
        await books_link.disconnect(request.state.principal)
    except NotFound:
        pass  # a second click: nothing left to remove
    return redirect_after_post(request, "/settings/services/books?done=disconnected")


async def _sync_form(request: Request) -> tuple[dict, dict[Side, list[tuple[str, str]]], str]:
    form = await request.form()
    values: dict = {name: str(form.get(name, ""))[:20] for name in SYNC_FIELDS}
    values["delete_previous"] = form.get("delete_previous") == "on"
    fields = [str(v)[:40] for v in form.getlist("filter_field")[:books_fields.FILTER_MAX + 1]]
    ops = [str(v)[:20] for v in form.getlist("filter_op")[:books_fields.FILTER_MAX + 1]]
    given = [str(v)[:books_fields.FILTER_VALUE_MAX + 1]
             for v in form.getlist("filter_value")[:books_fields.FILTER_MAX + 1]]
    values["record_filter"] = [{"field": f, "op": ops[i] if i < len(ops) else "",
                                "value": given[i] if i < len(given) else ""} for i, f in enumerate(fields)]
    rows = {}
    for side in Side:
        crm = [str(v)[:100] for v in form.getlist(f"{side.value}_crm")[:books_fields.MAX_ROWS + 1]]
        books = [str(v)[:100] for v in form.getlist(f"{side.value}_books")[:books_fields.MAX_ROWS + 1]]
        books += [""] * (len(crm) - len(books))
        crm += [""] * (len(books) - len(crm))
        rows[side] = list(zip(crm, books))
    return values, rows, str(form.get("action", "save"))[:40]


async def save_sync(request: Request) -> Response:
    """Save the sync settings; "add", "remove" and "reset" only redraw the form."""
    values, rows, action = await _sync_form(request)
    verb, _, rest = action.partition(":")
    side_name, _, index = rest.partition(":")
    side = Side(side_name) if side_name in set(Side) else None
    conditions = values["record_filter"]
    if side_name == "filter" or verb == "redraw":
        if verb == "add" and len(conditions) < books_fields.FILTER_MAX:
            conditions.append({"field": "", "op": "", "value": ""})
        elif verb == "remove" and index.isdigit() and int(index) < len(conditions):
            del conditions[int(index)]
        context = {**_sync_context(values, rows, {}), "users": await _users()}
        return render(request, "settings/_books_sync.html", context)
    if verb != "save" and side is not None:
        if verb == "add" and len(rows[side]) < books_fields.MAX_ROWS:
            rows[side].append(("", ""))
        elif verb == "remove" and index.isdigit() and int(index) < len(rows[side]):
            del rows[side][int(index)]
        elif verb == "reset":
            rows[side] = list(books_fields.DEFAULTS[side])
        context = {**_sync_context(values, rows, {}), "users": await _users()}
        return render(request, "settings/_books_sync.html", context)
    data = {**values, "mapping": {side.value: [p for p in rows[side] if p != ("", "")] for side in Side},
            "record_filter": [c for c in conditions if c != {"field": "", "op": "", "value": ""}]}
    try:
        await books_link.save_settings(request.state.principal, data)
    except ValidationError as exc:
        context = {**_sync_context(values, rows, error_map(exc, request)), "users": await _users()}
        if is_partial(request):
            return render(request, "settings/_books_sync.html", context, status_code=422)
        return await _link_page(request, 422, **context)
    except NotFound:
        return redirect_after_post(request, "/settings/services/books")
    return redirect_after_post(request, "/settings/services/books?done=synced")


async def sync_now(request: Request) -> Response:
    try:
        queued = await books_sync.start(request.state.principal)
    except NotFound:
        return redirect_after_post(request, "/settings/services/books")
    return redirect_after_post(request, f"/settings/services/books?done={'queued' if queued else 'waiting'}")


async def sync_run(request: Request) -> Response:
    """A run's entries (a fragment for htmx, else a page of its own), reasons translated."""
    try:
        run_id = int(request.path_params["run_id"])
        run = await books_sync.get_run(request.state.principal, run_id)
    except (ValueError, OverflowError):
        raise NotFound(N_("This sync run does not exist.")) from None
    lang = getattr(request.state, "lang", "en")
    found = (await books_sync.entries([run.id]))[run.id]
    context = {"run": run, "outcome_labels": OUTCOME_LABELS, "trigger_labels": TRIGGER_LABELS,
               "status_labels": STATUS_LABELS, "entries_max": books_sync.ENTRIES_MAX,
               "entries": [(e, books_sync.reason_of(e, lambda m: gettext(lang, m))) for e in found]}
    name = "settings/_books_sync_run.html" if is_partial(request) else "settings/books_sync_run.html"
    return render(request, name, context)


routes = [
    Route("/books/settings/integrations", admin_page(integrations)),
    Route("/books/settings/integrations/crm-key", admin_page(create_key), methods=["POST"]),
    Route("/books/settings/integrations/crm-key/revoke", admin_page(revoke_key), methods=["POST"]),
    Route("/settings/services/books", admin_page(books_service)),
    Route("/settings/services/books/verify", admin_page(verify_key), methods=["POST"]),
    Route("/settings/services/books/connect", admin_page(connect), methods=["POST"]),
    Route("/settings/services/books/enabled", admin_page(set_enabled), methods=["POST"]),
    Route("/settings/services/books/disconnect", admin_page(disconnect), methods=["POST"]),
    Route("/settings/services/books/sync", admin_page(save_sync), methods=["POST"]),
    Route("/settings/services/books/sync-now", admin_page(sync_now), methods=["POST"]),
    Route("/settings/services/books/runs/{run_id:id}", admin_page(sync_run)),
]
