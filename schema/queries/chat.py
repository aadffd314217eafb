"""Team chat: the reader's channels and a channel's messages (newest first)."""

from __future__ import annotations

import strawberry

from app.errors import NotFound
from app.models import ChatMessage as ChatMessageModel
from app.services import chat
from schema.context import Info
from schema.queries.common import AUTH
from schema.types.chat import ChatChannel, ChatMessage
from schema.types.connection import Connection, Edge, paginate
from schema.types.node import pk_of


@strawberry.type
class ChatQuery:
    @strawberry.field(permission_classes=AUTH, description="Channels you may read, with your unread counts.")
    async def chat_channels(self, info: Info) -> list[ChatChannel]:
        return [ChatChannel.of(v) for v in await chat.channel_list(info.context.principal)]

    @strawberry.field(permission_classes=AUTH, description="A channel's messages, newest first; empty for a "
                                                            "channel you may not read.")
    async def chat_messages(self, info: Info, channel_id: strawberry.ID, first: int | None = None,
                            after: str | None = None) -> Connection[ChatMessage]:
        principal = info.context.principal
        pk = pk_of(channel_id, "ChatChannel")
        try:
            channel = await chat.get_channel(principal, pk or 0)
            queryset = ChatMessageModel.filter(channel_id=channel.id)
        except NotFound:
            queryset = ChatMessageModel.filter(id__isnull=True)
        page = await paginate(queryset.prefetch_related("author"), ["-id"], first, after)
        rows = [edge.node for edge in page.edges]
        cards = await chat.cards(principal, rows)
        page.edges = [Edge(node=ChatMessage.of(e.node, cards.get(e.node.id, []), principal.user.id), offset=e.offset)
                      for e in page.edges]
        return page
