"""Flash messages: one line of feedback kept in the session and shown once, on the next page.

    flash(request, N_("Lead converted: %(name)s"), name=str(lead))
    return redirect_after_post(request, url)

The text is translated when it is flashed (the user's language then) and kept as plain text:
base.html shows it through templates/_flash.html, escaped like any data, and takes it out of
the session, so a reload or the next page does not show it again. Fragments (htmx partials) do
not extend base.html, so they never take a message meant for the page that follows.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from views.templating import translator

KEY = "flash"
MAX_LENGTH = 300  # it rides in the signed session cookie: names in it are cut, not the cookie's room


def flash(request: Request, msgid: str, level: str = "success", **params: Any) -> None:
    text = translator(request)(msgid) % params if params else translator(request)(msgid)
    flash_text(request, text, level)


def flash_text(request: Request, text: str, level: str = "success") -> None:
    """A message already in the user's language (a refusal's reason, rendered by its error)."""
    request.session[KEY] = {"text": str(text)[:MAX_LENGTH], "level": "error" if level == "error" else "success"}


def take(request: Request) -> dict[str, str] | None:
    """The message waiting for this page, removed from the session."""
    if "session" not in request.scope:
        return None
    message = request.session.pop(KEY, None)
    if not isinstance(message, dict) or not isinstance(message.get("text"), str):
        return None
    return message
