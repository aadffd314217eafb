"""Team chat: post, edit and delete one's messages, mark a channel read, create a channel, open
a direct conversation. Every rule is in app.services.chat."""

from __future__ import annotations

import strawberry

from app.services import chat
from schema.context import Info
from schema.errors import NotFound, PermissionDenied, ValidationError, attempt
from schema.mutations.common import existing_pk, result
from schema.queries.common import AUTH
from schema.types.chat import ChatChannel, ChatMessage


@strawberry.type
class ChatMessagePayload:
    chat_message: ChatMessage


@strawberry.type
class ChatChannelPayload:
    channel: ChatChannel


@strawberry.type
class MarkChatReadPayload:
    channel_id: strawberry.ID
    last_read_message_id: int


PostChatMessageResult = result("PostChatMessage", ChatMessagePayload, ValidationError, NotFound)
EditChatMessageResult = result("EditChatMessage", ChatMessagePayload, ValidationError, NotFound, PermissionDenied)
DeleteChatMessageResult = result("DeleteChatMessage", ChatMessagePayload, NotFound, PermissionDenied)
MarkChatReadResult = result("MarkChatRead", MarkChatReadPayload, NotFound)
CreateChatChannelResult = result("CreateChatChannel", ChatChannelPayload, ValidationError)
OpenDirectChatResult = result("OpenDirectChat", ChatChannelPayload, NotFound)
AddChatChannelMemberResult = result("AddChatChannelMember", ChatChannelPayload, NotFound, PermissionDenied)


async def _message_payload(info: Info, message) -> ChatMessagePayload:
    await message.fetch_related("author")
    cards = await chat.cards(info.context.principal, [message])
    return ChatMessagePayload(chat_message=ChatMessage.of(message, cards[message.id], info.context.principal.user.id))


async def _channel_payload(info: Info, channel) -> ChatChannelPayload:
    views = await chat.channel_list(info.context.principal)
    return ChatChannelPayload(channel=ChatChannel.of(next(v for v in views if v.channel.id == channel.id)))


@strawberry.type
class ChatMutation:
    @strawberry.mutation(permission_classes=AUTH, description=f"Post a message (plain text, at most "
                                                               f"{chat.MAX_BODY} characters).")
    async def post_chat_message(self, info: Info, channel_id: strawberry.ID, body: str) -> PostChatMessageResult:
        principal = info.context.principal

        async def call():
            message = await chat.post_message(principal, existing_pk(channel_id, "ChatChannel"), body)
            return await _message_payload(info, message)
        return await attempt(info, call)

    @strawberry.mutation(permission_classes=AUTH, description="Edit one of your messages.")
    async def edit_chat_message(self, info: Info, id: strawberry.ID, body: str) -> EditChatMessageResult:
        principal = info.context.principal

        async def call():
            message = await chat.edit_message(principal, existing_pk(id, "ChatMessage"), body)
            return await _message_payload(info, message)
        return await attempt(info, call)

    @strawberry.mutation(permission_classes=AUTH, description="Delete one of your messages.")
    async def delete_chat_message(self, info: Info, id: strawberry.ID) -> DeleteChatMessageResult:
        principal = info.context.principal

        async def call():
            return await _message_payload(info, await chat.delete_message(principal, existing_pk(id, "ChatMessage")))
        return await attempt(info, call)

    @strawberry.mutation(permission_classes=AUTH, description="Mark a channel read (up to a message, or all).")
    async def mark_chat_read(self, info: Info, channel_id: strawberry.ID,
                             message_id: strawberry.ID | None = None) -> MarkChatReadResult:
        principal = info.context.principal

        async def call():
            pk = existing_pk(channel_id, "ChatChannel")
            upto = existing_pk(message_id, "ChatMessage") if message_id else None
            last = await chat.mark_read(principal, pk, upto)
            return MarkChatReadPayload(channel_id=channel_id, last_read_message_id=last)
        return await attempt(info, call)

    @strawberry.mutation(permission_classes=AUTH, description="Create a channel; you are its first member.")
    async def create_chat_channel(self, info: Info, name: str, private: bool = False,
                                  member_ids: list[strawberry.ID] | None = None) -> CreateChatChannelResult:
        principal = info.context.principal

        async def call():
            ids = [existing_pk(m, "User") for m in (member_ids or [])[:501]]
            channel = await chat.create_channel(principal, name, private=private, member_ids=ids)
            return await _channel_payload(info, channel)
        return await attempt(info, call)

    @strawberry.mutation(permission_classes=AUTH, description="The direct conversation with another user.")
    async def open_direct_chat(self, info: Info, user_id: strawberry.ID) -> OpenDirectChatResult:
        principal = info.context.principal

        async def call():
            return await _channel_payload(info, await chat.open_direct(principal, existing_pk(user_id, "User")))
        return await attempt(info, call)

    @strawberry.mutation(permission_classes=AUTH, description="Add a user to a channel (a private one: by a member).")
    async def add_chat_channel_member(self, info: Info, channel_id: strawberry.ID,
                                      user_id: strawberry.ID) -> AddChatChannelMemberResult:
        principal = info.context.principal

        async def call():
            pk = existing_pk(channel_id, "ChatChannel")
            await chat.add_member(principal, pk, existing_pk(user_id, "User"))
            return await _channel_payload(info, await chat.get_channel(principal, pk))
        return await attempt(info, call)
