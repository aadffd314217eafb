"""A reply's own words apart from what it quotes, so a thread shows each message's new text and
collapses the rest.

mail-parser-reply (MIT, multi-language) finds the reply headers mail clients write ("On ...
wrote:", Outlook's "From:/Sent:/To:/Subject:" block, Gmail's Japanese "2024年1月2日(火) 10:00 名前
<addr>:"). Rules of our own add what it misses in Japanese business mail: Japanese Outlook's
"差出人:/送信日時:/宛先:/件名:" block, "-----Original Message-----" (and 元のメッセージ), a
trailing block of "> " lines with its attribution line, and the "-- " signature separator.
The earliest cut wins; a message that would show nothing keeps everything visible.
"""

from __future__ import annotations

import logging
import re

from mailparser_reply import EmailReplyParser

log = logging.getLogger(__name__)

# The library's patterns run over the text several times: the reply header is near the top of
# anything real, and beyond this only our own (linear) rules look.
LIBRARY_MAX_CHARS = 20_000

_QUOTE = r"[ \t]*(?:[>＞|][ \t]?)*[ \t]*"
_JA_OUTLOOK_FIRST = re.compile(rf"^{_QUOTE}[*]?(?:差出人|送信者|From)[*]?[ \t]*[:：]", re.IGNORECASE)
_JA_OUTLOOK_NEXT = re.compile(rf"^{_QUOTE}[*]?(?:送信日時|日時|日付|宛先|件名|CC|Cc|Sent|To|Subject|Date)[*]?[ \t]*[:：]")
_ORIGINAL = re.compile(
    rf"^{_QUOTE}-{{2,}}[ \t]*(?:original message|元のメッセージ|オリジナル[ \t]*メッセージ|"
    rf"ursprüngliche nachricht|message d'origine|mensaje original)[ \t]*-{{2,}}[ \t]*$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^[ \t]*[_\-－ー━─＿]{10,}[ \t]*$")
_QUOTED_LINE = re.compile(r"^[ \t]*[>＞]")
_ATTRIBUTION = re.compile(r"(?:wrote|書きました|さんは書きました|より|writes)[ \t]*[:：][ \t]*$|[:：][ \t]*$", re.IGNORECASE)
_SIGNATURE = re.compile(r"^--[ \t]?$")

_PARSER = EmailReplyParser(languages=["ja", "en"])


def split(text: str) -> tuple[str, str]:
    """(visible, quoted): the reply's own text, and the quoted messages and signature after it
    ("" when there are none)."""
    if not text:
        return "", ""
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    cuts = [cut for cut in (_rules(lines), _library(text, lines)) if cut is not None]
    if not cuts:
        return text.rstrip(), ""
    cut = min(cuts)
    visible = "\n".join(lines[:cut]).rstrip()
    if not visible.strip():
        return text.rstrip(), ""
    return visible, "\n".join(lines[cut:]).strip("\n")


def _rules(lines: list[str]) -> int | None:
    """The first line where a quote or signature begins by our own rules, or None."""
    tail = _trailing_quote(lines)
    for i, line in enumerate(lines[:tail] if tail is not None else lines):
        if _SIGNATURE.match(line) or _ORIGINAL.match(line):
            return i
        if _JA_OUTLOOK_FIRST.match(line) and any(_JA_OUTLOOK_NEXT.match(nxt) for nxt in lines[i + 1:i + 6]):
            return _rule_above(lines, i)
    return tail


def _rule_above(lines: list[str], i: int) -> int:
    """Outlook draws a line of underscores over its header block: the cut includes it."""
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    return j if j >= 0 and _RULE.match(lines[j]) else i


def _trailing_quote(lines: list[str]) -> int | None:
    """Start of the last block of quoted lines when nothing but blank lines follows it, moved up
    over its attribution line ("... wrote:", "...さんは書きました:") if there is one."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and (_QUOTED_LINE.match(lines[start - 1]) or (not lines[start - 1].strip() and start < end)):
        start -= 1
    while start < end and not lines[start].strip():
        start += 1
    if start == end or not _QUOTED_LINE.match(lines[start]):
        return None
    above = start - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    if above >= 0 and _ATTRIBUTION.search(lines[above]) and above >= start - 3:
        return above
    return start


def _library(text: str, lines: list[str]) -> int | None:
    """The line where mail-parser-reply's first reply ends, or None. It works on a normalised
    copy (lines stripped); the cut is mapped back by line number, and dropped if the copy's
    lines do not match ours one for one."""
    head = text[:LIBRARY_MAX_CHARS]
    try:
        message = _PARSER.read(head)
    except Exception:  # noqa: BLE001 - a library bug must not hide the mail
        log.warning("reply parser failed", exc_info=True)
        return None
    if len(message.replies) < 2 or message.replies[0].headers:
        return None
    normal = message.text
    normal_lines = normal.split("\n")
    head_lines = head.split("\n")
    if len(normal_lines) != len(head_lines) or any(
            a != b.strip() for a, b in zip(normal_lines, head_lines, strict=True)):
        return None
    first = message.replies[0].content
    start = normal.find(first)
    if not first or start < 0:
        return None
    cut = normal.count("\n", 0, start + len(first)) + 1
    return cut if cut < len(lines) else None
