"""Generic create/read/update/delete for CRM records: coercion, validation, permissions, transactions.

Each domain service (accounts, contacts, ...) is a `RecordService` configured with its model, its
writable fields and its extra rules. Input is a plain dict keyed by model field names (`account_id`
for a relation). Values may be typed (GraphQL) or strings (HTML forms): both are coerced the same
way, and every problem is collected into one `ValidationError` with field paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from decimal import InvalidOperation
from enum import Enum
from typing import Any, ClassVar

from tortoise import fields as tf
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction
from tortoise.validators import MaxLengthValidator

from app import cleaning, readings, statements
from app.errors import Conflict, FieldError, NotFound, ValidationError
from app.i18n import N_
from app.models import User
from app.permissions import Principal, module_of, require, restrict
from app.services import links

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMAIL_FIELDS = {"email", "secondary_email"}
URL_FIELDS = {"website"}


@dataclass
class Cleaned:
    """Validated values ready to assign, plus errors collected so far."""

    values: dict[str, Any]
    errors: list[FieldError]
    data: dict[str, Any] = field(default_factory=dict)  # the raw input, for cross-field rules
    instance: Model | None = None  # the record being updated; None on create

    def error(self, field: str, msgid: str, **params: Any) -> None:
        self.errors.append(FieldError(field, msgid, params))

    def has_error(self, field: str) -> bool:
        return any(e.field == field for e in self.errors)


def max_length(field: tf.Field) -> int | None:
    if isinstance(field, tf.CharField):
        return field.max_length
    for v in getattr(field, "validators", []):
        if isinstance(v, MaxLengthValidator):
            return v.max_length
    return None


class RecordService:
    model: ClassVar[type[Model]]
    # Writable fields by model field name; relations by their source field (`account_id`).
    fields: ClassVar[tuple[str, ...]]
    required: ClassVar[tuple[str, ...]] = ()
    # CRM records have an owner; Books records belong to an organization instead.
    owned: ClassVar[bool] = True

    @property
    def module(self) -> str:
        return module_of(self.model)

    # ---- reading -------------------------------------------------------------------------

    def query(self, principal: Principal, action: str = "view") -> QuerySet:
        return restrict(self.model.all(), principal, action)

    async def get(self, principal: Principal, record_id: int | str, action: str = "view",
                  related: tuple[str, ...] = ()) -> Model:
        """The record if the principal may `action` it, with its `related` records read along."""
        pk = cleaning.pk(record_id)
        if pk is None:
            raise NotFound()
        # Built once per model and relations read along (app.statements): only the id is bound.
        model = self.model
        obj = await statements.record(model, ("get", related),
                                      lambda key: model.filter(id=key).select_related(*related).limit(1), pk)
        if obj is None:
            raise NotFound()
        require(principal, action, obj)
        return obj

    # ---- writing -------------------------------------------------------------------------

    async def create(self, principal: Principal, data: dict[str, Any]) -> Model:
        require(principal, "create_edit", self.module)
        cleaned = await self.clean(principal, data, None)
        values = dict(cleaned.values)
        if self.owned:
            values.setdefault("owner_id", principal.user.id)
        async with in_transaction():
            obj = self.model(**{k: v for k, v in values.items() if k in self._columns})
            await obj.save()
            await self.save_related(principal, obj, cleaned.values, created=True)
        return obj

    async def update(self, principal: Principal, record_id: int | str, data: dict[str, Any]) -> Model:
        obj = await self.get(principal, record_id)
        require(principal, "create_edit", obj)
        cleaned = await self.clean(principal, data, obj)
        async with in_transaction():
            for key, value in cleaned.values.items():
                if key in self._columns:
                    setattr(obj, key, value)
            await obj.save()
            await self.save_related(principal, obj, cleaned.values, created=False)
        return obj

    async def delete(self, principal: Principal, record_id: int | str) -> int:
        obj = await self.get(principal, record_id)
        require(principal, "delete", obj)
        try:
            async with in_transaction():
                await self.before_delete(obj)
                await obj.delete()
        except IntegrityError:
            raise Conflict(N_("This record is still used by other records.")) from None
        return obj.id

    async def before_delete(self, obj: Model) -> None:
        """Hook: remove what points at the record loosely (generic relations)."""

    async def save_related(
        self, principal: Principal, obj: Model, values: dict[str, Any], created: bool
    ) -> None:
        """Hook: write what is not a column (deal contacts, event attendees)."""

    # ---- validation ----------------------------------------------------------------------

    @property
    def _columns(self) -> set[str]:
        meta = self.model._meta
        return set(meta.fields_db_projection) | ({"owner_id"} if self.owned else set())

    async def clean(
        self, principal: Principal, data: dict[str, Any], instance: Model | None
    ) -> Cleaned:
        """Coerce and validate `data`. Missing keys keep the instance's values on update."""
        cleaned = Cleaned({}, [], data, instance)
        cleaned.errors.extend(cleaning.unstorable(data))
        if cleaned.errors:  # nothing else is looked at (or queried) with such input
            raise ValidationError(cleaned.errors)
        unknown = set(data) - set(self.fields) - ({"owner_id"} if self.owned else set())
        for name in sorted(unknown):
            cleaned.error(name, N_("Unknown field."))
        for name in self.fields:
            if name not in data:
                continue
            value = await self.coerce(principal, name, data[name], cleaned)
            if not cleaned.has_error(name):
                cleaned.values[name] = value
        if self.owned and "owner_id" in data and data["owner_id"] not in (None, ""):
            owner = await self._user(data["owner_id"])
            if owner is None:
                cleaned.error("owner_id", N_("Choose an active user."))
            else:
                cleaned.values["owner_id"] = owner.id
        for name in self.required:
            current = cleaned.values.get(name) if name in data else getattr(instance, name, None)
            if current in (None, "") and not cleaned.has_error(name):
                cleaned.error(name, N_("This field is required."))
        if (spec := readings.spec_of(self.model)) is not None and not cleaned.errors:
            spec.fill(cleaned.values, instance)  # entered readings kept, missing ones generated
        await self.validate(principal, cleaned, instance)
        if cleaned.errors:
            raise ValidationError(cleaned.errors)
        return cleaned

    async def validate(self, principal: Principal, cleaned: Cleaned, instance: Model | None) -> None:
        """Hook for cross-field rules; add errors with `cleaned.error`."""

    async def coerce(self, principal: Principal, name: str, value: Any, cleaned: Cleaned) -> Any:
        meta = self.model._meta
        if name.endswith("_id") and name[:-3] in meta.fk_fields:
            return await self._coerce_fk(principal, name, value, cleaned)
        field = meta.fields_map[name]
        if value is None or (isinstance(value, str) and value.strip() == ""):
            # Empty means "none" where the column allows it, else the column's default (an
            # optional enum left out or sent as null), else it is missing.
            if field.null:
                return None
            if field.default is not None and not callable(field.default):
                return field.default
            if isinstance(field, (tf.CharField, tf.TextField)):
                return ""
            cleaned.error(name, N_("This field is required."))
            return None
        try:
            value = coerce_value(field, value, principal.user.timezone)
        except cleaning.Unclean as problem:
            cleaned.error(name, problem.msgid, **problem.params)
            return None
        except (ValueError, InvalidOperation, TypeError):
            cleaned.error(name, _INVALID.get(type(field), N_("Enter a valid value.")))
            return None
        if isinstance(value, str):
            if name in URL_FIELDS:  # first: "example.com" is stored as "https://example.com"
                try:
                    value = cleaning.url(value)
                except cleaning.Unclean as problem:
                    cleaned.error(name, problem.msgid, **problem.params)
            limit = max_length(field)
            if limit is not None and len(value) > limit:
                cleaned.error(
                    name, N_("Must be at most %(max)d characters (now %(length)d)."),
                    max=limit, length=len(value),
                )
            if name in EMAIL_FIELDS and value and not EMAIL_RE.match(value):
                cleaned.error(name, N_("Enter a valid e-mail address."))
        return value

    async def _coerce_fk(self, principal: Principal, name: str, value: Any, cleaned: Cleaned) -> Any:
        field = self.model._meta.fields_map[name[:-3]]
        related: type[Model] = field.related_model
        current = getattr(cleaned.instance, name, None)
        if await links.keeps_hidden(principal, related, current, value):
            return current  # a link to a record the editor cannot see stays as it is
        if value in (None, ""):
            if not field.null:
                cleaned.error(name, N_("This field is required."))
            return None
        pk = links.as_id(value)
        # A relation may only point at what the user can see.
        if pk is None or not await links.reachable(principal, related).filter(id=pk).exists():
            cleaned.error(name, N_("Choose a valid record."))
            return None
        return pk

    @staticmethod
    async def _user(value: Any) -> User | None:
        pk = cleaning.pk(value)
        return None if pk is None else await User.get_or_none(id=pk, is_active=True)


_INVALID = {
    tf.DateField: N_("Enter a valid date (YYYY-MM-DD)."),
    tf.DatetimeField: N_("Enter a valid date and time."),
    tf.DecimalField: N_("Enter a number."),
    tf.IntField: N_("Enter a whole number."),
    tf.data.CharEnumFieldInstance: N_("Choose one of the offered values."),
}


def coerce_value(field: tf.Field, value: Any, tz_name: str) -> Any:
    """The column's type, through app.cleaning's bounds; Unclean or ValueError when it cannot be."""
    if isinstance(field, tf.data.CharEnumFieldInstance):
        return field.enum_type(value.value if isinstance(value, Enum) else value)
    if isinstance(field, tf.DatetimeField):
        return cleaning.moment(value, tz_name)
    if isinstance(field, tf.DateField):
        return cleaning.day(value)
    if isinstance(field, tf.DecimalField):
        return cleaning.decimal(value, field.max_digits, field.decimal_places)
    if isinstance(field, tf.BooleanField):
        if isinstance(value, str):
            return value.lower() in ("1", "true", "on", "yes")
        return bool(value)
    if isinstance(field, tf.IntField):
        return cleaning.integer(value, *cleaning.int_range(field))
    if isinstance(field, (tf.CharField, tf.TextField)):
        return cleaning.text(value)
    if isinstance(field, tf.TimeField) and isinstance(value, str):
        return time.fromisoformat(cleaning.text(value))
    return value
