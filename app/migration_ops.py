"""Migration operations of Kizuna's own, shared by the migrations that use them."""

from __future__ import annotations

from tortoise.migrations import operations as ops


class AlterFieldStateOnly(ops.AlterField):
    """A new value of an enum stored as text changes only the enum's description: the VARCHAR
    column stays as it is (and SQLite would rebuild the table, dropping its indexes and cascading
    deletes): the migration state changes, the database does not."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return
