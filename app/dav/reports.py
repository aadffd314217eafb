"""REPORTs on a collection: calendar-query (VEVENT/VTODO, time-range), calendar-multiget,
addressbook-multiget, addressbook-query (every contact) and sync-collection (RFC 6578,
sync-level 1, with a limit)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from starlette.responses import Response

from app.dav import xml as X
from app.dav.common import (
    Ctx,
    DavError,
    Node,
    collection_url,
    href_in,
    item_url,
    read_body,
    sync_token,
    xml_response,
)
from app.dav.props import item_responses
from app.dav.xml import CALDAV, CARDDAV, DAV, tag
from app.i18n import N_
from app.models import PimResource
from app.pim import collections
from app.pim.collections import CALENDAR, CHUNK, CONTACTS, View
from app.pim.items import MODELS, RECORD_TYPES

# The most items one sync-collection answer holds (a client asks again with the token given).
SYNC_MAX = 5000
MULTIGET_MAX = 5000


async def report(ctx: Ctx, node: Node) -> Response:
    doc = X.parse(await read_body(ctx.request))
    if doc is None:
        raise X.BadXml("empty")
    if node.kind != "collection":
        raise DavError(403, condition=tag(DAV, "supported-report"))
    spec = node.spec
    view = await ctx.view(spec)
    wanted = X.names(doc.find(tag(DAV, "prop")))
    kind = doc.tag
    if kind == tag(DAV, "sync-collection"):
        return await sync_collection(ctx, view, doc, wanted)
    if (kind, spec) in ((tag(CALDAV, "calendar-multiget"), CALENDAR), (tag(CARDDAV, "addressbook-multiget"), CONTACTS)):
        return await multiget(ctx, view, doc, wanted)
    if kind == tag(CARDDAV, "addressbook-query") and spec is CONTACTS:
        limit = _nresults(doc.find(tag(CARDDAV, "limit")))
        resources = await collections.live(view)
        return xml_response(X.multistatus(await item_responses(ctx, view, resources[:limit], wanted)))
    if kind == tag(CALDAV, "calendar-query") and spec is CALENDAR:
        resources = await calendar_query(view, doc)
        return xml_response(X.multistatus(await item_responses(ctx, view, resources, wanted)))
    raise DavError(403, condition=tag(DAV, "supported-report"))


def _nresults(limit_el) -> int:
    if limit_el is None:
        return SYNC_MAX
    n = limit_el.find(tag(DAV, "nresults"))
    if n is None:
        n = limit_el.find(tag(CARDDAV, "nresults"))
    try:
        value = int((n.text or "").strip()) if n is not None else SYNC_MAX
    except ValueError:
        raise X.BadXml("nresults") from None
    if value < 1:
        raise X.BadXml("nresults")
    return min(value, SYNC_MAX)


async def multiget(ctx: Ctx, view: View, doc, wanted: list[str]) -> Response:
    hrefs = [(el.text or "").strip() for el in doc.findall(tag(DAV, "href"))]
    if len(hrefs) > MULTIGET_MAX:
        raise DavError(403, message=ctx._(N_("Ask for at most %(max)d items at once.")) % {"max": MULTIGET_MAX})
    names = {h: href_in(view.spec, h) for h in hrefs}
    found = await collections.by_hrefs(view, sorted({n for n in names.values() if n}))
    resources = list({found[n].id: found[n] for n in names.values() if n in found}.values())
    responses = await item_responses(ctx, view, resources, wanted)
    for h, n in names.items():
        if n not in found:
            responses.append(X.response(h, status="404 Not Found"))
    return xml_response(X.multistatus(responses))


def _parse_token(view: View, text: str) -> int:
    text = text.strip()
    if not text:
        return 0
    prefix = f"urn:kizuna:sync:{view.collection.id}:"
    seq = text[len(prefix):] if text.startswith(prefix) else ""
    if not seq.isdigit() or int(seq) > view.collection.seq:
        raise DavError(403, condition=tag(DAV, "valid-sync-token"))
    return int(seq)


async def sync_collection(ctx: Ctx, view: View, doc, wanted: list[str]) -> Response:
    token_el = doc.find(tag(DAV, "sync-token"))
    since = _parse_token(view, token_el.text or "" if token_el is not None else "")
    level = doc.find(tag(DAV, "sync-level"))
    if level is not None and (level.text or "").strip() not in ("1", "infinite"):
        raise X.BadXml("sync-level")
    limit = _nresults(doc.find(tag(DAV, "limit")))
    changes, more = await collections.changes_since(view, since, limit)
    # item_responses answers the live ones in order: they are put back among the removed ones.
    live = iter(await item_responses(ctx, view, [r for r in changes if not r.deleted], wanted))
    responses = [X.response(item_url(view.spec, r.href), status="404 Not Found") if r.deleted else next(live)
                 for r in changes]
    if more:
        # RFC 6578 3.6: the answer is cut; the token given continues from the last item in it.
        responses.append(X.response(collection_url(view.spec), status="507 Insufficient Storage"))
        token = f"urn:kizuna:sync:{view.collection.id}:{changes[-1].seq}"
    else:
        token = sync_token(view)
    return xml_response(X.multistatus(responses, sync_token=token))


# ---- calendar-query -------------------------------------------------------------------------

def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text.strip(), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise X.BadXml("time-range") from None


async def calendar_query(view: View, doc) -> list[PimResource]:
    """The items the filter selects: by component (VEVENT: events, VTODO: tasks) and time range.
    Other conditions (property filters) are not applied: clients receive a superset and filter
    it themselves, as RFC 4791 lets them."""
    top = doc.find(f"{tag(CALDAV, 'filter')}/{tag(CALDAV, 'comp-filter')}")
    types: dict[str, tuple[datetime | None, datetime | None]] = {}
    inner = top.findall(tag(CALDAV, "comp-filter")) if top is not None else []
    for comp in inner:
        record_type = {"VEVENT": "event", "VTODO": "task"}.get((comp.get("name") or "").upper())
        if record_type is None:
            continue
        rng = comp.find(tag(CALDAV, "time-range"))
        types[record_type] = (_moment(rng.get("start")), _moment(rng.get("end"))) if rng is not None else (None, None)
    if not inner:
        types = {"event": (None, None), "task": (None, None)}
    resources = [r for r in await collections.live(view) if r.record_type in types]
    out = []
    for record_type, (start, end) in types.items():
        mine = [r for r in resources if r.record_type == record_type]
        if start is None and end is None:
            out.extend(mine)
            continue
        kind = next(k for k, t in RECORD_TYPES.items() if t == record_type)
        ids = sorted({r.record_id for r in mine if r.record_id is not None and r.body is None})
        columns = ("id", "start_at", "end_at", "recurrence") if record_type == "event" else (
            "id", "start_date", "due_date", "recurrence")
        dates = {}
        for first in range(0, len(ids), CHUNK):
            for row in await MODELS[kind].filter(id__in=ids[first:first + CHUNK]).values_list(*columns):
                dates[row[0]] = row[1:]
        for r in mine:
            row = dates.get(r.record_id) if r.body is None else None
            if row is None or row[2] or _overlaps(row[0], row[1], start, end):
                out.append(r)  # the client's own text, or a recurring item: the client decides
    return out


def _overlaps(first, last, start: datetime | None, end: datetime | None) -> bool:
    first = first or last
    last = last or first
    if first is None:
        return True  # a task without dates belongs to every range
    if isinstance(first, datetime):
        return (end is None or first < end) and (start is None or last > start or last == first >= start)
    start_day = start.date() if start else None
    end_day = end.date() if end else None
    return (end_day is None or first <= end_day) and (start_day is None or last >= start_day) and isinstance(first, date)
