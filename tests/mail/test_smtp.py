import email.policy

import pytest

from app import settings
from app.errors import DeliveryFailed, ValidationError
from app.i18n import gettext
from app.mail.message import build_message
from app.mail.smtp import SmtpSettings, send_message
from tests.smtp import (
    PASSWORD,
    REFUSED,
    USERNAME,
    RecordingHandler,
    check_password,
    running,
)

# aiosmtpd warns that the AUTH fixture accepts a password without TLS: on purpose here.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SUBJECT = "【株式会社キズナ】請求書（INV-00001）のご送付"
BODY = "株式会社テスト 御中\n\nいつもお世話になっております。\n株式会社キズナでございます。\n"


def invoice_mail(**overrides):
    options = dict(
        sender="billing@kizuna.example", sender_name="株式会社キズナ 経理部",
        to=["yamada@example.co.jp"], cc=["sato@example.com", "Yamada@example.co.jp"],
        subject=SUBJECT, body=BODY, attachment=PDF, attachment_name="請求書_INV-00001.pdf",
        reply_to="support@kizuna.example",
    )
    return build_message(**(options | overrides))


def plain(port, **options):
    return SmtpSettings(host="127.0.0.1", port=port, security="none", **options)


async def test_japanese_invoice_with_pdf_arrives_intact(smtp_server):
    await send_message(plain(smtp_server.port), invoice_mail())

    [envelope] = smtp_server.envelopes
    assert envelope.mail_from == "billing@kizuna.example"
    assert envelope.rcpt_tos == ["yamada@example.co.jp", "sato@example.com"]
    assert envelope.content.isascii()  # 7-bit throughout: headers encoded, parts base64
    assert b"=?utf-8?" in envelope.content
    assert "Bcc" not in envelope.content.decode()

    [message] = smtp_server.messages
    assert message["Subject"] == SUBJECT
    assert message["From"].addresses[0].display_name == "株式会社キズナ 経理部"
    assert message["From"].addresses[0].addr_spec == "billing@kizuna.example"
    assert message["To"] == "yamada@example.co.jp"
    assert message["Cc"] == "sato@example.com"
    assert message["Reply-To"] == "support@kizuna.example"
    assert message["Date"].datetime is not None
    assert message["Message-ID"].endswith("@kizuna.example>")

    text = message.get_body(("plain",))
    assert text.get_content_type() == "text/plain"
    assert text.get_content_charset() == "utf-8"
    assert text["Content-Transfer-Encoding"] == "base64"
    assert text.get_content().replace("\r\n", "\n") == BODY  # canonical CRLF line ends

    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "請求書_INV-00001.pdf"
    assert b"filename*=utf-8''%E8%AB%8B%E6%B1%82%E6%9B%B8_INV-00001.pdf" in envelope.content
    assert attachment.get_content() == PDF


async def test_ascii_attachment_name_and_no_cc(smtp_server):
    mail = invoice_mail(cc=(), attachment_name="INV-00001.pdf", sender_name="", reply_to="")
    await send_message(plain(smtp_server.port), mail)

    [message] = smtp_server.messages
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "INV-00001.pdf"
    assert b'Content-Disposition: attachment; filename="INV-00001.pdf"' in (
        smtp_server.envelopes[0].content
    )
    assert attachment.get_content() == PDF
    assert "Cc" not in message and "Reply-To" not in message
    assert message["From"] == "billing@kizuna.example"
    assert smtp_server.envelopes[0].rcpt_tos == ["yamada@example.co.jp"]


async def test_english_mail_without_attachment(smtp_server):
    mail = build_message(sender="a@kizuna.example", to=["b@example.com"],
                         subject="Invoice INV-1", body="Dear Jane,\n\nPlease pay.\n")
    await send_message(plain(smtp_server.port), mail)
    [message] = smtp_server.messages
    assert message["Subject"] == "Invoice INV-1"
    assert not message.is_multipart()
    assert message.get_content_type() == "text/plain"
    assert message.get_content().replace("\r\n", "\n") == "Dear Jane,\n\nPlease pay.\n"


def test_long_japanese_filename_survives_rfc2231_continuations():
    name = "とても長い名前の請求書ファイル_株式会社テスト御中_2026年11月分_INV-00001.pdf"
    raw = invoice_mail(attachment_name=name).as_bytes(policy=email.policy.SMTP)
    assert raw.isascii() and b"filename*0*=utf-8''" in raw
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert next(parsed.iter_attachments()).get_filename() == name


def test_attachment_name_cannot_carry_paths_or_quotes():
    mail = invoice_mail(attachment_name='../../etc/"passwd"\r\n.pdf')
    assert next(mail.iter_attachments()).get_filename() == "_.._etc__passwd___.pdf"
    assert next(invoice_mail(attachment_name="").iter_attachments()).get_filename() == (
        "document.pdf"
    )


def test_headers_are_ascii_only():
    content = invoice_mail().as_bytes(policy=email.policy.SMTP)
    head = content.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()
    assert b"=?utf-8?" in head


def test_line_breaks_in_a_rendered_subject_cannot_add_headers():
    mail = invoice_mail(subject="Invoice for ACME\r\nBcc: victim@example.com", sender_name="A\nB")
    assert mail["Subject"] == "Invoice for ACME Bcc: victim@example.com"
    assert "Bcc" not in mail
    assert mail["From"].addresses[0].display_name == "A B"


# ---------------------------------------------------------------------------------------------
# Authentication and failures


async def test_auth_with_the_right_password_delivers(smtp_server_auth):
    await send_message(
        plain(smtp_server_auth.port, username=USERNAME, password=PASSWORD), invoice_mail()
    )
    assert len(smtp_server_auth.messages) == 1


async def test_auth_with_a_wrong_password_fails_without_leaking_it(smtp_server_auth):
    wrong = "Wr0ng-Secret-Value"
    with pytest.raises(DeliveryFailed) as caught:
        await send_message(
            plain(smtp_server_auth.port, username=USERNAME, password=wrong), invoice_mail()
        )
    failure = caught.value
    assert failure.params["reason"] == "the SMTP server refused the user name or password."
    for text in (str(failure), failure.render(), failure.render(lambda s: gettext("ja", s)),
                 repr(failure.params), repr(plain(1, username=USERNAME, password=wrong))):
        assert wrong not in text
    assert smtp_server_auth.envelopes == []


async def test_server_requiring_auth_refuses_anonymous_mail(smtp_server_auth):
    with pytest.raises(DeliveryFailed):
        await send_message(plain(smtp_server_auth.port), invoice_mail())
    assert smtp_server_auth.envelopes == []


async def test_connection_refused(closed_port):
    with pytest.raises(DeliveryFailed) as caught:
        await send_message(plain(closed_port), invoice_mail())
    assert caught.value.params["reason"] == "could not connect to the SMTP server."
    assert caught.value.message == (
        "The e-mail could not be sent: could not connect to the SMTP server."
    )


async def test_unknown_host(monkeypatch):
    monkeypatch.setattr(settings, "SMTP_TIMEOUT", 3)  # bounds a slow resolver too
    with pytest.raises(DeliveryFailed):
        await send_message(SmtpSettings(host="smtp.invalid", port=25, security="none"),
                           invoice_mail())


async def test_silent_server_times_out(silent_port, monkeypatch):
    monkeypatch.setattr(settings, "SMTP_TIMEOUT", 0.3)
    with pytest.raises(DeliveryFailed) as caught:
        await send_message(plain(silent_port), invoice_mail())
    assert caught.value.params["reason"] == "the SMTP server did not answer in time."


async def test_refused_recipient_sends_to_nobody(smtp_server_refusing):
    mail = invoice_mail(to=["yamada@example.co.jp"], cc=[REFUSED])
    with pytest.raises(DeliveryFailed) as caught:
        await send_message(plain(smtp_server_refusing.port), mail)
    assert caught.value.params["reason"] == "the SMTP server refused a recipient address."
    assert REFUSED in caught.value.params["detail"] and "550" in caught.value.params["detail"]
    assert smtp_server_refusing.envelopes == []  # all or none: no partial delivery


async def test_starttls_required_but_not_offered(smtp_server):
    settings_ = SmtpSettings(host="127.0.0.1", port=smtp_server.port, security="starttls")
    with pytest.raises(DeliveryFailed) as caught:
        await send_message(settings_, invoice_mail())
    assert caught.value.params["reason"] == (
        "the SMTP server does not support the chosen security or sign-in settings."
    )
    assert smtp_server.envelopes == []


async def test_implicit_tls_against_a_plain_server(smtp_server):
    settings_ = SmtpSettings(host="127.0.0.1", port=smtp_server.port, security="tls")
    with pytest.raises(DeliveryFailed) as caught:
        await send_message(settings_, invoice_mail())
    assert caught.value.params["reason"] == (
        "the secure connection (TLS) to the SMTP server failed."
    )
    assert smtp_server.envelopes == []


# ---------------------------------------------------------------------------------------------
# TLS (a self-signed test certificate; trust_test_cert makes the client trust it)


def secure(server, security, **options):
    return SmtpSettings(host="127.0.0.1", port=server.port, security=security, **options)


async def test_starttls_delivers_encrypted(smtp_server_starttls, trust_test_cert):
    await send_message(secure(smtp_server_starttls, "starttls"), invoice_mail())
    assert smtp_server_starttls.encrypted == [True]
    assert smtp_server_starttls.messages[0]["Subject"] == SUBJECT


async def test_implicit_tls_delivers_encrypted(smtp_server_tls, trust_test_cert):
    await send_message(secure(smtp_server_tls, "tls"), invoice_mail())
    assert smtp_server_tls.encrypted == [True]


async def test_security_none_never_upgrades_opportunistically(smtp_server_starttls):
    # Without trust_test_cert an upgrade would fail on the certificate: delivery proves none.
    await send_message(secure(smtp_server_starttls, "none"), invoice_mail())
    assert smtp_server_starttls.encrypted == [False]


@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_untrusted_certificate_fails(security, smtp_server_starttls, smtp_server_tls):
    server = smtp_server_starttls if security == "starttls" else smtp_server_tls
    with pytest.raises(DeliveryFailed) as caught:
        await send_message(secure(server, security), invoice_mail())
    assert caught.value.params["reason"] == (
        "the secure connection (TLS) to the SMTP server failed."
    )
    assert "certificate" in caught.value.params["detail"].lower()
    assert server.envelopes == []


async def test_auth_over_starttls(server_tls_context, trust_test_cert):
    with running(RecordingHandler(), tls_context=server_tls_context, auth_required=True,
                 authenticator=check_password) as server:  # auth_require_tls: the default
        await send_message(
            secure(server, "starttls", username=USERNAME, password=PASSWORD), invoice_mail()
        )
        assert server.encrypted == [True]


# ---------------------------------------------------------------------------------------------
# Address validation


@pytest.mark.parametrize("field, overrides", [
    ("to", {"to": ["no-at-sign.example.com"]}),
    ("to", {"to": ["a@example.com, b@example.com"]}),
    ("to", {"to": ["a@example.com\r\nBcc: victim@example.com"]}),
    ("to", {"to": ["Jane <jane@example.com>"]}),
    ("cc", {"cc": ["a@b"]}),
    ("cc", {"cc": ["a b@example.com"]}),
    ("sender", {"sender": "billing"}),
    ("sender", {"sender": "billing@kizuna.example\nX: y"}),
    ("reply_to", {"reply_to": "nope"}),
])
def test_bad_addresses_are_refused(field, overrides):
    with pytest.raises(ValidationError) as caught:
        invoice_mail(**overrides)
    [error] = caught.value.errors
    assert error.field == field
    assert error.msgid == "%(address)s is not a valid e-mail address."


async def test_japanese_carrier_addresses_with_odd_dots_are_delivered(smtp_server):
    mail = invoice_mail(sender="shop..info@docomo.ne.jp", to=["taro..yamada@docomo.ne.jp"],
                        cc=["hanako.@ezweb.ne.jp"], reply_to="a.@au.com")
    await send_message(plain(smtp_server.port), mail)
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["taro..yamada@docomo.ne.jp", "hanako.@ezweb.ne.jp"]
    assert envelope.mail_from == "shop..info@docomo.ne.jp"


def test_empty_to_is_refused():
    for to in ([], [" "]):
        with pytest.raises(ValidationError) as caught:
            invoice_mail(to=to, cc=["sato@example.com"])
        assert [(e.field, e.msgid) for e in caught.value.errors] == [
            ("to", "Enter at least one recipient.")
        ]
