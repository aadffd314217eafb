"""The team chat: the full page (/chat/<channel>), the bar at the bottom of pages, and the live
stream (Server-Sent Events, read by htmx's SSE extension).

The stream sends every post, edit and deletion in the channels the reader may read, rendered for
that reader (their permissions decide the record cards), as SSE events named `chat-<channel>`;
the page swaps those of the channel it shows. Each event's id is the event log's id, so a
browser reconnecting with Last-Event-ID gets what it missed. An open stream holds no database
connection while it waits; it wakes on the live bus (app.live) or on its heartbeat.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from app import live
from app.errors import ValidationError
from app.models import ChatMessage, User, UserSession
from app.services import chat
from views.htmx import is_partial
from views.pages import page
from views.records import error_map
from views.templating import render, templates

HEARTBEAT_SECONDS = 15.0
MAX_STREAMS_PER_USER = 4  # per process: tabs of one person; more is a leak or an attack
_open_streams: Counter[int] = Counter()


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 <= number < 2**62 else None


async def _room(request: Request, channel_id: int | None, *, limit: int = 50) -> dict:
    principal = request.state.principal
    channels = await chat.channel_list(principal)
    if channel_id is None:
        channel_id = next((c.channel.id for c in channels), None)
    current = next((c for c in channels if c.channel.id == channel_id), None)
    context = {"channels": channels, "current": current, "messages": [], "cards_of": {},
               "last_event": await chat.latest_event_id(), "bar_settings": await chat.bar_settings(),
               "here": request.query_params.get("here", "")}
    if current:
        rows = await chat.messages(principal, current.channel.id, limit=limit)
        context.update(messages=rows, cards_of=await chat.cards(principal, rows))
        await chat.mark_read(principal, current.channel.id)
        current.unread = 0
    return context


async def chat_index(request: Request) -> Response:
    context = await _room(request, None)
    context["users"] = await User.filter(is_active=True).exclude(id=request.state.user.id).only("id", "name")
    return render(request, "chat/index.html", context)


async def chat_channel(request: Request) -> Response:
    await chat.get_channel(request.state.principal, request.path_params["id"])  # 404 if hidden
    context = await _room(request, request.path_params["id"])
    context["users"] = await User.filter(is_active=True).exclude(id=request.state.user.id).only("id", "name")
    if is_partial(request):
        return render(request, "chat/_room.html", context)
    return render(request, "chat/index.html", context)


async def chat_bar(request: Request) -> Response:
    """The bar, loaded by the page layout; 204 where the administrator did not enable it."""
    here = request.query_params.get("here", "")
    if not chat.bar_shown(await chat.bar_settings(), here):
        return Response(status_code=204)
    wanted = _int(request.query_params.get("channel"))
    context = await _room(request, wanted, limit=20)
    context["expanded"] = request.query_params.get("open") == "1"
    return render(request, "chat/_bar.html", context)


async def message_post(request: Request) -> Response:
    channel_id = request.path_params["id"]
    form = await request.form()
    try:
        await chat.post_message(request.state.principal, channel_id, str(form.get("body", "")))
    except ValidationError as exc:
        context = {"channel_id": channel_id, "body": str(form.get("body", ""))[:chat.MAX_BODY + 10],
                   "errors": error_map(exc, request)}
        return render(request, "chat/_form.html", context, status_code=422)
    if is_partial(request):  # the message itself arrives on the stream, like everyone else's
        return render(request, "chat/_form.html", {"channel_id": channel_id, "body": "", "errors": {}})
    return RedirectResponse(f"/chat/{channel_id}", status_code=303)


async def message_edit(request: Request) -> Response:
    form = await request.form()
    try:
        message = await chat.edit_message(request.state.principal, request.path_params["id"], str(form.get("body", "")))
    except ValidationError:
        return Response(status_code=422)
    return _after_change(request, message)


async def message_delete(request: Request) -> Response:
    message = await chat.delete_message(request.state.principal, request.path_params["id"])
    return _after_change(request, message)


def _after_change(request: Request, message: ChatMessage) -> Response:
    if is_partial(request):
        return Response(status_code=204)  # the stream swaps the message
    return RedirectResponse(f"/chat/{message.channel_id}", status_code=303)


async def channel_create(request: Request) -> Response:
    form = await request.form()
    try:
        member_ids = [pk for pk in (_int(str(v)) for v in form.getlist("member_ids")[:501]) if pk]
        channel = await chat.create_channel(request.state.principal, str(form.get("name", "")),
                                            private=form.get("private") == "on", member_ids=member_ids)
    except ValidationError as exc:
        context = await _room(request, None)
        context.update(errors=error_map(exc, request), users=await User.filter(is_active=True).only("id", "name"))
        return render(request, "chat/index.html", context, status_code=422)
    return RedirectResponse(f"/chat/{channel.id}", status_code=303)


async def member_add(request: Request) -> Response:
    form = await request.form()
    channel_id = request.path_params["id"]
    await chat.add_member(request.state.principal, channel_id, _int(str(form.get("user_id", ""))) or 0)
    return RedirectResponse(f"/chat/{channel_id}", status_code=303)


async def direct_open(request: Request) -> Response:
    form = await request.form()
    user_id = _int(str(form.get("user_id", "")))
    channel = await chat.open_direct(request.state.principal, user_id or 0)
    return RedirectResponse(f"/chat/{channel.id}", status_code=303)


async def settings_save(request: Request) -> Response:
    form = await request.form()
    await chat.save_bar_settings(request.state.principal, on_books=form.get("on_books") == "on",
                                 everywhere=form.get("everywhere") == "on")
    return RedirectResponse("/chat", status_code=303)


async def _still_signed_in(user_id: int, session_id: int | None) -> bool:
    """A stream outlives its request: at each heartbeat, is its session (or user) still valid?"""
    if session_id is not None:
        return await UserSession.exists(id=session_id, user__is_active=True, expires_at__gt=datetime.now(UTC))
    return await User.exists(id=user_id, is_active=True)


def _sse(event_id: int, name: str, html: str) -> str:
    data = "".join(f"data: {line}\n" for line in html.splitlines() or [""])
    return f"id: {event_id}\nevent: {name}\n{data}\n"


async def chat_stream(request: Request) -> Response:
    principal = request.state.principal
    user_id = principal.user.id
    if _open_streams[user_id] >= MAX_STREAMS_PER_USER:
        return PlainTextResponse("Too many open chat streams", status_code=429)
    last = _int(request.headers.get("last-event-id"))
    if last is None:
        last = _int(request.query_params.get("last"))
    if last is None:
        last = await chat.latest_event_id()
    open_channel = _int(request.query_params.get("open"))
    session_id = getattr(request.state, "session_id", None)
    template = templates.get_template("chat/_event.html")
    channels_template = templates.get_template("chat/_channels.html")
    base: dict = {"request": request, "bar": request.query_params.get("bar") == "1",
                  "here": request.query_params.get("here", "")[:500]}
    for processor in templates.context_processors:
        base.update(processor(request))

    async def _channels_event(batch) -> str:
        """The channel list with its unread counts; what arrived in the open channel is read."""
        seen = [m.id for e, m in batch if e.channel_id == open_channel]
        if seen:
            await chat.mark_read(principal, open_channel, max(seen))
        channels = await chat.channel_list(principal)
        current = next((c for c in channels if c.channel.id == open_channel), None)
        html = channels_template.render({**base, "channels": channels, "current": current})
        return _sse(last, "chat-channels", html)

    async def events():
        nonlocal last
        # Counted once running: a generator that never starts (the client left first) never ends.
        _open_streams[user_id] += 1
        try:
            async with live.subscribe() as subscription:
                yield "retry: 3000\n: connected\n\n"
                while True:
                    batch = await chat.events_after(principal, last)
                    if batch:
                        cards = await chat.cards(principal, [m for _e, m in batch])
                        for event, message in batch:
                            html = template.render({**base, "event": event, "message": message,
                                                    "cards": cards.get(message.id, [])})
                            yield _sse(event.id, f"chat-{event.channel_id}", html)
                            last = event.id
                        yield await _channels_event(batch)
                        if len(batch) >= chat.MAX_PAGE:
                            continue
                    if not await subscription.wait(HEARTBEAT_SECONDS):
                        if not await _still_signed_in(user_id, session_id):
                            return  # signed out elsewhere, or deactivated: the stream ends
                        yield ": ping\n\n"  # keeps proxies from closing it; a dead client shows here
        finally:
            _open_streams[user_id] -= 1
            if _open_streams[user_id] <= 0:
                del _open_streams[user_id]

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


routes = [
    Route("/chat", page(chat_index)),
    Route("/chat/bar", page(chat_bar)),
    Route("/chat/stream", page(chat_stream)),
    Route("/chat/settings", page(settings_save), methods=["POST"]),
    Route("/chat/channels", page(channel_create), methods=["POST"]),
    Route("/chat/direct", page(direct_open), methods=["POST"]),
    Route("/chat/{id:id}", page(chat_channel)),
    Route("/chat/{id:id}/messages", page(message_post), methods=["POST"]),
    Route("/chat/{id:id}/members", page(member_add), methods=["POST"]),
    Route("/chat/messages/{id:id}/edit", page(message_edit), methods=["POST"]),
    Route("/chat/messages/{id:id}/delete", page(message_delete), methods=["POST"]),
]
