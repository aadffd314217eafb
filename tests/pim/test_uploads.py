"""Files uploaded for import wait server-side for their mapping step: per user, by a random token,
for a bounded time and number; the format is told by the content first, then the name. The
settings service keeps every user's own settings, the defaults until saved."""

from __future__ import annotations

import pytest

from app import settings
from app.errors import ValidationError
from app.models import PimDirection, PimKind, PimSetting
from app.pim import files
from app.pim import settings as pim_settings
from tests import factories as f

CSV = "Last Name,E-mail Address\r\n山田,taro@example.jp\r\n".encode()


@pytest.mark.parametrize(("name", "data", "fmt"), [
    ("contacts.csv", CSV, "csv"),
    ("export.txt", CSV, "csv"),
    ("card.txt", b"\xef\xbb\xbfBEGIN:VCARD\r\nEND:VCARD\r\n", "vcf"),
    ("contacts.csv", b"begin:vcard\r\nend:vcard\r\n", "vcf"),
    ("calendar", b"\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "ics"),
    ("noname", CSV, "csv"),
])
def test_the_format_is_told_by_content_then_name(name, data, fmt):
    assert files.detect_format(name, data) == fmt


def test_an_unknown_format_is_refused():
    with pytest.raises(ValidationError) as refused:
        files.detect_format("photo.png", b"\x89PNG\r\n\x1a\n")
    assert refused.value.errors[0].field == "file"


async def test_uploads_are_kept_per_user_bounded_and_expire(db, monkeypatch):
    alice, bob = await f.make_user(), await f.make_user()
    kept = [await files.store(alice, f"{i}.csv", CSV) for i in range(settings.PIM_UPLOADS_KEPT + 1)]
    with pytest.raises(ValidationError):  # the oldest went to make room
        await files.load(alice, kept[0].token)
    assert (await files.load(alice, kept[-1].token)).data == CSV
    with pytest.raises(ValidationError):  # another user's token finds nothing
        await files.load(bob, kept[-1].token)
    for token in ("../../etc/passwd", "x", "A" * 200, kept[-1].token + "/"):
        with pytest.raises(ValidationError):
            await files.load(alice, token)
    monkeypatch.setattr(settings, "PIM_UPLOAD_TTL", -1)
    with pytest.raises(ValidationError):
        await files.load(alice, kept[-1].token)
    # Expired uploads go at the next upload of anyone, theirs too.
    await files.store(bob, "b.csv", CSV)
    assert not list((settings.VAR_DIR / files.UPLOAD_DIR / str(alice.id)).glob("*.data"))


async def test_an_uploads_name_is_cleaned(db):
    user = await f.make_user()
    upload = await files.store(user, "../../連絡先\x00.csv", CSV)
    assert upload.name == "連絡先.csv"
    assert (await files.load(user, upload.token)).name == "連絡先.csv"


async def test_settings_are_defaults_until_saved_and_personal(db):
    alice, bob = await f.make_user(), await f.make_user()
    principal = await f.principal_for(alice)
    defaults = await pim_settings.get(alice, PimKind.EVENTS)
    assert defaults.pk is None and defaults.direction is PimDirection.BOTH and defaults.delete_threshold == 20
    await pim_settings.update(principal, "events", {"direction": "to_client", "delete_threshold": "１５"})
    again = await pim_settings.update(principal, PimKind.EVENTS, {"automatic": False})
    assert (again.direction, again.delete_threshold, again.automatic) == (PimDirection.TO_CLIENT, 15, False)
    assert await PimSetting.filter(user_id=alice.id).count() == 1
    assert (await pim_settings.all_for(bob))[PimKind.EVENTS].direction is PimDirection.BOTH
    with pytest.raises(ValidationError) as refused:
        await pim_settings.update(principal, "deals", {})
    assert refused.value.errors[0].field == "kind"
