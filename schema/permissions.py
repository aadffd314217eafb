"""Permission classes for root fields. The rules themselves live in app.permissions; records are
filtered with `restrict`, so these classes only check that someone is signed in."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from schema.context import Info


class IsAuthenticated(BasePermission):
    message = "Sign in, or send an API token (Authorization: Bearer ...)."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.principal is not None


class IsAdministrator(BasePermission):
    message = "Only administrators may do this."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        return principal is not None and principal.is_admin
