"""Shared model pieces: timestamps and record ownership."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model
from tortoise.validators import MaxLengthValidator

# Long free text (descriptions) is capped so one record cannot grow without bound.
LONG_TEXT_MAX = 32_000


def long_text(**kwargs) -> fields.TextField:
    return fields.TextField(default="", validators=[MaxLengthValidator(LONG_TEXT_MAX)], **kwargs)


class Timestamped(Model):
    created_at = fields.DatetimeField(auto_now_add=True)
    modified_at = fields.DatetimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class OwnedRecord(Timestamped):
    """A CRM record: it has an owner, whose sharing rules decide who else may see it."""

    owner = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.RESTRICT, db_index=True
    )

    class Meta:
        abstract = True
