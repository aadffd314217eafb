"""E-mail templates for sending a transaction (estimate, sales order, invoice, purchase order).

Templates are user-editable text with `{name}` placeholders (names in PLACEHOLDERS); `{{` and `}}`
stand for literal braces. They are never passed to str.format: `{total:>10}` or
`{number.__class__}` are refused by check_template and left as plain text by render_template.

Rendering rules:
- a missing value renders empty;
- a line whose placeholders all render empty is left out, so "お支払期限：{due_date}" or a lone
  "{contact_name}" line disappears when there is nothing to show (text-only lines always stay).

Values (build them with template_values, which applies these rules):
- customer_name: the customer (the vendor for purchase orders). Japanese: with its honorific when
  nobody is named — "株式会社テスト 御中" for a company, "山田 太郎 様" for a person — and without
  one when contact_name carries it.
- contact_name: the person the mail is addressed to. Japanese: "山田 太郎 様", or empty. English:
  the person, else the customer's name, so that "Dear {contact_name}," always reads well.
- total, balance: formatted amounts ("¥110,000"); dates formatted for the language.
- balance_due: the balance of a partly paid invoice, else empty (so its line is left out): the
  default invoice mail states the total billed, and what is left to pay only when it differs.
- expiry_date (estimates), due_date (invoices), delivery_date (orders): empty for other kinds.
- portal_link: the customer's link to the document, absolute (starts with settings.PUBLIC_URL).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal


from app import kinds, settings
from app.errors import FieldError
from app.addressing import addressee  # noqa: F401 - the one rule, used here and by PDFs
from app.i18n import N_
from app.formatting import format_document_date, format_money

PLACEHOLDERS: tuple[str, ...] = (
    "customer_name",
    "contact_name",
    "organization_name",
    "number",
    "total",
    "balance",
    "balance_due",
    "issue_date",
    "due_date",
    "expiry_date",
    "delivery_date",
    "reference",
    "portal_link",
    "salesperson",
)
KINDS: tuple[str, ...] = tuple(k.value for k in kinds.KINDS)
SUBJECT_MAX = 255
BODY_MAX = 32_000

# `{{`, `}}`, `{anything without braces}`, or a brace left over (unbalanced).
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_LINE_BREAK = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")

# Which placeholder the transaction's second date fills, by kind.
_SECOND_DATE = {k.value: k.second_date for k in kinds.KINDS}


# ---------------------------------------------------------------------------------------------
# Checking


def check_template(subject: str, body: str) -> list[FieldError]:
    """Everything wrong with a template, as field errors on "subject" and "body"."""
    errors: list[FieldError] = []
    if not subject.strip():
        errors.append(FieldError("subject", N_("This field is required.")))
    if len(subject) > SUBJECT_MAX:
        errors.append(_too_long("subject", subject, SUBJECT_MAX))
    if _LINE_BREAK.search(subject):
        errors.append(FieldError("subject", N_("The subject must fit on one line.")))
    errors += _placeholder_errors("subject", subject)
    if len(body) > BODY_MAX:
        errors.append(_too_long("body", body, BODY_MAX))
    errors += _placeholder_errors("body", body)
    return errors


def _too_long(field: str, text: str, limit: int) -> FieldError:
    return FieldError(
        field, N_("Must be at most %(max)d characters (now %(length)d)."),
        {"max": limit, "length": len(text)},
    )


def _placeholder_errors(field: str, text: str) -> list[FieldError]:
    errors: list[FieldError] = []
    unknown: list[str] = []
    unbalanced = False
    for match in _TOKEN.finditer(text):
        token, name = match.group(0), match.group(1)
        if token in ("{{", "}}"):
            continue
        if name is None:
            unbalanced = True
        elif name not in PLACEHOLDERS and name not in unknown:
            unknown.append(name)
    names = ", ".join(f"{{{n}}}" for n in PLACEHOLDERS)
    for name in unknown:
        errors.append(FieldError(
            field, N_("Unknown placeholder {%(name)s}. Use one of: %(names)s."),
            {"name": name, "names": names},
        ))
    if unbalanced:
        errors.append(FieldError(
            field, N_("A brace is not closed or not opened. Write {{ or }} for a literal brace."),
        ))
    return errors


# ---------------------------------------------------------------------------------------------
# Rendering


def render_template(text: str, values: Mapping[str, str]) -> str:
    """`text` with its placeholders replaced by `values` (see the module docstring for the rules).

    Anything check_template would refuse is copied through as written, never evaluated."""
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        rendered, placeholders, filled = _render_line(line, values)
        if placeholders and not filled:
            continue
        lines.append(rendered)
    return "\n".join(lines)


def _render_line(line: str, values: Mapping[str, str]) -> tuple[str, int, bool]:
    """The rendered line, how many placeholders it has, and whether any came out non-empty."""
    parts: list[str] = []
    placeholders, filled, pos = 0, False, 0
    for match in _TOKEN.finditer(line):
        parts.append(line[pos:match.start()])
        pos = match.end()
        token, name = match.group(0), match.group(1)
        if token in ("{{", "}}"):
            parts.append(token[0])
        elif name in PLACEHOLDERS:
            value = str(values.get(name, "") or "")
            placeholders += 1
            filled = filled or bool(value.strip())
            parts.append(value)
        else:
            parts.append(token)
    parts.append(line[pos:])
    return "".join(parts), placeholders, filled


# ---------------------------------------------------------------------------------------------
# Values


def template_values(
    *,
    lang: str,
    kind: str,
    customer_name: str,
    is_company: bool,
    contact_name: str = "",
    organization_name: str,
    number: str,
    currency: str,
    total: Decimal,
    balance: Decimal | None = None,
    issue_date: date,
    second_date: date | None = None,
    reference: str = "",
    portal_link: str = "",
    salesperson: str = "",
) -> dict[str, str]:
    """The values for render_template. `second_date` is the transaction's second date: the expiry
    date of an estimate, the due date of an invoice, the expected delivery date of an order.
    A `portal_link` given as a path ("/portal/…") is made absolute with settings.PUBLIC_URL."""
    customer, contact = addressee(lang, customer_name, is_company=is_company,
                                  contact_name=contact_name)
    values = {
        "customer_name": customer,
        "contact_name": contact,
        "organization_name": organization_name,
        "number": number,
        "total": format_money(total, currency, lang),
        "balance": format_money(total if balance is None else balance, currency, lang),
        "balance_due": format_money(balance, currency, lang) if balance is not None and 0 < balance < total else "",
        "issue_date": _format_date(issue_date, lang),
        "due_date": "",
        "expiry_date": "",
        "delivery_date": "",
        "reference": reference,
        "portal_link": _absolute(portal_link),
        "salesperson": salesperson,
    }
    values[_SECOND_DATE[kind]] = _format_date(second_date, lang)
    return values


def _format_date(value: date | None, lang: str) -> str:
    return format_document_date(value, lang)  # as the document's PDF prints it


def _absolute(link: str) -> str:
    return f"{settings.PUBLIC_URL}{link}" if link.startswith("/") else link


# ---------------------------------------------------------------------------------------------
# Defaults

_JA_OPENING = """{customer_name}
{contact_name}

いつもお世話になっております。
{organization_name}でございます。

"""
_JA_CLOSING = """
ご不明な点がございましたら、お気軽にお問い合わせください。
今後ともよろしくお願い申し上げます。

{organization_name}
{salesperson}
"""
_EN_OPENING = "Dear {contact_name},\n\n"
_EN_CLOSING = """
If you have any questions, please do not hesitate to contact us.

Kind regards,
{salesperson}
{organization_name}
"""

DEFAULT_TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "estimate": {
        "ja": (
            "【{organization_name}】お見積書（{number}）のご送付",
            _JA_OPENING + """お見積書 {number} をお送りいたします。
添付の PDF ファイルをご確認ください。

お見積金額：{total}
有効期限：{expiry_date}

下記のページからもお見積書をご確認いただけます。
{portal_link}
""" + _JA_CLOSING,
        ),
        "en": (
            "Estimate {number} from {organization_name}",
            _EN_OPENING + """Thank you for your interest.
Please find attached our estimate {number}.

Estimate total: {total}
Valid until: {expiry_date}

You can also view the estimate online:
{portal_link}
""" + _EN_CLOSING,
        ),
    },
    "sales_order": {
        "ja": (
            "【{organization_name}】受注書（{number}）のご送付",
            _JA_OPENING + """このたびはご注文いただき、誠にありがとうございます。
ご注文の内容を記載した受注書 {number} をお送りいたします。
添付の PDF ファイルをご確認ください。

ご注文金額：{total}
納品予定日：{delivery_date}
貴社ご注文番号：{reference}

下記のページからも受注書をご確認いただけます。
{portal_link}
""" + _JA_CLOSING,
        ),
        "en": (
            "Order confirmation {number} from {organization_name}",
            _EN_OPENING + """Thank you for your order.
Please find attached our order confirmation {number}.

Order total: {total}
Expected delivery: {delivery_date}
Your reference: {reference}

You can also view the order online:
{portal_link}
""" + _EN_CLOSING,
        ),
    },
    "invoice": {
        "ja": (
            "【{organization_name}】請求書（{number}）のご送付",
            _JA_OPENING + """請求書 {number} をお送りいたします。
添付の PDF ファイルをご確認のうえ、お支払期限までにお支払いくださいますよう、お願い申し上げます。

ご請求金額：{total}
お支払残高：{balance_due}
お支払期限：{due_date}
参照番号：{reference}

下記のページからも請求書をご確認いただけます。
{portal_link}
""" + _JA_CLOSING,
        ),
        "en": (
            "Invoice {number} from {organization_name}",
            _EN_OPENING + """Please find attached invoice {number}.

Invoice total: {total}
Balance due: {balance_due}
Due date: {due_date}
Reference: {reference}

You can also view the invoice online:
{portal_link}
""" + _EN_CLOSING,
        ),
    },
    "purchase_order": {
        "ja": (
            "【{organization_name}】発注書（{number}）のご送付",
            _JA_OPENING + """下記のとおり発注いたします。
発注書 {number} を添付いたしましたので、内容をご確認ください。

発注金額：{total}
希望納期：{delivery_date}

お手数ですが、ご確認のうえ納期についてご返信いただけますと幸いです。
""" + _JA_CLOSING,
        ),
        "en": (
            "Purchase order {number} from {organization_name}",
            _EN_OPENING + """Please find attached our purchase order {number}.

Order total: {total}
Requested delivery: {delivery_date}

Please confirm the order and the delivery date at your earliest convenience.
""" + _EN_CLOSING,
        ),
    },
    "credit_note": {
        "ja": (
            "【{organization_name}】適格返還請求書（{number}）のご送付",
            _JA_OPENING + """適格返還請求書（返還請求書）{number} をお送りいたします。
添付の PDF ファイルをご確認ください。

返還金額：{total}
参照番号：{reference}

下記のページからも返還請求書をご確認いただけます。
{portal_link}
""" + _JA_CLOSING,
        ),
        "en": (
            "Credit note {number} from {organization_name}",
            _EN_OPENING + """Please find attached credit note {number}.

Amount credited: {total}
Reference: {reference}

You can also view the credit note online:
{portal_link}
""" + _EN_CLOSING,
        ),
    },
}
