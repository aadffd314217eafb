"""Money recorded against a document on its page, one way for each kind: a payment on an invoice,
a refund or a credit application on a credit note. Recording posts the payment fields (a refused
amount is explained next to the form); voiding, after a confirmation, goes through the service,
which locks the documents and says why when it refuses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from tortoise.models import Model

from app.errors import Conflict, NotFound, ValidationError
from app.models import Transaction
from app.money import format_money
from app.permissions import Principal
from app.services import transactions as txns
from views.books import feedback
from views.books.kinds import KindPages, refusal_status
from views.books.transactions_detail import PAYMENT_FIELDS, refused, section_or_page
from views.htmx import redirect_after_post
from views.records import error_map
from views.templating import translator

Write = Callable[[Principal, int, dict[str, Any]], Awaitable[Any]]
Void = Callable[[Principal, Any], Awaitable[Any]]


async def record(request: Request, kp: KindPages, write: Write, *, fragment: str, prefix: str, problem: str,
                 message: str) -> Response:
    """Record what the payment form posts on the document of the page (`write`: the service);
    the form comes back with `<prefix>_errors` / `<prefix>_values`, or `problem` when the
    document refuses money now."""
    principal = request.state.principal
    owner = await txns.get(principal, kp.kind, request.path_params["id"], "create_edit")
    form = await request.form()
    values = {f.name: str(form.get(f.name, "")) for f in PAYMENT_FIELDS}
    try:
        made = await write(principal, owner.id, values)
    except ValidationError as exc:
        return await section_or_page(request, kp, owner, fragment, 422,
                                     **{f"{prefix}_errors": error_map(exc, request), f"{prefix}_values": values})
    except Conflict as exc:  # e.g. a draft, settled or void document
        return await section_or_page(request, kp, owner, fragment, refusal_status(request, 409),
                                     **{problem: exc.render(translator(request)), f"{prefix}_values": values})
    feedback.done(request, message, owner, amount=format_money(made.amount, owner.currency))
    return redirect_after_post(request, kp.url(owner))


async def void(request: Request, kp: KindPages, model: type[Model], owner_column: str, param: str, void_one: Void,
               message: str) -> Response:
    """Void the `model` row named by the path's `param` on the document of the page (`owner_column`
    names it on the row); any other row is not found here."""
    owner_id, row_id = request.path_params["id"], request.path_params[param]
    if not await model.exists(id=row_id, **{owner_column: owner_id}):
        raise NotFound()
    try:
        row = await void_one(request.state.principal, row_id)
    except Conflict as exc:
        return await refused(request, kp, owner_id, exc)
    owner = await Transaction.get(id=getattr(row, owner_column))
    feedback.done(request, message, owner, amount=format_money(row.amount, owner.currency))
    return redirect_after_post(request, kp.url(owner_id))
