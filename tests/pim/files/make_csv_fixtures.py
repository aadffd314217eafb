"""Writes the Outlook CSV fixtures of tests/pim from Outlook's published headers (classic Outlook's
English contacts export, 92 columns; the Japanese one, 95; the calendar and task exports, 22 each),
with rows the way Outlook fills them: every column present, most empty, "0/0/00" for no date,
"Title" as the honorific. Run from this folder: python make_csv_fixtures.py (the output is
committed; the tests read the files, never this script)."""

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


def write(name: str, data: bytes) -> None:
    with open(name, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
