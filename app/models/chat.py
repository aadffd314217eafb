"""Team chat (issue 13): channels, their members and messages, and the installation-wide
settings of the chat bar. Chat is installation-wide, not per organization: the CRM users and the
Books members are one team, and a person of two organizations chats in one place."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Channel(Model):
    """A public or private channel, or a direct conversation (direct: exactly its two members,
    named after them on display; `direct_key` makes the pair unique)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=80, default="")
    private = fields.BooleanField(default=False)
    direct = fields.BooleanField(default=False)
    direct_key = fields.CharField(max_length=40, null=True, unique=True)
    created_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "chat_channels"
        ordering = ["name", "id"]


class ChannelMember(Model):
    """Membership of a user in a channel and how far they have read it."""

    id = fields.IntField(primary_key=True)
    channel = fields.ForeignKeyField(
        "models.Channel", related_name="members", on_delete=fields.CASCADE, db_index=True)
    user = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE, db_index=True)
    last_read_message_id = fields.BigIntField(default=0)
    notify_on_mention = fields.BooleanField(default=True)
    joined_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "chat_members"
        unique_together = (("channel", "user"),)


class ChatMessage(Model):
    """A message. No author: a system message (Books notifications). `mentions` holds user ids,
    `links` the record links found in the body (kind and id; the card is built per reader)."""

    id = fields.BigIntField(primary_key=True)
    channel = fields.ForeignKeyField(
        "models.Channel", related_name="messages", on_delete=fields.CASCADE, db_index=True)
    author = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True)
    body = fields.TextField()
    mentions = fields.JSONField(default=list)
    links = fields.JSONField(default=list)
    data = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    edited_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "chat_messages"
        ordering = ["id"]


class ChatMention(Model):
    """A user mentioned in a message: counts of unread mentions per channel come from here."""

    id = fields.BigIntField(primary_key=True)
    message = fields.ForeignKeyField(
        "models.ChatMessage", related_name=False, on_delete=fields.CASCADE, db_index=True)
    channel = fields.ForeignKeyField(
        "models.Channel", related_name=False, on_delete=fields.CASCADE, db_index=True)
    user = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE, db_index=True)

    class Meta:
        table = "chat_mentions"


class ChatEvent(Model):
    """The event log that live streams replay: every post, edit and deletion, in order. Its id
    is the SSE event id, so a reconnecting client catches up from Last-Event-ID."""

    id = fields.BigIntField(primary_key=True)
    channel = fields.ForeignKeyField(
        "models.Channel", related_name=False, on_delete=fields.CASCADE, db_index=True)
    message_id = fields.BigIntField()
    kind = fields.CharField(max_length=10)  # post, edit, delete
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "chat_events"
        ordering = ["id"]


class ChatSettings(Model):
    """One row (id 1): where the chat bar shows, chosen by an administrator."""

    id = fields.IntField(primary_key=True)
    bar_on_books = fields.BooleanField(default=True)
    bar_everywhere = fields.BooleanField(default=False)

    class Meta:
        table = "chat_settings"
