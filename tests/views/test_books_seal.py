"""The company seal (角印): uploaded in Settings > Organization like the logo, printed beside the
issuer on every document while it is there, removable; anything that is not a small, readable
PNG or JPEG is refused with a message beside the field and nothing is stored."""

from __future__ import annotations

import io
import re
import struct
import zlib

from PIL import Image
from pypdf import PdfReader

from app.models import Organization
from app.permissions import Principal
from app.services.documents import storage_path
from tests import factories as f
from tests.views.conftest import HX, token


def seal_png(size: int = 240) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (size, size), (200, 30, 30, 180)).save(out, "PNG")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` pixels over a few bytes of data: decoded in
    full it would take width x height x 3 bytes of memory."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


async def upload_seal(client, name: str, content: bytes, htmx: bool = True):
    headers = {**(HX if htmx else {}), "X-CSRF-Token": await token(client)}
    return await client.post("/books/settings/seal", files={"seal": (name, content)},
                             data={"csrf_token": await token(client)}, headers=headers)


async def remove_seal(client):
    headers = {**HX, "X-CSRF-Token": await token(client)}
    return await client.post("/books/settings/seal/delete", headers=headers)


def error_beside(html: str, field: str) -> str:
    """The message in the invalid field block of the upload (its input is `<field>-file`)."""
    block = re.search(rf'<div class="field invalid">\s*<label for="{field}-file".*?</div>', html, re.S)
    assert block, f"no invalid field block for {field}"
    message = re.search(rf'<p class="field-error" id="error-{field}"[^>]*>([^<]+)</p>', block.group(0))
    assert message and f'aria-describedby="error-{field}"' in block.group(0)
    return message.group(1)


def images_on_first_page(pdf: bytes) -> int:
    xobjects = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"].get("/XObject", {})
    return sum(1 for x in xobjects.values() if x.get_object()["/Subtype"] == "/Image")


async def test_seal_uploaded_printed_and_removed(signed_in, client):
    me = await signed_in("Administrator")
    org = await f.make_org(me)
    invoice = await f.make_transaction(await Principal.load(me), "invoice", await f.make_customer(org))
    pdf_url = f"/books/invoices/{invoice.id}.pdf"
    before = await client.get(pdf_url)
    assert before.status_code == 200 and images_on_first_page(before.content) == 0

    page = await client.get("/books/settings")
    assert 'id="seal-form"' in page.text and "No seal yet." in page.text

    image = seal_png()
    ok = await upload_seal(client, "角印.png", image)
    assert ok.status_code == 200 and 'id="seal-image"' in ok.text and 'id="remove-seal"' in ok.text
    await org.refresh_from_db()
    assert org.seal_path.endswith(".png") and storage_path(org.seal_path).read_bytes() == image
    served = await client.get(f"/books/organization/{org.id}/seal")
    assert served.status_code == 200 and served.content == image
    assert served.headers["content-type"] == "image/png" and served.headers["x-content-type-options"] == "nosniff"
    assert images_on_first_page((await client.get(pdf_url)).content) == 1

    stored = org.seal_path
    removed = await remove_seal(client)
    assert removed.status_code == 200 and "No seal yet." in removed.text
    await org.refresh_from_db()
    assert org.seal_path == "" and not storage_path(stored).exists()
    assert images_on_first_page((await client.get(pdf_url)).content) == 0
    assert (await client.get(f"/books/organization/{org.id}/seal")).status_code == 404


async def test_hostile_seal_uploads_are_refused_beside_the_field(signed_in, client):
    me = await signed_in("Administrator")
    org = await f.make_org(me)
    too_big = seal_png() + b"\0" * (1024 * 1024)  # a real PNG with a megabyte appended
    truncated = seal_png()[:60]
    for name, content, message in (
        ("seal.png", b"just some text, not an image\n", "Upload a PNG or JPEG image."),
        ("seal.gif", b"GIF89a" + b"\0" * 64, "Upload a PNG or JPEG image."),
        ("seal.png", too_big, "The file is larger than 1 MB."),
        ("seal.png", png_claiming(60000, 60000), "The image is larger than 4096 x 4096 pixels."),
        ("seal.png", truncated, "The image could not be read."),
    ):
        refused = await upload_seal(client, name, content)
        assert refused.status_code == 422, name
        assert error_beside(refused.text, "seal") == message
    await org.refresh_from_db()
    assert org.seal_path == ""
    # Without htmx the whole settings page comes back, the message beside the seal field.
    page = await upload_seal(client, "seal.png", b"plain text", htmx=False)
    assert page.status_code == 422 and error_beside(page.text, "seal") == "Upload a PNG or JPEG image."
    assert 'id="logo-form"' in page.text


async def test_only_administrators_change_the_seal_and_others_orgs_seal_is_not_found(signed_in, client):
    theirs = await f.make_org(await f.make_user("Administrator"), seal_path="x" * 40 + ".png")
    me = await signed_in("Accountant")
    await f.make_org(me)
    assert (await upload_seal(client, "seal.png", seal_png())).status_code == 403
    assert (await client.get(f"/books/organization/{theirs.id}/seal")).status_code == 404
    assert not await Organization.filter(seal_path__not="").exclude(id=theirs.id).exists()
