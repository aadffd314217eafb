"""vCard 2.1, 3.0 and 4.0 to contact items and back (seed 003's field mappings).

Reading: the bytes are decoded by app.pim.text, cut into cards and made plain by
app.pim.vcard_lines (vCard 2.1's quoted-printable soft breaks, Shift_JIS read as cp932, bare
commas; photos dropped; bounds), then each card is parsed by vobject on its own: a broken card
becomes an item with a problem, the others still read.

Mappings (reading; writing is the mirror):
- N family/given -> last_name/first_name (no N: FN as last_name, so the contact has a name);
  X-PHONETIC-LAST-NAME / X-PHONETIC-FIRST-NAME (Apple's and Android's readings) -> last_name_kana,
  first_name_kana;
  ORG name;unit -> account_name, department; TITLE -> title; NOTE -> description; BDAY -> birthday
  (a birthday without a year is a problem: Kizuna keeps whole dates); CATEGORIES -> categories;
  UID -> uid.
- EMAIL: the first (preferred first) -> email, the next -> secondary_email.
- TEL by type: fax -> fax; cell -> mobile; x-assistant (and Evolution's) -> assistant_phone;
  home -> home_phone; work (or voice alone) -> work_phone; anything else, or a second number of
  a taken kind -> other_phone while it is free.
- ADR: the first WORK address -> mailing_*; the first other one (OTHER before HOME) -> other_*; an
  untyped address fills mailing_* when there is no WORK one. Street (plus extended address on a
  new line), city, region -> state, code, country.
- X-ASSISTANT / X-MANAGER (and the Evolution, KAddressBook and Microsoft spellings) -> assistant,
  reports_to.
"""

from __future__ import annotations

import re
from datetime import date

import vobject

from app.i18n import N_
from app.models import PimKind
from app.pim import values as v
from app.pim.items import Item, Problem
from app.pim.text import FormatError, decode
from app.pim.vcard_lines import MAX_BYTES, MAX_CARDS, Card, cards, text_of

__all__ = ["MAX_BYTES", "MAX_CARDS", "dumps", "loads"]

NOT_VCARD = N_("The file holds no vCard.")
TOO_BIG = N_("The file is too large (at most %(max)s MB).")
BROKEN_CARD = N_("This card cannot be read.")

_ASSISTANT = {"X-ASSISTANT", "X-MS-ASSISTANT", "X-EVOLUTION-ASSISTANT", "X-KADDRESSBOOK-X-ASSISTANTSNAME"}
_MANAGER = {"X-MANAGER", "X-MS-MANAGER", "X-EVOLUTION-MANAGER", "X-KADDRESSBOOK-X-MANAGERSNAME"}
_ASSISTANT_TEL = {"x-assistant", "x-evolution-assistant", "assistant"}
_PHONETIC = {"X-PHONETIC-LAST-NAME": "last_name_kana", "X-PHONETIC-FIRST-NAME": "first_name_kana"}


# ---- reading ---------------------------------------------------------------------------------

def loads(data: bytes | str) -> list[Item]:
    """Every card in `data` as a contact item (Item.source: "line N", where the card begins).
    FormatError (a ValueError) when the file cannot be read at all."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        if len(data) > MAX_BYTES:
            raise FormatError(TOO_BIG, max=MAX_BYTES // (1024 * 1024))
        text = decode(bytes(data))
    else:
        if len(data) > MAX_BYTES:
            raise FormatError(TOO_BIG, max=MAX_BYTES // (1024 * 1024))
        text = data.lstrip("\ufeff")
    found = cards(text)
    if not found:
        raise FormatError(NOT_VCARD)
    return [_item(card) for card in found]


def _item(card: Card) -> Item:
    item = Item(PimKind.CONTACTS, source=f"line {card.line}")
    try:
        component = vobject.readOne(text_of(card, item))
        _read(component, item)
    except Exception:  # noqa: BLE001 - vobject raises many types for broken input
        item.problems.append(Problem("", BROKEN_CARD))  # what was read stays, for the report
    return item


def _types(line) -> set[str]:
    types: set[str] = set()
    for value in line.params.get("TYPE", []):
        types.update(p.strip().strip('"').lower() for p in value.split(","))
    types.update(p.strip().lower() for p in line.singletonparams)
    if "PREF" in line.params:
        types.add("pref")
    return types


def _text(value) -> str:
    if isinstance(value, list):  # an unescaped comma split a component: it was a literal comma
        return ",".join(str(p) for p in value)
    return "" if value is None else str(value)


def _lines(component, name: str) -> list:
    return component.contents.get(name.lower(), [])


def _read(component, item: Item) -> None:
    put = lambda name, value: v.put_text(item, name, value)  # noqa: E731
    for line in _lines(component, "UID")[:1]:
        item.uid = _text(line.value).strip()
    for line in _lines(component, "N")[:1]:
        name = line.value
        put("last_name", _text(getattr(name, "family", "")))
        put("first_name", _text(getattr(name, "given", "")))
    if "last_name" not in item.values and "first_name" not in item.values:
        for line in _lines(component, "FN")[:1]:
            put("last_name", _text(line.value))
    for line in _lines(component, "ORG")[:1]:
        parts = line.value if isinstance(line.value, list) else [line.value]
        put("account_name", parts[0] if parts else "")
        if len(parts) > 1:
            put("department", "\n".join(str(p) for p in parts[1:] if p))
    for line in _lines(component, "TITLE")[:1]:
        put("title", _text(line.value))
    for line in _lines(component, "NOTE")[:1]:
        put("description", _text(line.value))
    for line in _lines(component, "BDAY")[:1]:
        _birthday(item, _text(line.value))
    names = [name for line in _lines(component, "CATEGORIES")
             for name in (line.value if isinstance(line.value, list) else [line.value])]
    item.categories = v.split_list(",".join(str(name) for name in names), ",")
    emails = sorted(_lines(component, "EMAIL"), key=lambda line: "pref" not in _types(line))
    for name, line in zip(("email", "secondary_email"), emails):
        put(name, _text(line.value))
    _phones(item, _lines(component, "TEL"))
    _addresses(item, _lines(component, "ADR"))
    for line in component.getChildren():
        if line.name in _ASSISTANT and "assistant" not in item.values:
            put("assistant", _text(line.value))
        elif line.name in _MANAGER and "reports_to" not in item.values:
            put("reports_to", _text(line.value))
        elif line.name in _PHONETIC and _PHONETIC[line.name] not in item.values:
            put(_PHONETIC[line.name], _text(line.value))


def _birthday(item: Item, raw: str) -> None:
    value = raw.strip()
    if not value:
        return
    if value.startswith("--"):
        v.problem(item, "birthday", v.NO_YEAR, value)
        return
    try:
        v.put_date(item, "birthday", v.parse_date(value))
    except ValueError:
        v.problem(item, "birthday", v.BAD_DATE, value)


def _phones(item: Item, lines: list) -> None:
    for line in sorted(lines, key=lambda line: "pref" not in _types(line)):
        number = _text(line.value).strip()
        if number.lower().startswith("tel:"):
            number = number[4:]
        if not number:
            continue
        types = _types(line)
        if "fax" in types:
            slot = "fax" if "home" not in types else "other_phone"
        elif "cell" in types or "mobile" in types:
            slot = "mobile"
        elif types & _ASSISTANT_TEL:
            slot = "assistant_phone"
        elif "home" in types:
            slot = "home_phone"
        elif "work" in types or not types - {"voice", "pref", "internet"}:
            slot = "work_phone"
        else:
            slot = "other_phone"
        if slot in item.values:
            slot = "other_phone"
        if slot not in item.values:
            v.put_text(item, slot, number)


def _addresses(item: Item, lines: list) -> None:
    work = [line for line in lines if "work" in _types(line)]
    others = sorted((line for line in lines if "work" not in _types(line)),
                    key=lambda line: 0 if "other" in _types(line) else 1 if "home" in _types(line) else 2)
    untyped = [line for line in others if not _types(line) - {"pref", "postal", "parcel", "intl", "dom"}]
    mailing = work[0] if work else (untyped[0] if untyped else None)
    other = next((line for line in others if line is not mailing), None)
    for prefix, line in (("mailing", mailing), ("other", other)):
        if line is None:
            continue
        adr = line.value
        parts = (_text(getattr(adr, "street", "")), _text(getattr(adr, "extended", "")))
        street = "\n".join(p for p in parts if p.strip())
        v.put_text(item, f"{prefix}_street", street)
        v.put_text(item, f"{prefix}_city", _text(getattr(adr, "city", "")))
        v.put_text(item, f"{prefix}_state", _text(getattr(adr, "region", "")))
        v.put_text(item, f"{prefix}_code", _text(getattr(adr, "code", "")))
        v.put_text(item, f"{prefix}_country", _text(getattr(adr, "country", "")))


# ---- writing ---------------------------------------------------------------------------------

_VERSIONS = ("2.1", "3.0", "4.0")
_PHONES = (("work_phone", ["work", "voice"]), ("home_phone", ["home", "voice"]), ("mobile", ["cell"]),
           ("fax", ["work", "fax"]), ("other_phone", ["other", "voice"]), ("assistant_phone", ["x-assistant"]))
_ADDRESSES = (("mailing", "work"), ("other", "other"))


def dumps(item: Item, *, version: str = "3.0") -> str:
    """One vCard for a contact item: 3.0 (CardDAV and most clients), 4.0, or 2.1 (what Outlook
    itself writes: UTF-8 quoted-printable values, which Outlook reads in any Windows locale)."""
    if version not in _VERSIONS:
        raise ValueError(f"vCard version {version!r} is not written")
    if item.kind is not PimKind.CONTACTS:
        raise ValueError("only contacts are written as vCards")
    if version == "2.1":
        return _dumps_21(item)
    values = item.values
    four = version == "4.0"
    card = vobject.vCard()
    card.add("version").value = version
    if item.uid:
        card.add("uid").value = item.uid
    card.add("n").value = vobject.vcard.Name(family=values.get("last_name", ""), given=values.get("first_name", ""))
    card.add("fn").value = _full_name(values)
    if values.get("account_name") or values.get("department"):
        department = [values["department"]] if values.get("department") else []
        card.add("org").value = [values.get("account_name", ""), *department]
    _add(card, "title", values.get("title"))
    for name, pref in (("email", True), ("secondary_email", False)):
        if values.get(name):
            line = card.add("email")
            line.value = values[name]
            if four:
                if pref:
                    line.params["PREF"] = ["1"]
            else:
                line.params["TYPE"] = ["INTERNET", "pref"] if pref else ["INTERNET"]
    for name, types in _PHONES:
        if values.get(name):
            line = card.add("tel")
            line.value = values[name]
            line.params["TYPE"] = [t if four else t.upper() for t in types]
    for prefix, kind in _ADDRESSES:
        parts = _address(values, prefix)
        if any(parts):
            line = card.add("adr")
            street, city, state, code, country = parts
            line.value = vobject.vcard.Address(street=street, city=city, region=state, code=code, country=country)
            line.params["TYPE"] = [kind if four else kind.upper()]
    _add(card, "note", values.get("description"))
    birthday = values.get("birthday")
    if isinstance(birthday, date):
        card.add("bday").value = birthday.strftime("%Y%m%d") if four else birthday.isoformat()
    if item.categories:
        card.add("categories").value = list(item.categories)
    _add(card, "x-assistant", values.get("assistant"))
    _add(card, "x-manager", values.get("reports_to"))
    for head, name in _PHONETIC.items():
        _add(card, head.lower(), values.get(name))
    return card.serialize()


def _full_name(values: dict) -> str:
    first, last = values.get("first_name", ""), values.get("last_name", "")
    # Japanese names are written family name first.
    parts = (last, first) if _cjk(last + first) else (first, last)
    return " ".join(p for p in parts if p) or values.get("email", "") or values.get("account_name", "")


def _address(values: dict, prefix: str) -> list[str]:
    return [values.get(f"{prefix}_{p}", "") for p in ("street", "city", "state", "code", "country")]


def _dumps_21(item: Item) -> str:
    values = item.values
    lines = ["BEGIN:VCARD", "VERSION:2.1"]

    def add(head: str, *parts: str, structured: bool = False) -> None:
        value = ";".join(p.replace(";", "\\;") for p in parts) if structured else parts[0]
        if value.isascii() and "\n" not in value and "\r" not in value:
            lines.append(f"{head}:{value}")
            return
        encoded = "".join(c if (c.isascii() and c.isprintable() and c not in "= ") else
                          "".join(f"={b:02X}" for b in c.replace("\n", "\r\n").encode("utf-8")) for c in value)
        lines.append(_qp_fold(f"{head};CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{encoded}"))

    add("N", values.get("last_name", ""), values.get("first_name", ""), "", "", "", structured=True)
    add("FN", _full_name(values))
    if values.get("account_name") or values.get("department"):
        add("ORG", values.get("account_name", ""), *([values["department"]] if values.get("department") else []),
            structured=True)
    for name, head in (("title", "TITLE"), ("email", "EMAIL;PREF;INTERNET"), ("secondary_email", "EMAIL;INTERNET")):
        if values.get(name):
            add(head, values[name])
    for name, types in _PHONES:
        if values.get(name):
            add("TEL;" + ";".join(t.upper() for t in types), values[name])
    for prefix, kind in _ADDRESSES:
        parts = _address(values, prefix)
        if any(parts):
            add(f"ADR;{kind.upper()}", "", "", *parts, structured=True)
    if values.get("description"):
        add("NOTE", values["description"])
    if isinstance(values.get("birthday"), date):
        lines.append(f"BDAY:{values['birthday'].strftime('%Y%m%d')}")
    if item.categories:
        add("CATEGORIES", ",".join(item.categories))
    for name, head in (("assistant", "X-ASSISTANT"), ("reports_to", "X-MANAGER"),
                       *((name, head) for head, name in _PHONETIC.items())):
        if values.get(name):
            add(head, values[name])
    if item.uid:
        add("UID", item.uid)
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


def _qp_fold(line: str) -> str:
    """Quoted-printable soft line breaks: at most 76 characters a line, never inside an =XX."""
    start = line.index(":") + 1
    tokens = [line[:start], *re.findall(r"=[0-9A-F]{2}|[^=]", line[start:])]
    out, current = [], ""
    for token in tokens:
        if current and len(current) + len(token) > 75:
            out.append(current + "=")
            current = ""
        current += token
    out.append(current)
    return "\r\n".join(out)


def _add(card, name: str, value) -> None:
    if value:
        card.add(name).value = value


def _cjk(text: str) -> bool:
    """Japanese names are written family name first."""
    return any("\u3040" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)
