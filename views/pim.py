"""Settings > PIM sync, for every user (their own contacts, tasks and events with Outlook and
other clients): the sync settings per kind, the DAV connection with an app password, "sync
now", the changes held for confirmation, and the reports of every sync run, where records
ignored before can be picked, fixed (a value over its limit) and synced again.

The rules are app.pim's: settings (app.pim.settings), reports (app.pim.reports), the engine
(app.pim.runs), DAV (app.pim.collections, app.pim.held)."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app import auth, cleaning, settings
from app.errors import Conflict, NotFound, PermissionDenied, ValidationError
from app.formatting import format_day
from app.i18n import N_
from app.models import PimKind, PimRunSource
from app.pim import collections, held, reports
from app.pim import runs as pim_runs
from app.pim import settings as pim_settings
from views import activities, contacts
from views.htmx import redirect_after_post
from views.pages import page
from views.records import error_map, int_param
from views.templating import render, translator, user_timezone

KIND_LABELS = {PimKind.CONTACTS: N_("Contacts"), PimKind.TASKS: N_("Tasks"), PimKind.EVENTS: N_("Events")}
DIRECTION_LABELS = (
    ("both", N_("Both ways")),
    ("to_kizuna", N_("Client to Kizuna only")),
    ("to_client", N_("Kizuna to client only")),
)
SOURCE_LABELS = {
    PimRunSource.IMPORT: N_("File import"), PimRunSource.SYNC_NOW: N_("Sync now"),
    PimRunSource.DEVICE: N_("Client sync"), PimRunSource.RESYNC: N_("Re-sync of ignored records"),
}
COUNT_LABELS = (("added", N_("Added")), ("updated", N_("Updated")), ("deleted", N_("Deleted")),
                ("ignored", N_("Ignored")))
NOTICES = {
    "saved": N_("The sync settings were saved."),
    "confirmed": N_("The held changes were applied."),
    "discarded": N_("The held changes were discarded."),
    "nothing": N_("There was nothing to apply."),
    "dismissed": N_("The records you picked are no longer listed as waiting."),
}
RUNS_PER_PAGE = 20
APP_PASSWORD_NAME = N_("App password (%(date)s)")


def field_labels() -> dict[PimKind, dict[str, str]]:
    """The record forms' labels of each kind's fields (the report names a field as the form does)."""
    labels = {
        PimKind.CONTACTS: {f.name: f.label for f in contacts.pages.fields},
        PimKind.TASKS: {f.name: f.label for f in activities.tasks_pages.fields},
        PimKind.EVENTS: {f.name: f.label for f in activities.events_pages.fields},
    }
    # What the forms do not have: a contact's company by name, an event's all-day flag, and the
    # columns an Outlook CSV splits or lists (app.pim.outlook_csv.TARGETS).
    # The two addresses' fields share their labels on the form (under their section's title).
    labels[PimKind.CONTACTS].update({
        "account_name": N_("Account"),
        "mailing_street": N_("Mailing street"), "mailing_street_2": N_("Mailing street (line 2)"),
        "mailing_street_3": N_("Mailing street (line 3)"), "mailing_city": N_("Mailing city"),
        "mailing_state": N_("Mailing state / prefecture"), "mailing_code": N_("Mailing postal code"),
        "mailing_country": N_("Mailing country"),
        "other_street": N_("Other street"), "other_street_2": N_("Other street (line 2)"),
        "other_street_3": N_("Other street (line 3)"), "other_city": N_("Other city"),
        "other_state": N_("Other state / prefecture"), "other_code": N_("Other postal code"),
        "other_country": N_("Other country"),
    })
    labels[PimKind.EVENTS].update({
        "all_day": N_("All day"), "start_date": N_("Start date"), "start_time": N_("Start time"),
        "end_date": N_("End date"), "end_time": N_("End time"), "attendees": N_("Attendees"),
    })
    for kind in PimKind:
        labels[kind]["categories"] = N_("Categories")
    return labels


FIELD_LABELS = field_labels()


def dav_url() -> str:
    return f"{settings.PUBLIC_URL}/dav/"


# ---- Settings > PIM sync ----------------------------------------------------------------------


async def _page(request: Request, status_code: int = 200, **context) -> Response:
    user = request.state.user
    stored = await pim_settings.all_for(user)
    values = context.pop("values", {})
    context.setdefault("errors", {})
    context.update(
        kinds=[(kind, values.get(kind) or _values_of(stored[kind])) for kind in PimKind],
        kind_labels=KIND_LABELS, directions=DIRECTION_LABELS, threshold=(pim_settings.THRESHOLD_MIN,
                                                                         pim_settings.THRESHOLD_MAX),
        dav_url=dav_url(), held=await reports.held_groups(user),
        runs=await reports.runs(user, 5), source_labels=SOURCE_LABELS, count_labels=COUNT_LABELS,
        counts_of=reports.counts_of,
        notice=NOTICES.get(request.query_params.get("done", "")),
    )
    return render(request, "pim/settings.html", context, status_code=status_code)


def _values_of(setting) -> dict:
    return {"direction": setting.direction.value, "automatic": setting.automatic,
            "category_only": setting.category_only, "category_name": setting.category_name,
            "delete_threshold": str(setting.delete_threshold)}


async def pim_page(request: Request) -> Response:
    return await _page(request)


def _kind(request: Request) -> PimKind:
    try:
        return PimKind(request.path_params["kind"])
    except ValueError:
        raise NotFound() from None


async def save_setting(request: Request) -> Response:
    kind = _kind(request)
    form = await request.form()
    data = {"direction": str(form.get("direction", ""))[:20],
            "automatic": form.get("automatic") == "on",
            "category_only": form.get("category_only") == "on",
            "category_name": str(form.get("category_name", ""))[:1000],
            "delete_threshold": str(form.get("delete_threshold", ""))[:50]}
    try:
        await pim_settings.update(request.state.principal, kind, data)
    except ValidationError as exc:
        return await _page(request, 422, errors={kind: error_map(exc, request)}, values={kind: data})
    return redirect_after_post(request, f"/settings/pim?done=saved#{kind.value}")


async def sync_now(request: Request) -> Response:
    """Apply the kind's held changes (manual sync) and show the run's report."""
    run = await collections.sync_now(request.state.principal, _kind(request))
    return redirect_after_post(request, f"/settings/pim/runs/{run.id}")


async def create_app_password(request: Request) -> Response:
    """An app password for CalDAV/CardDAV clients: a token that opens DAV only, shown once."""
    _ = translator(request)
    form = await request.form()
    name = str(form.get("name", "")).strip()[:200] or _(APP_PASSWORD_NAME) % {
        "date": format_day(datetime.now(UTC), request.state.lang, user_timezone(request))}
    try:
        token, secret = await auth.create_api_token(request.state.user, name, scopes=("dav",))
    except ValidationError as exc:
        return await _page(request, 422, password_errors=error_map(exc, request))
    # The secret is in this response only; it is never stored in clear.
    response = await _page(request, new_password=token, secret=secret)
    response.headers["Cache-Control"] = "no-store"
    return response


async def decide_held(request: Request) -> Response:
    """Confirm (apply) or discard one group of held changes, as far as the page showed it."""
    form = await request.form()
    user = request.state.user
    action = str(form.get("action", ""))
    ids = await reports.held_ids(user, form.get("collection_id", ""), form.get("kind", ""),
                                 str(form.get("device", "")), form.get("reason", ""), form.get("last_id", ""))
    if not ids:
        return redirect_after_post(request, "/settings/pim?done=nothing")
    if action == "discard":
        await held.discard_held(request.state.principal, ids)
        return redirect_after_post(request, "/settings/pim?done=discarded")
    run = await held.apply_held(request.state.principal, ids)
    return redirect_after_post(request, f"/settings/pim/runs/{run.id}")


# ---- reports -----------------------------------------------------------------------------------


async def run_list(request: Request) -> Response:
    user = request.state.user
    total = await reports.run_count(user)
    pages = max(1, -(-total // RUNS_PER_PAGE))
    page_no = int_param(request.query_params.get("page"), 1, 1, pages)
    context = {"runs": await reports.runs(user, RUNS_PER_PAGE, (page_no - 1) * RUNS_PER_PAGE),
               "total": total, "page": page_no, "page_count": pages, "source_labels": SOURCE_LABELS,
               "count_labels": COUNT_LABELS, "kind_labels": KIND_LABELS, "counts_of": reports.counts_of}
    return render(request, "pim/runs.html", context)


def _row(ignored, gettext, fixes: dict | None = None, errors: dict | None = None) -> dict:
    fix = reports.fixable(ignored)
    value = (fixes or {}).get(ignored.id, fix.value if fix else None)
    return {"ignored": ignored, "reason": reports.reason_text(ignored, gettext), "fix": fix,
            "value": value, "length": len(value) if isinstance(value, str) else 0,
            "field_label": FIELD_LABELS.get(ignored.kind, {}).get(ignored.field, ignored.field),
            "errors": (errors or {}).get(ignored.id, [])}


async def _report(request: Request, run_id, status_code: int = 200, **context) -> Response:
    user = request.state.user
    run = await reports.get_run(user, run_id)
    _ = translator(request)
    fixes, errors = context.pop("fixes", {}), context.pop("row_errors", {})
    ignored, ignored_total = await reports.ignored_of(run)
    pending = await reports.pending(user, run)
    context.update(
        notice=NOTICES.get(request.query_params.get("done", "")),
        run=run, counts=reports.counts_of(run), count_labels=COUNT_LABELS, kind_labels=KIND_LABELS,
        source_labels=SOURCE_LABELS, reason_labels=reports.REASONS,
        ignored=[_row(i, _, fixes, errors) for i in ignored], ignored_total=ignored_total,
        pending=[_row(i, _, fixes, errors) for i in pending],
        selected=context.pop("selected", set()),
    )
    return render(request, "pim/run.html", context, status_code=status_code)


async def run_detail(request: Request) -> Response:
    return await _report(request, request.path_params["id"])


async def resync(request: Request) -> Response:
    """Sync the picked ignored records again, with the values fixed on the report."""
    form = await request.form()
    run_id = request.path_params["id"]
    await reports.get_run(request.state.user, run_id)  # the report the form is on: the user's own
    ids = [str(v)[:20] for v in form.getlist("ignored")[:reports.RESYNC_MAX + 1]]
    # Only the picked rows' values count: a row left unpicked keeps its value unsent.
    fixes = {i: str(form.get(f"fix-{i}", ""))[:100_000] for i in ids if f"fix-{i}" in form}
    _ = translator(request)
    shown = {cleaning.pk(i): v for i, v in fixes.items()}
    selected = {cleaning.pk(i) for i in ids}
    if form.get("action") == "dismiss":  # no longer wanted: off the list of what waits
        await pim_runs.dismiss(request.state.user, ids)
        return redirect_after_post(request, f"/settings/pim/runs/{run_id}?done=dismissed")
    try:
        run = await reports.resync(request.state.principal, ids, fixes)
    except ValidationError as exc:
        others = [e.render(_) for e in exc.errors if not e.field.startswith("fixes.")]
        return await _report(request, run_id, 422, problem=" ".join(others) or exc.render(_), fixes=shown,
                             selected=selected, row_errors=_errors_by_row(exc, _))
    except (Conflict, PermissionDenied) as exc:
        return await _report(request, run_id, 409, problem=exc.render(_), fixes=shown, selected=selected)
    return redirect_after_post(request, f"/settings/pim/runs/{run.id}")


def _errors_by_row(exc: ValidationError, _) -> dict[int, list[str]]:
    """Problems of fixed values, by the ignored record's id (`fixes.<id>`); the others go on top."""
    out: dict[int, list[str]] = {}
    for e in exc.errors:
        head, _sep, rest = e.field.partition(".")
        if head == "fixes" and (pk := cleaning.pk(rest)) is not None:
            out.setdefault(pk, []).append(e.render(_))
    return out


routes = [
    Route("/settings/pim", page(pim_page)),
    Route("/settings/pim/app-password", page(create_app_password), methods=["POST"]),
    Route("/settings/pim/held", page(decide_held), methods=["POST"]),
    Route("/settings/pim/runs", page(run_list)),
    Route("/settings/pim/runs/{id:id}", page(run_detail)),
    Route("/settings/pim/runs/{id:id}/resync", page(resync), methods=["POST"]),
    Route("/settings/pim/{kind}", page(save_setting), methods=["POST"]),
    Route("/settings/pim/{kind}/sync-now", page(sync_now), methods=["POST"]),
]
