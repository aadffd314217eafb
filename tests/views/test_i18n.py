"""The catalogs are complete, and pages speak the user's (or the browser's) language."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app import settings
from tests import factories as f
from tests.views.conftest import post

ROOT = settings.BASE_DIR
METHOD_MAP = [
    ("app/**.py", "python"),
    ("views/**.py", "python"),
    ("schema/**.py", "python"),
    ("views/templates/**.html", "jinja2"),
]
OPTIONS = {"views/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True",
                                       "lstrip_blocks": "True"}}


def extracted_msgids() -> set[str]:
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, OPTIONS, keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return {i for i in ids if i}


def catalog(lang: str):
    with (ROOT / "app" / "locale" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def test_babel_cfg_covers_the_same_sources():
    cfg = (ROOT / "babel.cfg").read_text()
    for pattern, _method in METHOD_MAP:
        assert f": {pattern}]" in cfg


def test_every_msgid_is_translated_in_both_catalogs():
    msgids = extracted_msgids()
    assert "This record is shared with you read-only." in msgids  # from app/permissions.py
    assert "Refresh" in msgids  # from a template
    assert len(msgids) > 150
    for lang in settings.LANGUAGES:
        cat = catalog(lang)
        missing = sorted(m for m in msgids if m not in cat)
        untranslated = sorted(m for m in msgids if m in cat and not (
            all(cat[m].string) if isinstance(cat[m].string, tuple) else cat[m].string))
        fuzzy = sorted(m for m in msgids if m in cat and cat[m].fuzzy)
        assert not missing, f"{lang}: run `make messages`; missing {missing}"
        assert not untranslated, f"{lang}: untranslated {untranslated}"
        assert not fuzzy, f"{lang}: fuzzy {fuzzy}"


def test_japanese_uses_the_business_vocabulary():
    cat = catalog("ja")
    expected = {"Accounts": "取引先", "Contacts": "連絡先", "Leads": "見込み客", "Deals": "商談",
                "Tasks": "タスク", "Events": "予定", "Cases": "ケース", "Settings": "設定"}
    assert {k: cat[k].string for k in expected} == expected
    for message in cat:
        if message.id and message.python_format:
            assert isinstance(message.string, tuple) or message.string.count("%(") == message.id.count("%(")


async def test_user_language_renders_japanese(signed_in, client):
    me = await signed_in("Sales", language="ja")
    await f.make_contact(me, last_name="山田")
    page = (await client.get("/contacts")).text
    assert '<html lang="ja">' in page
    for word in ("取引先", "連絡先", "見込み客", "商談", "タスク", "予定", "ケース", "1 件", "ログアウト"):
        assert word in page


async def test_browser_language_when_user_has_none(signed_in, client):
    await signed_in("Sales")
    english = await client.get("/contacts", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in english.text and ">Contacts<" in english.text
    japanese = await client.get("/contacts", headers={"Accept-Language": "ja,en;q=0.5"})
    assert '<html lang="ja">' in japanese.text and ">連絡先<" in japanese.text


async def test_validation_messages_are_translated(signed_in, client):
    await signed_in("Sales", language="ja")
    bad = await post(client, "/contacts", {"first_name": "花子"}, htmx=True)
    assert bad.status_code == 422
    assert "この項目は必須です。" in bad.text and 'id="error-last_name"' in bad.text


async def test_language_switch_in_the_user_menu(signed_in, client):
    me = await signed_in("Sales")
    page = (await client.get("/contacts")).text
    assert '<button form="language-form" name="language" value="ja"' in page
    switched = await post(client, "/settings/account/language", {"language": "ja", "next": "/contacts"})
    assert switched.headers["location"] == "/contacts"
    await me.refresh_from_db()
    assert me.language == "ja"
    assert ">連絡先<" in (await client.get("/contacts")).text
    offsite = await post(client, "/settings/account/language", {"language": "en", "next": "//evil.example"})
    assert offsite.headers["location"] == "/"


async def test_default_stage_names_and_money_rules_in_japanese(signed_in, client):
    await signed_in("Sales", language="ja")
    form = (await client.get("/deals/new")).text
    assert ">見極め</option>" in form and ">JPY</option>" in form
    bad = await post(client, "/deals", {"name": "x", "stage_id": str((await f.stage()).id),
                                         "currency": "JPY", "amount": "1.5"}, htmx=True)
    assert "JPY の金額は小数点以下 0 桁まで入力できます。" in bad.text


def test_every_translation_formats_like_its_msgid():
    """Templates format every message (Jinja's new-style gettext): a translation must format as
    its msgid does (`10%% (standard)`, `%(name)s`); a lone `%` would fail the page."""
    from babel.messages.pofile import read_po

    class Any1(dict):
        def __missing__(self, key):
            return 1

    with open("app/locale/ja/LC_MESSAGES/messages.po", "rb") as fh:
        catalog = read_po(fh, locale="ja")
    broken = []
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        try:
            ids[0] % Any1()
        except (ValueError, TypeError):
            continue  # a msgid Python code never formats
        for text in strings:
            try:
                text % Any1()
            except (ValueError, TypeError) as exc:
                broken.append((ids[0], text, str(exc)))
    assert broken == []
