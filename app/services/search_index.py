"""Rebuild every stored search text (`python -m app.cli reindex`): after `app.search.normalise` or
a model's SEARCH_FIELDS change, or rows written around `save` (raw SQL, `QuerySet.update`)."""

from __future__ import annotations

from tortoise.models import Model

from app import models
from app.models.base import Searchable

BATCH = 500


def searchable_models() -> list[type]:
    found = {m for m in vars(models).values()
             if isinstance(m, type) and issubclass(m, Searchable) and issubclass(m, Model)}
    return sorted(found, key=lambda m: m.__name__)


async def reindex() -> int:
    """Rewrite the search text of every searchable row; returns how many changed."""
    changed = 0
    for model in searchable_models():
        last_id = 0
        while rows := await model.filter(id__gt=last_id).order_by("id").limit(BATCH):
            stale = []
            for row in rows:
                before = row.search_text
                row.refresh_search_text()
                if row.search_text != before:
                    stale.append(row)
            if stale:
                await model.bulk_update(stale, fields=["search_text"])
            changed += len(stale)
            last_id = rows[-1].id
    return changed
