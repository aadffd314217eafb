"""Settings > Mail: connecting a mailbox against a real IMAP server (pymap), the server's own
words when it refuses, the folders step, edit without showing the password, disable/enable,
"sync now", remove; a Books organization's mailboxes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from markupsafe import escape

from app.mail import imap
from app.models import Mailbox, MailboxShare, MailboxSharing, MailFolder
from app.services import mailboxes as mailbox_service
from tests import factories as f
from tests.views.conftest import hx_post, login, post


@pytest.fixture
def synced(monkeypatch) -> list[int]:
    """The mailbox ids a sync was requested for (the job engine is not under test here)."""
    calls: list[int] = []

    async def request_sync(mailbox_id: int) -> None:
        calls.append(mailbox_id)

    monkeypatch.setattr(mailbox_service, "request_sync", request_sync)
    return calls


def form_for(server, **changes) -> dict[str, str]:
    values = {"email": "kizuna@example.jp", "imap_host": server.host, "imap_port": str(server.port),
              "imap_security": "none", "username": server.username, "password": server.password,
              "sharing": "private", "smtp_port": "587", "smtp_security": "starttls"}
    return {**values, **changes}


async def test_connect_shows_the_servers_own_refusal(client, signed_in, imap_server, synced):
    await signed_in("Sales")
    wrong = form_for(imap_server, password="not-the-password")
    with pytest.raises(imap.ImapError) as refused:
        imap.test_login(imap_server.settings_for(imap.Security.NONE, password="not-the-password"))
    response = await hx_post(client, "/settings/mail", wrong)
    assert response.status_code == 422
    assert 'id="mailbox-form"' in response.text and "<html" not in response.text  # the form alone
    assert 'id="error-password"' in response.text and str(escape(refused.value.message)) in response.text
    assert "not-the-password" not in response.text  # never shown back
    assert await Mailbox.all().count() == 0 and synced == []
    # without htmx: the whole page, same words
    page = await post(client, "/settings/mail", wrong)
    assert page.status_code == 422 and str(escape(refused.value.message)) in page.text and "<html" in page.text


async def test_a_refusal_in_the_servers_words_whatever_they_are(client, signed_in, monkeypatch):
    await signed_in("Sales")

    def refuse(settings):
        raise imap.ImapError("[AUTHENTICATIONFAILED] 認証に失敗しました <b>", "auth")

    monkeypatch.setattr(imap, "test_login", refuse)
    response = await hx_post(client, "/settings/mail", {"email": "a@example.jp", "imap_host": "imap.example.jp",
                                                        "username": "a", "password": "secret"})
    assert response.status_code == 422
    assert "[AUTHENTICATIONFAILED] 認証に失敗しました &lt;b&gt;" in response.text


async def test_required_fields_come_back_with_messages(client, signed_in):
    await signed_in("Sales")
    response = await hx_post(client, "/settings/mail", {"imap_port": "99999"})
    assert response.status_code == 422
    for field in ("email", "imap_host", "username", "password", "imap_port"):
        assert f'id="error-{field}"' in response.text, field


async def test_connect_choose_folders_edit_disable_sync_remove(client, signed_in, imap_server, synced):
    me = await signed_in("Sales")
    page = (await client.get("/settings/mail")).text
    assert 'href="/settings/mail" aria-current="page"' in page and 'id="mailbox-form"' in page
    response = await hx_post(client, "/settings/mail", form_for(imap_server))
    mailbox = await Mailbox.get(owner_id=me.id)
    assert response.headers["hx-location"] == f"/settings/mail/{mailbox.id}/folders?done=connected"
    assert synced == [mailbox.id] and mailbox.password == imap_server.password
    # the folders step lists the server's folders, INBOX and Sent chosen
    folders = (await client.get(f"/settings/mail/{mailbox.id}/folders?done=connected")).text
    assert 'value="INBOX" checked' in folders and 'value="Sent" checked' in folders
    assert 'id="notice"' in folders
    saved = await post(client, f"/settings/mail/{mailbox.id}/folders", {"folders": "INBOX"})
    assert saved.status_code == 303
    assert {f.name: f.sync for f in await MailFolder.filter(mailbox_id=mailbox.id)} == {"INBOX": True, "Sent": False}
    bad = await post(client, f"/settings/mail/{mailbox.id}/folders", {"folders": "Nope"})
    assert bad.status_code == 422 and 'id="error-folders"' in bad.text
    # edit: the password is never sent back; blank keeps it; the folder choice stays
    edit = (await client.get(f"/settings/mail/{mailbox.id}/edit")).text
    assert imap_server.password not in edit and 'id="password-stored"' in edit
    changed = form_for(imap_server, password="", sharing="chosen", email="renamed@example.jp")
    colleague = await f.make_user("Sales")
    changed["shared_user_ids"] = str(colleague.id)
    assert (await post(client, f"/settings/mail/{mailbox.id}/edit", changed)).status_code == 303
    await mailbox.refresh_from_db()
    assert mailbox.email == "renamed@example.jp" and mailbox.password == imap_server.password
    assert mailbox.sharing == MailboxSharing.CHOSEN
    assert await MailboxShare.filter(mailbox_id=mailbox.id).values_list("user_id", flat=True) == [colleague.id]
    assert (await MailFolder.get(mailbox_id=mailbox.id, name="Sent")).sync is False
    # sync now, disable, enable
    assert (await post(client, f"/settings/mail/{mailbox.id}/sync")).status_code == 303
    assert synced == [mailbox.id, mailbox.id]
    await post(client, f"/settings/mail/{mailbox.id}/disable")
    await mailbox.refresh_from_db()
    assert not mailbox.enabled
    listing = (await client.get("/settings/mail?done=disabled")).text
    assert f'id="enable-{mailbox.id}"' in listing and f'id="sync-{mailbox.id}"' not in listing
    await post(client, f"/settings/mail/{mailbox.id}/enable")
    await mailbox.refresh_from_db()
    assert mailbox.enabled and synced[-1] == mailbox.id
    # remove, after a confirmation page
    confirm = await client.get(f"/settings/mail/{mailbox.id}/remove")
    assert confirm.status_code == 200 and 'id="confirm-remove"' in confirm.text
    assert (await post(client, f"/settings/mail/{mailbox.id}/remove")).status_code == 303
    assert not await Mailbox.exists(id=mailbox.id)


async def test_list_shows_sync_state_errors_and_failing(client, signed_in):
    me = await signed_in("Sales")
    ok = await f.make_mailbox(me, email="ok@example.jp", last_sync_at=datetime.now(UTC), message_count=1234)
    failing = await f.make_mailbox(me, email="bad@example.jp", last_error="Connection refused by 192.0.2.1",
                                   failing_since=datetime.now(UTC) - timedelta(days=3))
    page = (await client.get("/settings/mail")).text
    assert f'id="mailbox-{ok.id}-count">1234<' in page
    assert f'id="mailbox-{failing.id}-failing"' in page and "Connection refused by 192.0.2.1" in page
    assert f'id="mailbox-{ok.id}-failing"' not in page
    assert 'id="mail-failing-notice"' in page


async def test_another_users_mailbox_is_not_found(client, signed_in):
    owner = await f.make_user("Sales")
    mailbox = await f.make_mailbox(owner)
    await signed_in("Administrator")
    for url in ("edit", "folders", "remove"):
        assert (await client.get(f"/settings/mail/{mailbox.id}/{url}")).status_code == 404
    for url in ("edit", "folders", "sync", "disable", "enable", "remove"):
        assert (await post(client, f"/settings/mail/{mailbox.id}/{url}", {})).status_code == 404, url
    await mailbox.refresh_from_db()
    assert mailbox.enabled
    assert f'id="mailbox-{mailbox.id}"' not in (await client.get("/settings/mail")).text


async def test_organization_mailbox(client, imap_server, synced, db):
    accountant = await f.make_user("Accountant")
    colleague = await f.make_user("Accountant")
    org = await f.make_org(accountant, colleague)
    await login(client, accountant)
    page = (await client.get("/books/settings/mailboxes")).text
    assert 'action="/books/settings/mailboxes"' in page
    assert 'id="sharing-chosen" checked' in page and f'value="{colleague.id}" checked' in page  # its members
    data = form_for(imap_server, sharing="chosen", shared_user_ids=str(colleague.id))
    response = await hx_post(client, "/books/settings/mailboxes", data)
    mailbox = await Mailbox.get(owner_id=accountant.id)
    assert mailbox.organization_id == org.id
    assert response.headers["hx-location"] == f"/settings/mail/{mailbox.id}/folders?done=connected"
    saved = await post(client, f"/settings/mail/{mailbox.id}/folders", {"folders": ["INBOX", "Sent"]})
    assert saved.headers["location"] == "/books/settings/mailboxes?done=folders"
    await login(client, colleague)  # a member sees it listed, and may not change it
    listing = (await client.get("/books/settings/mailboxes")).text
    assert f'id="mailbox-{mailbox.id}"' in listing and f'href="/settings/mail/{mailbox.id}/edit"' not in listing
    outsider = await f.make_user("Sales")
    await login(client, outsider)
    assert (await client.get("/books/settings/mailboxes")).status_code == 404
