"""Hands a message to the organization's SMTP server, with aiosmtplib.

Every failure becomes DeliveryFailed: `reason` is a short translatable phrase (a Msgid) for the
user; `detail` is what the server or the network said, in English, for the log. Neither ever
contains the password.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage

import aiosmtplib
from aiosmtplib.email import extract_recipients, extract_sender, flatten_message

from app import settings as app_settings
from app.errors import DeliveryFailed
from app.i18n import N_, Msgid

SECURITY = ("none", "starttls", "tls")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    username: str = ""
    password: str = field(default="", repr=False)  # kept out of logs
    security: str = "starttls"  # "none" | "starttls" | "tls"


async def send_message(settings: SmtpSettings, message: EmailMessage) -> None:
    """Send `message` (from build_message) to its To and Cc addresses, all or none: a refused
    recipient ends the transaction before DATA, so a retry never mails anyone twice.
    Raises DeliveryFailed."""
    sender = extract_sender(message)
    recipients = list(dict.fromkeys(extract_recipients(message)))
    data = await asyncio.to_thread(flatten_message, message)  # megabytes with attachments
    try:
        async with _client(settings) as client:
            await client.mail(sender)
            for recipient in recipients:
                await client.rcpt(recipient)
            await client.data(data)
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(
            reason=Msgid(_reason(exc)), detail=_detail(exc, settings.password)
        ) from exc


def _client(smtp: SmtpSettings) -> aiosmtplib.SMTP:
    if smtp.security not in SECURITY:
        raise ValueError(f"unknown SMTP security {smtp.security!r}")
    return aiosmtplib.SMTP(
        hostname=smtp.host,
        port=smtp.port,
        username=smtp.username or None,
        password=smtp.password if smtp.username else None,
        use_tls=smtp.security == "tls",
        # False, not None, for "none": None would upgrade whenever the server offers STARTTLS.
        start_tls=smtp.security == "starttls",
        timeout=app_settings.SMTP_TIMEOUT,
    )


# Most specific first: several of these derive from others (timeouts and disconnects are
# OSErrors, a connect timeout is a connect error, ...).
_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (aiosmtplib.SMTPAuthenticationError,
     N_("the SMTP server refused the user name or password.")),
    ((aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPRecipientsRefused),
     N_("the SMTP server refused a recipient address.")),
    (aiosmtplib.SMTPSenderRefused, N_("the SMTP server refused the sender address.")),
    (aiosmtplib.SMTPDataError, N_("the SMTP server refused the message.")),
    (TimeoutError, N_("the SMTP server did not answer in time.")),
    (aiosmtplib.SMTPServerDisconnected,
     N_("the SMTP server closed the connection unexpectedly.")),
    ((aiosmtplib.SMTPConnectError, OSError), N_("could not connect to the SMTP server.")),
    (aiosmtplib.SMTPResponseException, N_("the SMTP server reported an error.")),
    # What is left are aiosmtplib's own refusals: no STARTTLS, no AUTH, no SMTPUTF8.
    (aiosmtplib.SMTPException,
     N_("the SMTP server does not support the chosen security or sign-in settings.")),
)
_TLS_FAILED = N_("the secure connection (TLS) to the SMTP server failed.")


def _reason(exc: BaseException) -> str:
    if _caused_by(exc, ssl.SSLError):
        return _TLS_FAILED
    return next(reason for kind, reason in _REASONS if isinstance(exc, kind))


def _caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    # aiosmtplib wraps a failed TLS handshake in SMTPConnectError (raise ... from).
    for _ in range(5):
        if exc is None or isinstance(exc, kind):
            return exc is not None
        exc = exc.__cause__
    return False


def _detail(exc: BaseException, password: str) -> str:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        text = "; ".join(_detail(e, password) for e in exc.recipients)
    elif isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        text = f"{exc.recipient}: {exc.code} {exc.message}"
    elif isinstance(exc, aiosmtplib.SMTPResponseException):
        text = f"{exc.code} {exc.message}"
    else:
        text = str(exc) or type(exc).__name__
    # Servers do not echo passwords, but a misconfigured one might; never let it reach a log.
    return text.replace(password, "********") if password else text
