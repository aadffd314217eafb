"""Delivering planned notifications to one destination (run by app.notification_tasks.deliver,
one run per destination at a time).

Order: deliveries of one document go out in the order of their events -- a delivery waiting for
its retry holds back the later ones of the same document, not those of other documents.
Retries: exponential backoff, or the receiver's Retry-After when it asks for longer. A 4xx other
than 408/409/425/429 (or a refused address) fails the delivery at once; MAX_ATTEMPTS abandon it.
Rate: at most `rate_per_minute` attempts per destination in a one-minute window; up to PARALLEL
requests in flight, for as many documents.
Failures: DISABLE_AFTER failed attempts in a row disable the destination (its pending deliveries
are abandoned) and its owner is told in the app.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import httpx

from app.crypto import UndecryptableSecret, plain
from app.models import (
    Delivery,
    DeliveryStatus,
    Destination,
    Membership,
    Notification,
    NotificationEvent,
    Organization,
)
from app.services import notification_http, notifications
from app.services.notification_http import Answer
from app.services.notification_kinds import Message, of

MAX_ATTEMPTS = 10  # over about two hours and a half
DISABLE_AFTER = 20
BACKOFF_BASE = 1.0  # seconds: 1, 4, 16, 64, 256, 1024, then BACKOFF_MAX
BACKOFF_MAX = 3600.0
BATCH = 200
PARALLEL = 8  # requests in flight per destination, each for another document
WINDOW = timedelta(minutes=1)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def backoff(attempts: int) -> float:
    return min(BACKOFF_BASE * 4 ** max(attempts - 1, 0), BACKOFF_MAX)


@dataclass
class Outcome:
    sent: int = 0
    next_due: datetime | None = None  # when this destination has work again


async def send(destination: Destination, message: Message, client: httpx.AsyncClient) -> Answer:
    spec = of(destination.kind)
    try:
        if spec.post is not None:
            await spec.post(message, destination)
            return Answer(True, None, "")
        outgoing = spec.build(message, destination)
        return await notification_http.post(client, plain(destination.url), outgoing.body, outgoing.headers,
                                            allow_private=destination.allow_private_network, now=_now())
    except UndecryptableSecret as exc:
        return Answer(False, None, str(exc)[:notification_http.EXCERPT], permanent=True)
    except Exception as exc:  # a team chat channel that is gone, a broken secret: logged on the delivery
        return Answer(False, None, f"{type(exc).__name__}: {exc}"[:notification_http.EXCERPT])


def _take_slot(destination: Destination, now: datetime) -> bool:
    if destination.window_start is None or now - destination.window_start >= WINDOW:
        destination.window_start, destination.window_count = now, 0
    if destination.window_count >= max(destination.rate_per_minute, 1):
        return False
    destination.window_count += 1
    return True


async def deliver(destination_id: int) -> Outcome:
    outcome = Outcome()
    destination = await Destination.get_or_none(id=destination_id)
    if destination is None:
        return outcome
    if (not destination.enabled or destination.disabled_at is not None
            or not await notifications.enabled_for(destination.organization_id)):
        await abandon_pending(destination, "notifications are off for this destination")
        return outcome
    organization = await Organization.get(id=destination.organization_id)
    try:
        await _deliver_pending(destination, organization, outcome)
    finally:
        # the rate window is saved once per run (after a crash it is only approximate)
        await Destination.filter(id=destination.id).update(window_start=destination.window_start,
                                                            window_count=destination.window_count)
    return outcome


async def _deliver_pending(destination: Destination, organization: Organization, outcome: Outcome) -> None:
    async with notification_http.client() as client:
        while wave := await _next_wave(destination, outcome):
            events = {e.id: e for e in await NotificationEvent.filter(id__in=[d.event_id for d in wave])}
            known = await notifications.documents({d.txn_id for d in wave if d.txn_id is not None})
            messages = [await notifications.build_message(events[d.event_id], organization.language, known)
                        for d in wave]
            answers = await asyncio.gather(*(send(destination, m, client) for m in messages))
            for delivery, answer in zip(wave, answers):
                await _record(destination, delivery, answer)
                if delivery.status == DeliveryStatus.DELIVERED:
                    outcome.sent += 1
                elif delivery.status == DeliveryStatus.PENDING:
                    outcome.next_due = min(filter(None, (outcome.next_due, delivery.next_attempt_at)))
                if destination.disabled_at is not None:
                    return


async def _next_wave(destination: Destination, outcome: Outcome) -> list[Delivery]:
    """Up to PARALLEL due deliveries, each the oldest pending one of its document (so that a
    document's deliveries keep their order), within the destination's rate."""
    wave: list[Delivery] = []
    seen: set[object] = set()
    after = 0
    now = _now()
    while len(wave) < PARALLEL and (page := await Delivery.filter(
            destination_id=destination.id, status=DeliveryStatus.PENDING, id__gt=after).order_by("id").limit(BATCH)):
        after = page[-1].id
        for delivery in page:
            key = delivery.txn_id if delivery.txn_id is not None else ("event", delivery.event_id)
            if key in seen:
                continue
            seen.add(key)
            if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
                outcome.next_due = min(filter(None, (outcome.next_due, delivery.next_attempt_at)))
                continue
            if not _take_slot(destination, now):
                outcome.next_due = destination.window_start + WINDOW
                return wave
            wave.append(delivery)
            if len(wave) >= PARALLEL:
                break
    return wave


async def _record(destination: Destination, delivery: Delivery, answer: Answer) -> None:
    now = _now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status = answer.status
    delivery.last_response = answer.excerpt[:notification_http.EXCERPT]
    failures_before = destination.consecutive_failures
    if answer.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
        destination.consecutive_failures = 0
    else:
        destination.consecutive_failures += 1
        if answer.permanent:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.ABANDONED, None
        else:
            wait = max(backoff(delivery.attempts), answer.retry_after or 0.0)
            delivery.next_attempt_at = now + timedelta(seconds=wait)
    await delivery.save()
    if destination.consecutive_failures != failures_before:
        await Destination.filter(id=destination.id).update(consecutive_failures=destination.consecutive_failures)
    if destination.consecutive_failures >= DISABLE_AFTER:
        await disable(destination, f"{destination.consecutive_failures} failed attempts in a row: "
                                   f"{answer.status or ''} {answer.excerpt}".strip()[:300])


async def disable(destination: Destination, reason: str) -> None:
    """Stop a destination that keeps failing, and tell its owner (or the organization's
    administrators when nobody owns it) in the app."""
    now = _now()
    updated = await Destination.filter(id=destination.id, disabled_at__isnull=True).update(
        disabled_at=now, disabled_reason=reason[:300])
    destination.disabled_at, destination.disabled_reason = now, reason[:300]
    if not updated:
        return
    await abandon_pending(destination, "the destination was disabled")
    owners = [destination.created_by_id] if destination.created_by_id else list(
        await Membership.filter(organization_id=destination.organization_id, user__is_active=True,
                                user__role__name="Administrator").values_list("user_id", flat=True))
    for user_id in owners:
        await Notification.create(user_id=user_id, organization_id=destination.organization_id,
                                  type=notifications.DESTINATION_DISABLED, destination_id=destination.id,
                                  data={"name": destination.name, "reason": reason[:300]})


async def abandon_pending(destination: Destination, why: str) -> int:
    return await Delivery.filter(destination_id=destination.id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.ABANDONED, next_attempt_at=None, last_response=why)


async def due_destinations(now: datetime | None = None) -> list[int]:
    """Destinations with a delivery due now (the periodic sweep and the start-up hook)."""
    now = now or _now()
    return sorted(set(await Delivery.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
                      .values_list("destination_id", flat=True)))
