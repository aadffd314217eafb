"""Team chat types: channels (with the reader's unread count), messages and their record cards
(built for the reader by app.services.chat.cards: a record they may not see has no details)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from app.models import ChatMessage as ChatMessageModel
from app.services import chat
from schema.types.node import to_global_id


@strawberry.type(description="A channel: public, private (members only) or direct (two people).")
class ChatChannel:
    id: strawberry.ID
    title: str = strawberry.field(description="The name; for a direct conversation, the other person.")
    private: bool
    direct: bool
    member: bool = strawberry.field(description="You are a member (unread counts are kept for members).")
    unread_count: int
    unread_mention_count: int = strawberry.field(description="Unread messages that mention you.")

    @classmethod
    def of(cls, view: chat.ChannelView) -> ChatChannel:
        c = view.channel
        return cls(id=strawberry.ID(to_global_id("ChatChannel", c.id)), title=view.title, private=c.private,
                   direct=c.direct, member=view.member, unread_count=view.unread,
                   unread_mention_count=view.mentions)


@strawberry.type(description="A record linked in a message, as far as you may see it.")
class ChatCard:
    url: str
    visible: bool = strawberry.field(description="False: a record you may not see (or that does not exist); "
                                                 "nothing else is told.")
    title: str | None
    status: str | None
    party: str | None
    total: Decimal | None
    currency: str | None

    @classmethod
    def of(cls, card: chat.Card) -> ChatCard:
        d = card.detail or {}
        return cls(url=card.url, visible=card.visible, title=card.title if card.visible else None,
                   status=d.get("status"), party=d.get("party"), total=d.get("total"), currency=d.get("currency"))


@strawberry.type(description="A message. No author: a system message (Books notifications).")
class ChatMessage:
    id: strawberry.ID
    channel_id: strawberry.ID
    author_id: strawberry.ID | None
    author_name: str | None
    body: str = strawberry.field(description="Plain text (never markup); empty once deleted.")
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    mentions_me: bool
    cards: list[ChatCard]

    @classmethod
    def of(cls, m: ChatMessageModel, cards: list[chat.Card], me: int) -> ChatMessage:
        author = m.author if m.author_id is not None else None
        return cls(
            id=strawberry.ID(to_global_id("ChatMessage", m.id)),
            channel_id=strawberry.ID(to_global_id("ChatChannel", m.channel_id)),
            author_id=strawberry.ID(to_global_id("User", m.author_id)) if m.author_id else None,
            author_name=author.name if author else None, body=m.body, created_at=m.created_at,
            edited_at=m.edited_at, deleted_at=m.deleted_at, mentions_me=me in (m.mentions or []),
            cards=[ChatCard.of(c) for c in cards])
