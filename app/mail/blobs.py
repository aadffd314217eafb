"""Bytes kept once by their SHA-256 under DOCUMENTS_DIR/mail/: whole messages as fetched and the
attachments decoded from them. Writing is idempotent and atomic (a temporary file renamed into
place), so two processes writing the same bytes, or one killed half-way, leave a whole file or
none; a file no row names (a batch rolled back) is harmless and reused if the bytes come again."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from pathlib import Path

from app import settings


def path(sha256: str) -> Path:
    return settings.DOCUMENTS_DIR / "mail" / sha256[:2] / sha256


def write(data: bytes, sha256: str | None = None) -> str:
    """Keep `data`; its SHA-256. Blocking: call from a worker thread."""
    sha256 = sha256 or hashlib.sha256(data).hexdigest()
    target = path(sha256)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{sha256}.{os.getpid()}.{id(data)}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    return sha256


def read(sha256: str) -> bytes:
    return path(sha256).read_bytes()


# ---- packs: the messages of one fetched batch, as fetched, in one file ---------------------------
# One write per batch instead of one file per message (creating 10,000 small files cost more than
# the rest of the store). A pack is deleted once every message in it has its body decoded; a pack
# no row names (its batch rolled back) is deleted by `sweep`.

def pack_path(name: str) -> Path:
    return settings.DOCUMENTS_DIR / "mail" / "packs" / name[:2] / name


def write_pack(datas: list[bytes]) -> tuple[str, list[tuple[int, int]]]:
    """Keep these messages in a new pack; its name and each message's (offset, length).
    Blocking: call from a worker thread."""
    name = uuid.uuid4().hex
    target = pack_path(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    places, offset = [], 0
    for data in datas:
        places.append((offset, len(data)))
        offset += len(data)
    tmp = target.with_name(f".{name}.tmp")
    with open(tmp, "wb") as out:
        out.writelines(datas)
    os.replace(tmp, target)
    return name, places


def read_packed(name: str, places: list[tuple[int, int]]) -> list[bytes | None]:
    """The messages at these places of a pack (None where it is gone or short)."""
    try:
        with open(pack_path(name), "rb") as pack:
            found = []
            for offset, length in places:
                pack.seek(offset)
                data = pack.read(length)
                found.append(data if len(data) == length else None)
            return found
    except OSError:
        return [None] * len(places)


def delete_pack(name: str) -> None:
    pack_path(name).unlink(missing_ok=True)


def packs_older_than(seconds: float) -> list[str]:
    root = settings.DOCUMENTS_DIR / "mail" / "packs"
    if not root.exists():
        return []
    limit = time.time() - seconds
    return [p.name for p in root.glob("*/*") if not p.name.startswith(".") and p.stat().st_mtime < limit]
