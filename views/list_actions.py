"""The list pages' own actions, for every `RecordPages` (views/records.py): saving the list's
state as a named view and deleting one, and bulk actions on the records picked in a list.

    POST /deals/views                  save the list's state (the form's hidden parameters)
    POST /deals/views/{view_id}/delete delete a view (its creator or an administrator)
    POST /deals/bulk                   the confirmation: how many records, what the action needs
    POST /deals/bulk/apply             the action, record by record through the service; a summary

The rules live in app.services.saved_views and app.services.bulk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request
from starlette.responses import Response

from app.errors import NotFound, ValidationError
from app.i18n import N_, translations
from app.permissions import Principal
from app.services import bulk, saved_views
from views.flash import flash_text
from views.htmx import redirect_after_post
from views.pages import error_page
from views.templating import render, translator

if TYPE_CHECKING:
    from views.records import RecordPages


def error_map(exc: ValidationError, request: Request) -> dict[str, list[str]]:
    from views.records import error_map as messages  # views.records builds its routes from here

    return messages(exc, request)


async def view_save(pages: RecordPages, request: Request) -> Response:
    """Save the list's current state (the form's hidden parameters) under a name."""
    principal: Principal = request.state.principal
    form = await request.form()
    state = saved_views.read_state(pages.spec, form)
    _ = translator(request)
    try:
        view = await saved_views.save_view(principal, pages.module, form.get("view_name", ""),
                                           state.as_json(), shared=form.get("view_shared") == "on",
                                           is_default=form.get("view_default") == "on")
    except ValidationError as exc:
        flash_text(request, " ".join(e.render(_) for e in exc.errors), "error")
        return redirect_after_post(request, pages.list_url(state))
    flash_text(request, _(N_("View “%(name)s” saved.")) % {"name": view.name})
    return redirect_after_post(request, pages.list_url(state, view=str(view.id)))


async def view_delete(pages: RecordPages, request: Request) -> Response:
    principal: Principal = request.state.principal
    _ = translator(request)
    view = await saved_views.get_view(principal, request.path_params["view_id"])
    if view.module != pages.module:
        raise NotFound()
    await saved_views.delete_view(principal, view.id)
    flash_text(request, _(N_("View “%(name)s” deleted.")) % {"name": view.name})
    return redirect_after_post(request, pages.url())


# ---- bulk actions ------------------------------------------------------------------------------


def _back(pages: RecordPages, form: FormData) -> str:
    """The list as it was (the `next` query the bulk form carried), never another page."""
    state = saved_views.read_state(pages.spec, QueryParams(str(form.get("next", ""))[:2000]))
    return pages.list_url(state)


async def bulk_confirm(pages: RecordPages, request: Request) -> Response:
    """How many records, and what is asked for the action (an owner, a task): then apply."""
    principal: Principal = request.state.principal
    form = await request.form()
    action = str(form.get("action", ""))
    _ = translator(request)
    try:
        ids = bulk.clean_ids(form.getlist("ids"))
    except ValidationError as exc:
        flash_text(request, " ".join(e.render(_) for e in exc.errors), "error")
        return redirect_after_post(request, _back(pages, form))
    if action not in bulk.actions_of(principal, pages.service):
        return error_page(request, ValidationError.single("action", N_("Choose one of the offered values.")), 422)
    return await _bulk_form(pages, request, action, ids, str(form.get("next", "")), {}, {})


async def _bulk_form(pages: RecordPages, request: Request, action: str, ids: list[int], back: str, values: dict,
                     errors: dict, status_code: int = 200) -> Response:
    from views.choices import user_options  # the users to hand records to

    principal: Principal = request.state.principal
    back_url = pages.list_url(saved_views.read_state(pages.spec, QueryParams(back[:2000])))
    context = {"pages": pages, "action": action, "ids": ids, "next": back, "back_url": back_url, "values": values,
               "errors": errors, "users": await user_options(principal) if action == "owner" else []}
    return render(request, "records/bulk_confirm.html", context, status_code=status_code)


async def bulk_apply(pages: RecordPages, request: Request) -> Response:
    principal: Principal = request.state.principal
    form = await request.form()
    action = str(form.get("action", ""))
    values = {k: str(form.get(k, "")) for k in ("owner_id", "subject", "due_date")}
    try:
        ids = bulk.clean_ids(form.getlist("ids"))
        if action not in bulk.actions_of(principal, pages.service):
            raise ValidationError.single("action", N_("Choose one of the offered values."))
        result = await bulk.run(principal, pages.service, action, ids, values)
    except ValidationError as exc:
        if any(e.field in ("ids", "action") for e in exc.errors):
            return error_page(request, exc, 422)
        return await _bulk_form(pages, request, action, ids, str(form.get("next", "")), values,
                                error_map(exc, request), 422)
    flash_text(request, _bulk_summary(request, action, result),
               "error" if result.skipped and not result.done else "success")
    return redirect_after_post(request, _back(pages, form))


def _bulk_summary(request: Request, action: str, result: bulk.BulkResult) -> str:
    """"12 deleted. 2 could not be deleted: <reason>." in the user's language."""
    trans = translations(request.state.lang)
    done = {
        "owner": trans.ngettext("%(num)d record handed over.", "%(num)d records handed over.", result.done),
        "delete": trans.ngettext("%(num)d record deleted.", "%(num)d records deleted.", result.done),
        "follow_up": trans.ngettext("%(num)d follow-up task created.", "%(num)d follow-up tasks created.",
                                    result.done),
    }[action] % {"num": result.done}
    if not result.skipped:
        return done
    reasons = list(dict.fromkeys(exc.render(trans.gettext) for _pk, exc in result.skipped))
    skipped = trans.ngettext("%(num)d record was skipped: %(reasons)s", "%(num)d records were skipped: %(reasons)s",
                             len(result.skipped)) % {"num": len(result.skipped), "reasons": " ".join(reasons)}
    return f"{done} {skipped}"


def routes(pages: RecordPages) -> list[tuple[str, object, list[str]]]:
    """(path under the list's URL, handler, methods) for `RecordPages.routes`."""

    def bound(handler):
        async def endpoint(request: Request) -> Response:
            return await handler(pages, request)

        endpoint.__name__ = f"{pages.module}_{handler.__name__}"
        return endpoint

    return [
        ("/views", bound(view_save), ["POST"]),
        ("/views/{view_id:id}/delete", bound(view_delete), ["POST"]),
        ("/bulk", bound(bulk_confirm), ["POST"]),
        ("/bulk/apply", bound(bulk_apply), ["POST"]),
    ]
