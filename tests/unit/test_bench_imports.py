"""`make bench` is not part of the suite's timing, but it must keep running: its modules import
what they use of Kizuna (a renamed helper broke it once, unnoticed)."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("module", ["bench.asgi", "bench.crm", "bench.books", "bench.pdf", "bench.dataset",
                                    "bench.books_dataset", "bench.stats", "bench.mail", "bench.dav"])
def test_bench_module_imports(module: str) -> None:
    importlib.import_module(module)
