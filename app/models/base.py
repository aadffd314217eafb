"""Shared model pieces: timestamps and record ownership."""

from __future__ import annotations

from typing import Any, ClassVar

from tortoise import fields
from tortoise.models import Model
from tortoise.validators import MaxLengthValidator

from app.search import search_text

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


class Searchable:
    """Mixin (first among the bases) for a model that list searches find: `search_text` holds its
    `SEARCH_FIELDS` and `SEARCH_NAMES` normalised (app.search), rewritten on every `save` and
    `bulk_create`. Write those fields through these, never through `QuerySet.update`."""

    # db_default: the column can be added to tables that have rows (migration 0009_search).
    search_text = fields.TextField(default="", db_default="")
    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = ()
    SEARCH_NAMES: ClassVar[tuple[tuple[str, str], ...]] = ()  # (family name, given name)

    def refresh_search_text(self) -> None:
        self.search_text = search_text(
            (getattr(self, name) for name in self.SEARCH_FIELDS),
            ((getattr(self, family), getattr(self, given)) for family, given in self.SEARCH_NAMES),
        )

    async def save(self, *args: Any, update_fields: Any = None, **kwargs: Any) -> None:
        # A record read with some columns only (schema.columns) is refused by tortoise anyway.
        if not getattr(self, "_partial", False):
            self.refresh_search_text()
            if update_fields is not None:
                update_fields = [*update_fields, "search_text"]
        await super().save(*args, update_fields=update_fields, **kwargs)  # type: ignore[misc]

    @classmethod
    def bulk_create(cls, objects: Any, *args: Any, **kwargs: Any) -> Any:
        objects = list(objects)
        for obj in objects:
            obj.refresh_search_text()
        return super().bulk_create(objects, *args, **kwargs)  # type: ignore[misc]
