"""Sending a transaction by e-mail with its PDF attached.

`compose` fills the chosen template in for a preview; `send` renders the PDF, hands the mail to
the organization's SMTP server and only then records the sending (history, status). When the
server refuses, DeliveryFailed reaches the caller and nothing is marked sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app import cleaning, crypto, kinds, settings
from app.errors import FieldError, ValidationError
from app.i18n import N_
from app.models import BooksContact, ContactPerson, EmailTemplate, Kind, Organization, Transaction, User, VersionReason
from app.permissions import Principal
from app.services import archive, books_pdf, workflow
from app.services import transactions as txns

MAX_RECIPIENTS = 20


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str


@dataclass(frozen=True)
class Composition:
    transaction: Transaction
    templates: list[EmailTemplate]
    template: EmailTemplate
    recipients: list[Recipient]  # the customer's contact persons (and its own address)
    to: list[str]  # preselected: the primary person
    subject: str
    body: str
    attachment_name: str


def portal_link(txn: Transaction) -> str:
    return f"{settings.PUBLIC_URL}/portal/{txn.portal_token}"


async def placeholder_values(txn: Transaction, lang: str) -> dict[str, str]:
    from app.mail.templates import template_values

    org = await Organization.get(id=txn.organization_id)
    contact = await BooksContact.get(id=txn.contact_id)
    person = await ContactPerson.filter(books_contact_id=contact.id).order_by("-is_primary", "id").first()
    salesperson = await User.get_or_none(id=txn.salesperson_id) if txn.salesperson_id else None
    return template_values(
        lang=lang, kind=txn.kind.value, customer_name=contact.company_name or contact.display_name,
        is_company=contact.is_company, contact_name=person.full_name if person else "",
        organization_name=org.name, number=txn.number, currency=txn.currency, total=txn.total,
        balance=txn.balance if kinds.of(txn.kind).has_balance or kinds.of(txn.kind).is_credit else None, issue_date=txn.issue_date,
        second_date=txn.due_date, reference=txn.reference, portal_link=portal_link(txn),
        salesperson=salesperson.name if salesperson else "",
    )


async def recipients_of(contact_id: int) -> list[Recipient]:
    contact = await BooksContact.get(id=contact_id)
    people = [Recipient(p.full_name, p.email) for p in
              await ContactPerson.filter(books_contact_id=contact_id).order_by("-is_primary", "id") if p.email]
    if contact.email and all(r.email != contact.email for r in people):
        people.append(Recipient(contact.display_name, contact.email))
    return people


async def compose(principal: Principal, kind: Kind, record_id: Any, template_id: Any = None,
                  also: Sequence[Recipient] = ()) -> Composition:
    """`also`: more people the caller offers as recipients (the CRM's contacts of the record the
    document was opened from), after the customer's own."""
    from app.mail.templates import render_template

    txn = await txns.get(principal, kind, record_id, "email")
    workflow.check(txn, "email")
    templates = await EmailTemplate.filter(organization_id=txn.organization_id, kind=kind)
    if not templates:
        raise ValidationError.single("template_id", N_("Add an e-mail template for this kind of document in Settings."))
    template = next((t for t in templates if str(t.id) == str(template_id)), None) or next(
        (t for t in templates if t.is_default), templates[0])
    values = await placeholder_values(txn, template.language)
    recipients = _with(await recipients_of(txn.contact_id), also)
    return Composition(
        transaction=txn, templates=templates, template=template, recipients=recipients,
        to=[recipients[0].email] if recipients else [],
        subject=render_template(template.subject, values), body=render_template(template.body, values),
        attachment_name=books_pdf.filename_of(txn, template.language),
    )


def _with(recipients: list[Recipient], also: Sequence[Recipient]) -> list[Recipient]:
    known = {r.email.lower() for r in recipients}
    for r in also:
        if r.email and r.email.lower() not in known:
            known.add(r.email.lower())
            recipients.append(r)
    return recipients


def _addresses(values: Any) -> list[str]:
    if isinstance(values, str):
        values = values.replace(";", ",").split(",")
    return list(dict.fromkeys(v.strip() for v in values or [] if v and v.strip()))


async def send(principal: Principal, kind: Kind, record_id: Any, *, to: Any, cc: Any = (),
               subject: str, body: str, lang: str | None = None, also: Sequence[Recipient] = ()) -> Transaction:
    """Send the document to `to` (addresses of the customer's contact persons, or of `also`, as
    `compose` offered them) and `cc`."""
    from app.mail.message import build_message, is_valid_address
    from app.mail.smtp import SmtpSettings, send_message

    txn = await txns.get(principal, kind, record_id, "email")
    workflow.check(txn, "email")
    org = await Organization.get(id=txn.organization_id)
    to, cc = _addresses(to), _addresses(cc)
    known = {r.email.lower() for r in _with(await recipients_of(txn.contact_id), also)}
    errors: list[FieldError] = cleaning.unstorable({"to": to, "cc": cc, "subject": subject, "body": body})
    if not to:
        errors.append(FieldError("to", N_("Choose at least one recipient.")))
    elif strangers := [a for a in to if a.lower() not in known]:
        errors.append(FieldError("to", N_("Send to the customer's contact persons; put other addresses in Cc (%(addresses)s)."),
                                 {"addresses": ", ".join(strangers)}))
    if bad := [a for a in cc if not is_valid_address(a)]:
        errors.append(FieldError("cc", N_("Not an e-mail address: %(addresses)s"), {"addresses": ", ".join(bad)}))
    if len(to) + len(cc) > MAX_RECIPIENTS:
        errors.append(FieldError("cc", N_("At most %(max)d recipients."), {"max": MAX_RECIPIENTS}))
    subject, body = (subject or "").strip(), body or ""
    if not subject:
        errors.append(FieldError("subject", N_("This field is required.")))
    elif "\n" in subject or "\r" in subject or len(subject) > 255:
        errors.append(FieldError("subject", N_("Write the subject on one line of at most 255 characters.")))
    if not org.smtp_host or not org.sender_email:
        errors.append(FieldError("smtp", N_("Set up the organization's outgoing mail (SMTP) in Settings first.")))
    if errors:
        raise ValidationError(errors)
    # The kept bytes when the document is unchanged since it was last sent or shown (a file that
    # fails its hash stops the sending: TamperedVersion); kept once the server took the mail.
    candidate = await archive.prepare(txn, lang or org.language)
    message = build_message(
        sender=org.sender_email, sender_name=org.sender_name or org.name, to=to, cc=cc, subject=subject,
        body=body, attachment=candidate.body, attachment_name=candidate.filename,
        reply_to=principal.user.email if is_valid_address(principal.user.email) else "",
    )
    try:
        password = crypto.plain(org.smtp_password)
    except crypto.UndecryptableSecret:
        raise ValidationError.single("smtp", N_("The stored SMTP password cannot be read with the server's "
                                                "keys: enter it again in the organization's settings.")) from None
    smtp = SmtpSettings(host=org.smtp_host, port=org.smtp_port, username=org.smtp_username,
                        password=password, security=org.smtp_security.value)
    await send_message(smtp, message)  # DeliveryFailed propagates: nothing is recorded
    await archive.record(candidate, VersionReason.SENT, user=principal.user)
    return await workflow.mark_emailed(principal, txn, ", ".join(to + cc))
