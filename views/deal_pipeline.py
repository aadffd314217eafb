"""A deal's stage path (on its page) and the pipeline board: two faces of
app.services.deal_stages.move, which saves through the deal service (permissions, validation, the
Books automation), so a click or a drop does exactly what the edit form's save does.

    POST /deals/{id}/stage      stage_id[, lost_reason]: from the deal's page (htmx or a plain form);
                                success: a flash message and the page again; a refusal: the path
                                again (422) with the reason, the lost reason form open if it is that
    GET  /deals/board           the board: a column per stage, the deals list's search and filters
                                (`#board` fragment for htmx)
    POST /deals/board/move      deal_id, stage_id[, lost_reason] (static/js/deal_board.js, with the
                                board's filters in the query): success: the board fragment again;
                                a refusal: its reason as plain text (4xx), `X-Needs-Lost-Reason` when
                                a reason would let it through
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from app.errors import KizunaError, NotFound, PermissionDenied, ValidationError
from app.models import Account, Deal
from app.services import deal_stages
from app.services.deals import deals
from views.flash import flash_text
from views.htmx import is_partial, redirect_after_post, targets
from views.pages import page
from views.records import visible_refs
from views.templating import builtin_name, render, translator

BOARD_ID = "board"
NEEDS_REASON = "X-Needs-Lost-Reason"


async def path_context(request: Request, deal: Deal) -> dict:
    """What the deal's page needs for its stage path (views/deals.py adds it to the page)."""
    ordered = await deal_stages.stages()
    return {
        "stage_path": await deal_stages.stage_path(deal, ordered),
        "stage_actions": await deal_stages.actions(request.state.principal, deal, ordered),
        "lost_reason_max": deal_stages.LOST_REASON_MAX,
    }


def _refusal(request: Request, exc: KizunaError) -> tuple[str, bool]:
    """(the reason, as the user reads it; whether a lost reason is what is missing)."""
    _ = translator(request)
    if isinstance(exc, ValidationError):
        needs_reason = bool(exc.for_field("lost_reason"))
        return " ".join(e.render(_) for e in exc.errors), needs_reason
    return exc.render(_), False


def _moved_message(request: Request, deal: Deal, stage_name: str) -> str:
    _ = translator(request)
    return _("%(deal)s moved to %(stage)s.") % {
        "deal": deal.name, "stage": builtin_name(request.state.lang, stage_name)}


async def _form(request: Request) -> tuple[str, str | None]:
    form = await request.form()
    reason = form.get("lost_reason")
    return str(form.get("stage_id", "")), (str(reason) if reason is not None else None)


async def deal_move(request: Request) -> Response:
    principal = request.state.principal
    deal = await deals.get(principal, request.path_params["id"])
    stage_id, reason = await _form(request)
    try:
        deal = await deal_stages.move(principal, deal.id, stage_id, reason)
    except (ValidationError, PermissionDenied) as exc:
        message, needs_reason = _refusal(request, exc)
        if not is_partial(request):  # a plain form (no script): the reason on the page again
            flash_text(request, message, level="error")
            return redirect_after_post(request, f"/deals/{deal.id}")
        context = {"obj": deal, **await path_context(request, deal), "path_error": message,
                   "lost_open": needs_reason, "lost_reason_value": reason or ""}
        return render(request, "deals/_path.html", context, status_code=422)
    await deal.fetch_related("stage")
    flash_text(request, _moved_message(request, deal, deal.stage.name))
    return redirect_after_post(request, f"/deals/{deal.id}")


# ---- the board ---------------------------------------------------------------------------------


async def _board_context(request: Request) -> dict:
    from views.deals import pages  # the deals list: its filters narrow the board

    qs, q, active = pages.filtered(request)
    columns = await deal_stages.pipeline(qs)
    account_ids = {d.account_id for c in columns for d in c.deals}
    return {
        "pages": pages, "columns": columns, "q": q, "active": active,
        "accounts": await visible_refs(request.state.principal, Account, account_ids),
        "list_query": urlencode({k: v for k, v in {"q": q, **active}.items() if v}),
    }


async def board(request: Request) -> Response:
    context = await _board_context(request)
    template = "deals/_board.html" if targets(request, BOARD_ID) else "deals/board.html"
    return render(request, template, context)


async def board_move(request: Request) -> Response:
    principal = request.state.principal
    form = await request.form()
    reason = form.get("lost_reason")
    try:
        deal = await deal_stages.move(principal, str(form.get("deal_id", "")), form.get("stage_id", ""),
                                      str(reason) if reason is not None else None)
    except (ValidationError, PermissionDenied, NotFound) as exc:
        message, needs_reason = _refusal(request, exc)
        status = {ValidationError: 422, PermissionDenied: 403, NotFound: 404}[type(exc)]
        headers = {NEEDS_REASON: "1"} if needs_reason else {}
        return PlainTextResponse(message, status_code=status, headers=headers)
    await deal.fetch_related("stage")
    context = await _board_context(request)
    context["board_message"] = _moved_message(request, deal, deal.stage.name)
    return render(request, "deals/_board.html", context)


routes = [
    Route("/deals/board", page(board, "deals")),
    Route("/deals/board/move", page(board_move, "deals"), methods=["POST"]),
    Route("/deals/{id:id}/stage", page(deal_move, "deals"), methods=["POST"]),
]
