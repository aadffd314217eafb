"""Moving a deal along its pipeline (app.services.deal_stages): the move goes through the deal
service, so permissions, a read-only share and the Books automation act exactly as through the
edit form; a lost deal says why, and forgets it when it is reopened; the stage path and the
actions offered; the pipeline's columns."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.errors import NotFound, PermissionDenied, ValidationError
from app.models import Access, Deal, DealDocument, Kind, Stage, StageCategory, Status
from app.services import deal_stages
from app.services.deals import deals
from tests import factories as f
from tests.books.test_books_automation import documents, linked, new_deal, the_document  # noqa: F401

OPEN, WON, LOST = StageCategory.OPEN, StageCategory.WON, StageCategory.LOST


async def test_winning_with_one_click_fires_the_automation_once_as_the_form_does(linked):
    org, seller, principal, account = linked
    deal = await new_deal(principal, account)
    won = await f.stage(WON)
    moved = await deal_stages.move(principal, deal.id, won.id)
    assert moved.stage_id == won.id and (await Deal.get(id=deal.id)).stage_id == won.id
    estimate = await the_document(deal)
    assert (estimate.kind, estimate.status) == (Kind.ESTIMATE, Status.ACCEPTED)
    # Winning it again (a second click, a second drop) makes no second document.
    await deal_stages.move(principal, deal.id, won.id)
    assert len(await documents(deal)) == 1 and await DealDocument.filter(deal_id=deal.id).count() == 1


async def test_losing_needs_a_reason_and_declines_the_estimate(linked):
    org, seller, principal, account = linked
    deal = await new_deal(principal, account)
    lost = await f.stage(LOST)
    for reason in (None, "", "   "):
        with pytest.raises(ValidationError) as caught:
            await deal_stages.move(principal, deal.id, lost.id, reason)
        assert [e.field for e in caught.value.errors] == ["lost_reason"]
    assert (await Deal.get(id=deal.id)).stage_id != lost.id
    assert (await the_document(deal)).status == Status.DRAFT  # nothing happened
    with pytest.raises(ValidationError):
        await deal_stages.move(principal, deal.id, lost.id, "x" * 256)
    await deal_stages.move(principal, deal.id, lost.id, "  価格で他社に決定  ")
    saved = await Deal.get(id=deal.id)
    assert (saved.stage_id, saved.lost_reason) == (lost.id, "価格で他社に決定")
    assert (await the_document(deal)).status == Status.DECLINED
    # Reopened: the reason goes with the lost stage.
    await deal_stages.move(principal, deal.id, (await f.stage(OPEN)).id)
    assert (await Deal.get(id=deal.id)).lost_reason == ""


async def test_the_edit_form_clears_the_reason_of_a_reopened_deal_too(db):
    seller = await f.make_user("Sales")
    principal = await f.principal_for(seller)
    deal = await f.make_deal(seller)
    await deal_stages.move(principal, deal.id, (await f.stage(LOST)).id, "予算がない")
    await deals.update(principal, deal.id, {"name": "改名", "stage_id": str((await f.stage(OPEN)).id)})
    assert (await Deal.get(id=deal.id)).lost_reason == ""


async def test_a_read_only_share_an_unknown_stage_and_a_hidden_deal_are_refused(db):
    owner = await f.make_user("Sales")
    reader = await f.make_user("Sales")
    stranger = await f.make_user("Sales")
    await f.share("deals", Access.READ_ONLY, owner=owner, grantee=reader)
    deal = await f.make_deal(owner)
    won = await f.stage(WON)
    with pytest.raises(PermissionDenied):
        await deal_stages.move(await f.principal_for(reader), deal.id, won.id)
    with pytest.raises(NotFound):
        await deal_stages.move(await f.principal_for(stranger), deal.id, won.id)
    with pytest.raises(NotFound):
        await deal_stages.move(await f.principal_for(stranger), deal.id, 999999)
    with pytest.raises(ValidationError):
        await deal_stages.move(await f.principal_for(owner), deal.id, "nonsense")
    assert (await Deal.get(id=deal.id)).stage_id != won.id
    offered = await deal_stages.actions(await f.principal_for(reader), deal)
    assert (offered.can_move, offered.read_only, offered.won, offered.lost) == (False, True, None, None)
    mine = await deal_stages.actions(await f.principal_for(owner), deal)
    assert mine.can_move and mine.won.id == won.id and mine.lost.category == LOST


async def test_the_stage_path_marks_the_current_stage_and_those_passed(db):
    owner = await f.make_user("Sales")
    ordered = await deal_stages.stages()
    assert [s.category for s in ordered] == [OPEN] * 4 + [WON, LOST]
    deal = await f.make_deal(owner, stage=ordered[2])
    path = await deal_stages.stage_path(deal)
    assert [(s.current, s.done) for s in path] == [
        (False, True), (False, True), (True, False), (False, False), (False, False), (False, False)]
    deal.stage_id = ordered[4].id
    assert [s.done for s in await deal_stages.stage_path(deal)] == [True] * 4 + [False, False]
    deal.stage_id = ordered[5].id
    assert [s.done for s in await deal_stages.stage_path(deal)] == [False] * 6


async def test_the_pipeline_counts_and_sums_what_the_user_may_see(db):
    owner = await f.make_user("Sales")
    other = await f.make_user("Sales")
    first = await f.stage(OPEN)
    await f.make_deal(owner, stage=first, amount=Decimal("100.50"), currency="USD")
    await f.make_deal(owner, stage=first, amount=Decimal(200000))
    await f.make_deal(owner, stage=first, amount=Decimal(300000))
    await f.make_deal(other, stage=first, amount=Decimal(999))  # not theirs to see
    principal = await f.principal_for(owner)
    columns = await deal_stages.pipeline(deals.query(principal), first=2)
    assert [c.stage.id for c in columns] == [s.id for s in await deal_stages.stages()]
    column = columns[0]
    assert (column.count, column.more, len(column.deals)) == (3, 1, 2)
    assert column.totals == [(Decimal(500000), "JPY"), (Decimal("100.50"), "USD")]
    assert all(c.count == 0 and c.totals == [] for c in columns[1:])
    assert await Stage.all().count() == len(columns)
