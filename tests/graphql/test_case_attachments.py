"""A case's files through GraphQL: `Case.attachments` (one query for a whole page of cases, only
for cases the caller sees), `node(id:)`, and `removeCaseAttachment` with its typed refusals."""

from __future__ import annotations

import pytest

from app.models import Access, CaseAttachment, EmailAttachment
from app.permissions import Principal
from app.services import email_actions as actions
from tests import factories as f
from tests.graphql.conftest import gid
from tests.querycount import count_queries

pytestmark = pytest.mark.usefixtures("db")

PDF = b"%PDF-1.4\n%%EOF\n"
FILES = """attachments { id filename contentType size downloadUrl }"""
REMOVE = """mutation($id: ID!) { removeCaseAttachment(id: $id) { __typename
  ... on RemoveCaseAttachmentPayload { removedId case { id attachments { filename } } }
  ... on NotFound { message } ... on PermissionDenied { message } } }"""


async def _case(owner, n_files: int = 2):
    box = await f.make_mailbox(owner)
    await f.make_contact(owner, email="yamada@example.jp")  # a case is for an existing contact
    files = tuple((f"資料{i}.pdf", "application/pdf", PDF + str(i).encode()) for i in range(n_files))
    email = await f.make_email(box, sender="yamada@example.jp", to=(owner.email,), subject="ご相談", attachments=files,
                               inline=(("logo@example.jp", "image/png", b"\x89PNG\r\n\x1a\nlogo"),))
    case = await actions.create_case(await Principal.load(owner), email.id, include_attachments=True)
    return case, list(await CaseAttachment.filter(case_id=case.id).order_by("id"))


async def test_a_cases_files_by_id_and_in_the_list(gql):
    owner = await f.make_user("Sales")
    case, (first, second) = await _case(owner)
    data = await gql(owner, f"""query($id: ID!) {{ case(id: $id) {{ {FILES} }}
      cases(first: 10) {{ edges {{ node {{ id {FILES} }} }} }} }}""", {"id": gid("Case", case.id)})
    expected = [{"id": gid("CaseAttachment", a.id), "filename": a.filename, "contentType": "application/pdf",
                 "size": len(PDF) + 1, "downloadUrl": f"/cases/attachments/{a.id}"} for a in (first, second)]
    assert data["case"]["attachments"] == expected  # the inline image is not among them
    assert data["cases"]["edges"][0]["node"]["attachments"] == expected
    node = await gql(owner, """query($id: ID!) { node(id: $id) { __typename ... on CaseAttachment { filename } } }""",
                     {"id": gid("CaseAttachment", first.id)})
    assert node["node"] == {"__typename": "CaseAttachment", "filename": "資料0.pdf"}


async def test_files_of_cases_one_may_not_see_stay_hidden(gql):
    owner = await f.make_user("Sales")
    _case_, (first, _second) = await _case(owner)
    stranger = await f.make_user("Sales")
    data = await gql(stranger, f"""query($id: ID!) {{ node(id: $id) {{ id }}
      cases(first: 10) {{ totalCount edges {{ node {{ {FILES} }} }} }} }}""", {"id": gid("CaseAttachment", first.id)})
    assert data == {"node": None, "cases": {"totalCount": 0, "edges": []}}


async def test_the_list_costs_the_same_queries_for_5_or_20_cases_with_files(gql):
    owner = await f.make_user("Sales")
    for _ in range(20):
        await _case(owner, n_files=2)
    await gql(owner, "{ me { timezone } }")  # the token's first use is recorded once
    counts = {}
    for n in (5, 20):
        with count_queries() as queries:
            data = await gql(owner, f"query($n: Int) {{ cases(first: $n) {{ edges {{ node {{ subject {FILES} }} }} }} }}",
                             {"n": n})
        assert len(data["cases"]["edges"]) == n
        assert all(len(e["node"]["attachments"]) == 2 for e in data["cases"]["edges"])
        counts[n] = len(queries)
    assert counts[5] == counts[20], queries.sql
    # the user with their token, the cases, then every file of the page at once
    assert counts[20] == 3 and sum("case_attachments" in sql for sql in queries.sql) == 1, queries.sql


async def test_remove_case_attachment(gql):
    owner = await f.make_user("Sales")
    case, (first, second) = await _case(owner)
    reader = await f.make_user("Sales")
    await f.share("cases", Access.READ_ONLY, owner=owner, grantee=reader)
    stranger = await f.make_user("Sales")
    refused = (await gql(reader, REMOVE, {"id": gid("CaseAttachment", first.id)}))["removeCaseAttachment"]
    assert refused == {"__typename": "PermissionDenied", "message": "This record is shared with you read-only."}
    hidden = (await gql(stranger, REMOVE, {"id": gid("CaseAttachment", first.id)}))["removeCaseAttachment"]
    assert hidden["__typename"] == "NotFound"
    for wrong in (gid("Case", case.id), gid("EmailAttachment", first.id), "not-an-id"):
        assert (await gql(owner, REMOVE, {"id": wrong}))["removeCaseAttachment"]["__typename"] == "NotFound"
    assert await CaseAttachment.filter(case_id=case.id).count() == 2

    done = (await gql(owner, REMOVE, {"id": gid("CaseAttachment", first.id)}))["removeCaseAttachment"]
    assert done == {"__typename": "RemoveCaseAttachmentPayload", "removedId": gid("CaseAttachment", first.id),
                    "case": {"id": gid("Case", case.id), "attachments": [{"filename": second.filename}]}}
    assert await EmailAttachment.filter(blob_id=first.blob_id).exists()  # the e-mail keeps its file
    again = (await gql(owner, REMOVE, {"id": gid("CaseAttachment", first.id)}))["removeCaseAttachment"]
    assert again["__typename"] == "NotFound"
