"""The per-request GraphQL context, read in resolvers through `strawberry.Info[Context]`."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

import strawberry
from starlette.requests import Request
from starlette.responses import Response

from app.i18n import gettext
from app.models import User
from app.permissions import Principal
from schema.loaders import Loaders


@dataclass
class Context:
    request: Request
    response: Response | None
    principal: Principal | None
    user: User | None
    lang: str
    loaders: Loaders
    # Quoted in masked error messages and in the log line that carries the traceback.
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    def gettext(self, msgid: str) -> str:
        return gettext(self.lang, msgid)

    def data_changed(self) -> None:
        """A mutation wrote: what the loaders cached may be stale for the next payloads."""
        self.loaders = Loaders(self.principal)


# An upstream proxy's X-Request-ID is reused when it is a plain token (it ends up in logs).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def build_context(request: Request, response: Response | None = None) -> Context:
    """Everything a resolver needs, built once per request from what AuthMiddleware found."""
    state = request.state
    principal = getattr(state, "principal", None)
    return Context(
        request=request,
        response=response,
        principal=principal,
        user=getattr(state, "user", None),
        lang=getattr(state, "lang", "en"),
        loaders=Loaders(principal),
        request_id=rid if _REQUEST_ID.match(rid := request.headers.get("x-request-id", ""))
        else uuid.uuid4().hex[:12],
    )


Info = strawberry.Info[Context, None]
