"""vCard files read into contact items and written back (seed 003's mappings)."""

from __future__ import annotations

from datetime import date

from app.models import PimKind
from app.pim import vcard
from app.pim.items import Item


def _qp(text: str) -> str:
    return "".join(f"={b:02X}" for b in text.encode("cp932"))


def test_vcard_21_quoted_printable_shift_jis_with_soft_breaks():
    note = _qp("メモ一行目") + "=0D=0A" + _qp("二行目")
    card = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        f"N;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{_qp('髙橋')};{_qp('太郎')}\r\n"
        f"ORG;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{_qp('株式会社①テスト')}\r\n"
        f"NOTE;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{note[:31]}=\r\n{note[31:]}\r\n"
        "TEL;WORK;VOICE:03-1111-2222\r\nTEL;CELL:090-1111-2222\r\n"
        "END:VCARD\r\n"
    )
    [item] = vcard.loads(card.encode("ascii"))
    assert item.values["last_name"] == "髙橋"
    assert item.values["first_name"] == "太郎"
    assert item.values["account_name"] == "株式会社①テスト"
    assert item.values["description"] == "メモ一行目\n二行目"
    assert item.values["work_phone"] == "03-1111-2222"
    assert item.values["mobile"] == "090-1111-2222"
    assert not item.problems


def test_vcard_round_trip():
    item = Item(PimKind.CONTACTS, uid="kizuna-contact-1", categories=["Kizuna", "顧客"], values={
        "first_name": "太郎", "last_name": "山田", "email": "taro@example.jp", "account_name": "山田商事",
        "department": "営業部", "title": "部長", "work_phone": "03-1234-5678", "birthday": date(1980, 1, 15),
        "mailing_street": "丸の内1-1\n2F", "mailing_city": "千代田区", "description": "一行目\n二行目; x, y",
    })
    for version in ("3.0", "4.0"):
        [back] = vcard.loads(vcard.dumps(item, version=version))
        back.source = ""
        assert back == item
