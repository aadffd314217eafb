"""The deal pipeline: stages grouped into open, won and lost."""

from __future__ import annotations

from app.models import Stage, StageCategory

DEFAULT_STAGES = [
    ("Qualification", StageCategory.OPEN, 10),
    ("Needs analysis", StageCategory.OPEN, 20),
    ("Proposal", StageCategory.OPEN, 50),
    ("Negotiation", StageCategory.OPEN, 80),
    ("Closed won", StageCategory.WON, 100),
    ("Closed lost", StageCategory.LOST, 0),
]


async def ensure_default_stages() -> list[Stage]:
    if not await Stage.exists():
        await Stage.bulk_create(
            [Stage(name=n, category=c, probability=p, sort_order=i)
             for i, (n, c, p) in enumerate(DEFAULT_STAGES)]
        )
    return await Stage.all()
