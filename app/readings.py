"""Readings (フリガナ) of names: what lists sort people and companies by.

A contact or lead has a reading of each name (セイ `last_name_kana`, メイ `first_name_kana`), an
account one of its name (`name_kana`), all in katakana. What the user enters is kept (hiragana and
half-width kana are written as full-width katakana); a reading left empty is generated from the
name with SudachiPy and its core dictionary (Apache-2.0; pykakasi is GPL-3.0 and cannot ship in an
Apache-2.0 product) and the record says so (`reading_generated`), so that a generated reading
follows the name when it changes while an entered one is never overwritten.

A name without Japanese characters (`Olivia Walker`, `Acme`) has no reading: lists sort it by the
name itself, before the readings. A name the dictionary cannot read whole (a rare kanji) gets no
reading either rather than half of one. A company's legal form (株式会社, ㈱, 有限会社 ...) is left
out of its reading, as Japanese directories sort 株式会社みらい under ミ.

The rule is `Readings.fill`, applied by the record services (app.services.records, one record at a
time) and by the bulk paths (PIM imports, demo data) through `fill_many`, which reads names in a
worker thread: analysing a name takes microseconds, ten thousand of them do not belong on the
event loop.
"""

from __future__ import annotations

import asyncio
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# ぁ (U+3041) .. ゖ (U+3096) -> ァ (U+30A1) .. ヶ (U+30F6)
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006\u30f5\u30f6]")
_KANA_READING = re.compile(r"^[\u30a0-\u30ff]+$")  # katakana, ー and ・
_HALF_WIDTH = re.compile(r"[\uff61-\uff9f]+")
_LATIN = re.compile(r"^[0-9A-Za-z.'&+\-]+$")
# Legal forms a company's reading leaves out (after NFKC: ㈱ is (株)).
_LEGAL_FORMS = re.compile(
    r"(株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|公益社団法人|公益財団法人"
    r"|特定非営利活動法人|NPO法人|社会福祉法人|医療法人|学校法人|\(株\)|\(有\)|\(同\))"
)
_SKIPPED_POS = {"空白", "補助記号"}
# Repeated names (imports, demo data, families) are read once.
_CACHE = 8192

_lock = threading.Lock()
_local = threading.local()
_dictionary: Any = None


def _tokenizer() -> Any:
    """This thread's tokenizer (SudachiPy's are not meant to be shared between threads) over the
    one dictionary, loaded on first use."""
    global _dictionary
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        with _lock:
            if _dictionary is None:
                from sudachipy import Dictionary

                _dictionary = Dictionary(dict="core")
        from sudachipy import SplitMode

        tokenizer = _local.tokenizer = _dictionary.tokenizer(mode=SplitMode.C, fields={"pos", "reading_form"})
    return tokenizer


def katakana(text: str | None) -> str:
    """Entered reading as stored: half-width ｶﾅ as full-width, hiragana as katakana, outer spaces
    trimmed and inner runs of spaces made one. Never longer than what was entered (the column's
    limit was checked on it): only the half-width kana go through NFKC, which joins ｶﾞ into ガ."""
    folded = _HALF_WIDTH.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text or "")
    return " ".join(folded.translate(_HIRAGANA_TO_KATAKANA).split())


@lru_cache(maxsize=_CACHE)
def read(name: str, company: bool = False) -> str:
    """The katakana reading of `name`; "" when it has no Japanese characters or cannot be read
    whole. `company`: a company's name, read without its legal form."""
    text = unicodedata.normalize("NFKC", name or "").strip()
    if company:
        text = _LEGAL_FORMS.sub(" ", text).strip()
    if not text or not _JAPANESE.search(text):
        return ""
    parts = []
    for morpheme in _tokenizer().tokenize(text):
        if morpheme.part_of_speech()[0] in _SKIPPED_POS:
            continue
        reading = katakana(morpheme.reading_form())
        if morpheme.surface().isascii() and morpheme.surface().isdigit():  # digits as written, not read
            parts.append(morpheme.surface())
        elif _KANA_READING.match(reading):
            parts.append(reading)
        elif _LATIN.match(morpheme.surface()):
            parts.append(morpheme.surface())
        else:  # a character the dictionary does not know: no reading rather than half of one
            return ""
    return "".join(parts)


@dataclass(frozen=True)
class Readings:
    """Which reading fields read which name fields, and the field that marks them generated."""

    pairs: tuple[tuple[str, str], ...]  # (name field, reading field)
    limit: int  # the reading columns' length: a longer generated reading is none
    company: bool = False
    flag: str = "reading_generated"

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(reading for _, reading in self.pairs)

    def fill(self, values: dict[str, Any], instance: Any = None) -> None:
        """Complete `values` (a create's or an update's cleaned values, keyed by field) with the
        readings and the flag, reading by reading:
        - an entered reading is normalised (`katakana`) and wins;
        - a reading sent empty, or not sent for a new record, is generated from its name;
        - an update that leaves a reading out regenerates it when its name changes, if it was
          generated (or there is none): an entered reading never follows a renamed record;
        - a reading sent back as it was generated is not an entry (a form or a client returns what
          it was shown): it follows the name.
        A reading counts as generated when the record says its readings were and it still reads as
        its name did; the flag says whether any reading now is."""
        for name in self.fields:
            if name in values:
                values[name] = katakana(values[name])
        was_generated = instance is not None and bool(getattr(instance, self.flag, False))
        generated_any = touched = False
        for source, reading in self.pairs:
            old_name = getattr(instance, source, "") or ""
            stored = getattr(instance, reading, "") or ""
            generated = was_generated and stored == read(old_name, self.company)
            sent = values.get(reading)
            if sent and not (generated and sent == stored):
                touched = True  # entered
                continue
            kept = reading not in values and instance is not None and (
                source not in values or (stored and not generated))
            if kept:
                generated_any |= generated and bool(stored)
                continue
            name = values[source] if source in values else old_name
            made = read(name, self.company)
            values[reading] = made if len(made) <= self.limit else ""
            generated_any |= bool(values[reading])
            touched = True
        if touched or instance is None:
            values[self.flag] = generated_any

    def generated_fields(self, obj: Any) -> set[str]:
        """The readings of `obj` that were generated (and still read as its name does)."""
        if not getattr(obj, self.flag, False):
            return set()
        return {reading for source, reading in self.pairs
                if getattr(obj, reading, "")
                and getattr(obj, reading) == read(getattr(obj, source, "") or "", self.company)}


async def fill_many(spec: Readings, rows: Iterable[tuple[dict[str, Any], Any]]) -> None:
    """`spec.fill` for many (values, instance) pairs, in a worker thread when they are many."""
    rows = list(rows)
    if len(rows) <= 20:
        for values, instance in rows:
            spec.fill(values, instance)
        return

    def work() -> None:
        for values, instance in rows:
            spec.fill(values, instance)

    await asyncio.to_thread(work)


PERSON = Readings((("last_name", "last_name_kana"), ("first_name", "first_name_kana")), limit=100)
COMPANY = Readings((("name", "name_kana"),), limit=255, company=True)


def spec_of(model: type) -> Readings | None:
    """The readings `model` keeps, if any (contacts and leads: a person's; accounts: a company's)."""
    return SPECS.get(model.__name__)


SPECS: Mapping[str, Readings] = {"Contact": PERSON, "Lead": PERSON, "Account": COMPANY}
