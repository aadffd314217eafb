"""Walking the GraphQL schema for hostile-input tests: every mutation, its arguments and their
input types (recursively), valid values to start from, and one record of every kind to aim at.

The tests built on this (tests/graphql/test_hostile_input.py, tests/property/) change one value
of a valid request at a time, so a request reaches the code behind the input check it probes.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLUnionType,
    build_schema,
    get_named_type,
)

from app.models import Kind
from app.permissions import Principal
from schema import schema as strawberry_schema
from tests import factories as f
from tests.graphql.conftest import gid

SDL = build_schema(strawberry_schema.as_str())
MUTATIONS: dict[str, GraphQLField] = dict(SDL.mutation_type.fields)

# Valid input per input type: enough that a create succeeds, so each probe reaches past the
# required-field checks. `{...}` placeholders are filled from the World's records.
BASE: dict[str, dict[str, Any]] = {
    "AccountInput": {"name": "Acme", "website": "https://acme.example"},
    "ContactInput": {"lastName": "山田", "firstName": "太郎", "birthday": "1980-04-01"},
    "LeadInput": {"lastName": "佐藤", "company": "さくら商事", "status": "NEW"},
    "ConvertLeadInput": {"accountName": "さくら商事", "deal": {
        "name": "初回", "amount": "1000", "stageId": "{Stage}", "closingDate": "2030-01-31"}},
    "ConvertLeadDealInput": {"name": "初回", "amount": "1000", "stageId": "{Stage}", "closingDate": "2030-01-31"},
    "DealInput": {"name": "Big deal", "amount": "1000", "stageId": "{Stage}", "closingDate": "2030-01-31"},
    "TaskInput": {"subject": "Call", "status": "NOT_STARTED", "priority": "HIGH", "dueDate": "2030-01-31"},
    "EventInput": {"subject": "Meeting", "startAt": "2030-01-31T10:00:00+09:00",
                   "endAt": "2030-01-31T11:00:00+09:00"},
    "CaseInput": {"subject": "Broken", "status": "NEW"},
    "ProductInput": {"name": "保守サポート", "code": "SUP-Y", "unitPrice": "60000", "taxRate": "10"},
    "DealLineInput": {"productId": "{Product}", "description": "作業", "quantity": "2", "unitPrice": "5000",
                      "discount": "100"},
    "AttendeeInput": {"email": "guest@example.com"},
    "DealContactInput": {"contactId": "{Contact}", "role": "Buyer"},
    "OrganizationInput": {"name": "株式会社テスト", "edition": "BOOKS", "currency": "JPY"},
    "BooksContactInput": {"displayName": "株式会社さくら", "contactType": "CUSTOMER", "paymentTerms": "NET_30"},
    "ContactPersonInput": {"lastName": "鈴木", "email": "suzuki@example.jp"},
    "ItemInput": {"name": "Consulting", "rate": "5000", "taxRate": "10"},
    "EmailTemplateInput": {"name": "Template", "language": "ja", "subject": "{number}", "body": "{customer_name}"},
    # (the rate is ignored on the yen customer's documents; test_books_foreign_currency probes a dollar one)
    "TransactionInput": {"contactId": "{BooksContact}", "issueDate": "2026-04-01",
                         "exchangeRate": "150.25", "exchangeRateDate": "2026-03-31",
                         "lines": [{"description": "作業費", "quantity": "2", "rate": "5000", "taxRate": "10"}]},
    "ConsolidatedInvoiceInput": {"contactId": "{BooksContact}", "periodEnd": "2026-11-30"},
    "TransactionLineInput": {"description": "作業費", "quantity": "2", "rate": "5000", "taxRate": "10",
                             "deliveryDate": "2026-04-03"},
    "PaymentInput": {"amount": "100", "date": "2026-04-02", "mode": "BANK_TRANSFER"},
    "CreditNoteInput": {"invoiceIds": ["{Invoice}"], "reason": "RETURN", "issueDate": "2026-04-01",
                        "lines": [{"description": "返品", "quantity": "1", "rate": "5", "taxRate": "10"}]},
    "ApplyCreditInput": {"applications": [{"invoiceId": "{Invoice}", "amount": "1"}], "date": "2026-04-02"},
    "CreditApplicationInput": {"invoiceId": "{Invoice}", "amount": "1"},
    "SendInput": {"to": ["{person_email}"], "subject": "Invoice", "body": "Hello"},
    "RoleInput": {"name": "Reviewers", "description": "Read the pipeline", "seesAllRecords": False},
    "RoleGrantInput": {"module": "ACCOUNTS", "action": "VIEW"},
    "SharingRuleInput": {"module": "ACCOUNTS", "access": "READ_ONLY", "granteeRoleId": "{Role}"},
    "EmailDealInput": {"name": "メールからの商談", "amount": "1000", "stageId": "{Stage}", "closingDate": "2030-01-31"},
    # Port 1 on the loopback: nobody listens, so every probe ends at the login, refused at once.
    "MailboxInput": {"email": "owner@example.jp", "imapHost": "127.0.0.1", "imapPort": 1, "imapSecurity": "NONE",
                     "username": "owner", "password": "secret"},
    "BooksSyncSettingsInput": {"syncModule": "ACCOUNTS", "direction": "TWO_WAY", "conflictPolicy": "SKIP",
                               "productDirection": "TWO_WAY", "productConflictPolicy": "SKIP",
                               "fieldMapping": [{"module": "PRODUCTS", "crmField": "name", "booksField": "name"}],
                               "recordFilter": [{"field": "billing_state", "op": "equals", "value": "東京都"}]},
    "BooksSyncConditionInput": {"field": "name", "op": "contains", "value": "株式会社"},
    "FieldPairInput": {"module": "PRODUCTS", "crmField": "name", "booksField": "name"},
    # 192.0.2.1 (TEST-NET-1) is refused before any connection: tests probe without traffic.
    "NotificationDestinationInput": {"name": "Chat", "url": "https://192.0.2.1/hook", "eventTypes": ["invoice.paid"]},
    "PimSettingInput": {"direction": "TO_KIZUNA", "automatic": False, "categoryOnly": True, "categoryName": "Kizuna",
                        "deleteThreshold": 30},
    "PimFixInput": {"id": "{PimIgnored}", "value": "営業部"},
    # saveView: a state the deals list knows (views/deals.py)
    "ListStateInput": {"q": "大型", "filters": [{"name": "stage", "value": "won"}], "sort": "-amount",
                       "columns": ["amount", "owner"], "perPage": 50},
    "ListFilterInput": {"name": "stage", "value": "won"},
    "SendEmailInput": {"mailboxId": "{Mailbox}", "to": ["{person_email}"], "subject": "Hello", "body": "Hi",
                       "replyToId": "{Email}", "dealId": "{Deal}", "attachmentIds": ["{EmailAttachment}"]},
}
PURCHASE_INPUT = {**BASE["TransactionInput"], "contactId": "{Vendor}"}
# Scalar arguments outside inputs.
SCALAR_ARGS = {"name": "token", "text": "A note", "acceptedBy": "山田 太郎", "visibleToCustomer": True, "to": "INVOICE",
               "kind": "INVOICE", "includeAttachments": True, "enabled": True, "automation": "ESTIMATE",
               "eventType": "invoice.paid", "inApp": False, "body": "Hello", "private": False,
               "lostReason": "他社に決定", "module": "deals", "shared": True,
               # uploadEmail: an .eml file, base64
               "filename": "mail.eml", "content": base64.b64encode(
                   "From: 山田 太郎 <yamada@example.jp>\r\nSubject: ご相談\r\nMessage-ID: <hostile@example.jp>\r\n"
                   "\r\n本文\r\n".encode()).decode()}

_TYPE_IN_NAME = re.compile(
    r"(CreditApplication|CreditNote|Refund|PimIgnored|PimHeld|TransferReport|BooksContact|EmailTemplate|ApiToken|PurchaseOrder|SalesOrder|Estimate|Invoice|Payment|Document|"
    r"Organization|Account|Contact|Lead|Deal|Task|Event|CaseAttachment|Case|Item|SharingRule|Role|Session|Mailbox|"
    r"Product|NotificationDestination|Notification|ChatMessage|ChatChannel)")
# Arguments whose record type is not the one in the mutation's name.
ARG_TYPES = {"invoiceId": "Invoice", "transactionId": "Invoice", "organizationId": "Organization",
             "emailId": "Email", "attachmentId": "EmailAttachment", "booksContactId": "BooksContact",
             "contactId": "Contact", "dealId": "Deal", "recordId": "Contact",
             "destinationId": "NotificationDestination", "channelId": "ChatChannel", "messageId": "ChatMessage",
             "userId": "User", "memberIds": "User", "stageId": "Stage", "creditNoteId": "CreditNote"}


# Mutations whose record type is not in their name.
MUTATION_TYPES = {"saveView": "SavedView", "deleteView": "SavedView", "applyCredit": "CreditNote"}


def target_type(mutation: str, arg: str) -> str:
    if mutation in MUTATION_TYPES:
        return MUTATION_TYPES[mutation]
    if arg in ARG_TYPES:
        return ARG_TYPES[arg]
    match = _TYPE_IN_NAME.search(mutation[0].upper() + mutation[1:])
    assert match, mutation
    return match.group(1)


def unwrap(t: Any) -> Any:
    return t.of_type if isinstance(t, GraphQLNonNull) else t


@dataclass
class World:
    """One record of every kind, all reachable by `admin`; `ids` by GraphQL type name."""

    admin: Any
    principal: Principal
    ids: dict[str, str] = field(default_factory=dict)
    fill: dict[str, str] = field(default_factory=dict)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            return {**self.ids, **self.fill}.get(value[1:-1], value)  # "{number}" is a placeholder
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value


async def make_world() -> World:
    from app.models import Stage
    from app.services import documents as docs
    from app.services import history, payments

    admin = await f.make_user("Administrator")
    org = await f.make_org(admin, smtp_host="127.0.0.1", sender_email="books@example.jp")
    principal = await f.principal_for(admin)
    customer = await f.make_customer(org)
    vendor = await f.make_customer(org, contact_type="vendor")
    item = await f.make_item(org)
    account = await f.make_account(admin)
    contact = await f.make_contact(admin)
    ids = {
        "Account": gid("Account", account.id), "Contact": gid("Contact", contact.id),
        "Lead": gid("Lead", (await f.make_lead(admin)).id),
        "Deal": gid("Deal", (await f.make_deal(admin)).id),
        "Task": gid("Task", (await f.make_task(admin)).id),
        "Event": gid("Event", (await f.make_event(admin)).id),
        "Case": gid("Case", (await f.make_case(admin)).id),
        "Product": gid("Product", (await f.make_product(admin)).id),
        "Organization": gid("Organization", org.id),
        "BooksContact": gid("BooksContact", customer.id), "Vendor": gid("BooksContact", vendor.id),
        "Item": gid("Item", item.id),
        "Stage": gid("Stage", (await Stage.all().first()).id),
    }
    for kind, name in ((Kind.ESTIMATE, "Estimate"), (Kind.SALES_ORDER, "SalesOrder"),
                       (Kind.PURCHASE_ORDER, "PurchaseOrder")):
        txn = await f.make_transaction(principal, kind.value, vendor if kind == Kind.PURCHASE_ORDER else customer)
        ids[name] = gid(name, txn.id)
    invoice = await f.make_sent_invoice(principal, customer)
    ids["Invoice"] = gid("Invoice", invoice.id)
    payment = await payments.record_payment(principal, invoice.id, {"amount": "10"})
    ids["Payment"] = gid("Payment", payment.id)
    # An open credit note on it, some of its credit applied and some refunded.
    from app.services import credit_applications

    note = await f.make_credit_note(principal, [invoice], [("返品", 1, 100, 10)], sent=True)
    ids["CreditNote"] = gid("CreditNote", note.id)
    [applied] = await credit_applications.apply_credit(principal, note.id, [{"invoice_id": invoice.id, "amount": 10}])
    ids["CreditApplication"] = gid("CreditApplication", applied.id)
    refund = await credit_applications.record_refund(principal, note.id, {"amount": "10"})
    ids["Refund"] = gid("Refund", refund.id)
    await history.add_note(principal, invoice, "note")
    from app.models import TransferReport
    report = await TransferReport.create(organization_id=org.id, invoice_id=invoice.id, transfer_date=invoice.issue_date,
                                         amount=1, remitter="ﾔﾏﾀﾞ")
    ids["TransferReport"] = gid("TransferReport", report.id)
    doc = await docs.upload(principal, "invoice", invoice.id, "a.txt", io.BytesIO(b"hello"))
    ids["Document"] = gid("Document", doc.id)
    from app.models import EmailTemplate

    ids["EmailTemplate"] = gid("EmailTemplate", (await EmailTemplate.filter(organization_id=org.id).first()).id)
    from app import auth

    ids["ApiToken"] = gid("ApiToken", (await auth.create_api_token(admin, "other"))[0].id)
    from app import sessions
    from app.models import Access, Role, SharingRule

    role = await Role.create(name="Auditors", description="")
    ids["Role"] = gid("Role", role.id)
    rule = await SharingRule.create(module="accounts", access=Access.READ_ONLY, grantee_role=role)
    ids["SharingRule"] = gid("SharingRule", rule.id)
    ids["Session"] = gid("Session", (await sessions.start({}, admin, user_agent="test", ip="127.0.0.1")).id)
    person = (await customer.persons.all())[0]
    fill = {"person_email": person.email}
    # An e-mail between the contact and the customer's person, with an attachment: the mail
    # actions' mutations aim at it.
    box = await f.make_mailbox(admin)
    email = await f.make_email(box, sender=contact.email, to=(person.email,), subject="Mail",
                               attachments=(("a.txt", "text/plain", b"hello"),))
    ids["Email"] = gid("Email", email.id)
    ids["EmailAttachment"] = gid("EmailAttachment", (await email.attachments.all())[0].id)
    # A case made from it keeps its file: removeCaseAttachment aims at that.
    from app.models import CaseAttachment
    from app.services import email_actions

    mail_case = await email_actions.create_case(principal, email.id, include_attachments=True)
    ids["CaseAttachment"] = gid("CaseAttachment", (await CaseAttachment.get(case_id=mail_case.id)).id)
    # Its mailbox (no server behind it: sending fails at once, as DeliveryFailed).
    ids["Mailbox"] = gid("Mailbox", box.id)
    # A notification destination and an in-app notification of the administrator.
    from app.models import Destination, Notification

    destination = await Destination.create(organization=org, kind="slack", name="Chat", url="https://192.0.2.1/hook",
                                           event_types=["invoice.paid"], created_by=admin)
    ids["NotificationDestination"] = gid("NotificationDestination", destination.id)
    ids["Notification"] = gid("Notification", (await Notification.create(user=admin, type="invoice.paid")).id)
    # Team chat: a channel with one of the admin's messages, and a colleague to write to.
    from app.services import chat

    colleague = await f.make_user()
    channel = await chat.create_channel(principal, "general", member_ids=[colleague.id])
    ids["ChatChannel"] = gid("ChatChannel", channel.id)
    ids["ChatMessage"] = gid("ChatMessage", (await chat.post_message(principal, channel.id, "hello")).id)
    ids["User"] = gid("User", colleague.id)
    # PIM sync: an import run of the administrator that ignored a contact over a limit.
    from app.models import PimIgnored, PimIgnoreReason, PimKind, PimRun, PimRunSource

    run = await PimRun.create(user=admin, source=PimRunSource.IMPORT, file_name="contacts.csv",
                              counts={"contacts": {"added": 0, "updated": 0, "deleted": 0, "ignored": 1}})
    ids["PimRun"] = gid("PimRun", run.id)
    ignored = await PimIgnored.create(
        run=run, user=admin, kind=PimKind.CONTACTS, reason=PimIgnoreReason.LIMIT, field="department",
        message="Must be at most %(max)d characters (now %(length)d).", params={"max": 50, "length": 51},
        label="山田", values={"kind": "contacts", "values": {"last_name": "山田", "department": "x" * 51}})
    ids["PimIgnored"] = gid("PimIgnored", ignored.id)
    # ... and a change its phone made that waits for sync now.
    from app.models import PimCollection, PimHeld, PimHeldReason

    collection = await PimCollection.create(user=admin, name="contacts")
    held = await PimHeld.create(collection=collection, kind=PimKind.CONTACTS, action="put",
                                reason=PimHeldReason.MANUAL, device="iPhone",
                                values={"kind": "contacts", "values": {"last_name": "保留"}})
    ids["PimHeld"] = gid("PimHeld", held.id)
    # A saved view of the deals list (saveView changes it, deleteView deletes it).
    from app.models import SavedView

    view = await SavedView.create(user=admin, module="deals", name="大型案件", state={"sort": "-amount"})
    ids["SavedView"] = gid("SavedView", view.id)
    return World(admin, principal, ids, fill)


def base_input(type_name: str, mutation: str) -> dict[str, Any]:
    if type_name == "TransactionInput" and "PurchaseOrder" in mutation:
        return dict(PURCHASE_INPUT)
    return dict(BASE.get(type_name, {}))


def base_args(mutation: str, world: World) -> dict[str, Any]:
    """Valid variables for every argument of `mutation`."""
    args: dict[str, Any] = {}
    for name, arg in MUTATIONS[mutation].args.items():
        named = get_named_type(arg.type)
        if isinstance(named, GraphQLInputObjectType):
            args[name] = world.resolve(base_input(named.name, mutation))
        elif named.name == "ID":
            args[name] = world.ids[target_type(mutation, name)]
        elif isinstance(named, GraphQLEnumType):
            wanted = SCALAR_ARGS.get(name)
            args[name] = wanted if wanted in named.values else next(iter(named.values))
        else:
            args[name] = SCALAR_ARGS.get(name, "x")
    return args


def nullable_paths(t: Any, prefix: tuple = ()) -> list[tuple]:
    """Paths (keys and list indexes) of every nullable input field under type `t`, recursively;
    list fields are entered through their first element."""
    paths: list[tuple] = []
    t = unwrap(t)
    if isinstance(t, GraphQLList):
        return nullable_paths(t.of_type, (*prefix, 0))
    if not isinstance(t, GraphQLInputObjectType):
        return paths
    for name, fld in t.fields.items():
        if not isinstance(fld.type, GraphQLNonNull):
            paths.append((*prefix, name))
        paths.extend(nullable_paths(fld.type, (*prefix, name)))
    return paths


def set_path(data: Any, path: tuple, value: Any, element_base: dict[str, Any] | None = None) -> None:
    """Set `value` at `path` inside `data`, creating a list element (a copy of `element_base`)
    or a dict on the way where the base input has none."""
    node = data
    for i, key in enumerate(path[:-1]):
        nxt = path[i + 1]
        if isinstance(node, list):
            while len(node) <= key:
                node.append(dict(element_base or {}))
            node = node[key]
            continue
        if node.get(key) is None:
            node[key] = [] if isinstance(nxt, int) else {}
        node = node[key]
    if isinstance(node, list):
        while len(node) <= path[-1]:
            node.append(dict(element_base or {}))
    node[path[-1]] = value


def document(mutation: str) -> str:
    """A request for `mutation` with every argument as a variable, asking each result member for
    its typename (and a payload's record id), so INTERNAL errors cannot hide behind unasked fields."""
    fld = MUTATIONS[mutation]
    decl = ", ".join(f"${n}: {a.type}" for n, a in fld.args.items())
    call = ", ".join(f"{n}: ${n}" for n in fld.args)
    result = get_named_type(fld.type)
    members = result.types if isinstance(result, GraphQLUnionType) else [result]
    parts = ["__typename"]
    for member in members:
        if not isinstance(member, GraphQLObjectType):
            continue
        if "fields" in member.fields:  # ValidationError
            parts.append(f"... on {member.name} {{ fields {{ path message }} }}")
        elif "message" in member.fields:
            parts.append(f"... on {member.name} {{ message }}")
    head = f"mutation({decl})" if decl else "mutation"
    return f"{head} {{ {mutation}({call}) {{ {' '.join(parts)} }} }}" if call else \
        f"{head} {{ {mutation} {{ {' '.join(parts)} }} }}"


def internal_errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Errors that are not the client's fault: masked (INTERNAL) or unmasked exceptions raised
    while resolving; refusals (BAD_USER_INPUT, invalid variables) are fine."""
    errors = body.get("errors") or []
    return [e for e in errors if (e.get("extensions") or {}).get("code") == "INTERNAL"
            or (e.get("path") and not (e.get("extensions") or {}).get("code"))]
