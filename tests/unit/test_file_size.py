"""File sizes for people: bytes as bytes, then kB/MB/GB with one decimal, in the user's locale."""

from __future__ import annotations

import pytest

from app.i18n import format_size


@pytest.mark.parametrize(("size", "en", "ja"), [
    (0, "0 bytes", "0 バイト"),
    (1, "1 byte", "1 バイト"),
    (26, "26 bytes", "26 バイト"),
    (999, "999 bytes", "999 バイト"),
    (1000, "1 kB", "1 KB"),
    (1234, "1.2 kB", "1.2 KB"),
    (999_949, "999.9 kB", "999.9 KB"),
    (999_950, "1 MB", "1 MB"),  # rounds up into the next unit, never "1,000 kB"
    (10_400_000, "10.4 MB", "10.4 MB"),
    (5 * 10**9, "5 GB", "5 GB"),
    (3 * 10**15, "3,000 TB", "3,000 TB"),
])
def test_format_size(size, en, ja):
    assert format_size(size, "en") == en
    assert format_size(size, "ja") == ja
