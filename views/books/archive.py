"""The kept versions of documents (app.services.archive): the list on a document's page, the
download of one version as it was kept, and the archive search (Books → Archive) by date,
amount and counterparty."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.errors import PermissionDenied, ValidationError
from app.services import archive, archive_search
from views.books.kinds import KIND_PAGES, PAGES_OF_KIND, KindPages, kind_route
from views.downloads import attachment
from views.pages import error_page, page
from views.records import error_map
from views.templating import render

LIST_ID = "archive-results"


async def versions(request: Request, kp: KindPages) -> Response:
    """The versions section of a document's page (loaded by the page, or opened alone)."""
    record_id = request.path_params["id"]
    kept = await archive.versions_of(request.state.principal, kp.kind, record_id)
    context = {"versions": kept, "kp": kp, "txn_id": int(record_id), "authors": await archive.authors(kept),
               "reasons": archive.REASON_LABELS}
    return render(request, "books/_versions.html", context)


async def version_download(request: Request, kp: KindPages) -> Response:
    try:
        kept = await archive.version_pdf(request.state.principal, kp.kind, request.path_params["id"],
                                         request.path_params["number"])
    except archive.TamperedVersion as exc:
        return error_page(request, exc, 409)
    v = kept.version
    name = v.filename.removesuffix(".pdf") + f"_v{v.version}.pdf"
    return attachment(kept.body, name, "application/pdf", headers={"X-Content-SHA256": v.sha256})


async def archive_page(request: Request) -> Response:
    principal = request.state.principal
    kinds = archive_search.searchable_kinds(principal)
    if not kinds:
        raise PermissionDenied()
    params = {k: request.query_params.get(k, "")[:200] for k in
              ("direction", "kind", "date_from", "date_to", "amount_min", "amount_max", "counterparty")}
    offset, limit = request.query_params.get("offset", "0"), request.query_params.get("limit", "50")
    errors: dict[str, list[str]] = {}
    status = 200
    try:
        found = archive_search.criteria(params)
        result = await archive_search.search(principal, found, offset=offset, limit=limit)
        received = await archive_search.search_received(principal, found, offset=offset, limit=limit)
    except ValidationError as exc:
        errors, found, status = error_map(exc, request), archive_search.Criteria(), 422
        result, received = archive_search.Found([], 0, 0, 50), archive_search.FoundFiles([], 0, 0, 50)
    longest = max(result.total, received.total)
    context = {
        "values": params, "errors": errors, "result": result, "received": received, "criteria": found,
        "directions": archive_search.DIRECTIONS, "kinds": [PAGES_OF_KIND[k] for k in kinds],
        "pages_of_kind": PAGES_OF_KIND, "reasons": archive.REASON_LABELS, "list_id": LIST_ID,
        "next_offset": result.offset + result.limit if result.offset + result.limit < longest else None,
        "previous_offset": max(result.offset - result.limit, 0) if result.offset else None,
        "query": found.as_params(),
    }
    return render(request, "books/archive.html", context, status_code=status)


routes: list[Route] = [
    Route("/books/archive", page(archive_page)),
    *(kind_route(kp, "/{id:id}/versions", versions) for kp in KIND_PAGES),
    *(kind_route(kp, "/{id:id}/versions/{number}.pdf", version_download) for kp in KIND_PAGES),
]
