"""Moving a deal along its pipeline: the stage path of a deal's page, its one-click Won and Lost,
and the pipeline board's drag and drop (views/deal_board.py), all through one `move`.

A move is an update of the deal's stage through `DealService.update`, so it is checked and
followed exactly as the edit form's save: the same permissions (a deal shared read-only is
refused), the same validation, and the Books link's automation (app.services.books_automation)
firing once, in the same transaction. Moving to a lost stage asks why (`Deal.lost_reason`); a
deal leaving a lost stage forgets it (DealService.validate).

`actions(principal, deal)` is the one rule of what a user is offered on a deal (pages and GraphQL
read it), `stage_path(deal)` the stages in order with the current one and those passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet

from app import cleaning
from app.errors import ValidationError
from app.i18n import N_
from app.models import Deal, Stage, StageCategory
from app.permissions import Principal, can
from app.services.deals import deals

LOST_REASON_MAX = 255
BOARD_COLUMN_MAX = 200  # cards a board column shows; the rest are counted and linked to the list


@dataclass(frozen=True)
class Step:
    stage: Stage
    current: bool
    done: bool  # an open stage the deal has passed (all of them once it is won)


@dataclass(frozen=True)
class Actions:
    """What the user is offered on a deal: moving it at all, and where Won and Lost go."""

    can_move: bool
    read_only: bool  # they may see it and edit deals, but this one is shared with them read-only
    won: Stage | None  # the first won stage, unless the deal is already in it
    lost: Stage | None


async def stages() -> list[Stage]:
    """Open stages in their order, then the won, then the lost ones (the path and the board)."""
    rank = {StageCategory.OPEN: 0, StageCategory.WON: 1, StageCategory.LOST: 2}
    return sorted(await Stage.all(), key=lambda s: (rank[s.category], s.sort_order, s.id))


async def stage_path(deal: Deal, all_stages: list[Stage] | None = None) -> list[Step]:
    ordered = all_stages if all_stages is not None else await stages()
    current = next((s for s in ordered if s.id == deal.stage_id), None)
    steps = []
    passed = current is not None and current.category == StageCategory.WON
    open_before = True
    for s in ordered:
        if s.id == deal.stage_id:
            open_before = False
        done = s.category == StageCategory.OPEN and (
            passed or (current is not None and current.category == StageCategory.OPEN and open_before))
        steps.append(Step(s, s.id == deal.stage_id, done))
    return steps


async def actions(principal: Principal, deal: Deal, all_stages: list[Stage] | None = None) -> Actions:
    ordered = all_stages if all_stages is not None else await stages()
    movable = can(principal, "create_edit", deal)
    read_only = not movable and principal.has("deals", "create_edit") and can(principal, "view", deal)

    def first(category: StageCategory) -> Stage | None:
        found = next((s for s in ordered if s.category == category), None)
        return found if movable and found is not None and found.id != deal.stage_id else None

    return Actions(movable, read_only, first(StageCategory.WON), first(StageCategory.LOST))


async def move(principal: Principal, deal_id: int | str, stage_id: Any, lost_reason: str | None = None) -> Deal:
    """Put the deal in the stage, through the deal service (permissions, validation, automation).
    A lost stage needs a reason: ValidationError on `lost_reason` without one."""
    pk = cleaning.pk(stage_id)
    stage = await Stage.get_or_none(id=pk) if pk is not None else None
    if stage is None:
        await deals.get(principal, deal_id)  # an unknown deal is NotFound before a bad stage
        raise ValidationError.single("stage_id", N_("Choose a valid record."))
    data: dict[str, Any] = {"stage_id": stage.id}
    if stage.category == StageCategory.LOST:
        reason = lost_reason if isinstance(lost_reason, str) else ""
        data["lost_reason"] = reason
    return await deals.update(principal, deal_id, data)


# ---- the pipeline board ------------------------------------------------------------------------


@dataclass
class Column:
    stage: Stage
    count: int
    totals: list[tuple[Decimal, str]]  # the sum of the amounts, per currency (most deals first)
    deals: list[Deal]

    @property
    def more(self) -> int:
        return self.count - len(self.deals)


async def pipeline(queryset: QuerySet, first: int = BOARD_COLUMN_MAX) -> list[Column]:
    """A column per stage of the deals in `queryset` (already restricted to what the user may see
    and narrowed by the list's filters): count, totals and the first `first` cards, the soonest to
    close first. Accounts are the caller's to show, as the user may see them."""
    first = max(0, min(first, BOARD_COLUMN_MAX))
    ordered = await stages()
    counts: dict[int, int] = {}
    totals: dict[int, list[tuple[Decimal, str, int]]] = {}
    rows = await (queryset.group_by("stage_id", "currency")
                  .annotate(n=Count("id"), total=Sum("amount"))
                  .values("stage_id", "currency", "n", "total"))
    for row in rows:
        counts[row["stage_id"]] = counts.get(row["stage_id"], 0) + row["n"]
        totals.setdefault(row["stage_id"], []).append(
            (_decimal(row["total"]), row["currency"], row["n"]))
    columns = []
    for stage in ordered:
        cards = []
        if counts.get(stage.id) and first:
            cards = await queryset.filter(stage_id=stage.id).order_by("closing_date", "id").limit(first)
        sums = sorted(totals.get(stage.id, []), key=lambda t: (-t[2], t[1]))
        columns.append(Column(stage, counts.get(stage.id, 0), [(t, c) for t, c, _ in sums], cards))
    return columns


def _decimal(value: Any) -> Decimal:
    """A SUM as the database gives it (SQLite: a float) as money: amounts have two decimals."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))
