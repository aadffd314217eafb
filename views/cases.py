"""Cases: list (filter by status), page, form; the files a case keeps from its e-mail (download,
remove)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from app.errors import NotFound
from app.i18n import N_
from app.mail import blobs
from app.models import Case, RelatedType
from app.services import cases as case_service
from app.services.cases import cases
from views import related
from views.choices import CASE_STATUS, contact_options
from views.downloads import attachment_headers
from views.htmx import is_partial
from views.mail.emails import DOWNLOAD_TYPES
from views.pages import page
from views.records import Column, Field, Filter, RecordPages, Section


async def _attachments(request: Request, case: Case) -> dict:
    return {"attachments": await case_service.attachments_of(request.state.principal, case)}


pages = RecordPages(
    module="cases",
    service=cases,
    singular=N_("Case"),
    plural=N_("Cases"),
    sections=(
        Section(N_("Case"), (
            Field("subject", N_("Subject"), required=True),
            Field("status", N_("Status"), "select", CASE_STATUS, blank=False),
            Field("contact_id", N_("Contact"), "ref", options=contact_options, module="contacts"),
            Field("email", N_("E-mail"), "email"),
        )),
        Section(N_("Description"), (Field("description", N_("Description"), "textarea"),)),
    ),
    columns=(
        Column(N_("Subject"), "subject", "link"),
        Column(N_("Status"), "status", "choice", CASE_STATUS),
        Column(N_("Contact"), "contact_id", "ref", module="contacts"),
        Column(N_("E-mail"), "email"),
        Column(N_("Owner"), "owner.name"),
    ),
    filters=(Filter("status", N_("Status"), (("", N_("All")), *CASE_STATUS),
                    lambda qs, v, p: qs.filter(status=v)),),
    related=related.activities(RelatedType.CASE),
    detail_template="cases/detail.html",
    extra_detail=_attachments,
)


async def attachment_download(request: Request) -> Response:
    """A file of a case, as a download (as an e-mail's files are served), for users who may see
    the case; anyone else gets a 404."""
    attachment = await case_service.get_attachment(request.state.principal, request.path_params["id"])
    path = blobs.path(attachment.blob.sha256)
    if not path.is_file():
        raise NotFound()
    content_type = attachment.content_type.lower()
    media_type = content_type if content_type in DOWNLOAD_TYPES else "application/octet-stream"
    return FileResponse(path, media_type=media_type, headers=attachment_headers(attachment.filename or "attachment"))


async def attachment_remove(request: Request) -> Response:
    case = await case_service.remove_attachment(request.state.principal, request.path_params["id"])
    if is_partial(request):
        return Response(status_code=200)  # the list item swaps itself out for nothing
    return RedirectResponse(pages.url(case), status_code=303)


routes = [
    *pages.routes(),
    Route("/cases/attachments/{id:id}", page(attachment_download, "cases")),
    Route("/cases/attachments/{id:id}/remove", page(attachment_remove, "cases"), methods=["POST"]),
]
