"""Settings > Import (also reached from the Contacts, Tasks and Events lists, the kind chosen) and
the exports of those lists: Outlook CSV, vCard and iCalendar (app.pim.files holds the rules).

    GET  /settings/pim/import                 upload form (?kind=contacts|tasks|events)
    POST /settings/pim/import                 upload: a CSV goes on to its mapping step, a vCard or
                                              iCalendar file is imported at once (then its report)
    GET  /settings/pim/import/{token}         a CSV's column mapping with the first rows as mapped
    POST /settings/pim/import/{token}         preview again (another kind or mapping), or import
    GET  /settings/pim/export/{kind}          ?format=csv|vcf|ics&language=en|ja: a download
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from app import cleaning, settings
from app.errors import Conflict, ValidationError
from app.limits import limit_body
from app.models import PimKind
from app.pim import files
from views.downloads import attachment
from views.htmx import redirect_after_post
from views.pages import error_page, page
from views.pim import FIELD_LABELS, KIND_LABELS
from views.records import error_map
from views.templating import render

MAX_COLUMNS = 500  # columns of a CSV offered for mapping (Outlook writes about 90)


def _kind_param(value: object) -> PimKind | None:
    try:
        return PimKind(str(value))
    except ValueError:
        return None


async def _upload_page(request: Request, status_code: int = 200, **context) -> Response:
    context.setdefault("errors", {})
    context.setdefault("kind", _kind_param(request.query_params.get("kind", "")))
    context.update(kind_labels=KIND_LABELS, max_mb=max(1, settings.PIM_IMPORT_MAX_BYTES // (1024 * 1024)))
    return render(request, "pim/import.html", context, status_code=status_code)


async def import_page(request: Request) -> Response:
    return await _upload_page(request)


async def upload(request: Request) -> Response:
    async with request.form(max_files=1, max_fields=5) as form:
        kind = _kind_param(form.get("kind", ""))
        sent = form.get("file")
        try:
            if not isinstance(sent, UploadFile) or not sent.filename:
                raise ValidationError.single("file", files.NO_FILE)
            data = await sent.read(settings.PIM_IMPORT_MAX_BYTES + 1)
            kept = await files.store(request.state.user, sent.filename, data)
            if kept.format != "csv":
                run = await files.import_upload(request.state.principal, kept)
                return redirect_after_post(request, f"/settings/pim/runs/{run.id}")
        except ValidationError as exc:
            return await _upload_page(request, 422, errors=error_map(exc, request), kind=kind)
    query = f"?kind={kind.value}" if kind else ""
    return redirect_after_post(request, f"/settings/pim/import/{kept.token}{query}")


def _target_choices(plan: files.CsvPlan) -> list[tuple[str, str]]:
    labels = FIELD_LABELS.get(plan.kind, {})
    return [(t, labels.get(t, t)) for t in plan.targets]


async def _mapping_page(request: Request, kept: files.Upload, plan: files.CsvPlan, status_code: int = 200,
                        **context) -> Response:
    headers = list(plan.table.headers)[:MAX_COLUMNS]
    rows = list(plan.table.rows)[:3]
    context.setdefault("errors", {})
    context.update(
        upload=kept, plan=plan, kind_labels=KIND_LABELS, targets=_target_choices(plan),
        columns=[(i, h, [r[i] if i < len(r) else "" for r in rows]) for i, h in enumerate(headers)],
        mapped=[(i, plan.mapping[i]) for i in sorted(plan.mapping)],
        field_labels=FIELD_LABELS.get(plan.kind, {}), row_count=len(plan.table.rows),
    )
    return render(request, "pim/mapping.html", context, status_code=status_code)


async def mapping_page(request: Request) -> Response:
    try:
        kept = await files.load(request.state.user, request.path_params["token"])
        plan = await files.plan_csv(kept, _kind_param(request.query_params.get("kind", "")))
    except ValidationError as exc:
        return await _upload_page(request, 422, errors=error_map(exc, request))
    return await _mapping_page(request, kept, plan)


def _chosen(form, columns: int) -> dict[int, str]:
    chosen = {}
    for key in list(form.keys())[:MAX_COLUMNS + 10]:
        if key.startswith("col-") and (index := cleaning.index(key[4:], MAX_COLUMNS)) is not None:
            if index < columns:
                chosen[index] = str(form.get(key, ""))[:100]
    return chosen


async def run_import(request: Request) -> Response:
    """Preview the mapping again (a kind changed: its guess), or import with it."""
    form = await request.form()
    user = request.state.user
    try:
        kept = await files.load(user, request.path_params["token"])
    except ValidationError as exc:
        return await _upload_page(request, 422, errors=error_map(exc, request))
    kind = _kind_param(form.get("kind", "")) or PimKind.CONTACTS
    same_kind = str(form.get("mapped_kind", "")) == kind.value
    chosen: dict[int, str] | None = None
    try:
        table = await files.read_csv(kept)
        chosen = _chosen(form, len(table.headers)) if same_kind else None
        if str(form.get("action", "")) != "import" or not same_kind:
            return await _mapping_page(request, kept, await files.plan_csv(kept, kind, chosen))
        run = await files.import_upload(request.state.principal, kept, kind, chosen)
    except ValidationError as exc:
        errors = error_map(exc, request)
        try:  # the form again, with the choices that were valid
            allowed = set(files.targets_of(kind))
            kept_choices = None if chosen is None else {i: t for i, t in chosen.items() if t in allowed}
            plan = await files.plan_csv(kept, kind, kept_choices)
        except ValidationError:
            return await _upload_page(request, 422, errors=errors)
        return await _mapping_page(request, kept, plan, 422, errors=errors)
    return redirect_after_post(request, f"/settings/pim/runs/{run.id}")


async def export(request: Request) -> Response:
    kind = _kind_param(request.path_params["kind"])
    params = request.query_params
    if kind is None:
        return RedirectResponse("/settings/pim", status_code=303)
    try:
        name, content_type, body = await files.export(
            request.state.principal, kind, params.get("format", "csv"), params.get("language", "en"))
    except ValidationError as exc:
        return error_page(request, Conflict(exc.errors[0].msgid, **exc.errors[0].params), 400)
    except Conflict as exc:
        return error_page(request, exc, 409)
    return attachment(body, name, content_type)


routes = [
    Route("/settings/pim/import", page(import_page)),
    limit_body(Route("/settings/pim/import", page(upload), methods=["POST"]),
               settings.PIM_IMPORT_MAX_BYTES + settings.UPLOAD_MARGIN_BYTES),
    Route("/settings/pim/import/{token}", page(mapping_page)),
    Route("/settings/pim/import/{token}", page(run_import), methods=["POST"]),
    Route("/settings/pim/export/{kind}", page(export)),
]
