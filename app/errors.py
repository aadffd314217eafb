"""The exceptions services raise. GraphQL maps them to typed error results, pages to messages.

    KizunaError
    ├── ValidationError      one or more field errors (field path + message)
    ├── NotFound             no such record, or one the user may not see (never tell them apart)
    ├── PermissionDenied     the user may see the record but not do this to it
    ├── Conflict             the request clashes with the current state (e.g. a record in use)
    │   └── InvalidTransition a status change the document's status machine refuses
    ├── DeliveryFailed       an e-mail could not be handed to the SMTP server
    └── AuthenticationError  bad credentials
        └── LoginThrottled   too many failures: try again later

Messages are English msgids with %-style parameters; presentation layers translate them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from app.i18n import N_, Day, Msgid, language_of

Translate = Callable[[str], str]


def _render(msgid: str, params: dict[str, Any], gettext: Translate | None) -> str:
    text = gettext(msgid) if gettext else msgid
    if not params:
        return text
    if gettext:
        # A translator that knows its language (app.i18n.Translator, the GraphQL context's
        # gettext) also writes Day parameters the reader's way; others leave them ISO.
        lang = language_of(gettext)
        params = {k: gettext(v) if isinstance(v, Msgid) else v.shown(lang) if isinstance(v, Day) and lang
                  else v for k, v in params.items()}
    return text % params


@dataclass(frozen=True)
class FieldError:
    field: str  # dotted path, e.g. "lastName" or "contacts.0.role"
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return _render(self.msgid, self.params, None)

    def render(self, gettext: Translate | None = None) -> str:
        return _render(self.msgid, self.params, gettext)


class KizunaError(Exception):
    code = "error"

    def __init__(self, msgid: str = N_("Something went wrong."), **params: Any) -> None:
        self.msgid = msgid
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return _render(self.msgid, self.params, None)

    def render(self, gettext: Translate | None = None) -> str:
        return _render(self.msgid, self.params, gettext)


class ValidationError(KizunaError):
    code = "validation"

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__(N_("Please correct the errors below."))

    @classmethod
    def single(cls, field: str, msgid: str, **params: Any) -> "ValidationError":
        return cls([FieldError(field, msgid, params)])

    def for_field(self, name: str) -> list[FieldError]:
        return [e for e in self.errors if e.field == name]


class NotFound(KizunaError):
    code = "not_found"

    def __init__(self, msgid: str = N_("The record does not exist or you may not see it."), **params):
        super().__init__(msgid, **params)


class PermissionDenied(KizunaError):
    code = "permission_denied"

    def __init__(self, msgid: str = N_("You do not have permission to do this."), **params):
        super().__init__(msgid, **params)


class Conflict(KizunaError):
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class DeliveryFailed(KizunaError):
    code = "delivery_failed"

    def __init__(self, msgid: str = N_("The e-mail could not be sent: %(reason)s"), **params):
        super().__init__(msgid, **params)


class AuthenticationError(KizunaError):
    code = "authentication"

    def __init__(self, msgid: str = N_("Wrong e-mail address or password."), **params):
        super().__init__(msgid, **params)


class LoginThrottled(AuthenticationError):
    code = "throttled"

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        if seconds >= 120:
            super().__init__(N_("Too many failed attempts. Try again in %(minutes)d minutes."),
                             minutes=math.ceil(seconds / 60))
        elif seconds > 1:
            super().__init__(N_("Too many failed attempts. Try again in %(seconds)d seconds."), seconds=seconds)
        else:
            super().__init__(N_("Too many failed attempts. Try again in a second."))
