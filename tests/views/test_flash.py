"""A one-time message after every create, update and delete of a CRM record, in the user's
language, shown once; the record's name is data, never markup."""

from __future__ import annotations

from app.models import Contact, Task
from tests import factories as f
from tests.views.conftest import post


async def test_create_update_and_delete_say_so_once(signed_in, client):
    await signed_in("Manager", language="en")
    created = await post(client, "/contacts", {"last_name": "<b>山田</b>", "first_name": "太郎"})
    assert created.status_code == 303
    contact = await Contact.get(last_name="<b>山田</b>")
    page = await client.get(created.headers["location"])
    assert 'id="flash-message"' in page.text
    assert "Contact “&lt;b&gt;山田&lt;/b&gt; 太郎” was created." in page.text
    assert 'id="flash-message"' not in (await client.get(f"/contacts/{contact.id}")).text  # once
    saved = await post(client, f"/contacts/{contact.id}/edit", {"last_name": "山田", "first_name": "花子"})
    assert "Contact “山田 花子” was saved." in (await client.get(saved.headers["location"])).text
    gone = await post(client, f"/contacts/{contact.id}/delete")
    assert gone.status_code == 303
    assert "Contact “山田 花子” was deleted." in (await client.get(gone.headers["location"])).text


async def test_the_message_is_in_the_users_language(signed_in, client):
    me = await signed_in("Sales", language="ja")
    task = await f.make_task(me, subject="見積送付")
    saved = await post(client, f"/tasks/{task.id}/edit", {"subject": "見積送付（再）", "status": "in_progress",
                                                      "priority": "high"})
    assert saved.status_code == 303 and (await Task.get(id=task.id)).subject == "見積送付（再）"
    assert "タスク「見積送付（再）」を保存しました。" in (await client.get(saved.headers["location"])).text
