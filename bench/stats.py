"""Timing helpers: interleaved runs, medians and p95."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    samples: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        return sorted(self.samples)[int(len(self.samples) * 0.95) - 1] * 1000


async def compare(
    ours: Callable[[], Awaitable[object]], baseline: Callable[[], Awaitable[object]],
    *, iterations: int, warmup: int = 20,
) -> tuple[Result, Result]:
    """Alternate the two so drift (other load, caches, GC) hits both alike."""
    for _ in range(warmup):
        await ours()
        await baseline()
    a, b = [], []
    for _ in range(iterations):
        t = time.perf_counter()
        await ours()
        a.append(time.perf_counter() - t)
        t = time.perf_counter()
        await baseline()
        b.append(time.perf_counter() - t)
    return Result("kizuna", a), Result("baseline", b)


async def measure(fn: Callable[[], Awaitable[object]], *, iterations: int, warmup: int = 20) -> Result:
    for _ in range(warmup):
        await fn()
    samples = []
    for _ in range(iterations):
        t = time.perf_counter()
        await fn()
        samples.append(time.perf_counter() - t)
    return Result("single", samples)


async def compare_answers(
    graphql: Callable[[], Awaitable[bytes]], sql: Callable[[], Awaitable[bytes]], connection: str, *,
    iterations: int, comparable: Callable[[dict], dict] = lambda answer: answer,
) -> tuple[Result, Result]:
    """Check that both sides answer the same 50 records of `connection`, then `compare` them."""
    theirs = json.loads(await graphql())
    assert "errors" not in theirs, theirs
    theirs, mine = comparable(theirs), comparable(json.loads(await sql()))
    edges = theirs["data"][connection]["edges"]
    assert len(edges) == 50
    diff = [(a, b) for a, b in zip(mine["data"][connection]["edges"], edges) if a != b]
    assert not diff, f"the two sides differ, first: {diff[0]}"
    return await compare(graphql, sql, iterations=iterations)


def report(title: str, ours: Result, base: Result, target: float) -> str:
    ratio = ours.median_ms / base.median_ms
    verdict = "ok" if ratio < target else "OVER TARGET"
    return (
        f"{title}\n"
        f"  kizuna    median {ours.median_ms:8.2f} ms   p95 {ours.p95_ms:8.2f} ms\n"
        f"  baseline  median {base.median_ms:8.2f} ms   p95 {base.p95_ms:8.2f} ms\n"
        f"  ratio (median) {ratio:.2f}x  (p95 {ours.p95_ms / base.p95_ms:.2f}x)  target < {target}x: {verdict}"
    )
