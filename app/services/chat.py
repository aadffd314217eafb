"""Team chat: channels (public, private, direct), messages, unread counts, @mentions, record
cards checked per reader, and the system messages of Books notifications.

Visibility: a public channel is readable by every active user; a private or direct channel only
by its members, and for anyone else it does not exist (NotFound, never counted). Every change is
written with an entry of the event log (`ChatEvent`) and announced on the live bus
(`app.live`) in the same transaction; the live streams replay the log from Last-Event-ID.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from app import cleaning, live
from app.errors import NotFound, PermissionDenied, ValidationError
from app.i18n import N_
from app.models import Channel, ChannelMember, ChatEvent, ChatMention, ChatMessage, ChatSettings, User
from app.permissions import Principal
from app.services.chat_cards import Card, cards, record_links

MAX_BODY = 4000
MAX_NAME = 80
MAX_PAGE = 100
_LOCK_KEY = 0x6B697A756E61  # PostgreSQL: chat events are numbered in commit order



# -- settings ------------------------------------------------------------------------------

# The settings as this process last read them: pages decide without a query whether to load the
# bar (`bar_may_show`); the bar's own request reads them afresh and answers 204 where it is off.
_last_settings = ChatSettings(id=1)


async def bar_settings() -> ChatSettings:
    global _last_settings
    row = await ChatSettings.get_or_none(id=1)
    _last_settings = row or ChatSettings(id=1)
    return _last_settings


def bar_may_show(path: str) -> bool:
    """Whether a page loads the bar: on Books pages (the bar's home), elsewhere only when this
    process last saw "on every page" (read again by every bar request, e.g. any Books page)."""
    return path.startswith("/books") or bar_shown(_last_settings, path)


async def save_bar_settings(principal: Principal, *, on_books: bool, everywhere: bool) -> ChatSettings:
    global _last_settings
    if not principal.is_admin:
        raise PermissionDenied()
    row, _ = await ChatSettings.get_or_create(id=1)
    row.bar_on_books, row.bar_everywhere = on_books, everywhere
    await row.save()
    _last_settings = row
    return row


def bar_shown(settings: ChatSettings, path: str) -> bool:
    if path.startswith("/chat"):
        return False  # the full chat page is the chat
    return settings.bar_everywhere or (settings.bar_on_books and path.startswith("/books"))


# -- channels ------------------------------------------------------------------------------

def _readable(user_id: int) -> Q:
    mine = Subquery(ChannelMember.filter(user_id=user_id).values("channel_id"))
    return Q(private=False, direct=False) | Q(id__in=mine)


def readable_channels(principal: Principal):
    return Channel.filter(_readable(principal.user.id))


async def get_channel(principal: Principal, channel_id: int) -> Channel:
    channel = await readable_channels(principal).filter(id=channel_id).first()
    if channel is None:
        raise NotFound()
    return channel


@dataclass
class ChannelView:
    channel: Channel
    title: str
    unread: int
    member: bool
    mentions: int = 0  # unread messages that mention the reader


async def channel_list(principal: Principal) -> list[ChannelView]:
    """The reader's channels with unread counts (members only) and titles (direct: the other)."""
    me = principal.user.id
    channels = await readable_channels(principal).order_by("direct", "name", "id")
    memberships = {m.channel_id: m for m in await ChannelMember.filter(user_id=me)}
    unread: dict[int, int] = {}
    mentions: dict[int, int] = {}
    if memberships:
        conditions = Q(*(Q(channel_id=cid, id__gt=m.last_read_message_id)
                         for cid, m in memberships.items()), join_type="OR")
        rows = await (ChatMessage.filter(conditions, deleted_at=None)
                      .filter(Q(author_id__isnull=True) | ~Q(author_id=me))
                      .annotate(n=Count("id")).group_by("channel_id").values("channel_id", "n"))
        unread.update({row["channel_id"]: row["n"] for row in rows})
        mention_conditions = Q(*(Q(channel_id=cid, message_id__gt=m.last_read_message_id)
                                 for cid, m in memberships.items()), join_type="OR")
        rows = await (ChatMention.filter(mention_conditions, user_id=me)
                      .annotate(n=Count("id")).group_by("channel_id").values("channel_id", "n"))
        mentions.update({row["channel_id"]: row["n"] for row in rows})
    direct_ids = [c.id for c in channels if c.direct]
    others: dict[int, str] = {}
    if direct_ids:
        for row in await ChannelMember.filter(channel_id__in=direct_ids).exclude(user_id=me).values(
                "channel_id", "user__name"):
            others[row["channel_id"]] = row["user__name"]
    return [ChannelView(c, others.get(c.id, principal.user.name) if c.direct else c.name,
                        unread.get(c.id, 0), c.id in memberships, mentions.get(c.id, 0)) for c in channels]


async def channel_title(principal: Principal, channel: Channel) -> str:
    if not channel.direct:
        return channel.name
    other = await ChannelMember.filter(channel_id=channel.id).exclude(
        user_id=principal.user.id).values_list("user__name", flat=True)
    return other[0] if other else principal.user.name


async def create_channel(principal: Principal, name: str, *, private: bool = False,
                         member_ids: list[int] | None = None) -> Channel:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError.single("name", N_("This field is required."))
    if len(name) > MAX_NAME:
        raise ValidationError.single("name", N_("At most %(max)d characters."), max=MAX_NAME)
    if any(ord(c) < 32 for c in name) or not cleaning.storable(name):
        raise ValidationError.single("name", N_("Control characters are not allowed."))
    ids = {principal.user.id, *(member_ids or [])}
    if len(ids) > 500:
        raise ValidationError.single("members", N_("Too many members."))
    found = set(await User.filter(id__in=sorted(ids), is_active=True).values_list("id", flat=True))
    if found != ids:
        raise ValidationError.single("members", N_("Unknown user."))
    async with in_transaction():
        channel = await Channel.create(name=name, private=private, created_by_id=principal.user.id)
        await ChannelMember.bulk_create([ChannelMember(channel_id=channel.id, user_id=u) for u in sorted(ids)])
    return channel


async def open_direct(principal: Principal, user_id: int) -> Channel:
    """The direct conversation between the reader and another user (created on first use)."""
    other = await User.get_or_none(id=user_id, is_active=True)
    if other is None:
        raise NotFound()
    pair = sorted({principal.user.id, other.id})
    key = ":".join(map(str, pair))
    channel = await Channel.get_or_none(direct_key=key)
    if channel:
        return channel
    async with in_transaction():
        channel = await Channel.create(direct=True, private=True, direct_key=key,
                                       created_by_id=principal.user.id)
        await ChannelMember.bulk_create([ChannelMember(channel_id=channel.id, user_id=u) for u in pair])
    return channel


async def add_member(principal: Principal, channel_id: int, user_id: int) -> None:
    channel = await get_channel(principal, channel_id)
    if channel.direct:
        raise PermissionDenied()
    if channel.private and not await ChannelMember.exists(channel_id=channel.id, user_id=principal.user.id):
        raise PermissionDenied()
    if not await User.exists(id=user_id, is_active=True):
        raise NotFound()
    await ChannelMember.get_or_create(channel_id=channel.id, user_id=user_id)


async def _join(channel: Channel, user_id: int) -> ChannelMember:
    member, _ = await ChannelMember.get_or_create(channel_id=channel.id, user_id=user_id)
    return member


# -- messages ------------------------------------------------------------------------------

def _body(body: str | None) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError.single("body", N_("This field is required."))
    if len(body) > MAX_BODY:
        raise ValidationError.single("body", N_("At most %(max)d characters."), max=MAX_BODY)
    if any(ord(c) < 32 and c not in "\n\t" for c in body):
        raise ValidationError.single("body", N_("Control characters are not allowed."))
    return body


async def _mentions(body: str) -> list[int]:
    if "@" not in body:
        return []
    ids = []
    for uid, name, email in await User.filter(is_active=True).values_list("id", "name", "email"):
        handles = {"@" + email.split("@")[0], "@" + name, "@" + name.replace(" ", "")}
        if any(h in body for h in handles if len(h) > 1):
            ids.append(uid)
    return ids


async def _record(conn, channel_id: int, message_id: int, kind: str) -> ChatEvent:
    """The event log entry and the live announcement, in the writer's transaction."""
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [_LOCK_KEY])
    event = await ChatEvent.create(channel_id=channel_id, message_id=message_id, kind=kind, using_db=conn)
    await live.announce(f"{event.id}:{channel_id}", conn)
    return event


async def _mention_rows(message: ChatMessage, conn) -> None:
    """The message's mention rows, anew (after a post, an edit or a deletion). Only readers of
    the channel are mentioned: in a private channel others are dropped (nothing tells them of it);
    in a public one a mention makes them members, with the mentioning message unread."""
    await ChatMention.filter(message_id=message.id).using_db(conn).delete()
    if message.mentions and message.deleted_at is None:
        channel = await Channel.get(id=message.channel_id).using_db(conn)
        members = set(await ChannelMember.filter(channel_id=channel.id).using_db(conn)
                      .values_list("user_id", flat=True))
        if channel.private or channel.direct:
            message.mentions = [uid for uid in message.mentions if uid in members]
            await message.save(update_fields=["mentions"], using_db=conn)
        else:
            await ChannelMember.bulk_create([
                ChannelMember(channel_id=channel.id, user_id=uid, last_read_message_id=message.id - 1)
                for uid in message.mentions if uid not in members], using_db=conn)
        await ChatMention.bulk_create([
            ChatMention(message_id=message.id, channel_id=message.channel_id, user_id=uid)
            for uid in message.mentions if uid != message.author_id], using_db=conn)


async def _write(channel_id: int, write) -> Any:
    async with in_transaction() as conn:
        result, kind = await write(conn)
        await _mention_rows(result, conn)
        await _record(conn, channel_id, result.id, kind)
    if conn.capabilities.dialect != "postgres":
        await live.announce(f"{channel_id}")  # SQLite: now that it is committed
    return result


async def post_message(principal: Principal, channel_id: int, body: str) -> ChatMessage:
    channel = await get_channel(principal, channel_id)
    body = _body(body)
    mentions, links = await _mentions(body), record_links(body)

    async def write(conn):
        message = await ChatMessage.create(channel_id=channel.id, author_id=principal.user.id, body=body,
                                           mentions=mentions, links=links, using_db=conn)
        member, _ = await ChannelMember.get_or_create(channel_id=channel.id, user_id=principal.user.id,
                                                      using_db=conn)
        member.last_read_message_id = message.id
        await member.save(update_fields=["last_read_message_id"], using_db=conn)
        return message, "post"

    return await _write(channel.id, write)


async def post_notification(channel_id: int, text: str, url: str, data: dict) -> None:
    """A system message (no author) in a channel, with a card of the document at `url`: Books
    notifications. Each reader sees the card as far as their own permissions go."""
    channel = await Channel.get_or_none(id=channel_id)
    if channel is None:
        raise NotFound()
    text = (text or "").strip()[:MAX_BODY - 300] or "-"
    body = f"{text}\n{url}" if url else text

    async def write(conn):
        message = await ChatMessage.create(channel_id=channel.id, author_id=None, body=body,
                                           links=record_links(url or ""), data=dict(data or {}),
                                           using_db=conn)
        return message, "post"

    await _write(channel.id, write)


async def _own_message(principal: Principal, message_id: int) -> ChatMessage:
    message = await ChatMessage.get_or_none(id=message_id, deleted_at=None)
    if message is None:
        raise NotFound()
    await get_channel(principal, message.channel_id)
    if message.author_id != principal.user.id:
        raise PermissionDenied(N_("You can only change your own messages."))
    return message


async def edit_message(principal: Principal, message_id: int, body: str) -> ChatMessage:
    message = await _own_message(principal, message_id)
    body = _body(body)
    mentions, links = await _mentions(body), record_links(body)

    async def write(conn):
        message.body, message.mentions, message.links = body, mentions, links
        message.edited_at = datetime.now(UTC)
        await message.save(using_db=conn)
        return message, "edit"

    return await _write(message.channel_id, write)


async def delete_message(principal: Principal, message_id: int) -> ChatMessage:
    message = await _own_message(principal, message_id)

    async def write(conn):
        message.body, message.mentions, message.links = "", [], []
        message.deleted_at = datetime.now(UTC)
        await message.save(using_db=conn)
        return message, "delete"

    return await _write(message.channel_id, write)


async def messages(principal: Principal, channel_id: int, *, before: int | None = None,
                   limit: int = 50) -> list[ChatMessage]:
    """The newest messages (older than `before`), oldest first, authors loaded."""
    channel = await get_channel(principal, channel_id)
    qs = ChatMessage.filter(channel_id=channel.id)
    if before:
        qs = qs.filter(id__lt=before)
    rows = await qs.order_by("-id").limit(max(1, min(limit, MAX_PAGE))).prefetch_related("author")
    return rows[::-1]


async def mark_read(principal: Principal, channel_id: int, message_id: int | None = None) -> int:
    channel = await get_channel(principal, channel_id)
    last = await ChatMessage.filter(channel_id=channel.id).order_by("-id").values_list("id", flat=True)
    newest = last[0] if last else 0
    upto = min(message_id, newest) if message_id else newest
    member = await _join(channel, principal.user.id)
    if upto > member.last_read_message_id:
        member.last_read_message_id = upto
        await member.save(update_fields=["last_read_message_id"])
    return member.last_read_message_id


async def unread_total(principal: Principal) -> int:
    return sum(c.unread for c in await channel_list(principal) if c.member)


# -- the live log ----------------------------------------------------------------------------

async def latest_event_id() -> int:
    ids = await ChatEvent.all().order_by("-id").limit(1).values_list("id", flat=True)
    return ids[0] if ids else 0


async def events_after(principal: Principal, last_id: int,
                       limit: int = MAX_PAGE) -> list[tuple[ChatEvent, ChatMessage]]:
    """The log entries after `last_id` in channels the reader may read, with their messages."""
    readable = Subquery(readable_channels(principal).values("id"))
    events = await ChatEvent.filter(id__gt=last_id, channel_id__in=readable).order_by("id").limit(limit)
    if not events:
        return []
    found = {m.id: m for m in await ChatMessage.filter(
        id__in=sorted({e.message_id for e in events})).prefetch_related("author")}
    return [(e, found[e.message_id]) for e in events if e.message_id in found]


async def members_of(channel_id: int) -> list[int]:
    return await ChannelMember.filter(channel_id=channel_id).values_list("user_id", flat=True)


__all__ = [
    "Card", "ChannelView", "MAX_BODY", "add_member", "bar_settings", "bar_shown", "cards", "channel_list",
    "channel_title", "create_channel", "delete_message", "edit_message", "events_after", "get_channel",
    "latest_event_id", "mark_read", "messages", "open_direct", "post_message", "post_notification",
    "readable_channels", "record_links", "save_bar_settings", "unread_total",
]
