"""Hostile values by GraphQL scalar (and for form fields, which are all text), and row counts to
prove that a refused request wrote nothing."""

from __future__ import annotations

import base64

from hypothesis import strategies as st
from tortoise.models import Model

import app.models as models

HUGE_INTS = [2**31, -(2**31) - 1, 2**63, -(2**63) - 1, 10**30, 0, -1]
NUMBERS = ["1e999999", "-1e999999", "1e-999999", "NaN", "-Infinity", "Infinity", "1e1000000",
           "99999999999999999999.99999", "0.00001", "-0", "1e11", "9999999999999", "١٢٣", "１２３"]
DATES = ["9999-12-31", "0001-01-01", "10000-01-01", "2030-02-30", "0000-00-00", "9998-12-31"]
DATETIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00",
             "9999-12-31T23:59", "2030-01-01T25:00"]
NASTY_TEXT = ["\x00", "a\x00b", "\ud800", "x\udfffy", "javascript:alert(3)", "%_%_\\", "' OR 1=1 --",
              "<img src=x onerror=alert(1)>", "%(x)s {x} {{", "ｗｉｄｅ　全角", "\u202e", "\r\n"]


def _gid(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


HOSTILE_IDS = [_gid("Account:" + "9" * 30), _gid("Account:-1"), _gid("Invoice:0"), _gid("User:2147483648"),
               _gid("Nope:1"), "not base64!", "", _gid("Contact:١")]

text = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(max_size=20),  # lone surrogates included: hypothesis draws them
    st.integers(1_000, 70_000).map(lambda n: "長" * n),
    st.sampled_from(NUMBERS + DATES + DATETIMES),
)


def for_scalar(name: str) -> st.SearchStrategy:
    """Hostile values for a GraphQL scalar; every type also gets null and wrong types."""
    odd = st.sampled_from([None, True, [], {}, 1.5])
    by_type = {
        "String": text,
        "ID": st.one_of(st.sampled_from(HOSTILE_IDS), text),
        "Int": st.sampled_from(HUGE_INTS),
        "Decimal": st.one_of(st.sampled_from(NUMBERS), st.sampled_from(HUGE_INTS).map(str)),
        "Date": st.sampled_from(DATES),
        "DateTime": st.sampled_from(DATETIMES),
        "Boolean": st.booleans(),
    }
    return st.one_of(by_type.get(name, text), odd)


form_value = st.one_of(text, st.sampled_from(NUMBERS + DATES + DATETIMES + [str(n) for n in HUGE_INTS]))


def _tables() -> list[type[Model]]:
    found = {v for v in vars(models).values()
             if isinstance(v, type) and issubclass(v, Model) and not v._meta.abstract}
    return sorted(found, key=lambda m: m.__name__)


TABLES = _tables()


async def row_counts() -> dict[str, int]:
    return {m.__name__: await m.all().count() for m in TABLES}
