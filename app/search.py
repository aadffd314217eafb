"""Search text: what list searches and GraphQL `search` filters match, on both sides alike.

A record keeps one normalised text of its searchable fields (`Searchable.search_text`); a query
is normalised the same way and looked for inside it. Normalising:
- NFKC, so full-width Latin (`Ｗａｌｋｅｒ`) and half-width kana (`ｲﾉｳｴ`) read as their usual forms;
- case folded;
- every space removed, so `井上 真由美`, `井上真由美` and `井上　真由美` are the same query;
- katakana as hiragana (`イノウエ` and `いのうえ` find each other).
A person's name is kept in both orders (family name first, as lists show it, and given name
first), so `Walker Olivia` and `Olivia Walker` both find Olivia Walker.

Changing `normalise` changes what stored texts mean: rebuild them (`python -m app.cli reindex`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from tortoise.expressions import Q

# ァ (U+30A1) .. ヶ (U+30F6) -> ぁ (U+3041) .. ゖ (U+3096)
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
# Control characters, and lone surrogates (no database stores them; a query may hold them).
_CONTROLS = dict.fromkeys([*range(0x20), *range(0xD800, 0xE000)])
# Between fields: a character no normalised query holds (whitespace is removed from queries), so a
# query never matches across two fields.
SEPARATOR = "\n"
QUERY_MAX = 500  # characters of a normalised query
NOTHING = Q(pk__in=[])


def normalise(text: str | None) -> str:
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text or "").casefold())
    return "".join(folded.split()).translate(_CONTROLS).translate(_KATAKANA_TO_HIRAGANA)


def search_text(values: Iterable[str | None], names: Iterable[tuple[str | None, str | None]] = ()) -> str:
    """The stored text of a record: its fields, and each (family, given) name in both orders."""
    parts = [normalise(v) for v in values]
    for family, given in names:
        if family and given:
            parts += [normalise(f"{family}{given}"), normalise(f"{given}{family}")]
    return SEPARATOR.join(p for p in parts if p)


def matches(query: str | None, path: str = "search_text") -> Q | None:
    """The filter for records whose search text (at `path`, e.g. `contact__search_text`)
    contains `query`; None when the query is empty once normalised (spaces only)."""
    if query and len(query) > QUERY_MAX * 4:  # not normalised at all: that much is never a name
        return NOTHING
    needle = normalise(query)
    if len(needle) > QUERY_MAX:  # longer than anyone types: nothing, and no "LIKE pattern too complex"
        return NOTHING
    return Q(**{f"{path}__contains": needle}) if needle else None


def document_matches(query: str | None) -> Q | None:
    """Books documents: the number or reference (width normalised) or the customer's or vendor's
    search text."""
    if query and len(query) > QUERY_MAX * 4:
        return NOTHING
    text = unicodedata.normalize("NFKC", query or "").translate(_CONTROLS).strip()
    if not text:
        return None
    if len(text) > QUERY_MAX:
        return NOTHING
    found = Q(number__icontains=text) | Q(reference__icontains=text)
    party = matches(text, "contact__search_text")
    return found | party if party is not None else found


def list_search(model: type, query: str | None) -> Q | None:
    """What a list's search box finds among `model`'s records: the one rule for list pages and
    GraphQL's `search` filters. Records keeping a search text are matched on it; Books documents,
    which keep none, on their number, reference or party (`document_matches`)."""
    if model is not None and "search_text" not in model._meta.fields_map:
        return document_matches(query)
    return matches(query)
