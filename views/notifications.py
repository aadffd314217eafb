"""Notifications as pages (app.services.notification_settings holds the rules).

Books: Settings > Integrations > Chat (/books/settings/integrations/chat), for administrators:
the organization's switch, its destinations (added, changed, tested, removed; a signed webhook's
secret is in the response that made it only) and each destination's delivery log.
Every user: /notifications (their in-app notifications, mark read, opt-outs per event type) and
the bell in the page header (/notifications/bell, loaded by htmx so no page pays for it).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.errors import NotFound, ValidationError
from app.i18n import N_
from app.services import notification_kinds, notification_settings as ns, notifications
from views.books.settings import current_organization
from views.htmx import redirect_after_post
from views.pages import page
from views.records import error_map
from views.settings import admin_page
from views.templating import render

PAGE = "/books/settings/integrations/chat"
NOTICES = {
    "saved": N_("The destination was saved."),
    "deleted": N_("The destination was removed. Messages already posted stay where they are."),
    "on": N_("Notifications are on."),
    "off": N_("Notifications are off: nothing new is delivered."),
}
STATUS_LABELS = {"pending": N_("Pending"), "delivered": N_("Delivered"), "failed": N_("Failed"),
                 "abandoned": N_("Abandoned")}
DISABLED_TEXT = N_("The notification destination {name} was disabled after repeated failures.")
MAX_FIELD = 600


def _text(form, name: str) -> str:
    return str(form.get(name) or "")[:MAX_FIELD]


def _values(form) -> dict:
    values = {"kind": _text(form, "kind"), "name": _text(form, "name"),
              "event_types": [str(v)[:40] for v in form.getlist("event_types")[:20]],
              "enabled": form.get("enabled") == "on",
              "allow_private_network": form.get("allow_private_network") == "on"}
    for name in ("url", "channel_id", "rate_per_minute"):
        if form.get(name) not in (None, ""):
            values[name] = _text(form, name)
    return values


async def _chat_page(request: Request, status_code: int = 200, **context) -> Response:
    org = await current_organization(request)
    principal = request.state.principal
    destinations = await ns.destinations(principal, org.id)
    logs = {d.id: await ns.deliveries(principal, d.id, limit=10) for d in destinations}
    context.setdefault("errors", {})
    context.setdefault("values", {"event_types": ns.EVENT_TYPES, "enabled": True, "rate_per_minute": 60})
    context.update(org=org, destinations=destinations, logs=logs, kinds=notification_kinds.KINDS,
                   labels=notifications.LABELS, status_labels=STATUS_LABELS,
                   enabled=await ns.is_enabled(principal, org.id), channels=await ns.channel_choices(principal),
                   notice=context.get("notice") or NOTICES.get(request.query_params.get("done", "")))
    response = render(request, "notifications/chat.html", context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


async def chat_settings(request: Request) -> Response:
    return await _chat_page(request)


async def create_destination(request: Request) -> Response:
    org = await current_organization(request)
    values = _values(await request.form())
    try:
        _, secret = await ns.create_destination(request.state.principal, org.id, values)
    except ValidationError as exc:
        return await _chat_page(request, 422, errors=error_map(exc, request), values=values)
    if secret:  # shown in this response only
        return await _chat_page(request, secret=secret, notice=NOTICES["saved"])
    return redirect_after_post(request, f"{PAGE}?done=saved")


async def update_destination(request: Request) -> Response:
    values = _values(await request.form())
    values.pop("kind", None)
    try:
        await ns.update_destination(request.state.principal, request.path_params["id"], values)
    except ValidationError as exc:
        return await _chat_page(request, 422, errors=error_map(exc, request))
    return redirect_after_post(request, f"{PAGE}?done=saved")


async def delete_destination(request: Request) -> Response:
    try:
        await ns.delete_destination(request.state.principal, request.path_params["id"])
    except NotFound:
        pass  # already removed (a second click)
    return redirect_after_post(request, f"{PAGE}?done=deleted")


async def rotate_secret(request: Request) -> Response:
    try:
        secret = await ns.rotate_secret(request.state.principal, request.path_params["id"])
    except ValidationError as exc:
        return await _chat_page(request, 422, errors=error_map(exc, request))
    return await _chat_page(request, secret=secret)


async def test_destination(request: Request) -> Response:
    answer = await ns.send_test(request.state.principal, request.path_params["id"])
    return await _chat_page(request, test_result=answer, tested=request.path_params["id"])


async def switch(request: Request) -> Response:
    org = await current_organization(request)
    on = (await request.form()).get("enabled") == "on"
    await ns.set_enabled(request.state.principal, org.id, on)
    return redirect_after_post(request, f"{PAGE}?done={'on' if on else 'off'}")


# ---- in-app notifications -------------------------------------------------------------------


async def inbox(request: Request) -> Response:
    principal = request.state.principal
    items = await ns.inbox(principal)
    return render(request, "notifications/index.html", {
        "items": items, "labels": notifications.LABELS, "preferences": await ns.preferences(principal),
        "disabled_text": DISABLED_TEXT, "unread": await ns.unread_count(principal),
        "links": {n.id: notifications.document_path(n.type, n.txn_id) for n in items},
    })


async def bell(request: Request) -> Response:
    return render(request, "notifications/_bell.html", {"unread": await ns.unread_count(request.state.principal)})


async def mark_read(request: Request) -> Response:
    raw = (await request.form()).get("id")
    notification_id = int(raw) if raw and str(raw).isdigit() and len(str(raw)) < 18 else None
    await ns.mark_read(request.state.principal, notification_id)
    return redirect_after_post(request, "/notifications")


async def save_preferences(request: Request) -> Response:
    form = await request.form()
    for event_type in ns.EVENT_TYPES:
        await ns.set_preference(request.state.principal, event_type, form.get(event_type) == "on")
    return redirect_after_post(request, "/notifications")



routes = [
    Route(PAGE, admin_page(chat_settings)),
    Route(f"{PAGE}/switch", admin_page(switch), methods=["POST"]),
    Route(f"{PAGE}/destinations", admin_page(create_destination), methods=["POST"]),
    Route(PAGE + "/destinations/{id:id}", admin_page(update_destination), methods=["POST"]),
    Route(PAGE + "/destinations/{id:id}/delete", admin_page(delete_destination), methods=["POST"]),
    Route(PAGE + "/destinations/{id:id}/rotate", admin_page(rotate_secret), methods=["POST"]),
    Route(PAGE + "/destinations/{id:id}/test", admin_page(test_destination), methods=["POST"]),
    Route("/notifications", page(inbox)),
    Route("/notifications/bell", page(bell)),
    Route("/notifications/read", page(mark_read), methods=["POST"]),
    Route("/notifications/preferences", page(save_preferences), methods=["POST"]),
]
