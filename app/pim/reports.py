"""Reading the reports of PIM sync runs and the changes held for confirmation, for the pages and
GraphQL alike: a user sees only their own runs (anything else is NotFound), newest first, with
the records each one ignored and the reason in the reader's language."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.functions import Count, Max

from app import cleaning
from app.errors import FieldError, NotFound, ValidationError
from app.i18n import N_
from app.models import PimHeld, PimHeldReason, PimIgnored, PimIgnoreReason, PimKind, PimResource, PimRun, User
from app.permissions import Principal
from app.pim import runs as pim_runs
from app.pim.items import FIELDS, RECORD_TYPES, limit_of

RUNS_MAX = 100  # one page of the list, at most
IGNORED_MAX = 500  # ignored records shown on a run's page (the count says how many more)
PENDING_MAX = pim_runs.PENDING_MAX
NO_RUN = N_("This sync run does not exist.")
REASONS = {
    PimIgnoreReason.DUPLICATE: N_("Duplicate"),
    PimIgnoreReason.LIMIT: N_("Over a limit"),
    PimIgnoreReason.PERMISSION: N_("No permission"),
    PimIgnoreReason.INVALID: N_("Invalid data"),
}
COUNT_KEYS = ("added", "updated", "deleted", "ignored")


async def runs(user: User, limit: int = 20, offset: int = 0) -> list[PimRun]:
    """A page of the user's own runs, newest first."""
    limit = max(1, min(int(limit), RUNS_MAX))
    offset = max(0, min(int(offset), 1_000_000))
    return await pim_runs.visible_runs(user).order_by("-started_at", "-id").offset(offset).limit(limit)


async def run_count(user: User) -> int:
    return await pim_runs.visible_runs(user).count()


async def get_run(user: User, run_id: Any) -> PimRun:
    try:
        return await pim_runs.get_run(user, run_id)
    except NotFound:
        raise NotFound(NO_RUN) from None


def counts_of(run: PimRun) -> list[tuple[PimKind, dict[str, int]]]:
    """The run's counts per kind, in PimKind order, every key present (kinds it did not touch left out)."""
    found = run.counts if isinstance(run.counts, dict) else {}
    out = []
    for kind in PimKind:
        raw = found.get(kind.value)
        if isinstance(raw, dict):
            out.append((kind, {k: int(raw.get(k) or 0) for k in COUNT_KEYS}))
    return out


async def ignored_of(run: PimRun, limit: int = IGNORED_MAX) -> tuple[list[PimIgnored], int]:
    """The first records the run ignored, and how many it ignored in all."""
    qs = PimIgnored.filter(run_id=run.id)
    return await qs.order_by("id").limit(limit), await qs.count()


async def pending(user: User, run: PimRun | None = None) -> list[PimIgnored]:
    """Records ignored by earlier runs than `run` and still not synced."""
    return await pim_runs.pending_ignored(user, exclude_run=run)


async def ignored_by_ids(user: User, ids: Sequence[Any]) -> list[PimIgnored]:
    pks = sorted({pk for pk in (cleaning.pk(i) for i in ids) if pk is not None})
    return await PimIgnored.filter(user_id=user.id, id__in=pks) if pks else []


def reason_text(ignored: PimIgnored, gettext: Callable[[str], str]) -> str:
    """Why the record was ignored, in the reader's language (the message is a msgid with its
    parameters; translated here, never formatted from data)."""
    if ignored.message:
        text = gettext(ignored.message)
        params = ignored.params if isinstance(ignored.params, dict) else {}
        try:
            return text % params if params else text
        except (KeyError, TypeError, ValueError):
            return text
    return gettext(REASONS.get(ignored.reason, N_("Invalid data")))


@dataclass
class Fixable:
    """The value a limit made a run ignore, to be fixed on the report."""

    field: str
    value: str
    limit: int | None

    @property
    def length(self) -> int:
        return len(self.value)


def fixable(ignored: PimIgnored) -> Fixable | None:
    """The field to fix inline, when a limit was the reason and the value is text."""
    # Only the record's own fields: the engine applies a fix to those (categories are not fixed here).
    if ignored.reason != PimIgnoreReason.LIMIT or ignored.field not in FIELDS[ignored.kind]:
        return None
    values = ignored.values if isinstance(ignored.values, dict) else {}
    value = (values.get("values") or {}).get(ignored.field)
    if not isinstance(value, str):
        return None
    return Fixable(ignored.field, value, limit_of(ignored.kind, ignored.field))


# ---- held changes -------------------------------------------------------------------------------


@dataclass
class HeldGroup:
    """Changes of one kind a client made that wait: for "sync now" (manual sync) or for
    confirmation (a mass deletion), with what they were measured against."""

    kind: PimKind
    reason: PimHeldReason
    device: str
    collection_id: int
    deletes: int = 0
    puts: int = 0
    total: int = 0  # the items of this kind the client had before these deletes
    last_id: int = 0


async def held_groups(user: User) -> list[HeldGroup]:
    """The user's held changes, grouped per collection, kind, device and reason (oldest first)."""
    rows = await (PimHeld.filter(collection__user_id=user.id)
                  .annotate(n=Count("id"), last=Max("id"))
                  .group_by("collection_id", "kind", "device", "reason", "action")
                  .values("collection_id", "kind", "device", "reason", "action", "n", "last"))
    groups: dict[tuple, HeldGroup] = {}
    for row in rows:
        key = (row["collection_id"], PimKind(row["kind"]), row["device"], PimHeldReason(row["reason"]))
        group = groups.setdefault(key, HeldGroup(key[1], key[3], key[2], key[0]))
        if row["action"] == "delete":
            group.deletes += row["n"]
        else:
            group.puts += row["n"]
        group.last_id = max(group.last_id, row["last"])
    for group in groups.values():
        # A held delete has already left the client's view (its item is a tombstone): the items
        # the client had are those still there plus those whose deletes are held.
        live = await PimResource.filter(
            collection_id=group.collection_id, record_type=RECORD_TYPES[group.kind], deleted=False).count()
        group.total = live + group.deletes
    return sorted(groups.values(), key=lambda g: g.last_id)


async def held_ids(user: User, collection_id: Any, kind: Any, device: str, reason: Any, last_id: Any) -> list[int]:
    """The ids of one group of held changes, as far as the page showing it went (`last_id`):
    changes that arrived since are not confirmed unseen."""
    collection, last = cleaning.pk(collection_id), cleaning.pk(last_id)
    try:
        kind, reason = PimKind(str(kind)), PimHeldReason(str(reason))
    except ValueError:
        return []
    if collection is None or last is None:
        return []
    return list(await PimHeld.filter(
        collection__user_id=user.id, collection_id=collection, kind=kind, device=str(device)[:100],
        reason=reason, id__lte=last).order_by("id").values_list("id", flat=True))


# ---- syncing ignored records again ----------------------------------------------------------------

RESYNC_MAX = pim_runs.RESYNC_MAX  # records picked at once
NOTHING_PICKED = N_("Pick the records to sync.")
NOT_YOURS = N_("Some of the picked records are not yours or no longer exist.")
TOO_MANY = N_("Pick at most %(max)d records at once.")
NOT_FIXABLE = N_("Only a value over its limit can be fixed here.")


async def resync(principal: Principal, ids: Sequence[Any], fixes: dict[Any, str] | None = None) -> PimRun:
    """Sync the picked ignored records of the principal again, with the values fixed where a limit
    was the reason (`fixes`: ignored id -> the field's new value). Checked here, applied by the
    engine (app.pim.runs.resync), which reports them in a run of their own."""
    fixes = fixes or {}
    if len(ids) > RESYNC_MAX or len(fixes) > RESYNC_MAX:
        raise ValidationError.single("ids", TOO_MANY, max=RESYNC_MAX)
    wanted = {cleaning.pk(i) for i in ids}
    picked = await ignored_by_ids(principal.user, list(ids))
    if not wanted:
        raise ValidationError.single("ids", NOTHING_PICKED)
    if None in wanted or len(picked) != len(wanted) or any(i.resolved_at for i in picked):
        raise ValidationError.single("ids", NOT_YOURS)
    by_id = {i.id: i for i in picked}
    errors: list[FieldError] = []
    changes: dict[int, dict[str, str]] = {}
    for key, value in fixes.items():
        pk = cleaning.pk(key)
        ignored = by_id.get(pk) if pk is not None else None
        fix = fixable(ignored) if ignored is not None else None
        path = f"fixes.{key}"
        if fix is None:
            errors.append(FieldError(path, NOT_FIXABLE))
            continue
        value = str(value)
        if not cleaning.storable(value):
            errors.append(FieldError(path, cleaning.UNSTORABLE))
        elif fix.limit is not None and len(value.strip()) > fix.limit:
            errors.append(FieldError(path, N_("Must be at most %(max)d characters (now %(length)d)."),
                                     {"max": fix.limit, "length": len(value.strip())}))
        else:
            changes[ignored.id] = {fix.field: value.strip()}
    if errors:
        raise ValidationError(errors)
    return await pim_runs.resync(principal, sorted(by_id), fixes=changes)
