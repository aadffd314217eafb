"""A small writer of Outlook .msg files, for tests only: an OLE compound file (version 3, 512-byte
sectors, a mini stream for streams under 4 KB, [MS-CFB]) holding the MAPI property streams of a
message, its recipients and attachments ([MS-OXMSG]). Enough to make .msg files with Japanese
text, in UTF-16 or as 8-bit strings in a code page (what older and Japanese ANSI Outlooks
write), which no public sample file covers. Checked against msg_parser, an independent reader."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime

SECTOR, MINI, CUTOFF = 512, 64, 4096
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
STORAGE, STREAM, ROOT = 1, 2, 5
PT_LONG, PT_SYSTIME, PT_STRING8, PT_UNICODE, PT_BINARY = 0x0003, 0x0040, 0x001E, 0x001F, 0x0102


@dataclass
class Node:
    name: str
    kind: int
    data: bytes = b""
    children: list[Node] = field(default_factory=list)

    def storage(self, name: str) -> Node:
        node = Node(name, STORAGE)
        self.children.append(node)
        return node

    def stream(self, name: str, data: bytes) -> None:
        self.children.append(Node(name, STREAM, data))


def _pad(data: bytes, size: int) -> bytes:
    return data + b"\x00" * (-len(data) % size)


def compound_file(root: Node) -> bytes:
    """The bytes of a compound file holding `root`'s storages and streams."""
    nodes: list[Node] = []

    def walk(node: Node) -> None:
        nodes.append(node)
        for child in node.children:
            walk(child)

    walk(root)
    index = {id(n): i for i, n in enumerate(nodes)}
    # Small streams go into the mini stream, 64-byte mini sectors chained in the mini FAT.
    mini_stream, minifat, starts = b"", [], {}
    for node in nodes:
        if node.kind == STREAM and len(node.data) < CUTOFF:
            first = len(mini_stream) // MINI
            count = max(1, -(-len(node.data) // MINI)) if node.data else 0
            starts[id(node)] = first if count else END
            minifat += [first + i + 1 for i in range(count - 1)] + ([END] if count else [])
            mini_stream += _pad(node.data, MINI) if node.data else b""
    big = [n for n in nodes if n.kind == STREAM and len(n.data) >= CUTOFF]
    # Regular sectors: the directory, the mini FAT, the mini stream, the big streams, the FAT.
    blobs: list[tuple[str, bytes]] = [("dir", b""), ("minifat", _pad(b"".join(struct.pack("<I", v) for v in minifat),
                                                                    SECTOR) if minifat else b""),
                                      ("ministream", _pad(mini_stream, SECTOR))]
    blobs += [(f"big{index[id(n)]}", _pad(n.data, SECTOR)) for n in big]
    directory_sectors = -(-len(nodes) * 128 // SECTOR)
    sizes = {"dir": directory_sectors, **{name: len(data) // SECTOR for name, data in blobs[1:]}}
    order = ["dir", "minifat", "ministream", *[f"big{index[id(n)]}" for n in big]]
    first_sector, at = {}, 0
    for name in order:
        first_sector[name] = at if sizes[name] else END
        at += sizes[name]
    fat_sectors = 1
    while (at + fat_sectors) > fat_sectors * (SECTOR // 4):
        fat_sectors += 1
    assert fat_sectors <= 109, "the test writer keeps the FAT in the header's DIFAT"
    fat: list[int] = []
    for name in order:
        n = sizes[name]
        fat += [first_sector[name] + i + 1 for i in range(n - 1)] + ([END] if n else [])
    fat += [FATSECT] * fat_sectors
    fat += [FREE] * (fat_sectors * (SECTOR // 4) - len(fat))

    def entry(node: Node, right: int) -> bytes:
        name = node.name.encode("utf-16-le") + b"\x00\x00"
        child = index[id(node.children[0])] if node.children else NOSTREAM
        if node.kind == ROOT:
            start, size = (first_sector["ministream"] if mini_stream else END), len(mini_stream)
        elif node.kind == STREAM:
            size = len(node.data)
            start = first_sector[f"big{index[id(node)]}"] if size >= CUTOFF else starts[id(node)]
        else:
            start, size = 0, 0
        return (_pad(name, 64) + struct.pack("<HBBIII", len(name), node.kind, 1, NOSTREAM, right, child)
                + b"\x00" * 16 + struct.pack("<IQQIQ", 0, 0, 0, start, size))

    # Siblings as a chain of right pointers, in the order [MS-CFB] compares names (length, then
    # upper case): every entry black, a valid if unbalanced red-black tree.
    for node in nodes:
        node.children.sort(key=lambda n: (len(n.name), n.name.upper()))
    rights = {}
    for node in nodes:
        for a, b in zip(node.children, node.children[1:]):
            rights[id(a)] = index[id(b)]
    directory = b"".join(entry(n, rights.get(id(n), NOSTREAM)) for n in nodes)
    directory = _pad(directory, SECTOR)
    header = (bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
              + struct.pack("<IIIIIIIII", 0, fat_sectors, first_sector["dir"], 0, CUTOFF,
                            first_sector["minifat"], sizes["minifat"], END, 0))
    difat = [at + i for i in range(fat_sectors)] + [FREE] * (109 - fat_sectors)
    header += b"".join(struct.pack("<I", v) for v in difat)
    body = directory + b"".join(data for _, data in blobs[1:])
    fat_bytes = b"".join(struct.pack("<I", v) for v in fat)
    return header + body + fat_bytes


# ---- an Outlook message ---------------------------------------------------------------------------


def _tag(prop: int, kind: int) -> str:
    return f"__substg1.0_{prop:04X}{kind:04X}"


def _properties(fixed: list[tuple[int, int, bytes]], header: bytes) -> bytes:
    return header + b"".join(struct.pack("<II", (prop << 16) | kind, 6) + _pad(value, 8)[:8]
                             for prop, kind, value in fixed)


def _filetime(when: datetime) -> bytes:
    delta = when - datetime(1601, 1, 1, tzinfo=UTC)
    return struct.pack("<Q", (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10)


def write_msg(*, subject: str, sender_name: str, sender_email: str, body: str = "", html: str = "",
              sent: datetime | None = None, message_id: str = "", headers: str = "",
              recipients: tuple[tuple[str, str, int], ...] = (),
              attachments: tuple[tuple[str, str, bytes], ...] = (),
              codepage: int | None = None, message_class: str = "IPM.Note") -> bytes:
    """A .msg file. Strings in UTF-16 (001F), or with `codepage` as 8-bit strings (001E) in it;
    `recipients` are (name, address, 1 To / 2 Cc / 3 Bcc), attachments (filename, type, bytes)."""
    codec = {932: "cp932", 65001: "utf-8"}.get(codepage or 0, f"cp{codepage}")

    def text(node: Node, prop: int, value: str) -> None:
        if codepage:
            node.stream(_tag(prop, PT_STRING8), value.encode(codec) + b"\x00")
        else:
            node.stream(_tag(prop, PT_UNICODE), value.encode("utf-16-le") + b"\x00\x00")

    root = Node("Root Entry", ROOT)
    root.storage("__nameid_version1.0")
    text(root, 0x001A, message_class)
    text(root, 0x0037, subject)
    text(root, 0x0C1A, sender_name)
    text(root, 0x0C1F, sender_email)
    text(root, 0x0C1E, "SMTP")
    text(root, 0x0042, sender_name)
    text(root, 0x0065, sender_email)
    if body:
        text(root, 0x1000, body)
    if html:
        root.stream(_tag(0x1013, PT_BINARY), html.encode(codec if codepage else "utf-8"))
    if message_id:
        text(root, 0x1035, message_id)
    if headers:
        text(root, 0x007D, headers)
    fixed = [(0x3FDE, PT_LONG, struct.pack("<I", codepage or 65001))]
    if codepage:
        fixed.append((0x3FFD, PT_LONG, struct.pack("<I", codepage)))
    if sent:
        fixed += [(0x0039, PT_SYSTIME, _filetime(sent)), (0x0E06, PT_SYSTIME, _filetime(sent))]
    for i, (name, address, kind) in enumerate(recipients):
        recipient = root.storage(f"__recip_version1.0_#{i:08X}")
        text(recipient, 0x3001, name or address)
        text(recipient, 0x3003, address)
        text(recipient, 0x3002, "SMTP")
        text(recipient, 0x39FE, address)
        recipient.stream("__properties_version1.0", _properties([(0x0C15, PT_LONG, struct.pack("<I", kind))],
                                                                b"\x00" * 8))
    for i, (filename, content_type, data) in enumerate(attachments):
        attachment = root.storage(f"__attach_version1.0_#{i:08X}")
        text(attachment, 0x3707, filename)
        text(attachment, 0x3704, filename[:8])
        text(attachment, 0x370E, content_type)
        attachment.stream(_tag(0x3701, PT_BINARY), data)
        attachment.stream("__properties_version1.0", _properties([(0x3705, PT_LONG, struct.pack("<I", 1))],
                                                                 b"\x00" * 8))
    counts = struct.pack("<8xIIII8x", len(recipients), len(attachments), len(recipients), len(attachments))
    root.stream("__properties_version1.0", _properties(fixed, counts))
    return compound_file(root)
