"""A bounded cache of what is worked out once per parsed document (query plans, column needs)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

PLAN_CACHE_SIZE = 256
T = TypeVar("T")


class PerDocument(Generic[T]):
    """What is worked out once per parsed document, in a bounded LRU keyed by node identity.

    strawberry's ParserCache hands the same query text back as the same nodes. An entry holds its
    nodes, so their ids cannot be reused while it lives."""

    def __init__(self, size: int = PLAN_CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[int, ...], tuple[tuple[Any, ...], T]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, nodes: tuple[Any, ...], build: Callable[[], T]) -> T:
        key = tuple(map(id, nodes))
        entry = self._entries.get(key)
        if entry is not None and all(a is b for a, b in zip(entry[0], nodes, strict=True)):
            self._entries.move_to_end(key)
            return entry[1]
        value = build()
        self._entries[key] = (nodes, value)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value
