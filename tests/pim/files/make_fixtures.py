"""Writes the fixture files of tests/pim. Run from this folder: python make_fixtures.py (the output
is committed; the tests read the files, never this script).

- Outlook CSV, from Outlook's published headers (classic Outlook's English contacts export, 92
  columns; the Japanese one, 95; the calendar and task exports, 22 each), with rows the way Outlook
  fills them: every column present, most empty, "0/0/00" for no date, "Title" as the honorific;
  UTF-8 with and without a BOM, and cp932.
- vCards with the traps of real files: 2.1 from Outlook and Japanese phones (CHARSET=SHIFT_JIS,
  quoted-printable with "=" soft line breaks, bare commas, raw cp932 bytes), 3.0 from Apple
  (grouped properties, a folded PHOTO), 4.0 from Google (tel: URIs, PREF=1, a birthday with no
  year).
- iCalendar as Outlook writes it (VTIMEZONE named "Tokyo Standard Time", METHOD:PUBLISH,
  attendees, RRULE/EXDATE, an exception instance), a file naming a Windows zone it does not
  define, tasks, and the same calendar in cp932.
"""

import csv
import io

EN_CONTACTS = '''"Title","First Name","Middle Name","Last Name","Suffix","Company","Department","Job Title","Business Street","Business Street 2","Business Street 3","Business City","Business State","Business Postal Code","Business Country/Region","Home Street","Home Street 2","Home Street 3","Home City","Home State","Home Postal Code","Home Country/Region","Other Street","Other Street 2","Other Street 3","Other City","Other State","Other Postal Code","Other Country/Region","Assistant's Phone","Business Fax","Business Phone","Business Phone 2","Callback","Car Phone","Company Main Phone","Home Fax","Home Phone","Home Phone 2","ISDN","Mobile Phone","Other Fax","Other Phone","Pager","Primary Phone","Radio Phone","TTY/TDD Phone","Telex","Account","Anniversary","Assistant's Name","Billing Information","Birthday","Business Address PO Box","Categories","Children","Directory Server","E-mail Address","E-mail Type","E-mail Display Name","E-mail 2 Address","E-mail 2 Type","E-mail 2 Display Name","E-mail 3 Address","E-mail 3 Type","E-mail 3 Display Name","Gender","Government ID Number","Hobby","Home Address PO Box","Initials","Internet Free Busy","Keywords","Language","Location","Manager's Name","Mileage","Notes","Office Location","Organizational ID Number","Other Address PO Box","Priority","Private","Profession","Referred By","Sensitivity","Spouse","User 1","User 2","User 3","User 4","Web Page"'''
JA_CONTACTS = '''"肩書き","名","ミドル ネーム","姓","敬称","会社名","部署","役職","番地 (会社)","住所 2 (会社)","住所 3 (会社)","市町村 (会社)","都道府県 (会社)","郵便番号 (会社)","国 (会社)/地域","番地 (自宅)","住所 2 (自宅)","住所 3 (自宅)","市町村 (自宅)","都道府県 (自宅)","郵便番号 (自宅)","国 (自宅)/地域","番地 (その他)","住所 2 (その他)","住所 3 (その他)","市町村 (その他)","都道府県 (その他)","郵便番号 (その他)","国 (その他)/地域","秘書の電話","会社 FAX","会社電話","会社電話 2","コールバック","自動車電話","会社代表電話","自宅 FAX","自宅電話","自宅電話 2","ISDN","携帯電話","その他の FAX","その他の電話","ポケットベル","通常の電話","無線電話","TTY/TDD","テレックス","ID 番号","Web ページ","アカウント","イニシャル","インターネット空き時間情報","キーワード","その他住所私書箱","ディレクトリ サーバー","プライベート","マネージャー","メモ","ユーザー 1","ユーザー 2","ユーザー 3","ユーザー 4","会社 ID","会社住所私書箱","会社名フリガナ","記念日","経費情報","言語","参照事項","子供","支払い条件","事業所","自宅住所私書箱","趣味","場所","職業","姓フリガナ","性別","誕生日","電子メール アドレス","電子メールの種類","電子メール表示名","電子メール 2 アドレス","電子メール 2 の種類","電子メール 2 表示名","電子メール 3 アドレス","電子メール 3 の種類","電子メール 3 表示名","配偶者","秘書の氏名","秘密度","分類","名前フリガナ","優先度"'''
EN_TASKS = '"Subject","Start Date","Due Date","Reminder On/Off","Reminder Date","Reminder Time","Date Completed","% Complete","Total Work","Actual Work","Billing Information","Categories","Companies","Contacts","Mileage","Notes","Priority","Private","Role","Schedule+ Priority","Sensitivity","Status"'
JA_TASKS = '"件名","開始日","期限","アラーム オン/オフ","アラーム日付","アラーム時刻","完了日","達成率","作業時間の合計","実働時間","経費情報","分類","会社名","連絡先","走行距離","メモ","優先度","プライベート","役割","Schedule+ の優先度","秘密度","進捗状況"'
EN_EVENTS = '"Subject","Start Date","Start Time","End Date","End Time","All day event","Reminder on/off","Reminder Date","Reminder Time","Meeting Organizer","Required Attendees","Optional Attendees","Meeting Resources","Billing Information","Categories","Description","Location","Mileage","Priority","Private","Sensitivity","Show time as"'
JA_EVENTS = '"件名","開始日","開始時刻","終了日","終了時刻","終日イベント","アラーム オン/オフ","アラーム日付","アラーム時刻","会議の開催者","必須出席者","任意出席者","リソース","プライベート","経費情報","公開する時間帯の種類","支払い条件","場所","内容","秘密度","分類","優先度"'


def table(header: str, count: int, rows: list[dict[str, str]]) -> str:
    cols = next(csv.reader([header]))
    assert len(cols) == count, len(cols)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for values in rows:
        row = [""] * len(cols)
        for name, value in values.items():
            row[cols.index(name)] = value
        writer.writerow(row)
    return header + "\r\n" + out.getvalue()


def main() -> None:
    data = table(EN_CONTACTS, 92, [
        {"Title": "Mr.", "First Name": "John", "Last Name": "Smith", "Company": "Acme, Inc.", "Department": "Sales",
         "Job Title": "Sales Manager", "Business Street": "1 Main St", "Business Street 2": "Suite 200",
         "Business City": "Springfield", "Business State": "IL", "Business Postal Code": "62701",
         "Business Country/Region": "United States of America", "Home Street": "9 Elm St",
         "Other Street": "PO Box 7", "Other City": "Chicago", "Other State": "IL", "Other Postal Code": "60601",
         "Other Country/Region": "USA", "Assistant's Phone": "+1 217 555 0102", "Business Fax": "+1 217 555 0199",
         "Business Phone": "+1 217 555 0100", "Home Phone": "+1 217 555 0111", "Mobile Phone": "+1 217 555 0123",
         "Other Phone": "+1 217 555 0144", "Assistant's Name": "Mary Jones", "Birthday": "3/15/1975",
         "Categories": "Kizuna;Customers", "E-mail Address": "john.smith@acme.example", "E-mail Type": "SMTP",
         "E-mail Display Name": "John Smith (john.smith@acme.example)", "E-mail 2 Address": "jsmith@home.example",
         "Manager's Name": "Bob Boss", "Notes": 'Met at the fair.\r\nLikes "quotes", commas.',
         "Priority": "Normal", "Private": "False", "Sensitivity": "Normal", "Gender": "Unspecified",
         "Anniversary": "0/0/00"},
        {"First Name": "Anne", "Last Name": "Lee", "Birthday": "0/0/00", "E-mail Address": "anne@example.com",
         "Priority": "Normal", "Private": "False", "Sensitivity": "Normal", "Gender": "Unspecified",
         "Anniversary": "0/0/00"},
        {"First Name": "Bad", "Last Name": "Date", "Birthday": "31/31/1999", "Priority": "Normal"},
    ])
    write("contacts_en.csv", b"\xef\xbb\xbf" + data.encode("utf-8"))
    write("contacts_en_nobom.csv", data.encode("utf-8"))

    data = table(JA_CONTACTS, 95, [
        {"肩書き": "様", "名": "太郎", "姓": "髙橋", "会社名": "株式会社①商事", "部署": "営業部", "役職": "部長",
         "番地 (会社)": "丸の内1-1-1", "住所 2 (会社)": "ビル2F", "市町村 (会社)": "千代田区",
         "都道府県 (会社)": "東京都", "郵便番号 (会社)": "100-0005", "国 (会社)/地域": "日本",
         "番地 (自宅)": "自宅町1-1", "番地 (その他)": "梅田3-3", "市町村 (その他)": "大阪市北区",
         "都道府県 (その他)": "大阪府", "郵便番号 (その他)": "530-0001", "国 (その他)/地域": "日本",
         "秘書の電話": "03-1111-0002", "会社 FAX": "03-1111-0009", "会社電話": "03-1111-0000",
         "自宅電話": "042-000-0000", "携帯電話": "090-1111-2222", "その他の電話": "06-0000-0000",
         "マネージャー": "﨑山 部長", "メモ": "展示会で名刺交換。\r\n～次回訪問～", "秘書の氏名": "佐藤 花子",
         "誕生日": "1975/3/15", "電子メール アドレス": "taro@shoji.example.jp", "電子メールの種類": "SMTP",
         "電子メール 2 アドレス": "taro@home.example.jp", "分類": "Kizuna;顧客", "姓フリガナ": "タカハシ",
         "名前フリガナ": "タロウ", "プライベート": "False", "秘密度": "標準", "優先度": "標準", "性別": "指定なし",
         "記念日": "0/0/00"},
        {"名": "花子", "姓": "佐藤", "誕生日": "0/0/00", "電子メール アドレス": "hanako@example.jp", "優先度": "標準"},
    ])
    write("contacts_ja_cp932.csv", data.encode("cp932"))
    write("contacts_ja_bom.csv", b"\xef\xbb\xbf" + data.encode("utf-8"))
    write("contacts_ja_nobom.csv", data.encode("utf-8"))

    data = table(EN_TASKS, 22, [
        {"Subject": "Send the quote", "Start Date": "11/30/2026", "Due Date": "12/4/2026", "Reminder On/Off": "False",
         "% Complete": "0%", "Categories": "Kizuna", "Notes": "Ask about volume.", "Priority": "High",
         "Private": "False", "Sensitivity": "Normal", "Status": "Not Started"},
        {"Subject": "Wait for approval", "Due Date": "12/10/2026", "Priority": "Low", "Status": "Waiting on someone else"},
        {"Subject": "Old thing", "Start Date": "0/0/00", "Due Date": "1/1/4501", "Priority": "Normal", "Status": "Deferred"},
        {"Subject": "Filed", "Due Date": "11/1/2026", "Priority": "Normal", "Status": "Completed",
         "Date Completed": "11/2/2026"},
        {"Subject": "Broken", "Due Date": "someday", "Priority": "Urgent!", "Status": "In Progress"},
    ])
    write("tasks_en.csv", b"\xef\xbb\xbf" + data.encode("utf-8"))
    data = table(JA_TASKS, 22, [
        {"件名": "見積書を送る", "開始日": "2026/11/30", "期限": "2026/12/4", "分類": "Kizuna", "メモ": "数量を確認。",
         "優先度": "高", "進捗状況": "進行中"},
        {"件名": "承認待ち", "期限": "2026/12/10", "優先度": "低", "進捗状況": "待機中"},
        {"件名": "完了済み", "期限": "2026/11/1", "優先度": "標準", "進捗状況": "完了"},
    ])
    write("tasks_ja_cp932.csv", data.encode("cp932"))

    data = table(EN_EVENTS, 22, [
        {"Subject": "Project sync", "Start Date": "12/1/2026", "Start Time": "10:00:00 AM", "End Date": "12/1/2026",
         "End Time": "11:30:00 AM", "All day event": "False", "Reminder on/off": "True",
         "Reminder Date": "12/1/2026", "Reminder Time": "9:45:00 AM", "Meeting Organizer": "John Smith",
         "Required Attendees": 'John Smith;anne@example.com;"Lee, Anne" <anne.lee@example.com>',
         "Optional Attendees": "Dana Park", "Categories": "Kizuna;Meetings",
         "Description": "Weekly sync.\r\nBring numbers.", "Location": "Room 1", "Priority": "Normal",
         "Private": "False", "Sensitivity": "Normal", "Show time as": "2"},
        {"Subject": "Holiday", "Start Date": "12/24/2026", "Start Time": "12:00:00 AM", "End Date": "12/26/2026",
         "End Time": "12:00:00 AM", "All day event": "True", "Priority": "Normal", "Show time as": "3"},
        {"Subject": "Lunch", "Start Date": "12/2/2026", "Start Time": "12:00:00 PM", "End Date": "12/2/2026",
         "End Time": "1:00:00 PM", "All day event": "False"},
        {"Subject": "Broken", "Start Date": "12/3/2026", "Start Time": "25 o'clock", "All day event": "False"},
    ])
    write("events_en.csv", b"\xef\xbb\xbf" + data.encode("utf-8"))
    data = table(JA_EVENTS, 22, [
        {"件名": "定例会議", "開始日": "2026/12/1", "開始時刻": "10:00:00", "終了日": "2026/12/1", "終了時刻": "11:30:00",
         "終日イベント": "False", "必須出席者": "髙橋 太郎;hanako@example.jp", "場所": "会議室Ａ", "内容": "週次の定例。",
         "分類": "Kizuna"},
        {"件名": "年末休暇", "開始日": "2026/12/28", "開始時刻": "0:00:00", "終了日": "2027/1/5", "終了時刻": "0:00:00",
         "終日イベント": "True"},
    ])
    write("events_ja_cp932.csv", data.encode("cp932"))


def qp(text: str, charset: str = "cp932") -> str:
    return "".join(f"={b:02X}" for b in text.encode(charset))


def vcards() -> None:
    note = qp("展示会で名刺交換。") + "=0D=0A" + qp("次回：１２月、①見積") + qp("。髙橋様、﨑山様")
    lines = [
        "BEGIN:VCARD", "VERSION:2.1",
        f"N;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{qp('髙橋')};{qp('太郎')};;;",
        f"FN;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{qp('髙橋 太郎')}",
        f"ORG;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{qp('株式会社①商事')};{qp('営業部')}",
        f"TITLE;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{qp('部長')}",
        # Outlook folds a long QP value with "=" soft breaks; the next line starts in column 1.
        f"NOTE;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{note[:69]}=",
        f"{note[69:138]}=",
        note[138:],
        "TEL;WORK;VOICE:03-1111-0000", "TEL;HOME;VOICE:042-000-0000", "TEL;CELL;VOICE:090-1111-2222",
        "TEL;WORK;FAX:03-1111-0009",
        f"ADR;WORK;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:;;{qp('丸の内1-1-1')};{qp('千代田区')};"
        f"{qp('東京都')};100-0005;{qp('日本')}",
        "EMAIL;PREF;INTERNET:taro@shoji.example.jp", "EMAIL;INTERNET:taro@home.example.jp",
        "BDAY:19750315", "X-MS-OL-DEFAULT-POSTAL-ADDRESS:2",
        "PHOTO;TYPE=JPEG;ENCODING=BASE64:", "    /9j/4AAQSkZJRgABAQEAYABgAAD/2wBDAAgGBgcGBQgHBwcJCQgKDAoN",
        "    AAAAAAAAAAAA", "",
        "REV:20261129T120000Z", "END:VCARD",
        "BEGIN:VCARD", "VERSION:2.1", "N:Smith;John;;Mr.;", "FN:John Smith", "ORG:Acme, Inc.;Sales",
        "TITLE:Manager, Sales", "NOTE:Met at the fair, liked the demo.", "EMAIL;INTERNET:john@acme.example",
        "END:VCARD",
    ]
    write("outlook_21_sjis_qp.vcf", ("\r\n".join(lines) + "\r\n").encode("ascii"))
    raw = [
        "BEGIN:VCARD", "VERSION:2.1", "N;CHARSET=SHIFT_JIS:佐藤;花子;;;", "FN;CHARSET=SHIFT_JIS:佐藤 花子",
        "TEL;CELL:080-0000-1111", "NOTE;CHARSET=SHIFT_JIS:～ガラケーから～", "END:VCARD",
    ]
    write("phone_21_cp932.vcf", ("\r\n".join(raw) + "\r\n").encode("cp932"))
    apple = [
        "BEGIN:VCARD", "VERSION:3.0", "PRODID:-//Apple Inc.//iPhone OS 17.0//EN", "N:Lee;Anne;;;", "FN:Anne Lee",
        "ORG:Example Ltd.;", "item1.EMAIL;type=INTERNET;type=pref:anne@example.com", "item1.X-ABLabel:_$!<Other>!$_",
        "TEL;type=CELL;type=VOICE;type=pref:+1 555 0100", "TEL;type=WORK;type=VOICE:+1 555 0101",
        "item2.ADR;type=HOME;type=pref:;;9 Elm St;Springfield;IL;62701;USA",
        "item3.ADR;type=WORK:;;1 Main St\\nSuite 200;Springfield;IL;62701;USA",
        "NOTE:Line one\\nLine two\\, with a comma\\; and a semicolon", "BDAY;value=date:1980-01-15",
        "CATEGORIES:Kizuna,Friends", "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgID",
        " AwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD",
        "UID:0C2A1F4B-1111-2222-3333-444455556666", "END:VCARD",
        "BEGIN:VCARD", "VERSION:3.0", "N:;;;;", "FN:Just A Company Contact", "EMAIL:info@company.example",
        "END:VCARD",
    ]
    write("apple_30.vcf", ("\r\n".join(apple) + "\r\n").encode("utf-8"))
    google = [
        "BEGIN:VCARD", "VERSION:4.0", "UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1",
        "N:山田;花子;;;", "FN:山田 花子", "TEL;VALUE=uri;TYPE=\"work,voice\";PREF=1:tel:+81-3-1234-5678",
        "TEL;VALUE=uri;TYPE=cell:tel:+81-90-1234-5678", "EMAIL;PREF=1:hanako@example.jp",
        "EMAIL:hanako@home.example.jp", "BDAY:--0315", "END:VCARD",
    ]
    write("google_40.vcf", ("\r\n".join(google) + "\r\n").encode("utf-8"))


OUTLOOK_ICS = r"""BEGIN:VCALENDAR
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
VERSION:2.0
METHOD:PUBLISH
X-MS-OLK-FORCEINSPECTOROPEN:TRUE
BEGIN:VTIMEZONE
TZID:Tokyo Standard Time
BEGIN:STANDARD
DTSTART:16010101T000000
TZOFFSETFROM:+0900
TZOFFSETTO:+0900
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
ATTENDEE;CN="髙橋, 太郎";RSVP=TRUE:mailto:taro@shoji.example.jp
ATTENDEE;CN=hanako@example.jp;RSVP=TRUE;ROLE=OPT-PARTICIPANT:mailto:hanako@e
 xample.jp
ATTENDEE;CN=Room 1;CUTYPE=RESOURCE:urn:uuid:room-1
CLASS:PUBLIC
CREATED:20261120T010000Z
DESCRIPTION:週次の定例。\n資料を持参\, 印刷済み。
DTEND;TZID="Tokyo Standard Time":20261201T113000
DTSTAMP:20261129T010000Z
DTSTART;TZID="Tokyo Standard Time":20261201T100000
EXDATE;TZID="Tokyo Standard Time":20261215T100000
LAST-MODIFIED:20261120T010000Z
LOCATION:会議室Ａ
ORGANIZER;CN=John Smith:mailto:john@acme.example
PRIORITY:5
RRULE:FREQ=WEEKLY;UNTIL=20270330T010000Z;INTERVAL=1;BYDAY=TU;WKST=SU
SEQUENCE:0
SUMMARY;LANGUAGE=ja:定例会議
TRANSP:OPAQUE
UID:040000008200E00074C5B7101A82E00800000000D0F1A2B3C4D5E601000000000000000
 010000000A1B2C3D4E5F6
CATEGORIES:Kizuna,会議
X-MICROSOFT-CDO-BUSYSTATUS:BUSY
BEGIN:VALARM
TRIGGER:-PT15M
ACTION:DISPLAY
DESCRIPTION:Reminder
END:VALARM
END:VEVENT
BEGIN:VEVENT
DTEND;TZID="Tokyo Standard Time":20261208T123000
DTSTART;TZID="Tokyo Standard Time":20261208T110000
RECURRENCE-ID;TZID="Tokyo Standard Time":20261208T100000
SUMMARY;LANGUAGE=ja:定例会議（時間変更）
UID:040000008200E00074C5B7101A82E00800000000D0F1A2B3C4D5E601000000000000000
 010000000A1B2C3D4E5F6
END:VEVENT
BEGIN:VEVENT
DTEND;VALUE=DATE:20261226
DTSTART;VALUE=DATE:20261224
SUMMARY:休暇
UID:holiday-1
X-MICROSOFT-CDO-ALLDAYEVENT:TRUE
END:VEVENT
END:VCALENDAR
"""

WINDOWS_ZONES_ICS = r"""BEGIN:VCALENDAR
PRODID:-//Example//Exchange export//EN
VERSION:2.0
BEGIN:VEVENT
UID:pacific-1
DTSTART;TZID=Pacific Standard Time:20261201T090000
DTEND;TZID=Pacific Standard Time:20261201T100000
SUMMARY:Call with Seattle
END:VEVENT
BEGIN:VEVENT
UID:floating-1
DTSTART:20261202T090000
DURATION:PT1H30M
SUMMARY:Floating
END:VEVENT
BEGIN:VEVENT
UID:utc-1
DTSTART:20261203T000000Z
DTEND:20261203T010000Z
SUMMARY:UTC
END:VEVENT
BEGIN:VEVENT
UID:mars-1
DTSTART;TZID=Olympus Mons Time:20261204T090000
SUMMARY:Nowhere
END:VEVENT
END:VCALENDAR
"""

TASKS_ICS = r"""BEGIN:VCALENDAR
PRODID:-//Example//Tasks//EN
VERSION:2.0
BEGIN:VTODO
UID:task-1
SUMMARY:見積書を送る
DESCRIPTION:数量を確認。
DTSTART;VALUE=DATE:20261130
DUE;VALUE=DATE:20261204
PRIORITY:1
STATUS:NEEDS-ACTION
CATEGORIES:Kizuna
END:VTODO
BEGIN:VTODO
UID:task-2
SUMMARY:Due late in UTC
DUE:20261205T200000Z
PRIORITY:4
STATUS:IN-PROCESS
END:VTODO
BEGIN:VTODO
UID:task-3
SUMMARY:Done
PRIORITY:5
STATUS:COMPLETED
END:VTODO
BEGIN:VTODO
UID:task-4
SUMMARY:Called off
PRIORITY:7
STATUS:CANCELLED
END:VTODO
BEGIN:VTODO
UID:task-5
SUMMARY:Someday
PRIORITY:9
END:VTODO
BEGIN:VTODO
UID:task-6
SUMMARY:Undefined priority
PRIORITY:0
RRULE:FREQ=MONTHLY;BYMONTHDAY=1
END:VTODO
END:VCALENDAR
"""


def calendars() -> None:
    crlf = lambda text: text.replace("\n", "\r\n")  # noqa: E731
    write("outlook_tokyo.ics", crlf(OUTLOOK_ICS).encode("utf-8"))
    write("outlook_tokyo_cp932.ics", crlf(OUTLOOK_ICS).encode("cp932"))
    write("windows_zones.ics", crlf(WINDOWS_ZONES_ICS).encode("utf-8"))
    write("tasks.ics", crlf(TASKS_ICS).encode("utf-8"))


def write(name: str, data: bytes) -> None:
    with open(name, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
    vcards()
    calendars()
