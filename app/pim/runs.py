"""Sync reports (seed 003): every run keeps what it added, updated and deleted per kind, and the
records it ignored with the reason; the next report lists what was ignored before, and the user
can pick those, fix values where a limit was the reason, and sync them again."""

from __future__ import annotations

from datetime import datetime

from app.models import PimRun, PimRunSource, User


async def start(user: User, source: PimRunSource, *, device: str = "", file_name: str = "") -> PimRun:
    raise NotImplementedError


async def device_run(user: User, device: str, now: datetime | None = None) -> PimRun:
    """The run that groups a client's changes: one per user, device and hour."""
    raise NotImplementedError


async def finish(run: PimRun) -> None:
    raise NotImplementedError
