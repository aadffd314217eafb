"""Users, roles, permission grants, sharing rules, API tokens and login attempts."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from app.models.base import Timestamped


class Access(StrEnum):
    READ_ONLY = "read_only"
    READ_WRITE = "read_write"


class Role(Timestamped):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    description = fields.CharField(max_length=255, default="")
    # Out-of-the-box roles can be edited but not deleted.
    is_system = fields.BooleanField(default=False)
    # True: members see every owner's records (still limited by module grants).
    sees_all_records = fields.BooleanField(default=False)

    class Meta:
        table = "roles"
        ordering = ["name"]


class Grant(Model):
    """One cell of the permission matrix: the role may do `action` in `module`."""

    id = fields.IntField(primary_key=True)
    role = fields.ForeignKeyField("models.Role", related_name="grants", on_delete=fields.CASCADE, db_index=True)
    module = fields.CharField(max_length=30)
    action = fields.CharField(max_length=20)

    class Meta:
        table = "grants"
        unique_together = (("role", "module", "action"),)


class User(Timestamped):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=100)
    password_hash = fields.CharField(max_length=255)
    role = fields.ForeignKeyField("models.Role", related_name="users", on_delete=fields.RESTRICT, db_index=True)
    is_active = fields.BooleanField(default=True)
    # None: follow the browser's Accept-Language.
    language = fields.CharField(max_length=5, null=True)
    timezone = fields.CharField(max_length=50, default="Asia/Tokyo")
    # Unused since sessions became rows (0006_sessions): dropping it would make SQLite rebuild
    # the users table, which loses its indexes and access-stamp triggers.
    session_version = fields.IntField(default=0)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "users"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SharingRule(Timestamped):
    """Share the records of one owner (a user, a role, or every owner when both are empty) in
    one module with a grantee (user or role), read-only or read-write."""

    id = fields.IntField(primary_key=True)
    module = fields.CharField(max_length=30, db_index=True)
    owner_user = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.CASCADE, db_index=True)
    owner_role = fields.ForeignKeyField(
        "models.Role", related_name=False, null=True, on_delete=fields.CASCADE, db_index=True)
    grantee_user = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.CASCADE, db_index=True)
    grantee_role = fields.ForeignKeyField(
        "models.Role", related_name=False, null=True, on_delete=fields.CASCADE, db_index=True)
    access = fields.CharEnumField(Access, max_length=20)

    class Meta:
        table = "sharing_rules"


class AccessStamp(Model):
    """One row whose stamp database triggers replace, in the writer's transaction, on every change
    to what users may do: roles, grants, sharing rules, organization memberships, users' roles
    (`app.db.ACCESS_SOURCES`).

    The look-up that authenticates a request reads the stamp with the user, and what a user may
    reach is kept per process by (user, role, stamp): a change anywhere is seen by every process
    on its next request. A random stamp, not a counter, so that a restored backup or a fresh test
    database never meets what was kept for an earlier one.
    """

    id = fields.IntField(primary_key=True)
    stamp = fields.CharField(max_length=32)

    class Meta:
        table = "access_stamp"


class ApiToken(Model):
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="api_tokens", on_delete=fields.CASCADE, db_index=True)
    name = fields.CharField(max_length=100)
    # sha256 of the token: tokens are 256-bit random, so a fast hash is enough and lookups stay O(1).
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=12)
    # What the token opens, comma-separated: api (GraphQL), dav (CalDAV/CardDAV as an app password).
    scopes = fields.CharField(max_length=50, default="api", db_default="api")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_tokens"
        ordering = ["-created_at"]


class UserSession(Model):
    """A signed-in browser: deleting the row signs it out at once.

    The cookie carries a random secret and only its sha256 is kept, so the table alone signs
    nobody in (`app.sessions`)."""

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="sessions", on_delete=fields.CASCADE, db_index=True)
    secret_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()
    # Sliding: moved forward with last_seen_at, so an idle session ends SESSION_MAX_AGE after use.
    expires_at = fields.DatetimeField(db_index=True)
    user_agent = fields.CharField(max_length=255, default="")
    ip = fields.CharField(max_length=64, default="")

    class Meta:
        table = "user_sessions"
        ordering = ["-last_seen_at"]


class LoginAttempt(Model):
    """One sign-in attempt, for throttling: rows older than the window are pruned.

    Recorded as failed before the password is checked and turned into a success after, so that
    concurrent attempts count each other (`app.throttle`)."""

    id = fields.BigIntField(primary_key=True)
    login = fields.CharField(max_length=254, db_index=True)
    ip = fields.CharField(max_length=64, db_index=True)
    succeeded = fields.BooleanField()
    at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "login_attempts"
