"""Applying items to the CRM: one engine for every way in (file imports, DAV, sync now, re-sync).

For each item, in order: the reader's problems and the limits (ignored: invalid / limit), the
category filter of the user's settings, de-duplication against existing records and against the
items before it in the same batch (app.pim.dedup), permissions (no create grant, or an existing
match the user may only read: ignored with the reason, seed 003), then a bulk insert or update.
Nothing is cut or guessed: every item ends as added, updated, unchanged or ignored, and the run's
report counts it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.models import PimIgnored, PimKind, PimRun
from app.permissions import Principal
from app.pim.items import Item


@dataclass
class Outcome:
    item: Item
    action: str  # added | updated | unchanged | deleted | ignored
    record_id: int | None = None
    ignored: PimIgnored | None = None


async def apply(principal: Principal, items: Sequence[Item], run: PimRun, *,
                targets: dict[int, int] | None = None) -> list[Outcome]:
    """Apply `items` (all of one kind) for `principal`, counting them in `run`. `targets` maps an
    item's index to the record it must update (a DAV PUT to an item the client already has);
    the others are matched by the de-duplication rules. One outcome per item, in order."""
    raise NotImplementedError


async def delete(principal: Principal, kind: PimKind, record_ids: Sequence[int], run: PimRun) -> list[Outcome]:
    """Delete records a client deleted (each through its permission check), counted in `run`."""
    raise NotImplementedError
