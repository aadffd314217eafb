"""The files a case keeps from its e-mail, on the case's page: listed with their sizes, downloaded
as attachments by whoever may see the case (anyone else: 404), removed by whoever may edit it.
Walks anonymous -> a user who cannot see the case -> one who may only read it -> the owner."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from app.mail import blobs
from app.models import Access, CaseAttachment, EmailAttachment
from app.permissions import Principal
from app.services import email_actions as actions
from tests import factories as f
from tests.views.conftest import HX, hx_post, login, post

PDF = b"%PDF-1.4\n% case attachment test\n%%EOF\n"
HTML = b"<script>alert(1)</script>"
LOGO = b"\x89PNG\r\n\x1a\ncase-logo"


async def _case(owner, **kw):
    """A case made from the owner's e-mail with two files and an inline image."""
    box = await f.make_mailbox(owner)
    await f.make_contact(owner, email="yamada@example.jp")  # a case is for an existing contact
    email = await f.make_email(box, sender="山田 太郎 <yamada@example.jp>", to=(owner.email,), subject="見積のご依頼",
                               text="添付をご確認ください。",
                               attachments=(("見積依頼.pdf", "application/pdf", PDF), ("page.html", "text/html", HTML)),
                               inline=(("logo@example.jp", "image/png", LOGO),))
    case = await actions.create_case(await Principal.load(owner), email.id, include_attachments=True, **kw)
    pdf, page = await CaseAttachment.filter(case_id=case.id).order_by("id")
    return SimpleNamespace(case=case, email=email, pdf=pdf, page=page)


@pytest.fixture
async def owner(db):
    return await f.make_user("Sales", name="持ち主 一郎")


async def test_the_case_page_lists_its_files_with_sizes_and_links(client, owner):
    s = await _case(owner)
    assert (await login(client, owner)).status_code == 303
    html = (await client.get(f"/cases/{s.case.id}")).text
    section = html[html.index('id="case-attachments"'):]
    assert "Attachments" in section
    assert f'href="/cases/attachments/{s.pdf.id}"' in section and "見積依頼.pdf" in section
    assert f"{len(PDF)} bytes" in section  # sizes as the rest of the app shows them (babel)
    assert "page.html" in section and "image-1.png" not in section  # the inline image is not a file of it
    assert f'id="remove-case-attachment-{s.pdf.id}"' in section
    form = re.search(rf'<form[^>]*action="/cases/attachments/{s.pdf.id}/remove"[^>]*>', section).group(0)
    assert 'hx-post=' in form and 'hx-target="closest li"' in form
    assert 'name="csrf_token"' in section


async def test_a_case_without_files_shows_no_list(client, owner):
    case = await f.make_case(owner)
    await login(client, owner)
    page = await client.get(f"/cases/{case.id}")
    assert page.status_code == 200 and 'id="case-attachments"' not in page.text


async def test_the_page_speaks_japanese(client, db):
    owner = await f.make_user("Sales", language="ja")
    s = await _case(owner)
    await login(client, owner)
    html = (await client.get(f"/cases/{s.case.id}")).text
    section = html[html.index('id="case-attachments"'):]
    for text in ("添付ファイル", f"{len(PDF)} バイト", "ケースから外す", "このファイルをケースから外しますか？"):
        assert text in section, text


async def test_a_download_is_the_exact_bytes_as_an_attachment(client, owner):
    s = await _case(owner)
    await login(client, owner)
    answer = await client.get(f"/cases/attachments/{s.pdf.id}")
    assert answer.status_code == 200 and answer.content == PDF
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E4%BE%9D%E9%A0%BC.pdf" in answer.headers["content-disposition"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    # a type a browser would render is never sent as itself
    page = await client.get(f"/cases/attachments/{s.page.id}")
    assert page.content == HTML and page.headers["content-type"] == "application/octet-stream"
    assert page.headers["content-disposition"].startswith("attachment;")


async def test_files_of_cases_one_may_not_see_are_not_found(client, owner):
    s = await _case(owner)
    urls = [f"/cases/{s.case.id}", f"/cases/attachments/{s.pdf.id}"]
    # anonymous: sent to sign in
    for url in urls:
        answer = await client.get(url)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    # another Sales user: neither the case nor its files exist for them
    await login(client, await f.make_user("Sales"))
    for url in urls:
        assert (await client.get(url)).status_code == 404, url
    assert (await post(client, f"/cases/attachments/{s.pdf.id}/remove")).status_code == 404
    # a role without the cases module: refused like every page of the module, whatever the id
    await login(client, await f.make_user("Accountant"))
    for url in (*urls, "/cases/attachments/999999"):
        assert (await client.get(url)).status_code == 403, url
    assert await CaseAttachment.filter(case_id=s.case.id).count() == 2
    # ids no record has, or beyond the id column
    await login(client, owner)
    for url in ("/cases/attachments/999999", "/cases/attachments/99999999999999999999"):
        assert (await client.get(url)).status_code == 404, url
    assert (await hx_post(client, "/cases/attachments/99999999999999999999/remove")).status_code == 404


async def test_a_reader_downloads_but_may_not_remove(client, owner):
    s = await _case(owner)
    reader = await f.make_user("Sales")
    await f.share("cases", Access.READ_ONLY, owner=owner, grantee=reader)
    await login(client, reader)
    html = (await client.get(f"/cases/{s.case.id}")).text
    assert "見積依頼.pdf" in html and "remove-case-attachment" not in html
    assert (await client.get(f"/cases/attachments/{s.pdf.id}")).content == PDF
    refused = await hx_post(client, f"/cases/attachments/{s.pdf.id}/remove")
    assert refused.status_code == 403 and "read-only" in refused.text
    assert await CaseAttachment.filter(case_id=s.case.id).count() == 2


async def test_the_owner_removes_a_file_the_email_keeps_it(client, owner):
    s = await _case(owner)
    await login(client, owner)
    assert (await client.post(f"/cases/attachments/{s.pdf.id}/remove", headers=HX)).status_code == 403  # no CSRF
    answer = await hx_post(client, f"/cases/attachments/{s.pdf.id}/remove")
    assert answer.status_code == 200 and answer.text == ""  # the list item swaps itself out
    assert await CaseAttachment.filter(case_id=s.case.id).values_list("id", flat=True) == [s.page.id]
    assert "見積依頼.pdf" not in (await client.get(f"/cases/{s.case.id}")).text
    assert (await client.get(f"/cases/attachments/{s.pdf.id}")).status_code == 404
    # the e-mail still has it, its bytes still there
    kept = await EmailAttachment.get(email_id=s.email.id, filename="見積依頼.pdf").select_related("blob")
    assert kept.blob_id == s.pdf.blob_id and blobs.path(kept.blob.sha256).read_bytes() == PDF
    # without htmx: back to the case's page
    plain = await post(client, f"/cases/attachments/{s.page.id}/remove")
    assert plain.status_code == 303 and plain.headers["location"] == f"/cases/{s.case.id}"
    assert not await CaseAttachment.exists(case_id=s.case.id)
    again = await hx_post(client, f"/cases/attachments/{s.page.id}/remove")
    assert again.status_code == 404


async def test_a_file_whose_bytes_are_gone_is_not_found(client, owner):
    box = await f.make_mailbox(owner)
    await f.make_contact(owner, email="yamada@example.jp")  # a case is for an existing contact
    unique = b"%PDF-1.4 only this test " + owner.email.encode()
    email = await f.make_email(box, sender="yamada@example.jp", to=(owner.email,),
                               attachments=(("gone.pdf", "application/pdf", unique),))
    case = await actions.create_case(await Principal.load(owner), email.id, include_attachments=True)
    attachment = await CaseAttachment.get(case_id=case.id).select_related("blob")
    blobs.path(attachment.blob.sha256).unlink()
    await login(client, owner)
    assert (await client.get(f"/cases/attachments/{attachment.id}")).status_code == 404
