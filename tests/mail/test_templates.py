from datetime import date
from decimal import Decimal

import pytest

from app import settings
from app.mail.templates import (
    DEFAULT_TEMPLATES,
    KINDS,
    PLACEHOLDERS,
    addressee,
    check_template,
    render_template,
    template_values,
)

FULL = {name: f"<{name}>" for name in PLACEHOLDERS}


def messages(errors, field=None):
    return [e.message for e in errors if field is None or e.field == field]


def test_a_good_template_passes():
    assert check_template("Invoice {number}", "Dear {contact_name},\n{{not a placeholder}}") == []


def test_unknown_placeholder_is_named_with_the_known_ones():
    errors = check_template("Invoice {numbr}", "Total {totl} {totl}")
    assert [e.field for e in errors] == ["subject", "body"]
    assert errors[0].msgid == "Unknown placeholder {%(name)s}. Use one of: %(names)s."
    assert errors[0].params["name"] == "numbr"
    assert "{number}" in errors[0].message and "{portal_link}" in errors[0].message
    assert errors[1].params["name"] == "totl"  # reported once


@pytest.mark.parametrize("text", [
    "{number.__class__}", "{number.__class__.__init__.__globals__}", "{total:>10}",
    "{total!r}", "{number[0]}", "{}", "{ number }",
])
def test_format_specs_and_attribute_access_are_refused(text):
    errors = check_template(text, text)
    assert [e.field for e in errors] == ["subject", "body"]
    assert all("Unknown placeholder" in m for m in messages(errors))


@pytest.mark.parametrize("text", ["{number", "number}", "{{number}", "a } b", "{number}}}}"])
def test_unbalanced_braces(text):
    errors = check_template("Subject", text)
    assert [e.msgid for e in errors] == [
        "A brace is not closed or not opened. Write {{ or }} for a literal brace."
    ]


def test_subject_required_single_line_and_short():
    assert messages(check_template("  ", "body"), "subject") == ["This field is required."]
    for injected in ("Hello\r\nBcc: victim@example.com", "Hello\nX: y", "Hello\u2028there"):
        assert messages(check_template(injected, "body"), "subject") == [
            "The subject must fit on one line."
        ]
    assert messages(check_template("x" * 256, "body"), "subject") == [
        "Must be at most 255 characters (now 256)."
    ]
    assert check_template("x" * 255, "body") == []


def test_body_length_limit():
    assert messages(check_template("s", "x" * 32_001), "body") == [
        "Must be at most 32000 characters (now 32001)."
    ]
    assert check_template("s", "x" * 32_000) == []


def test_render_substitutes_and_unescapes():
    text = "{{number}} is {number}; {{{total}}} {{}}"
    assert render_template(text, {"number": "INV-1", "total": "¥100"}) == (
        "{number} is INV-1; {¥100} {}"
    )


def test_render_never_evaluates():
    values = {"number": "INV-1", "total": "100"}
    text = "{number.__class__} {total:>10} {total!r} {unknown} {"
    assert render_template(text, values) == text


def test_values_are_not_rendered_again():
    values = {"customer_name": "{number} {{x}}"}
    assert render_template("{customer_name}", values) == "{number} {{x}}"


def test_lines_whose_placeholders_are_all_empty_are_left_out():
    text = "{customer_name}\n{contact_name}\n\nDue: {due_date}\nRef: {reference} / {number}\nText\n"
    values = {"customer_name": "ACME", "contact_name": "", "due_date": " ", "number": "7"}
    assert render_template(text, values) == "ACME\n\nRef:  / 7\nText\n"


def test_crlf_is_normalised():
    assert render_template("a {number}\r\nb\r\n", {"number": "1"}) == "a 1\nb\n"


def test_defaults_cover_every_kind_and_language():
    assert set(DEFAULT_TEMPLATES) == set(KINDS)
    for kind in KINDS:
        assert set(DEFAULT_TEMPLATES[kind]) == {"ja", "en"}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_default_templates_pass_the_check_and_render_fully(kind, lang):
    subject, body = DEFAULT_TEMPLATES[kind][lang]
    assert check_template(subject, body) == []
    for text in (subject, body):
        rendered = render_template(text, FULL)
        assert "{" not in rendered and "}" not in rendered
    assert "<number>" in render_template(subject, FULL)
    rendered_body = render_template(body, FULL)
    assert "<number>" in rendered_body and "<organization_name>" in rendered_body
    if kind != "purchase_order":
        assert "<portal_link>" in rendered_body


def test_default_japanese_invoice_reads_naturally():
    subject, body = DEFAULT_TEMPLATES["invoice"]["ja"]
    values = template_values(
        lang="ja", kind="invoice", customer_name="株式会社テスト", is_company=True,
        organization_name="株式会社キズナ", number="INV-00001", currency="JPY",
        total=Decimal("110000"), issue_date=date(2026, 11, 1), second_date=date(2026, 11, 30),
        portal_link="/portal/abc", salesperson="佐藤 花子",
    )
    assert render_template(subject, values) == "【株式会社キズナ】請求書（INV-00001）のご送付"
    text = render_template(body, values)
    assert text.startswith("株式会社テスト 御中\n\nいつもお世話になっております。\n")
    assert "ご請求金額：¥110,000\n" in text
    assert "お支払期限：2026年11月30日\n" in text
    assert f"{settings.PUBLIC_URL}/portal/abc\n" in text
    assert "参照番号" not in text  # no reference: the line is left out
    assert text.endswith("株式会社キズナ\n佐藤 花子\n")


def test_template_values_put_the_second_date_where_the_kind_wants_it():
    common = dict(
        lang="en", customer_name="ACME", is_company=True, organization_name="Kizuna",
        number="X-1", currency="USD", total=Decimal("1234.5"), balance=Decimal("34.5"),
        issue_date=date(2026, 11, 1), second_date=date(2026, 12, 1),
    )
    estimate = template_values(kind="estimate", **common)
    assert (estimate["expiry_date"], estimate["due_date"]) == ("December 1, 2026", "")
    order = template_values(kind="sales_order", **common)
    assert order["delivery_date"] == "December 1, 2026" and order["expiry_date"] == ""
    assert estimate["total"] == "1,234.50 USD" and estimate["balance"] == "34.50 USD"
    assert estimate["portal_link"] == ""


def test_addressee_honorifics():
    assert addressee("ja", "株式会社テスト", is_company=True) == ("株式会社テスト 御中", "")
    assert addressee("ja", "株式会社テスト", is_company=True, contact_name="山田 太郎") == (
        "株式会社テスト", "山田 太郎 様"
    )
    assert addressee("ja", "山田 太郎", is_company=False) == ("山田 太郎 様", "")
    assert addressee("ja", "山田 太郎", is_company=False, contact_name="山田 太郎") == (
        "山田 太郎 様", ""
    )
    assert addressee("en", "ACME Inc.", is_company=True) == ("ACME Inc.", "ACME Inc.")
    assert addressee("en", "ACME Inc.", is_company=True, contact_name="Jane Roe") == (
        "ACME Inc.", "Jane Roe"
    )
