"""What the customer saw in the portal is kept: the page view keeps the PDF of that moment, the
download serves those same bytes, staff looking through the portal keep nothing."""

from __future__ import annotations

import hashlib

from app import settings
from app.models import DocumentVersion, Kind, VersionReason
from app.services import transactions as txns
from tests import factories as f


async def test_the_customer_view_keeps_what_they_saw_and_the_download_serves_it(client, invoice, principal):
    page = await client.get(f"/portal/{invoice.portal_token}")
    assert page.status_code == 200
    (v1,) = await DocumentVersion.filter(transaction_id=invoice.id)
    assert v1.reason == VersionReason.PORTAL and v1.created_by_id is None
    pdf = await client.get(f"/portal/{invoice.portal_token}.pdf")
    assert pdf.status_code == 200 and hashlib.sha256(pdf.content).hexdigest() == v1.sha256
    again = await client.get(f"/portal/{invoice.portal_token}.pdf")
    assert again.content == pdf.content
    assert await DocumentVersion.filter(transaction_id=invoice.id).count() == 1
    # An edit keeps version 2 at once; the customer now gets it, version 1 stays as it was.
    await txns.update(principal, Kind.INVOICE, invoice.id, {"lines": f.lines(("コンサルティング", 3, 50000, 10))})
    newer = await client.get(f"/portal/{invoice.portal_token}.pdf")
    v2 = await DocumentVersion.get(transaction_id=invoice.id, version=2)
    assert v2.reason == VersionReason.EDITED and hashlib.sha256(newer.content).hexdigest() == v2.sha256
    assert (settings.ARCHIVE_DIR / v1.storage_name).read_bytes() == pdf.content


async def test_a_tampered_kept_file_is_not_served_to_the_customer(client, invoice):
    first = await client.get(f"/portal/{invoice.portal_token}.pdf")
    version = await DocumentVersion.get(transaction_id=invoice.id)
    (settings.ARCHIVE_DIR / version.storage_name).write_bytes(first.content + b"%tampered")
    response = await client.get(f"/portal/{invoice.portal_token}.pdf")
    assert response.status_code == 409 and b"%PDF" not in response.content
    assert "SHA-256" in response.text
    # The page itself still shows (the damage is logged and reported on download).
    assert (await client.get(f"/portal/{invoice.portal_token}")).status_code == 200


async def test_staff_looking_through_the_portal_keep_nothing(client, invoice, staff):
    from tests.views.conftest import login

    await login(client, staff)
    assert (await client.get(f"/portal/{invoice.portal_token}")).status_code == 200
    pdf = await client.get(f"/portal/{invoice.portal_token}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert not await DocumentVersion.exists(transaction_id=invoice.id)
