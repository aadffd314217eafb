"""The destination kinds of notifications (STYLE 12: one registry, a dataclass per variant): what
each one is called, what it needs (a URL, a signing secret, a team chat channel), the body it is
sent and how it is sent. Pages, GraphQL and the delivery job read this registry only.

A message is built once per delivery from the event (`Message`): its text in the organization's
language, an absolute link to the document, and the event's data for the signed webhook.
"""

from __future__ import annotations

import base64
import inspect
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.i18n import N_
from app.models import DestinationKind


@dataclass(frozen=True)
class Message:
    event_id: int
    event_type: str
    created_at: datetime
    text: str  # in the organization's language
    url: str  # absolute link to the document
    link_label: str  # "Open" in the organization's language
    data: dict[str, Any]  # what the signed webhook sends as `data`


@dataclass(frozen=True)
class Outgoing:
    """An HTTP request to make (the delivery service makes it, with its address checks)."""

    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class KindSpec:
    kind: DestinationKind
    label: str  # msgid
    needs_url: bool = True
    signed: bool = False  # has a signing secret, shown once and rotatable
    needs_channel: bool = False
    # the HTTP request for a message (None for kinds that do not post over HTTP)
    build: Callable[[Message, Any], Outgoing] | None = None
    # kinds that do not use HTTP: post the message themselves
    post: Callable[[Message, Any], Awaitable[None]] | None = None
    url_hint: str = ""  # msgid


def _json(payload: Any, headers: dict[str, str] | None = None) -> Outgoing:
    return Outgoing(json.dumps(payload, ensure_ascii=False).encode(),
                    {"Content-Type": "application/json; charset=utf-8", **(headers or {})})


def slack(message: Message, destination: Any) -> Outgoing:
    # Slack's mrkdwn link; Mattermost and Rocket.Chat read the same `text` field
    return _json({"text": f"{message.text}\n<{message.url}|{message.link_label}>"})


def cliq(message: Message, destination: Any) -> Outgoing:
    return _json({"text": message.text,
                  "buttons": [{"label": message.link_label, "type": "+",
                               "action": {"type": "open.url", "data": {"web": message.url}}}]})


def teams(message: Message, destination: Any) -> Outgoing:
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
            "version": "1.4",
            "body": [{"type": "TextBlock", "text": message.text, "wrap": True}],
            "actions": [{"type": "Action.OpenUrl", "title": message.link_label, "url": message.url}]}
    return _json({"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}]})


def google_chat(message: Message, destination: Any) -> Outgoing:
    return _json({"text": f"{message.text}\n<{message.url}|{message.link_label}>"})


def signed_webhook(message: Message, destination: Any) -> Outgoing:
    from standardwebhooks.webhooks import Webhook

    from app.crypto import plain

    payload = {"type": message.event_type, "timestamp": message.created_at.isoformat(),
               "data": {**message.data, "url": message.url, "text": message.text}}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    # the same id on every attempt: receivers drop what they already have
    msg_id = f"msg_{message.event_id}_{destination.id}"
    now = datetime.now().astimezone()
    signature = Webhook(plain(destination.secret)).sign(msg_id, now, body)
    return Outgoing(body.encode(), {"Content-Type": "application/json", "webhook-id": msg_id,
                                    "webhook-timestamp": str(int(now.timestamp())),
                                    "webhook-signature": signature})


async def team_chat(message: Message, destination: Any) -> None:
    # The team chat is its own module (app.services.chat); imported here, when used.
    from app.services import chat

    result = chat.post_notification(destination.channel_id, message.text, message.url, message.data)
    if inspect.isawaitable(result):
        await result


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


KINDS: dict[DestinationKind, KindSpec] = {spec.kind: spec for spec in (
    KindSpec(DestinationKind.TEAM_CHAT, N_("Team chat channel"), needs_url=False, needs_channel=True, post=team_chat),
    KindSpec(DestinationKind.SLACK, N_("Slack, Mattermost or Rocket.Chat"), build=slack,
             url_hint=N_("The incoming webhook URL")),
    KindSpec(DestinationKind.CLIQ, N_("Zoho Cliq"), build=cliq, url_hint=N_("The incoming webhook URL")),
    KindSpec(DestinationKind.TEAMS, N_("Microsoft Teams"), build=teams,
             url_hint=N_("The workflow webhook URL")),
    KindSpec(DestinationKind.GOOGLE_CHAT, N_("Google Chat"), build=google_chat,
             url_hint=N_("The incoming webhook URL")),
    KindSpec(DestinationKind.WEBHOOK, N_("Signed JSON webhook"), signed=True, build=signed_webhook,
             url_hint=N_("The URL that receives the events")),
)}


def of(kind: DestinationKind | str) -> KindSpec:
    return KINDS[DestinationKind(kind)]
