"""One Japanese term per concept: the catalog never names the same thing two ways (受注書, never
受注 or 注文請書 for a sales order; 役割 for a contact's role in a deal, ロール for a permission role)."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from app import settings

PO = settings.BASE_DIR / "app" / "locale" / "ja" / "LC_MESSAGES" / "messages.po"


def _catalog() -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs of the Japanese catalog, plural forms joined."""
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="ja")
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs.append((" ".join(ids), " ".join(s or "" for s in strings)))
    return pairs


CATALOG = _catalog()

# (concept, which msgids name it, the one word, the variants that must not be used for it)
CONCEPTS = [
    ("sales order", r"(?i)\bsales orders?\b|^Order Confirmation$", "受注書", ("注文請書", "注文書")),
    ("purchase order", r"(?i)\bpurchase orders?\b", "発注書", ("注文書",)),
    ("estimate", r"(?i)\bestimates?\b", "見積書", ("見積り", "見積もり", "お見積り")),
    ("invoice", r"(?i)\binvoices?\b(?! (is|are) paid)", "請求", ("インボイス",)),
    ("lead", r"(?i)\bleads?\b(?!s)", "見込み客", ("リード",)),
    ("deal", r"(?i)\bdeals?\b", "商談", ("案件",)),
    ("permission role", r"(?i)\broles?\b", "ロール", ("役割",)),
]
# A contact's role in a deal is another concept under the same English word.
DEAL_ROLES = {"Contacts and roles", "Role in the deal"}


@pytest.mark.parametrize("concept, msgids, word, variants", CONCEPTS, ids=[c[0] for c in CONCEPTS])
def test_one_word_per_concept(concept, msgids, word, variants):
    """Every message about the concept uses its word; none uses a variant. Messages where the
    English word names another concept (a contact's role in a deal) are left out."""
    about = [(i, s) for i, s in CATALOG if re.search(msgids, i) and i not in DEAL_ROLES]
    assert about, f"no message names {concept}"
    variant = [(i, s) for i, s in about if any(v in s for v in variants)]
    assert not variant, f"{concept} named with a variant: {variant}"
    if concept in ("sales order", "purchase order", "lead", "permission role"):
        missing = [(i, s) for i, s in about if word not in s]
        assert not missing, f"{concept} not called {word}: {missing}"


def test_variants_appear_nowhere():
    """Words no message may use: 注文請書 (a sales order is 受注書), リード (a lead is 見込み客),
    行動 (an event is 予定), 承認 or 却下 for an estimate's acceptance (承諾, 辞退)."""
    for word in ("注文請書", "リード", "行動"):
        assert not [(i, s) for i, s in CATALOG if word in s], word
    estimate = [(i, s) for i, s in CATALOG if re.search(r"(?i)accept|declin", i)]
    assert not [(i, s) for i, s in estimate if re.search("承認|却下|不採用", s)]


def test_role_words():
    ja = dict(CATALOG)
    assert ja["Role"] == "ロール" and ja["Roles"] == "ロール" and ja["Users & roles"] == "ユーザーとロール"
    assert ja["Contacts and roles"] == "連絡先と役割"  # the contacts of a deal, each with their role


def test_sales_order_and_won_deal_are_different_words():
    """受注 alone is a won deal (a stage, an action); a sales order is always 受注書."""
    ja = dict(CATALOG)
    assert ja["Sales order"] == "受注書" and ja["Sales orders"] == "受注書"
    assert ja["Order Confirmation"] == "受注書"  # the sales order's PDF title
    assert ja["Won"] == "受注" and ja["Closed won"] == "受注"


def test_invoice_payment_statuses_say_received():
    """The staff's invoice statuses speak of money received (入金), all three the same way."""
    ja = dict(CATALOG)
    assert (ja["Paid"], ja["Partially paid"], ja["Unpaid"]) == ("入金済み", "一部入金", "未入金")


def test_a_contacts_role_in_a_deal_is_yakuwari():
    """(Passes once the lead fills the catalog from ja.json.)"""
    assert dict(CATALOG).get("Role in the deal") == "役割"
