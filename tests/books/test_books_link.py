"""Connecting the CRM to a Books organization (issue 12, "Connecting"), through the service:
connection keys (stored hashed, one active per user, regenerated, revoked), the key check (one
message for a wrong address or key, nothing saved, throttled), the organizations a key reaches,
and the installation's one link (switched, disabled and enabled again, dead with its key)."""

from __future__ import annotations

import hashlib

import pytest

from app import settings
from app.errors import NotFound, PermissionDenied, ValidationError
from app.models import Automation, BooksConnectionKey, BooksLink, LoginAttempt, Membership, Role
from app.services import books_link
from tests import factories as f

IP = "192.0.2.10"


@pytest.fixture
async def books_admin(db):
    """A Books administrator of two organizations, with a key; a third organization they are
    not a member of."""
    user = await f.make_user("Administrator", email="keeper@example.jp")
    first = await f.make_org(user, name="株式会社さくら商事")
    second = await f.make_org(user, name="株式会社つばき")
    await f.make_org(name="株式会社よそ")
    principal = await f.principal_for(user)
    _, secret = await books_link.create_key(principal, first.id)
    return user, principal, first, second, secret


@pytest.fixture
async def crm_admin(db):
    return await f.principal_for(await f.make_user("Administrator", email="crm@example.jp"))


async def test_the_key_is_random_and_only_its_hash_and_first_characters_are_stored(books_admin):
    user, principal, first, _, secret = books_admin
    assert secret.startswith("kzk_") and len(secret) > 40
    row = await BooksConnectionKey.get(user_id=user.id)
    assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.prefix == secret[:12] and secret not in (row.key_hash, row.prefix)
    _, another = await books_link.create_key(principal, first.id)
    assert another != secret


async def test_regenerating_ends_the_previous_key(books_admin, crm_admin):
    user, principal, first, _, old = books_admin
    _, new = await books_link.create_key(principal, first.id)
    assert await BooksConnectionKey.filter(user_id=user.id, revoked_at=None).count() == 1
    with pytest.raises(ValidationError):
        await books_link.organizations_for_key(crm_admin, user.email, old, IP)
    assert len(await books_link.organizations_for_key(crm_admin, user.email, new, IP)) == 2


async def test_only_an_organization_administrator_makes_a_key(books_admin):
    _, _, first, _, _ = books_admin
    manager = await f.make_user("Manager")
    await Membership.create(organization=first, user=manager)
    with pytest.raises(PermissionDenied):
        await books_link.create_key(await f.principal_for(manager), first.id)
    outsider = await f.make_user("Administrator")
    with pytest.raises(NotFound):  # an administrator, but not of this organization
        await books_link.create_key(await f.principal_for(outsider), first.id)
    assert not await BooksConnectionKey.filter(user_id__in=[manager.id, outsider.id]).exists()


async def test_the_key_reaches_exactly_the_organizations_its_user_administers(books_admin, crm_admin):
    user, _, first, second, secret = books_admin
    reached = await books_link.organizations_for_key(crm_admin, "  Keeper@Example.JP ", secret, IP)
    assert sorted(o.id for o in reached) == sorted([first.id, second.id])
    await Membership.filter(user_id=user.id, organization_id=second.id).delete()
    assert [o.id for o in await books_link.organizations_for_key(crm_admin, user.email, secret, IP)] == [first.id]
    # Their role loses the administrator grant: the key reaches nothing.
    user.role = await Role.get(name="Manager")
    await user.save()
    assert await books_link.organizations_for_key(crm_admin, user.email, secret, IP) == []


@pytest.mark.parametrize("email, key", [
    ("someone@example.jp", "{secret}"),  # the key of another address
    ("keeper@example.jp", "kzk_wrong"),
    ("keeper@example.jp", "kzk_" + "A" * 43),
    ("keeper@example.jp", "{secret}x"),
    ("keeper@example.jp", "x" * 10_000),
    ("keeper@example.jp", "kzk_\x00"),
    ("x" * 1000 + "@example.jp", "{secret}"),
    ("keeper\ud800@example.jp", "{secret}"),
    ("keeper\x00@example.jp", "{secret}"),
    ("", ""),
])
async def test_a_wrong_address_or_key_gets_one_plain_message_and_saves_nothing(books_admin, crm_admin, email, key):
    user, _, first, _, secret = books_admin
    key = key.replace("{secret}", secret)
    with pytest.raises(ValidationError) as refused:
        await books_link.connect(crm_admin, email, key, first.id, "none", IP)
    assert [(e.field, e.message) for e in refused.value.errors] == [("key", "The e-mail address or the key is wrong.")]
    assert not await BooksLink.exists()
    assert (await BooksConnectionKey.get(user_id=user.id)).last_used_at is None


async def test_guessing_keys_is_throttled(books_admin, crm_admin, clock):
    user, _, first, _, secret = books_admin
    for _ in range(settings.LOGIN_PAIR_FREE + 3):  # not even the shape of a key: not counted
        with pytest.raises(ValidationError):
            await books_link.organizations_for_key(crm_admin, user.email, "kzk_guess", IP)
    assert await books_link.organizations_for_key(crm_admin, user.email, secret, IP)
    for _ in range(settings.LOGIN_PAIR_FREE):
        with pytest.raises(ValidationError):
            await books_link.organizations_for_key(crm_admin, user.email, "kzk_" + "A" * 43, IP)
    with pytest.raises(ValidationError) as refused:  # even the right key must wait now
        await books_link.organizations_for_key(crm_admin, user.email, secret, IP)
    assert "Too many failed attempts" in refused.value.errors[0].message
    # The sign-in of the same address is not held back by it.
    assert not await LoginAttempt.filter(login=user.email).exists()
    clock.advance(3600)
    assert await books_link.organizations_for_key(crm_admin, user.email, secret, IP)


async def test_connect_switch_disable_and_enable_keep_the_organization(books_admin, crm_admin):
    user, _, first, second, secret = books_admin
    link = await books_link.connect(crm_admin, user.email, secret, first.id, "estimate", IP)
    assert (link.organization_id, link.enabled, link.automation) == (first.id, True, Automation.ESTIMATE)
    assert link.connected_by_id == crm_admin.user.id
    assert (await books_link.active_link()).organization_id == first.id
    # Settings for the sync engine start with their defaults.
    assert (link.sync_module, link.direction, link.conflict_policy, link.field_mapping, link.delete_previous) == (
        "accounts", "two_way", "skip", {}, False)
    link = await books_link.connect(crm_admin, user.email, secret, second.id, "", IP)
    assert (link.organization_id, link.automation) == (second.id, Automation.NONE)
    assert await BooksLink.all().count() == 1
    await books_link.set_enabled(crm_admin, False)
    assert await books_link.active_link() is None
    assert (await books_link.get_link()).organization_id == second.id
    await books_link.set_enabled(crm_admin, True)
    assert (await books_link.active_link()).organization_id == second.id


async def test_an_organization_the_key_does_not_reach_is_refused(books_admin, crm_admin):
    user, _, _, _, secret = books_admin
    from app.models import Organization

    elsewhere = await Organization.get(name="株式会社よそ")
    for chosen in (elsewhere.id, "", "abc", 2**70, None):
        with pytest.raises(ValidationError) as refused:
            await books_link.connect(crm_admin, user.email, secret, chosen, "none", IP)
        assert refused.value.errors[0].field == "organization_id"
    with pytest.raises(ValidationError) as refused:
        await books_link.connect(crm_admin, user.email, secret, elsewhere.id, "everything", IP)
    assert refused.value.errors[0].field == "automation"
    assert not await BooksLink.exists()


async def test_a_revoked_key_ends_the_active_link(books_admin, crm_admin):
    user, principal, first, _, secret = books_admin
    await books_link.connect(crm_admin, user.email, secret, first.id, "none", IP)
    await books_link.revoke_key(principal)
    assert await books_link.active_link() is None
    link = await books_link.get_link()
    assert link.enabled and await books_link.key_state(link) == books_link.KeyState.REVOKED
    with pytest.raises(NotFound):
        await books_link.revoke_key(principal)
    # A new key and connecting again bring it back.
    _, fresh = await books_link.create_key(principal, first.id)
    await books_link.connect(crm_admin, user.email, fresh, first.id, "none", IP)
    assert (await books_link.active_link()).organization_id == first.id


async def test_a_key_whose_user_left_the_organization_ends_the_link(books_admin, crm_admin):
    user, _, first, _, secret = books_admin
    await books_link.connect(crm_admin, user.email, secret, first.id, "none", IP)
    await Membership.filter(user_id=user.id, organization_id=first.id).delete()
    assert await books_link.active_link() is None


async def test_only_crm_administrators_connect(books_admin):
    user, _, first, _, secret = books_admin
    manager = await f.principal_for(await f.make_user("Manager"))
    for call in (lambda: books_link.organizations_for_key(manager, user.email, secret, IP),
                 lambda: books_link.connect(manager, user.email, secret, first.id, "none", IP),
                 lambda: books_link.set_enabled(manager, False),
                 lambda: books_link.disconnect(manager),
                 lambda: books_link.link_for(manager)):
        with pytest.raises(PermissionDenied):
            await call()
    assert not await BooksLink.exists()


async def test_disconnect_removes_the_link(books_admin, crm_admin):
    user, _, first, _, secret = books_admin
    await books_link.connect(crm_admin, user.email, secret, first.id, "invoice", IP)
    await books_link.disconnect(crm_admin)
    assert await books_link.get_link() is None and await books_link.active_link() is None
    with pytest.raises(NotFound):
        await books_link.set_enabled(crm_admin, True)
