"""Demo data of PIM sync: an Outlook export the administrator imported (its report lists one
contact ignored for a department over its 50 characters, to fix and sync again), and tasks
synced manually, with a task a phone added waiting for "sync now". Both go through the code users
meet: the Outlook CSV reader, the engine and the DAV collections."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.models import PimKind, PimRunSource, User
from app.permissions import Principal
from app.pim import apply, client_changes, collections, ical, outlook_csv, runs
from app.pim import settings as pim_settings
from app.pim.items import Item

CONTACTS = [
    {"last_name": "森", "first_name": "陽子", "email": "mori@sakura-shoji.example", "account_name": "さくら商事株式会社",
     "title": "購買部長", "department": "購買部", "work_phone": "03-5555-0101"},
    {"last_name": "Wilson", "first_name": "Emma", "email": "emma@northwind.example", "account_name": "Northwind Traders",
     "title": "Buyer", "work_phone": "+1 206 555 0100"},
    {"last_name": "西村", "first_name": "健", "email": "nishimura@kaede-kogyo.example", "account_name": "かえで工業株式会社",
     "department": "東日本営業本部 第二営業部 法人ソリューション推進グループ 兼 新規事業開発室 兼 デジタルトランスフォーメーション推進担当"},
]


async def load_pim_demo(admin: User) -> None:
    principal = await Principal.load(admin)
    exported = outlook_csv.write(PimKind.CONTACTS, [Item(PimKind.CONTACTS, values=v) for v in CONTACTS],
                                 language="ja")
    table = outlook_csv.read(exported)
    mapping = outlook_csv.guess_mapping(PimKind.CONTACTS, table.headers)
    run = await runs.start(admin, PimRunSource.IMPORT, file_name="Outlook連絡先.csv")
    await apply.apply(principal, outlook_csv.items(PimKind.CONTACTS, table, mapping, tz=admin.timezone), run)
    await runs.finish(run)

    await pim_settings.update(principal, PimKind.TASKS.value, {"automatic": False})
    view = await collections.open_view(principal, collections.CALENDAR)
    due = datetime.now(ZoneInfo(admin.timezone)).date() + timedelta(days=3)
    task = Item(PimKind.TASKS, uid="demo-phone-task-1", values={"subject": "見積書の送付（さくら商事）",
                                                                "due_date": due})
    await client_changes.put(principal, view, "demo-phone-task-1.ics", ical.dumps([task], tz=admin.timezone).encode(),
                             if_match=None, if_none_match="*", device="iPhone (DAVx5)")
