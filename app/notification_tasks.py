"""The notifications' jobs (issue 13): `notifications.dispatch` turns new outbox events into
deliveries and in-app notices, `notifications.deliver` sends one destination's due deliveries
(one run per destination at a time, across processes), and the periodic sweep picks up what is
due again (retries, rate-limited destinations, events whose dispatch ran before their commit).
The state is in Kizuna's tables (app.models.notifications): running any of them twice is harmless."""

from __future__ import annotations

import asyncio

from app import jobs
from app.services import notification_delivery, notifications

QUEUE = "notifications"
LINGER = 3.0  # seconds: a retry due sooner is waited for in the running job
LINGER_TOTAL = 30.0  # at most this long per job
LINGER_STEP = 0.25


@jobs.task(queue=QUEUE, name="notifications.dispatch")
async def dispatch() -> None:
    for destination_id in sorted(await notifications.dispatch()):
        await request_delivery(destination_id)


@jobs.task(queue=QUEUE, name="notifications.deliver")
async def deliver(destination_id: int) -> None:
    async with jobs.one_at_a_time(f"notifications:destination:{destination_id}") as mine:
        if not mine:
            return  # another run is sending this destination's deliveries; the sweep comes back
        lingered = 0.0
        while True:
            outcome = await notification_delivery.deliver(destination_id)
            if outcome.next_due is None:
                return
            wait = max((outcome.next_due - notification_delivery._now()).total_seconds(), 0.0)
            # A retry due in a moment is waited for here: a queued job would wait for the
            # worker's next poll too. Longer waits go back to the queue.
            if wait > LINGER or lingered + wait > LINGER_TOTAL:
                break
            # in short steps: deliveries that arrive meanwhile go out too
            step = min(wait, LINGER_STEP)
            await asyncio.sleep(step)
            lingered += step
    await jobs.defer(deliver, queueing_lock=f"notifications-retry-{destination_id}",
                     schedule_in={"seconds": max(wait, 0.05)}, destination_id=destination_id)


async def request_delivery(destination_id: int) -> int | None:
    return await jobs.defer(deliver, queueing_lock=f"notifications-deliver-{destination_id}",
                            destination_id=destination_id)


async def kick() -> None:
    """Queue a dispatch of new events: call it after the transaction that recorded them commits."""
    await jobs.defer(dispatch, queueing_lock="notifications-dispatch")


@jobs.on_startup
async def sweep_now() -> None:
    await kick()
    for destination_id in await notification_delivery.due_destinations():
        await request_delivery(destination_id)


@jobs.periodic(cron="* * * * * */5", periodic_id="notifications-sweep")
@jobs.task(queue=QUEUE, name="notifications.sweep")
async def sweep(timestamp: int) -> None:
    await sweep_now()
