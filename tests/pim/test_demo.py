"""The demo shows PIM sync at work: an Outlook import's report with a contact to fix, and a
phone's task waiting for sync now."""

from __future__ import annotations

from app import cli
from app.models import Contact, PimHeld, PimIgnored, PimIgnoreReason, PimRun, Task, User


async def test_the_demo_has_an_import_report_to_fix_and_a_held_phone_change(db):
    await cli.setup(demo=True, out=lambda line: None)
    admin = await User.filter(role__name="Administrator").order_by("id").first()
    run = await PimRun.get(user_id=admin.id, file_name="Outlook連絡先.csv")
    assert run.counts["contacts"]["added"] == 2 and run.counts["contacts"]["ignored"] == 1
    ignored = await PimIgnored.get(run_id=run.id)
    assert (ignored.reason, ignored.field, ignored.label) == (PimIgnoreReason.LIMIT, "department", "西村 健")
    emma = await Contact.get(email="emma@northwind.example").prefetch_related("account")
    assert emma.account.name == "Northwind Traders" and emma.title == "Buyer"
    held = await PimHeld.get(collection__user_id=admin.id)
    assert held.device == "iPhone (DAVx5)" and held.action == "put"
    assert not await Task.filter(subject="見積書の送付（さくら商事）").exists()  # until sync now
