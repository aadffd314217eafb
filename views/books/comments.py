"""Notes on a transaction, written under its history: htmx appends the new one to the list and
hands back an empty form."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from app.errors import ValidationError
from app.services import history
from app.services import transactions as txns
from views.books.kinds import KIND_PAGES, KindPages, kind_route
from views.books.transactions_detail import comment_entry, section_or_page
from views.htmx import is_partial
from views.records import error_map
from views.templating import render


async def add_note(request: Request, kp: KindPages) -> Response:
    principal = request.state.principal
    txn = await txns.get(principal, kp.kind, request.path_params["id"])
    form = await request.form()
    text = str(form.get("text", ""))
    try:
        comment = await history.add_note(principal, txn, text,
                                         visible_to_customer=form.get("visible_to_customer") == "1")
    except ValidationError as exc:
        response = await section_or_page(request, kp, txn, "books/_note_form.html", 422,
                                         note_errors=error_map(exc, request), note_text=text)
        response.headers.update({"HX-Retarget": "#note-form", "HX-Reswap": "outerHTML"})
        return response
    if not is_partial(request):
        return RedirectResponse(kp.url(txn) + "#comments", status_code=303)
    await comment.fetch_related("author")
    context = {"kp": kp, "txn": txn, "entry": comment_entry(request, comment), "can_write": True,
               "note_errors": {}, "note_text": ""}
    return render(request, "books/_note_added.html", context)


routes = [kind_route(kp, "/{id:id}/comments", add_note, ("POST",)) for kp in KIND_PAGES]
