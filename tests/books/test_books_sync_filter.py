"""The sync's record filter and settings generation, through books_link.save_settings: conditions
checked (unknown field or operator, values that are not numbers where numbers are needed, too
many) with field errors and nothing saved; what is synced changing raises the generation, other
settings do not; switching organization raises it too."""

from __future__ import annotations

import pytest

from app.errors import ValidationError
from app.models import BooksLink
from app.services import books_link
from tests import factories as f
from tests.books.test_books_sync_engine import IP, linked  # noqa: F401 (fixture)


def messages(exc: ValidationError) -> dict[str, str]:
    return {e.field: e.message for e in exc.errors}


@pytest.mark.parametrize("condition, message", [
    ({"field": "shoe_size", "op": "equals", "value": "1"}, "Choose one of the CRM fields offered."),
    ({"field": "email", "op": "equals", "value": "a@example.jp"}, "Choose one of the CRM fields offered."),  # contacts'
    ({"field": "name", "op": "greater_than", "value": "1"}, "Choose one of the conditions offered."),
    ({"field": "owner", "op": "contains", "value": "1"}, "Choose one of the conditions offered."),
    ({"field": "owner", "op": "equals", "value": "someone"}, "Enter a number."),
    ({"field": "name", "op": "equals", "value": "x" * 201}, "Enter a value of at most 200 characters."),
    ({"field": "name", "op": "equals", "value": ["x"]}, "Enter a value of at most 200 characters."),
    ("name", "Choose one of the CRM fields offered."),
])
async def test_a_wrong_condition_is_refused_and_nothing_is_saved(linked, condition, message):  # noqa: F811
    with pytest.raises(ValidationError) as caught:
        await linked.settings(conflict_policy="overwrite", record_filter=[
            {"field": "billing_state", "op": "equals", "value": "東京都"}, condition])
    assert messages(caught.value) == {"record_filter.1": message}
    link = await BooksLink.get(slot=1)
    assert link.record_filter == [] and link.conflict_policy.value == "skip" and link.generation == 0


async def test_the_filter_as_a_whole(linked):  # noqa: F811
    with pytest.raises(ValidationError) as caught:
        await linked.settings(record_filter="name = x")
    assert messages(caught.value) == {"record_filter": "The record filter is not valid."}
    with pytest.raises(ValidationError) as caught:
        await linked.settings(record_filter=[{"field": "name", "op": "not_empty"}] * 21)
    assert messages(caught.value) == {"record_filter": "Use at most 20 conditions."}


async def test_the_generation_follows_what_is_synced(linked):  # noqa: F811
    async def generation() -> int:
        return (await BooksLink.get(slot=1)).generation

    await linked.settings(direction="crm_to_books", conflict_policy="overwrite")  # how, not what
    assert await generation() == 0
    conditions = [{"field": "phone", "op": "not_empty", "value": ""}]
    await linked.settings(record_filter=conditions)
    assert await generation() == 1
    await linked.settings(record_filter=conditions)  # the same filter again
    await linked.settings()  # no filter given: the stored one stays
    link = await BooksLink.get(slot=1)
    assert link.generation == 1 and link.record_filter == conditions
    await linked.settings(sync_module="contacts")  # another module: its own filter, none given
    link = await BooksLink.get(slot=1)
    assert link.generation == 2 and link.record_filter == []
    await linked.settings(sync_module="contacts", mapping={"products": [["name", "name"], ["code", "sku"]]})
    assert await generation() == 3  # a mapping: every record is looked at again
    other = await f.make_org(linked.admin)
    await books_link.connect(linked.principal, linked.admin.email, linked.secret, other.id, "none", IP)
    assert await generation() == 4
    await books_link.connect(linked.principal, linked.admin.email, linked.secret, other.id, "estimate", IP)
    assert await generation() == 4  # the same organization
