"""Helpers to call /graphql as a given user: by API token (the default) or by session cookie."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from itsdangerous import TimestampSigner

from app import auth, sessions, settings
from app.models import User
from schema.types.node import to_global_id


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


async def session_cookie(user: User, csrf: str = "test-csrf-token") -> str:
    """A signed session cookie as starlette's SessionMiddleware would set after login, for a new
    server-side session of `user`."""
    data: dict = {}
    await sessions.start(data, user)
    data["csrf"] = csrf
    payload = base64.b64encode(json.dumps(data).encode())
    return TimestampSigner(str(settings.SECRET_KEY)).sign(payload).decode()


@dataclass
class GraphQLClient:
    client: httpx.AsyncClient

    async def token_for(self, user: User) -> str:
        tokens = self.__dict__.setdefault("_tokens", {})
        if user.id not in tokens:
            tokens[user.id] = (await auth.create_api_token(user, "tests"))[1]
        return tokens[user.id]

    async def post(
        self, user: User | None, query: str, variables: dict | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        headers = dict(headers or {})
        if user is not None:
            headers["Authorization"] = f"Bearer {await self.token_for(user)}"
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def __call__(
        self, user: User, query: str, variables: dict | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Run as `user`; return `data`, failing the test on any GraphQL error."""
        response = await self.post(user, query, variables, headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]


@pytest.fixture
def gql(client) -> GraphQLClient:
    return GraphQLClient(client)
