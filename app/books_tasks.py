"""The Books sync's jobs: a run of the link's sync (`books.sync`: on demand, and from the
periodic `books.poll`), whose job carries a queueing lock so that at most one waits; the run
itself makes sure two never overlap, across processes (app.services.books_sync.run)."""

from __future__ import annotations

from app import jobs
from app.models import BooksLink, SyncTrigger, User
from app.services import books_link, books_sync

QUEUE = "books"


def _queueing_lock(organization_id: int) -> str:
    return f"books-sync-{organization_id}"


@jobs.task(queue=QUEUE, name="books.sync")
async def sync(organization_id: int, trigger: str = SyncTrigger.SCHEDULED.value, user_id: int | None = None) -> None:
    link = await books_link.active_link()
    if link is None or link.organization_id != organization_id:
        return  # disabled or switched since it was asked for: nothing to do
    user = await User.get_or_none(id=user_id) if user_id is not None else None
    await books_sync.run(link, SyncTrigger(trigger), user)


async def request(link: BooksLink, user_id: int | None = None) -> int | None:
    """Queue a run of the link's sync now; None when one is already waiting."""
    trigger = SyncTrigger.MANUAL if user_id is not None else SyncTrigger.SCHEDULED
    return await jobs.defer(sync, queueing_lock=_queueing_lock(link.organization_id),
                            organization_id=link.organization_id, trigger=trigger.value, user_id=user_id)


@jobs.periodic(cron="*/15 * * * *", periodic_id="books-sync")
@jobs.task(queue=QUEUE, name="books.poll")
async def poll(timestamp: int) -> None:
    link = await books_link.active_link()
    if link is not None:
        await request(link)
