"""The notifications' jobs (issue 13): `notifications.dispatch` turns new outbox events into
deliveries and in-app notices, `notifications.deliver` sends one destination's due deliveries
(one run per destination at a time, across processes), and the periodic sweep picks up what is
due again (retries, rate-limited destinations, events whose dispatch ran before their commit).
The state is in Kizuna's tables (app.models.notifications): running any of them twice is harmless."""

from __future__ import annotations

from app import jobs
from app.services import notification_delivery, notifications

QUEUE = "notifications"


@jobs.task(queue=QUEUE, name="notifications.dispatch")
async def dispatch() -> None:
    for destination_id in sorted(await notifications.dispatch()):
        await request_delivery(destination_id)


@jobs.task(queue=QUEUE, name="notifications.deliver")
async def deliver(destination_id: int) -> None:
    async with jobs.one_at_a_time(f"notifications:destination:{destination_id}") as mine:
        if not mine:
            return  # another run is sending this destination's deliveries; the sweep comes back
        await notification_delivery.deliver(destination_id)


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
