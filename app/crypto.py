"""Credentials at rest: encrypted with the keys from settings, rotatable.

Every credential Kizuna keeps (an organization's SMTP password now; IMAP passwords, webhook
secrets and connection keys later) is stored through `EncryptedField`: the model attribute holds
the plain value in memory, the column holds a Fernet token (AES-128-CBC + HMAC-SHA256, from the
PyCA `cryptography` library). `KIZUNA_ENCRYPTION_KEYS` lists the keys: the first encrypts, all
decrypt (`MultiFernet`), so a key is rotated by putting a new one first, running
`python -m app.cli rotate-keys` (which re-encrypts every stored secret with it) and then dropping
the old one. An empty value is stored empty, so "not set" stays visible without decrypting.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction
from tortoise.validators import MaxLengthValidator

from app import settings

log = logging.getLogger(__name__)


class UndecryptableSecret(RuntimeError):
    """A stored secret that none of the configured keys decrypts."""


UNDECRYPTABLE = ("A stored secret cannot be decrypted with KIZUNA_ENCRYPTION_KEYS: keep every key "
                 "that encrypted stored values in the list until `rotate-keys` has run, or enter the secret again")


class Undecryptable(str):
    """What an EncryptedField loads when none of the keys decrypts its token (a key dropped too
    soon): the rest of the row stays readable, so the pages that show it still work; the token is
    written back unchanged when the row is saved (adding the key again recovers it); and `plain`
    refuses it where the secret would be used. It is truthy: a secret is stored."""


def plain(value: str) -> str:
    """The secret to use, or UndecryptableSecret when the stored one could not be decrypted."""
    if isinstance(value, Undecryptable):
        raise UndecryptableSecret(UNDECRYPTABLE)
    return value


@lru_cache(maxsize=1)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise RuntimeError("KIZUNA_ENCRYPTION_KEYS holds no key")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError:
        raise RuntimeError(
            "KIZUNA_ENCRYPTION_KEYS: each key must be 32 url-safe base64-encoded bytes "
            "(make one with `python -m app.cli generate-key`)"
        ) from None


def fernet() -> MultiFernet:
    return _fernet(settings.ENCRYPTION_KEYS)


def generate_key() -> str:
    return Fernet.generate_key().decode()


def encrypt(value: str) -> str:
    """A Fernet token for `value` under the first key; "" stays "" (nothing is set)."""
    return fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableSecret(UNDECRYPTABLE) from None


def rotate(token: str) -> str:
    """`token` re-encrypted under the first key."""
    return fernet().rotate(token.encode()).decode() if token else ""


def is_token(value: str) -> bool:
    """Is `value` a token one of the keys decrypts (and not a plain value stored before)?"""
    try:
        fernet().decrypt(value.encode())
    except (InvalidToken, ValueError):
        return False
    return True


class EncryptedField(fields.TextField):
    """A credential: plain in Python, a Fernet token in the database; never filtered on."""

    MAX_LENGTH = 500  # of the plain value; its token is about 4/3 as long, plus 100

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("default", "")
        super().__init__(**kwargs)
        self.validators.append(MaxLengthValidator(self.MAX_LENGTH))

    def to_db_value(self, value: Any, instance: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, Undecryptable):
            return str(value)  # the token as it was
        return encrypt(str(value))

    def to_python_value(self, value: Any) -> str | None:
        # Rows hold tokens; a model built in Python (`Organization(smtp_password=...)`) holds the
        # plain value, which is never a token these keys made.
        if not value or not _looks_like_token(value) or isinstance(value, Undecryptable):
            return value
        try:
            return decrypt(value)
        except UndecryptableSecret:
            log.error("a stored secret of %s cannot be decrypted with KIZUNA_ENCRYPTION_KEYS",
                      self.model.__name__ if getattr(self, "model", None) else "a record")
            return Undecryptable(value)


def _looks_like_token(value: str) -> bool:
    # Fernet tokens are url-safe base64 of a version byte 0x80, so they start "gAAAAA".
    return isinstance(value, str) and value.startswith("gAAAAA") and len(value) >= 100


def encrypted_fields() -> list[tuple[type[Model], str]]:
    """(model, field name) of every EncryptedField."""
    from app import models

    return [
        (model, name)
        for model in vars(models).values()
        if isinstance(model, type) and issubclass(model, Model) and not model._meta.abstract
        for name, field in model._meta.fields_map.items()
        if isinstance(field, EncryptedField)
    ]


async def rotate_stored(batch: int = 500) -> int:
    """Re-encrypt every stored secret under the first key; the number of values rewritten.

    Reading decrypts with whichever key fits, saving encrypts with the first: after this, keys
    other than the first can be dropped from KIZUNA_ENCRYPTION_KEYS."""
    count = 0
    for model, name in encrypted_fields():
        last = 0
        while rows := await model.filter(id__gt=last).exclude(**{name: ""}).order_by("id").limit(batch):
            if any(isinstance(getattr(row, name), Undecryptable) for row in rows):
                raise UndecryptableSecret(UNDECRYPTABLE)  # rotating it would lose it for good
            async with in_transaction():
                for row in rows:
                    await row.save(update_fields=[name])
            count += len(rows)
            last = rows[-1].id
    return count
