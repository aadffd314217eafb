"""GraphQL over HTTP, as the specification says (https://graphql.github.io/graphql-over-http/).

- Operations are sent by POST with an `application/json` body (UTF-8), a JSON object with
  `query`, optional `variables`, `operationName` and `extensions`. Another Content-Type answers
  415; a body that is not valid UTF-8 JSON, or not an object, answers 400; other methods 405.
- GET only serves GraphiQL to browsers; a query by GET answers 405 (`Allow: POST`). Cookie users
  are protected from cross-site requests by the CSRF token, which is checked on unsafe methods
  only; a GET is sent by any page a signed-in user visits (SameSite=Lax cookies ride along on
  top-level navigations), and its URL, query included, ends up in logs and history.
- The response's media type follows the Accept header. `application/graphql-response+json`:
  a request error (the document does not parse, fails validation or a size cap, variables do
  not coerce) answers 400 with no `data` entry; an executed operation answers 200, field errors
  included. `application/json` (also for `*/*` or no Accept header): the legacy behaviour the
  specification keeps for it, 200 for every well-formed request. Neither acceptable: 406.
- JSON numbers keep the digits sent (schema.scalars.JSONNumber), so Decimals are exact.

Every error, including those above, is a JSON body `{"errors": [{"message", "extensions":
{"code"}}]}`. strawberry's view hooks used here (`parse_json`, `process_result`,
`get_sub_response`, `create_response`, `encode_json`, `run`) are overridden in this module only.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.types import ExecutionResult

from schema.scalars import JSONNumber

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

ERROR_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "REQUEST_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header, or None when neither is acceptable."""
    if not accept or not accept.strip():
        return JSON
    best, best_q = None, 0.0
    for part in accept.split(","):
        media, *params = (piece.strip().lower() for piece in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media in ("*/*", "application/*"):
            candidate = JSON
        elif media in (GRAPHQL_RESPONSE, JSON):
            candidate = media
        else:
            continue
        if not 0 < q <= 1:
            continue
        # The specification's own media type wins a tie.
        if q > best_q or (q == best_q and candidate == GRAPHQL_RESPONSE):
            best, best_q = candidate, q
    return best


def error_response(status: int, message: str, media_type: str = JSON,
                   headers: dict[str, str] | None = None) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": ERROR_CODES.get(status, "BAD_REQUEST")}}]}
    return JSONResponse(body, status_code=status, media_type=media_type, headers=headers)


def is_request_error(result: ExecutionResult) -> bool:
    """No operation ran: parse, validation, caps or variable coercion (errors without a path)."""
    return result.data is None and bool(result.errors) and all(e.path is None for e in result.errors)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


class GraphQLOverHTTP(GraphQL):
    """strawberry's ASGI view, held to the specification (see the module docstring)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = self.refuse(request)
        if response is None:
            try:
                response = await self.run(request)
            except HTTPException as error:
                media_type = getattr(request.state, "graphql_media_type", JSON)
                response = error_response(error.status_code, error.reason, media_type)
        await response(scope, receive, send)

    def refuse(self, request: Request) -> Response | None:
        """Method, Content-Type and Accept checks, before the body is read."""
        if request.method == "GET":
            if "query" in request.query_params or not self.should_render_graphql_ide(request):
                return error_response(405, "Send GraphQL operations by POST.", headers={"Allow": "POST"})
            return None
        if request.method != "POST":
            return error_response(405, "GraphQL answers GET (GraphiQL) and POST only.",
                                  headers={"Allow": "GET, POST"})
        media, *params = (piece.strip().lower() for piece in request.headers.get("content-type", "").split(";"))
        charset = next((p.partition("=")[2].strip('" ') for p in params if p.startswith("charset=")), "utf-8")
        if media != JSON or charset != "utf-8":
            return error_response(415, "Send the operation as application/json (UTF-8).")
        media_type = negotiate(request.headers.get("accept"))
        if media_type is None:
            return error_response(406, f"Accept {GRAPHQL_RESPONSE} or {JSON}.")
        request.state.graphql_media_type = media_type
        return None

    def parse_json(self, data: str | bytes) -> Any:
        try:
            # Decoded here: json.loads would also take UTF-16 and UTF-32 bytes.
            text = data.decode("utf-8") if isinstance(data, bytes) else data
            value = json.loads(text, parse_float=JSONNumber, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):  # also invalid UTF-8 and over-long integers
            raise HTTPException(400, "The request body is not valid JSON in UTF-8.") from None
        if not isinstance(value, dict):
            raise HTTPException(400, "The request body must be a JSON object.")
        if not isinstance(value.get("operationName"), (str, type(None))):
            raise HTTPException(400, "operationName must be a string or null.")
        return value

    async def get_sub_response(self, request: Request) -> Response:
        sub_response = await super().get_sub_response(request)
        request.state.graphql_sub_response = sub_response
        return sub_response

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        data = process_result(result)
        if getattr(request.state, "graphql_media_type", JSON) == GRAPHQL_RESPONSE:
            request.state.graphql_sub_response.media_type = GRAPHQL_RESPONSE
            if is_request_error(result):
                data.pop("data", None)
                request.state.graphql_sub_response.status_code = 400
        return data

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = Response(
            self.encode_json(response_data),
            status_code=sub_response.status_code or 200,
            media_type=getattr(sub_response, "media_type", None) or JSON,
        )
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        return response

    def encode_json(self, data: object) -> bytes:
        try:
            return orjson.dumps(data)
        except orjson.JSONEncodeError:
            # A lone surrogate echoed back from the request: orjson refuses it, json escapes it.
            return json.dumps(data, default=str).encode()
