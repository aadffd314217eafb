"""File imports and exports of contacts, tasks and events (seed 003): Outlook CSV, vCard,
iCalendar.

An upload is kept server-side until it is imported, so that a CSV survives its column-mapping
step without being sent again: under VAR_DIR, per user, by a random token, for
settings.PIM_UPLOAD_TTL seconds, at most settings.PIM_UPLOADS_KEPT per user (the oldest goes).
The formats are read and written by app.pim.outlook_csv, .vcard and .ical; their errors are
ValueErrors carrying a message id, shown on the form as a ValidationError of the file. Items are
applied by the one engine every way in uses (app.pim.apply), counted in an import run's report.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app import cleaning, settings
from app.errors import Conflict, ValidationError
from app.i18n import N_
from app.models import PimKind, PimRun, PimRunSource, User
from app.permissions import Principal, require, restrict
from app.pim.items import MODELS, Item

FORMATS = ("csv", "vcf", "ics")
EXTENSIONS = {".csv": "csv", ".txt": "csv", ".vcf": "vcf", ".vcard": "vcf", ".ics": "ics", ".ical": "ics"}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "vcf": "text/vcard; charset=utf-8",
                 "ics": "text/calendar; charset=utf-8"}
# Which kinds a format carries (an iCalendar file holds tasks and events alike).
FORMAT_KINDS = {"csv": tuple(PimKind), "vcf": (PimKind.CONTACTS,), "ics": (PimKind.TASKS, PimKind.EVENTS)}
LANGUAGES = ("en", "ja")
IMPORT_MAX_ITEMS = 20_000
UPLOAD_DIR = "pim-uploads"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")

NO_FILE = N_("Choose a file to import.")
EMPTY = N_("The file is empty.")
TOO_LARGE = N_("The file is too large: at most %(size)d MB can be imported at once.")
UNKNOWN_FORMAT = N_("Choose an Outlook CSV (.csv), vCard (.vcf) or iCalendar (.ics) file.")
EXPIRED = N_("The uploaded file is no longer here (it is kept for an hour). Upload it again.")
TOO_MANY = N_("The file holds more than %(max)d records: split it and import the parts one by one.")
EXPORT_TOO_MANY = N_("There are more than %(max)d records to export: too many for one file.")
WRONG_FORMAT = N_("This format does not hold this kind of record.")


@dataclass
class Upload:
    token: str
    name: str
    format: str
    data: bytes


def _module(name: str) -> Any:
    """A format module (imported on use: the readers live in modules of their own)."""
    import importlib

    return importlib.import_module(f"app.pim.{name}")


def _file_error(exc: Exception) -> ValidationError:
    """A reader's error (a ValueError carrying a msgid, maybe with params) as the form shows it."""
    msgid = getattr(exc, "msgid", None) or (str(exc.args[0]) if exc.args else N_("The file could not be read."))
    params = getattr(exc, "params", None)
    return ValidationError.single("file", msgid, **(params if isinstance(params, dict) else {}))


async def _read(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a reader in a worker thread (parsing a large file is CPU work), its errors as the form's."""
    try:
        return await asyncio.to_thread(call, *args, **kwargs)
    except ValidationError:
        raise
    except (ValueError, UnicodeError, LookupError) as exc:
        raise _file_error(exc) from None


def detect_format(name: str, data: bytes) -> str:
    """csv, vcf or ics, by the file's content first (a vCard or calendar says so), then its name."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    if head.startswith(b"BEGIN:VCARD"):
        return "vcf"
    if head.startswith(b"BEGIN:VCALENDAR"):
        return "ics"
    found = EXTENSIONS.get(os.path.splitext(name.lower())[1])
    if found == "csv" or (found is None and b"," in head):
        return "csv"
    raise ValidationError.single("file", UNKNOWN_FORMAT)


# ---- uploads kept for the mapping step ---------------------------------------------------------


def _dir(user: User) -> Path:
    return settings.VAR_DIR / UPLOAD_DIR / str(int(user.id))


def _purge(folder: Path, keep: int) -> None:
    """Drop expired uploads, then the oldest beyond `keep` (by when they were stored: file times
    may be too coarse to tell uploads of one second apart)."""
    now = time.time()
    found = []
    for path in folder.glob("*.data"):
        try:
            modified = path.stat().st_mtime
            stored = int(json.loads(path.with_suffix(".json").read_text(encoding="utf-8")).get("stored", 0))
        except (FileNotFoundError, ValueError, TypeError, AttributeError):
            _remove(path)
            continue
        if now - modified > settings.PIM_UPLOAD_TTL:
            _remove(path)
        else:
            found.append((stored, path.name, path))
    found.sort()
    for _, _, path in found[:max(0, len(found) - keep)]:
        _remove(path)


def _remove(data_path: Path) -> None:
    for path in (data_path, data_path.with_suffix(".json")):
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _sweep(root: Path) -> None:
    """Expired uploads of every user (those who never came back for theirs too)."""
    now = time.time()
    for path in root.glob("*/*.data"):
        try:
            if now - path.stat().st_mtime > settings.PIM_UPLOAD_TTL:
                _remove(path)
        except FileNotFoundError:
            continue


def _write(folder: Path, token: str, meta: dict[str, Any], data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder.parent)
    _purge(folder, settings.PIM_UPLOADS_KEPT - 1)
    (folder / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    (folder / f"{token}.data").write_bytes(data)


def check_size(data: bytes) -> None:
    if not data:
        raise ValidationError.single("file", EMPTY)
    if len(data) > settings.PIM_IMPORT_MAX_BYTES:
        raise ValidationError.single("file", TOO_LARGE, size=max(1, settings.PIM_IMPORT_MAX_BYTES // (1024 * 1024)))


async def store(user: User, name: str, data: bytes) -> Upload:
    """Keep an uploaded file for its user; refused when empty, too large or of no known format."""
    check_size(data)
    name = cleaning.filename(name, "import")
    fmt = detect_format(name, data)
    upload = Upload(secrets.token_urlsafe(24), name, fmt, data)
    if fmt == "csv":  # a file that is no CSV is refused now, not after the mapping step
        await read_csv(upload)
    token = upload.token
    meta = {"name": name, "format": fmt, "stored": time.time_ns()}
    await asyncio.to_thread(_write, _dir(user), token, meta, data)
    return upload


def _load(folder: Path, token: str) -> tuple[dict[str, str], bytes] | None:
    data_path = folder / f"{token}.data"
    try:
        if time.time() - data_path.stat().st_mtime > settings.PIM_UPLOAD_TTL:
            _remove(data_path)
            return None
        meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
        return meta, data_path.read_bytes()
    except (FileNotFoundError, ValueError):
        return None


async def load(user: User, token: str) -> Upload:
    """The user's upload by its token; a ValidationError when it expired (or is not theirs)."""
    token = str(token)
    found = await asyncio.to_thread(_load, _dir(user), token) if _TOKEN.fullmatch(token) else None
    if found is None:
        raise ValidationError.single("file", EXPIRED)
    meta, data = found
    return Upload(token, str(meta.get("name", "")), str(meta.get("format", "")), data)


async def discard(user: User, token: str) -> None:
    if _TOKEN.fullmatch(str(token)):
        await asyncio.to_thread(_remove, _dir(user) / f"{token}.data")


# ---- reading -------------------------------------------------------------------------------------


def user_zone(user: User) -> str:
    """The user's time zone name (times without a zone in a file are theirs)."""
    name = user.timezone or settings.DEFAULT_TIMEZONE
    try:
        ZoneInfo(name)
    except (KeyError, ValueError):
        return settings.DEFAULT_TIMEZONE
    return name


@dataclass
class CsvPlan:
    """A CSV upload read for its mapping step: the table, the kind and the mapping (column index
    -> target field; unmapped columns left out), and the first rows as mapped."""

    table: Any
    kind: PimKind
    mapping: dict[int, str]
    preview: Any
    targets: list[str]


async def read_csv(upload: Upload) -> Any:
    return await _read(_module("outlook_csv").read, upload.data)


def targets_of(kind: PimKind) -> list[str]:
    """The fields a CSV column may feed, for `kind` (in the reader's order)."""
    return list(_module("outlook_csv").TARGETS[kind])


def clean_mapping(kind: PimKind, columns: int, chosen: dict[int, str]) -> dict[int, str]:
    """The mapping a form chose: known columns to targets of the kind; empty means ignored."""
    allowed = set(targets_of(kind))
    mapping, errors = {}, []
    for index, target in chosen.items():
        if not target:
            continue
        if not 0 <= index < columns or target not in allowed:
            errors.append((f"col-{index}", N_("Choose one of the offered values.")))
            continue
        mapping[index] = target
    if errors:
        from app.errors import FieldError

        raise ValidationError([FieldError(f, m) for f, m in errors])
    return mapping


async def plan_csv(upload: Upload, kind: PimKind | None = None, chosen: dict[int, str] | None = None) -> CsvPlan:
    """The mapping step of a CSV: the kind (guessed from the header unless chosen) and the mapping
    (guessed unless chosen), with the preview of the first rows."""
    csv = _module("outlook_csv")
    table = await read_csv(upload)
    if kind is None:
        guessed = csv.guess_kind(table.headers)
        kind = PimKind(guessed) if guessed else PimKind.CONTACTS
    mapping = (clean_mapping(kind, len(table.headers), chosen) if chosen is not None
               else dict(csv.guess_mapping(kind, table.headers)))
    preview = await _read(csv.preview, table, mapping, n=5)
    return CsvPlan(table, kind, mapping, preview, targets_of(kind))


async def items_of_upload(user: User, upload: Upload, kind: PimKind | None = None,
                          mapping: dict[int, str] | None = None) -> list[Item]:
    """Every item of the file (a CSV read with `mapping` as the `kind`)."""
    zone = user_zone(user)
    if upload.format == "csv":
        if kind is None or mapping is None:
            raise ValidationError.single("kind", N_("Choose one of the offered values."))
        csv = _module("outlook_csv")
        table = await read_csv(upload)
        items = await _read(csv.items, kind, table, clean_mapping(kind, len(table.headers), mapping), tz=zone)
    elif upload.format == "vcf":
        items = await _read(_module("vcard").loads, upload.data)
    elif upload.format == "ics":
        items = await _read(_module("ical").loads, upload.data, tz=zone)
    else:
        raise ValidationError.single("file", UNKNOWN_FORMAT)
    if len(items) > IMPORT_MAX_ITEMS:
        raise ValidationError.single("file", TOO_MANY, max=IMPORT_MAX_ITEMS)
    return list(items)


async def import_upload(principal: Principal, upload: Upload, kind: PimKind | None = None,
                        mapping: dict[int, str] | None = None) -> PimRun:
    """Import the file: its items applied by the engine, kind by kind, in one import run whose
    report counts them; the kept upload is then removed."""
    from app.pim import apply, runs

    items = await items_of_upload(principal.user, upload, kind, mapping)
    run = await runs.start(principal.user, PimRunSource.IMPORT, file_name=upload.name)
    for each in PimKind:
        batch = [i for i in items if i.kind is each]
        if batch:
            await apply.apply(principal, batch, run)
    await runs.finish(run)
    await discard(principal.user, upload.token)
    return run


# ---- export --------------------------------------------------------------------------------------


def export_name(kind: PimKind, fmt: str) -> str:
    return f"kizuna-{kind.value}.{fmt}"


async def export(principal: Principal, kind: PimKind, fmt: str, language: str = "en") -> tuple[str, str, bytes]:
    """The records of `kind` the principal may see as a file: (file name, content type, body)."""
    if fmt not in FORMATS:
        raise ValidationError.single("format", N_("Choose one of the offered values."))
    if kind not in FORMAT_KINDS[fmt]:
        raise ValidationError.single("format", WRONG_FORMAT)
    require(principal, "view", kind.value)
    from app.pim import records as pim_records

    found = await restrict(MODELS[kind].all(), principal).order_by("id").limit(settings.PIM_EXPORT_MAX + 1)
    if len(found) > settings.PIM_EXPORT_MAX:
        raise Conflict(EXPORT_TOO_MANY, max=settings.PIM_EXPORT_MAX)
    items = await pim_records.items_of(kind, found)
    if fmt == "csv":
        body = await asyncio.to_thread(_module("outlook_csv").write, kind, items,
                                       language=language if language in LANGUAGES else "en",
                                       tz=user_zone(principal.user))
    elif fmt == "vcf":
        dumps = _module("vcard").dumps
        text = await asyncio.to_thread(lambda: "".join(dumps(i) for i in items))
        body = text.encode("utf-8")
    else:
        text = await asyncio.to_thread(_module("ical").dumps, items, tz=user_zone(principal.user))
        body = text.encode("utf-8")
    return export_name(kind, fmt), CONTENT_TYPES[fmt], body
