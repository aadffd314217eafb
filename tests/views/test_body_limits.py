"""Request bodies are bounded on every route while they stream in: Content-Length may be absent
or lie, and the application never receives more than its route's limit."""

from __future__ import annotations

from app import auth, settings
from app.limits import upload_limit
from app.models import Document
from tests import factories as f
from tests.views.conftest import HX, csrf_of, token

CHUNK = 64 * 1024
BOUNDARY = "kizunaboundary"


class Body:
    """A request body of `size` bytes made on demand; `sent` counts what the server pulled."""

    def __init__(self, head: bytes, size: int, filler: bytes = b"a") -> None:
        self.head, self.size, self.filler, self.sent = head, size, filler, 0

    async def __aiter__(self):
        yield self.head
        self.sent += len(self.head)
        while self.sent < self.size:
            yield self.filler * CHUNK
            self.sent += CHUNK


def multipart(csrf: str = "", filename: str = "big.pdf") -> tuple[bytes, dict[str, str]]:
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n").encode()
    return head, {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


async def test_a_300_mb_upload_to_login_is_refused_unread(client):
    # With a valid CSRF token, so that only the size stops it.
    head, headers = multipart(csrf_of((await client.get("/login")).text))
    body = Body(head, 300 * 1024 * 1024)
    response = await client.post("/login", content=body, headers={**headers, "Accept-Language": "en"})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "The request is too large. At most 1 MB can be sent here."
    assert body.sent <= settings.FORM_MAX_BYTES + CHUNK
    assert "Content-Length" not in response.request.headers  # streamed: counted, not trusted


async def test_url_encoded_forms_are_small_everywhere(client, signed_in):
    await signed_in("Sales")
    body = Body(f"csrf_token={await token(client)}&name=".encode(), 5 * 1024 * 1024)
    response = await client.post("/settings/account", content=body,
                                 headers={"Content-Type": "application/x-www-form-urlencoded",
                                          "Accept-Language": "ja"})
    assert response.status_code == 413
    assert response.text == "リクエストが大きすぎます。ここに送信できるのは最大 1 MB までです。"
    assert body.sent <= settings.FORM_MAX_BYTES + CHUNK


async def test_a_declared_length_over_the_limit_is_refused_before_reading(client):
    body = Body(b"email=", 300 * 1024 * 1024)
    response = await client.post("/login", content=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(300 * 1024 * 1024)})
    assert response.status_code == 413
    assert body.sent == 0


async def test_a_lying_content_length_does_not_help(client):
    body = Body(b"email=", 3 * 1024 * 1024)
    response = await client.post("/login", content=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Content-Length": "10"})
    assert response.status_code == 413
    assert body.sent <= settings.FORM_MAX_BYTES + CHUNK


async def test_graphql_bodies_have_their_own_limit_and_a_json_error(client):
    secret = (await auth.create_api_token(await f.make_user("Sales"), "tests"))[1]
    body = Body(b'{"query": "{ me { timezone } }", "variables": {"x": "', 200 * 1024 * 1024)
    response = await client.post("/graphql", content=body, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {secret}"})
    assert response.status_code == 413
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "REQUEST_TOO_LARGE", "max_bytes": settings.GRAPHQL_MAX_BODY_BYTES}
    assert body.sent <= settings.GRAPHQL_MAX_BODY_BYTES + CHUNK

    # Anonymous callers are turned away before their body is read at all.
    body = Body(b'{"query": "', 200 * 1024 * 1024)
    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 401 and body.sent <= CHUNK


async def test_upload_routes_take_a_document_and_no_more(client, principal, customer):
    invoice = await f.make_transaction(principal, "invoice", customer)
    url = f"/books/invoices/{invoice.id}/documents"
    csrf = await token(client)

    # Larger than a form, within a document: accepted.
    head, headers = multipart(csrf, "ok.pdf")
    fits = Body(head, 2 * 1024 * 1024, filler=b"%")
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    async def closed():
        async for chunk in fits:
            yield chunk
        yield tail

    accepted = await client.post(url, content=closed(), headers={**headers, **HX})
    assert accepted.status_code == 200, accepted.text[:300]
    assert await Document.filter(transaction_id=invoice.id).count() == 1

    head, headers = multipart(csrf, "huge.pdf")
    huge = Body(head, 300 * 1024 * 1024, filler=b"%")
    refused = await client.post(url, content=huge, headers={**headers, **HX})
    assert refused.status_code == 413
    assert huge.sent <= upload_limit() + CHUNK
    assert await Document.filter(transaction_id=invoice.id).count() == 1
