"""Outlook's CSV headers (classic Outlook, File > Open & Export > Export to a file > CSV), as data.

Contacts: the classic English export header (92 columns) and the Japanese one (95: Outlook JA
adds the furigana columns and orders the rest by its own labels). Calendar: Outlook's 22 columns
in English and Japanese. Tasks: the 22 columns in English; the Japanese header uses Outlook JA's
labels for the same columns.

`PRIORITY_*` and `STATUS_*` are the task values as Outlook writes them in both languages.

`ALIASES` maps each column Kizuna reads to the name it is read into (app.pim.outlook_csv's
TARGETS), in both languages, plus the spellings other programs and older Outlook versions write
("Business Country", "番地 2 (会社)", "アシスタントの電話" ...). Headers are compared by `key()`:
NFKC (full-width letters and brackets), case, spaces, hyphens and underscores ignored.
"""

from __future__ import annotations

import re
import unicodedata

from app.models import PimKind, TaskPriority, TaskStatus

CONTACTS_EN = [
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department", "Job Title",
    "Business Street", "Business Street 2", "Business Street 3", "Business City", "Business State",
    "Business Postal Code", "Business Country/Region", "Home Street", "Home Street 2", "Home Street 3",
    "Home City", "Home State", "Home Postal Code", "Home Country/Region", "Other Street", "Other Street 2",
    "Other Street 3", "Other City", "Other State", "Other Postal Code", "Other Country/Region",
    "Assistant's Phone", "Business Fax", "Business Phone", "Business Phone 2", "Callback", "Car Phone",
    "Company Main Phone", "Home Fax", "Home Phone", "Home Phone 2", "ISDN", "Mobile Phone", "Other Fax",
    "Other Phone", "Pager", "Primary Phone", "Radio Phone", "TTY/TDD Phone", "Telex", "Account",
    "Anniversary", "Assistant's Name", "Billing Information", "Birthday", "Business Address PO Box",
    "Categories", "Children", "Directory Server", "E-mail Address", "E-mail Type", "E-mail Display Name",
    "E-mail 2 Address", "E-mail 2 Type", "E-mail 2 Display Name", "E-mail 3 Address", "E-mail 3 Type",
    "E-mail 3 Display Name", "Gender", "Government ID Number", "Hobby", "Home Address PO Box", "Initials",
    "Internet Free Busy", "Keywords", "Language", "Location", "Manager's Name", "Mileage", "Notes",
    "Office Location", "Organizational ID Number", "Other Address PO Box", "Priority", "Private",
    "Profession", "Referred By", "Sensitivity", "Spouse", "User 1", "User 2", "User 3", "User 4",
    "Web Page",
]

CONTACTS_JA = [
    "肩書き", "名", "ミドル ネーム", "姓", "敬称", "会社名", "部署", "役職", "番地 (会社)", "住所 2 (会社)",
    "住所 3 (会社)", "市町村 (会社)", "都道府県 (会社)", "郵便番号 (会社)", "国 (会社)/地域", "番地 (自宅)",
    "住所 2 (自宅)", "住所 3 (自宅)", "市町村 (自宅)", "都道府県 (自宅)", "郵便番号 (自宅)", "国 (自宅)/地域",
    "番地 (その他)", "住所 2 (その他)", "住所 3 (その他)", "市町村 (その他)", "都道府県 (その他)",
    "郵便番号 (その他)", "国 (その他)/地域", "秘書の電話", "会社 FAX", "会社電話", "会社電話 2", "コールバック",
    "自動車電話", "会社代表電話", "自宅 FAX", "自宅電話", "自宅電話 2", "ISDN", "携帯電話", "その他の FAX",
    "その他の電話", "ポケットベル", "通常の電話", "無線電話", "TTY/TDD", "テレックス", "ID 番号", "Web ページ",
    "アカウント", "イニシャル", "インターネット空き時間情報", "キーワード", "その他住所私書箱",
    "ディレクトリ サーバー", "プライベート", "マネージャー", "メモ", "ユーザー 1", "ユーザー 2", "ユーザー 3",
    "ユーザー 4", "会社 ID", "会社住所私書箱", "会社名フリガナ", "記念日", "経費情報", "言語", "参照事項", "子供",
    "支払い条件", "事業所", "自宅住所私書箱", "趣味", "場所", "職業", "姓フリガナ", "性別", "誕生日",
    "電子メール アドレス", "電子メールの種類", "電子メール表示名", "電子メール 2 アドレス", "電子メール 2 の種類",
    "電子メール 2 表示名", "電子メール 3 アドレス", "電子メール 3 の種類", "電子メール 3 表示名", "配偶者",
    "秘書の氏名", "秘密度", "分類", "名前フリガナ", "優先度",
]

EVENTS_EN = [
    "Subject", "Start Date", "Start Time", "End Date", "End Time", "All day event", "Reminder on/off",
    "Reminder Date", "Reminder Time", "Meeting Organizer", "Required Attendees", "Optional Attendees",
    "Meeting Resources", "Billing Information", "Categories", "Description", "Location", "Mileage",
    "Priority", "Private", "Sensitivity", "Show time as",
]

EVENTS_JA = [
    "件名", "開始日", "開始時刻", "終了日", "終了時刻", "終日イベント", "アラーム オン/オフ", "アラーム日付",
    "アラーム時刻", "会議の開催者", "必須出席者", "任意出席者", "リソース", "プライベート", "経費情報",
    "公開する時間帯の種類", "支払い条件", "場所", "内容", "秘密度", "分類", "優先度",
]

TASKS_EN = [
    "Subject", "Start Date", "Due Date", "Reminder On/Off", "Reminder Date", "Reminder Time",
    "Date Completed", "% Complete", "Total Work", "Actual Work", "Billing Information", "Categories",
    "Companies", "Contacts", "Mileage", "Notes", "Priority", "Private", "Role", "Schedule+ Priority",
    "Sensitivity", "Status",
]

TASKS_JA = [
    "件名", "開始日", "期限", "アラーム オン/オフ", "アラーム日付", "アラーム時刻", "完了日", "達成率",
    "作業時間の合計", "実働時間", "経費情報", "分類", "会社名", "連絡先", "走行距離", "メモ", "優先度",
    "プライベート", "役割", "Schedule+ の優先度", "秘密度", "進捗状況",
]

HEADERS = {
    PimKind.CONTACTS: {"en": CONTACTS_EN, "ja": CONTACTS_JA},
    PimKind.TASKS: {"en": TASKS_EN, "ja": TASKS_JA},
    PimKind.EVENTS: {"en": EVENTS_EN, "ja": EVENTS_JA},
}


def _address(prefix: str, en: str, ja: str) -> dict[str, str]:
    return {
        f"{en} Street": f"{prefix}_street", f"番地 ({ja})": f"{prefix}_street",
        f"{en} Street 2": f"{prefix}_street_2", f"住所 2 ({ja})": f"{prefix}_street_2",
        f"番地 2 ({ja})": f"{prefix}_street_2",
        f"{en} Street 3": f"{prefix}_street_3", f"住所 3 ({ja})": f"{prefix}_street_3",
        f"番地 3 ({ja})": f"{prefix}_street_3",
        f"{en} City": f"{prefix}_city", f"市町村 ({ja})": f"{prefix}_city", f"市区町村 ({ja})": f"{prefix}_city",
        f"{en} State": f"{prefix}_state", f"都道府県 ({ja})": f"{prefix}_state",
        f"{en} Postal Code": f"{prefix}_code", f"郵便番号 ({ja})": f"{prefix}_code",
        f"{en} Country/Region": f"{prefix}_country", f"{en} Country": f"{prefix}_country",
        f"国 ({ja})/地域": f"{prefix}_country", f"国/地域 ({ja})": f"{prefix}_country",
    }


_CONTACTS = {
    "First Name": "first_name", "名": "first_name",
    "Last Name": "last_name", "姓": "last_name",
    # Outlook's readings (Yomi): 姓 and 名 in katakana
    "姓フリガナ": "last_name_kana", "名前フリガナ": "first_name_kana",
    "Company": "account_name", "会社名": "account_name",
    "Department": "department", "部署": "department",
    "Job Title": "title", "役職": "title",
    **_address("mailing", "Business", "会社"),
    **_address("other", "Other", "その他"),
    "Business Phone": "work_phone", "会社電話": "work_phone",
    "Home Phone": "home_phone", "自宅電話": "home_phone",
    "Other Phone": "other_phone", "その他の電話": "other_phone",
    "Business Fax": "fax", "会社 FAX": "fax",
    "Mobile Phone": "mobile", "携帯電話": "mobile",
    "Assistant's Name": "assistant", "秘書の氏名": "assistant", "アシスタント名": "assistant",
    "Assistant's Phone": "assistant_phone", "秘書の電話": "assistant_phone",
    "アシスタントの電話": "assistant_phone",
    "Manager's Name": "reports_to", "マネージャー": "reports_to", "上司名": "reports_to",
    "Notes": "description", "メモ": "description",
    "Birthday": "birthday", "誕生日": "birthday",
    "E-mail Address": "email", "電子メール アドレス": "email",
    "E-mail 2 Address": "secondary_email", "電子メール 2 アドレス": "secondary_email",
    "Categories": "categories", "分類": "categories",
}

_TASKS = {
    "Subject": "subject", "件名": "subject",
    "Start Date": "start_date", "開始日": "start_date",
    "Due Date": "due_date", "期限": "due_date", "期日": "due_date",
    "Priority": "priority", "優先度": "priority", "重要度": "priority",
    "Status": "status", "進捗状況": "status", "状態": "status",
    "Notes": "description", "メモ": "description",
    "Categories": "categories", "分類": "categories",
}

_EVENTS = {
    "Subject": "subject", "件名": "subject",
    "Start Date": "start_date", "開始日": "start_date",
    "Start Time": "start_time", "開始時刻": "start_time",
    "End Date": "end_date", "終了日": "end_date",
    "End Time": "end_time", "終了時刻": "end_time",
    "All day event": "all_day", "終日イベント": "all_day",
    "Location": "location", "場所": "location",
    "Description": "description", "内容": "description", "Notes": "description", "メモ": "description",
    "Required Attendees": "attendees", "必須出席者": "attendees",
    "Optional Attendees": "attendees", "任意出席者": "attendees",
    "Categories": "categories", "分類": "categories",
}


def key(header: str) -> str:
    """A header as compared: Outlook and Excel versions differ in width, case and spacing."""
    return re.sub(r"[\s\-_]", "", unicodedata.normalize("NFKC", header).casefold())


ALIASES = {kind: {key(h): target for h, target in table.items()}
           for kind, table in ((PimKind.CONTACTS, _CONTACTS), (PimKind.TASKS, _TASKS), (PimKind.EVENTS, _EVENTS))}

# Task priorities and statuses as Outlook writes them in English and Japanese (read in any case
# and spacing, with Kizuna's own names too). Outlook has three priorities: highest and lowest are
# written as high and low.
PRIORITY_IN = {
    "high": TaskPriority.HIGH, "高": TaskPriority.HIGH, "高い": TaskPriority.HIGH,
    "normal": TaskPriority.NORMAL, "標準": TaskPriority.NORMAL, "普通": TaskPriority.NORMAL,
    "中": TaskPriority.NORMAL, "low": TaskPriority.LOW, "低": TaskPriority.LOW, "低い": TaskPriority.LOW,
    "highest": TaskPriority.HIGHEST, "最高": TaskPriority.HIGHEST, "lowest": TaskPriority.LOWEST,
    "最低": TaskPriority.LOWEST,
}
STATUS_IN = {
    "not started": TaskStatus.NOT_STARTED, "notstarted": TaskStatus.NOT_STARTED, "未開始": TaskStatus.NOT_STARTED,
    "in progress": TaskStatus.IN_PROGRESS, "進行中": TaskStatus.IN_PROGRESS,
    "completed": TaskStatus.COMPLETED, "complete": TaskStatus.COMPLETED, "完了": TaskStatus.COMPLETED,
    "waiting on someone else": TaskStatus.WAITING, "waiting": TaskStatus.WAITING, "待機中": TaskStatus.WAITING,
    "待ち": TaskStatus.WAITING, "他の人を待っています": TaskStatus.WAITING,
    "deferred": TaskStatus.DEFERRED, "延期": TaskStatus.DEFERRED, "延期済み": TaskStatus.DEFERRED,
    **{s.value: s for s in TaskStatus}, **{s.value.replace("_", " "): s for s in TaskStatus},
}
PRIORITY_OUT = {
    "en": {TaskPriority.HIGHEST: "High", TaskPriority.HIGH: "High", TaskPriority.NORMAL: "Normal",
           TaskPriority.LOW: "Low", TaskPriority.LOWEST: "Low"},
    "ja": {TaskPriority.HIGHEST: "高", TaskPriority.HIGH: "高", TaskPriority.NORMAL: "標準",
           TaskPriority.LOW: "低", TaskPriority.LOWEST: "低"},
}
STATUS_OUT = {
    "en": {TaskStatus.NOT_STARTED: "Not Started", TaskStatus.IN_PROGRESS: "In Progress",
           TaskStatus.COMPLETED: "Completed", TaskStatus.WAITING: "Waiting on someone else",
           TaskStatus.DEFERRED: "Deferred"},
    "ja": {TaskStatus.NOT_STARTED: "未開始", TaskStatus.IN_PROGRESS: "進行中", TaskStatus.COMPLETED: "完了",
           TaskStatus.WAITING: "待機中", TaskStatus.DEFERRED: "延期"},
}


# The column each target is written to (the first header of that language naming it).
WRITTEN = {kind: {language: {} for language in ("en", "ja")} for kind in HEADERS}
for _kind, _languages in HEADERS.items():
    for _language, _headers in _languages.items():
        for _index, _header in enumerate(_headers):
            _target = ALIASES[_kind].get(key(_header))
            if _target is not None:
                WRITTEN[_kind][_language].setdefault(_target, _index)
