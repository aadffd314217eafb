"""Demo data: a small Tokyo trading company's CRM (deterministic, loaded by `setup` on first start)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from app import readings
from app.auth import hash_password
from app.services.deal_lines import total
from app.models import (
    SavedView,
    Access,
    Account,
    Case,
    CaseStatus,
    Contact,
    Deal,
    DealContact,
    DealLine,
    Event,
    EventAttendee,
    Lead,
    LeadStatus,
    Product,
    RelatedType,
    Role,
    SharingRule,
    Stage,
    StageCategory,
    Task,
    TaskPriority,
    TaskStatus,
    User,
)

TOKYO = ZoneInfo("Asia/Tokyo")

# (name, code, unit, unit price, tax rate, description)
PRODUCTS = [
    ("業務用プリンター KZ-500", "KZ-500", "台", 128_000, 10, "A3対応のカラー複合機"),
    ("トナーカートリッジ（黒）", "KZ-T01", "個", 8_800, 10, ""),
    ("保守サポート（年間）", "SUP-Y", "年", 60_000, 10, "オンサイト保守・部品交換を含む"),
    ("導入コンサルティング", "CONS-H", "時間", 15_000, 10, ""),
    ("設置作業", "SET-01", "式", 30_000, 10, ""),
    ("業務用緑茶ティーバッグ", "TEA-100", "箱", 2_400, 8, "軽減税率対象"),
]

# (name, address as (postal code, state, city, street, building, country), phone, lang). Japanese
# addresses by their parts: 〒, 都道府県, 市区町村, 番地, 建物 (app.addressing); others as their country
# writes them. Readings are generated (app.readings) but one, entered as a user types it.
ACCOUNTS = [
    ("株式会社さくら商事", ("100-0005", "東京都", "千代田区", "丸の内1-1-1", "丸の内さくらビル12階", "日本"),
     "03-1234-5678", "ja"),
    ("富士精機株式会社", ("420-0853", "静岡県", "静岡市葵区", "追手町9-6", "", "日本"), "054-221-1111", "ja"),
    ("有限会社みどり園芸", ("330-0063", "埼玉県", "さいたま市浦和区", "高砂3-15-1", "", "日本"), "048-824-2111", "ja"),
    ("株式会社あおば設計", ("980-0014", "宮城県", "仙台市青葉区", "本町3-8-1", "青葉本町ビル3階", "日本"),
     "022-211-2111", "ja"),
    ("合同会社ひかりデジタル", ("530-0001", "大阪府", "大阪市北区", "梅田2-4-9", "ブリーゼタワー20階", "日本"),
     "06-6345-0001", "ja"),
    ("株式会社なごみ食品", ("604-8571", "京都府", "京都市中京区", "寺町通御池上る上本能寺前町488", "", "日本"),
     "075-222-3111", "ja"),
    ("北斗運輸株式会社", ("060-0001", "北海道", "札幌市中央区", "北1条西2丁目", "", "日本"), "011-211-2111", "ja"),
    ("株式会社しらかば製作所", ("380-0837", "長野県", "長野市", "大字南長野字幅下692-2", "", "日本"),
     "026-232-0111", "ja"),
    ("Fuji Trading Co., Ltd.", ("103-0027", "Tokyo", "Chuo-ku", "2-7-1 Nihonbashi", "Nihonbashi Tower 8F", "Japan"),
     "+81-3-5555-0101", "en"),
    ("Pacific Rim Logistics Inc.", ("90802", "CA", "Long Beach", "500 Harbor Blvd", "Suite 300", "United States"),
     "+1-562-555-0142", "en"),
    ("Northwind Supplies Ltd.", ("EC2V 8EA", "", "London", "12 King Street", "", "United Kingdom"),
     "+44-20-7946-0018", "en"),
    ("Maple Leaf Foods Import", ("M5J 2W4", "ON", "Toronto", "220 Bay Street", "", "Canada"), "+1-416-555-0190", "en"),
]
ENTERED_READINGS = {"富士精機株式会社": "ふじせいき"}
ADDRESS_PARTS = ("code", "state", "city", "street", "building", "country")
JA_LAST = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
           "佐々木", "山口", "松本", "井上", "木村", "林", "清水", "斎藤"]
JA_FIRST = ["太郎", "花子", "健太", "美咲", "翔", "陽菜", "大輔", "結衣", "拓也", "真由美", "誠", "彩"]
JA_ROMAJI = {"佐藤": "sato", "鈴木": "suzuki", "高橋": "takahashi", "田中": "tanaka", "伊藤": "ito",
             "渡辺": "watanabe", "山本": "yamamoto", "中村": "nakamura", "小林": "kobayashi",
             "加藤": "kato", "吉田": "yoshida", "山田": "yamada", "佐々木": "sasaki",
             "山口": "yamaguchi", "松本": "matsumoto", "井上": "inoue", "木村": "kimura",
             "林": "hayashi", "清水": "shimizu", "斎藤": "saito"}
EN_NAMES = [("Smith", "John"), ("Johnson", "Emily"), ("Brown", "Michael"), ("Taylor", "Sarah"),
            ("Wilson", "David"), ("Clark", "Laura"), ("Lewis", "James"), ("Walker", "Olivia")]
JA_TITLES = ["代表取締役", "営業部長", "購買課長", "主任", "経理担当", "情報システム部 課長", "総務部長"]
JA_DEPTS = ["営業部", "購買部", "経理部", "情報システム部", "総務部", "製造部"]
EN_TITLES = ["CEO", "Purchasing Manager", "Head of IT", "Account Manager", "CFO"]
DEAL_NAMES = ["基幹システム更新", "年間保守契約", "新規導入 (50ライセンス)", "追加ライセンス", "データ移行支援",
              "研修パッケージ", "倉庫管理システム", "ウェブサイト刷新", "Annual support renewal",
              "Cloud migration", "Pilot project"]
DEAL_ROLES = ["決裁者", "評価者", "担当者", "Decision maker", "Evaluator", ""]

# Plain names, as people have them: the role shows in the user list and `setup` prints it.
DEMO_ADMIN_NAME = "高橋 誠"
DEMO_USERS = [
    ("manager@kizuna.example", "山本 健二", "Manager"),
    ("sales1@kizuna.example", "佐藤 葵", "Sales"),
    ("sales2@kizuna.example", "Tom Baker", "Sales"),
    ("accounting@kizuna.example", "鈴木 恵", "Accountant"),
]


async def load_demo(admin: User, password: str, seed: int = 2026) -> list[User]:
    rng = random.Random(seed)
    today = date.today()
    pw_hash = await hash_password(password)
    roles = {r.name: r for r in await Role.all()}
    users = []
    for email, name, role in DEMO_USERS:
        u = await User.create(email=email, name=name, password_hash=pw_hash, role=roles[role])
        u.role = roles[role]
        users.append(u)
    owners = [admin, users[0], users[1], users[1], users[2]]
    # The two salespeople work one territory: each may read (not change) the other's accounts.
    for owner, grantee in ((users[1], users[2]), (users[2], users[1])):
        await SharingRule.create(module="accounts", access=Access.READ_ONLY, owner_user=owner, grantee_user=grantee)

    rows = []
    for name, address, phone, lang in ACCOUNTS:
        row = {"owner_id": rng.choice(owners).id, "name": name, "phone": phone,
               "website": f"https://www.example-{len(rows) + 1}.jp",
               **{f"billing_{part}": value for part, value in zip(ADDRESS_PARTS, address)}}
        if name in ENTERED_READINGS:
            row["name_kana"] = ENTERED_READINGS[name]
        rows.append(row)
    await readings.fill_many(readings.COMPANY, [(row, None) for row in rows])
    accounts = [await Account.create(**row) for row in rows]

    people = []
    for i in range(50):
        acc = accounts[i % len(accounts)]
        japanese = not acc.name.isascii() or i % 3 == 0
        if japanese:
            last, first = rng.choice(JA_LAST), rng.choice(JA_FIRST)
            email = f"{JA_ROMAJI[last]}.{i}@example-{accounts.index(acc) + 1}.jp"
            title, dept = rng.choice(JA_TITLES), rng.choice(JA_DEPTS)
        else:
            last, first = rng.choice(EN_NAMES)
            email = f"{first.lower()}.{last.lower()}{i}@example-{accounts.index(acc) + 1}.com"
            title, dept = rng.choice(EN_TITLES), "Operations"
        people.append(dict(
            owner_id=acc.owner_id, account_id=acc.id, last_name=last, first_name=first, email=email,
            title=title, department=dept, work_phone=acc.phone, mobile=f"090-{1000 + i:04d}-{5000 + i:04d}",
            # at the account's office
            **{f"mailing_{part}": getattr(acc, f"billing_{part}") for part in ADDRESS_PARTS},
            birthday=date(1960 + i % 35, 1 + i % 12, 1 + i % 28) if i % 4 == 0 else None,
        ))
    await readings.fill_many(readings.PERSON, [(p, None) for p in people])
    await Contact.bulk_create([Contact(**p) for p in people])
    contacts = await Contact.all().order_by("id")

    stages = await Stage.all().order_by("sort_order")
    open_stages = [s for s in stages if s.category == StageCategory.OPEN]
    won = next(s for s in stages if s.category == StageCategory.WON)
    lost = next(s for s in stages if s.category == StageCategory.LOST)
    deals = []
    for i in range(30):
        acc = accounts[i % len(accounts)]
        stage = won if i % 5 == 0 else lost if i % 7 == 0 else open_stages[i % len(open_stages)]
        # Closed deals closed in the past; open ones are expected to close in the coming months.
        days = rng.randint(-90, -5) if stage in (won, lost) else rng.randint(5, 120)
        deals.append(await Deal.create(
            owner_id=acc.owner_id, account_id=acc.id, name=f"{acc.name} {rng.choice(DEAL_NAMES)}"[:120],
            amount=Decimal(rng.randrange(300_000, 30_000_000, 10_000)), currency="JPY", stage=stage,
            closing_date=today + timedelta(days=days),
        ))
    people_of: dict[int, list[Contact]] = {}
    for c in contacts:
        people_of.setdefault(c.account_id, []).append(c)
    deal_people: dict[int, list[int]] = {}
    links = []
    for deal in deals:
        people = people_of.get(deal.account_id, [])
        for c in rng.sample(people, k=min(len(people), rng.randint(1, 3))):
            links.append(DealContact(deal_id=deal.id, contact_id=c.id, role=rng.choice(DEAL_ROLES)))
            deal_people.setdefault(deal.id, []).append(c.id)
    await DealContact.bulk_create(links)

    prospects = [
        dict(owner_id=rng.choice(owners).id, last_name=rng.choice(JA_LAST), first_name=rng.choice(JA_FIRST),
             company=f"株式会社サンプル{i + 1}", email=f"lead{i + 1}@example-lead.jp",
             phone=f"03-5555-{1000 + i:04d}", status=list(LeadStatus)[i % len(LeadStatus)])
        for i in range(12)
    ]
    await readings.fill_many(readings.PERSON, [(p, None) for p in prospects])
    await Lead.bulk_create([Lead(**p) for p in prospects])

    tasks = []
    for i, deal in enumerate(deals[:20]):
        tasks.append(Task(
            owner_id=deal.owner_id, subject=rng.choice(["見積書を送付", "提案資料の準備", "契約書の確認",
                                                         "Follow-up call", "訪問日程の調整"]),
            due_date=today + timedelta(days=rng.randint(-5, 20)), status=list(TaskStatus)[i % 5],
            priority=list(TaskPriority)[i % 5], related_type=RelatedType.DEAL, related_id=deal.id,
        ))
    for c in contacts[:10]:
        tasks.append(Task(owner_id=c.owner_id, subject="お礼のメール", due_date=today + timedelta(days=3),
                          related_type=RelatedType.CONTACT, related_id=c.id))
    await Task.bulk_create(tasks)

    attendees = []
    for i, deal in enumerate(deals[:15]):
        day = today + timedelta(days=rng.randint(-10, 30))
        start = datetime.combine(day, time(10 + i % 7, 0), tzinfo=TOKYO).astimezone(timezone.utc)
        event = await Event.create(
            owner_id=deal.owner_id, subject=rng.choice(["商談", "打ち合わせ", "製品デモ", "Kick-off meeting"]),
            start_at=start, end_at=start + timedelta(hours=1), location=rng.choice(["先方オフィス", "オンライン", "本社 会議室A"]),
            related_type=RelatedType.DEAL, related_id=deal.id,
        )
        attendees += [EventAttendee(event_id=event.id, contact_id=cid) for cid in deal_people.get(deal.id, [])]
        attendees += [EventAttendee(event_id=event.id, user_id=deal.owner_id),
                      EventAttendee(event_id=event.id, email="guest@example.org")]
    await EventAttendee.bulk_create(attendees)

    await Case.bulk_create([
        Case(owner_id=c.owner_id, contact_id=c.id, email=c.email, subject=s, status=st)
        for c, s, st in [
            (contacts[0], "請求書の再発行について", CaseStatus.NEW),
            (contacts[5], "ログインできない", CaseStatus.ESCALATED),
            (contacts[9], "Invoice currency question", CaseStatus.ON_HOLD),
            (contacts[14], "納期の確認", CaseStatus.CLOSED),
        ]
    ])

    await Product.bulk_create([
        Product(owner_id=admin.id, name=n, code=code, unit=unit, unit_price=Decimal(price), tax_rate=Decimal(rate),
                description=text)
        for n, code, unit, price, rate, text in PRODUCTS
    ])
    products = await Product.all().order_by("id")
    # The catalogue is read by every salesperson (a share of all products with their role).
    await SharingRule.create(module="products", access=Access.READ_ONLY, grantee_role=roles["Sales"])
    # A few open deals priced from products: their amount is the lines' total.
    for deal, picks in ((deals[1], ((0, 2, 0), (2, 2, 0), (4, 1, 10_000))), (deals[2], ((3, 20, 0),)),
                        (deals[3], ((1, 12, 0), (5, 5, 0)))):
        lines = [DealLine(deal_id=deal.id, position=i, product_id=products[p].id, description=products[p].name,
                          quantity=Decimal(q), unit_price=products[p].unit_price, discount=Decimal(d))
                 for i, (p, q, d) in enumerate(picks)]
        await DealLine.bulk_create(lines)
        deal.amount = total(lines, deal.currency)
        await deal.save(update_fields=["amount"])
    # Saved list views: one shared with everyone, one of the administrator's own.
    await SavedView.bulk_create([
        SavedView(user_id=admin.id, module="deals", name="進行中の大型案件", shared=True,
                  state={"filters": {"stage": "open"}, "sort": "-amount", "columns": [], "q": "", "per_page": None}),
        SavedView(user_id=admin.id, module="tasks", name="自分の未完了タスク",
                  state={"filters": {"owner": "mine"}, "sort": "due_date", "columns": [], "q": "", "per_page": None}),
    ])
    return users
