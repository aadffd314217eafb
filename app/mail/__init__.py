"""Sending transactions by e-mail: templates (templates.py), MIME messages (message.py) and
delivery over the organization's SMTP server (smtp.py). No database, no HTTP."""

from app.mail.message import build_message, is_valid_address
from app.mail.smtp import SmtpSettings, send_message
from app.mail.templates import (
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
    check_template,
    render_template,
    template_values,
)

__all__ = [
    "DEFAULT_TEMPLATES",
    "PLACEHOLDERS",
    "SmtpSettings",
    "build_message",
    "check_template",
    "is_valid_address",
    "render_template",
    "send_message",
    "template_values",
]
