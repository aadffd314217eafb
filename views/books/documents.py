"""Documents attached to a transaction: upload (multipart, checked by app.services.documents),
download as an attachment, delete. Download and delete serve any document the user may see,
those of Books contacts included."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from app.errors import NotFound, ValidationError
from app.i18n import N_
from app.limits import limit_body, upload_limit
from app.models import Transaction
from app.services import documents
from app.services import transactions as txns
from views.downloads import attachment_headers
from views.books.kinds import KIND_PAGES, PAGES_OF_KIND, KindPages, kind_route
from views.books.transactions_detail import section_or_page
from views.htmx import is_partial
from views.pages import page
from views.records import error_map

FRAGMENT = "books/_documents.html"


async def upload(request: Request, kp: KindPages) -> Response:
    principal = request.state.principal
    txn = await txns.get(principal, kp.kind, request.path_params["id"], "create_edit")
    async with request.form(max_files=1, max_fields=5) as form:
        file = form.get("file")
        try:
            if not isinstance(file, UploadFile) or not file.filename:
                raise ValidationError.single("file", N_("Choose a file to attach."))
            await documents.upload(principal, kp.kind.value, txn.id, file.filename, file.file)
        except ValidationError as exc:
            return await section_or_page(request, kp, txn, FRAGMENT, 422,
                                         document_errors=error_map(exc, request))
    if not is_partial(request):
        return RedirectResponse(kp.url(txn) + "#documents", status_code=303)
    return await section_or_page(request, kp, txn, FRAGMENT)


async def download(request: Request) -> Response:
    doc = await documents.get(request.state.principal, request.path_params["id"])
    path = documents.storage_path(doc.storage_name)
    if not path.is_file():
        raise NotFound()
    return FileResponse(path, media_type=doc.content_type, headers=attachment_headers(doc.filename))


async def delete(request: Request) -> Response:
    principal = request.state.principal
    doc = await documents.get(principal, request.path_params["id"], "create_edit")
    await documents.delete(principal, doc.id)
    if is_partial(request):
        return Response(status_code=200)  # the row swaps itself out for nothing
    return RedirectResponse(await _parent_url(doc.transaction_id, doc.books_contact_id), status_code=303)


async def _parent_url(transaction_id: int | None, contact_id: int | None) -> str:
    if transaction_id is None:
        return f"/books/contacts/{contact_id}"
    txn = await Transaction.get(id=transaction_id)
    return PAGES_OF_KIND[txn.kind].url(txn) + "#documents"


routes = [
    *(limit_body(kind_route(kp, "/{id:id}/documents", upload, ("POST",)), upload_limit()) for kp in KIND_PAGES),
    Route("/books/documents/{id:id}", page(download)),
    Route("/books/documents/{id:id}/delete", page(delete), methods=["POST"]),
]
