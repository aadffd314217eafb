"""Saved list views: what a list shows (search, filters, sort, columns, page size) under a name."""

from __future__ import annotations

from tortoise import fields

from app.models.base import Timestamped


class SavedView(Timestamped):
    """A list view of one module saved by a user under a name, for them alone or shared with
    every user of the module. The state holds query parameters only, checked by the service."""

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE, db_index=True)
    module = fields.CharField(max_length=40)
    name = fields.CharField(max_length=80)
    shared = fields.BooleanField(default=False)
    # Opened when its creator comes to the list without parameters (one per user and list).
    is_default = fields.BooleanField(default=False)
    state = fields.JSONField(default=dict)

    class Meta:
        table = "saved_views"
        indexes = (("module", "shared"),)

    def __str__(self) -> str:
        return self.name
