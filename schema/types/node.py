"""Global ids ("Type:pk", base64) and the Node interface every addressable record implements."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import strawberry

from app import cleaning


def to_global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """("Contact", 5), or None when the id is not one of ours (also when its key is outside the
    id column's range: `Account:999...9` names nothing rather than reaching the database)."""
    try:
        text = base64.b64decode(str(global_id), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, _, raw = text.partition(":")
    pk = cleaning.pk(raw)
    return None if pk is None else (type_name, pk)


def pk_of(global_id: str, type_name: str) -> int | None:
    """The primary key when `global_id` names a record of `type_name`, else None."""
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] != type_name:
        return None
    return decoded[1]


@strawberry.interface(description="A record with a global id, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID


def global_id_field(type_name: str) -> Any:
    def resolve(root) -> strawberry.ID:
        return strawberry.ID(to_global_id(type_name, root.id))

    return strawberry.field(resolver=resolve, description=f"Global id ({type_name}).",
                            metadata={"columns": ("id",)})


def model_type_check(model: type) -> classmethod:
    """`is_type_of` for a type whose resolvers return tortoise model instances."""

    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, (cls, model))

    is_type_of.model = model  # schema.columns: which records this type shows
    return classmethod(is_type_of)
