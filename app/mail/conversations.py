"""Which thread a newly stored e-mail belongs to (a thread is named by its first e-mail's id).

In order: the Message-IDs it replies to or references (nearest first); the token Kizuna puts in
the subject of mail it sends (replies keep the subject even when a client strips the headers);
the same normalised subject with the same people; else a thread of its own. A batch is resolved
in a few queries whatever its size, replies in the same batch included.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.mail import rows
from app.mail.mime import HeaderInfo
from app.mail.threads import find_token
from app.models import Email, EmailParticipant


def people(message: HeaderInfo) -> frozenset[str]:
    return frozenset(a.address for a in (*([message.sender] if message.sender else []), *message.to,
                                         *message.cc) if a.address)


async def _addresses_of(email_ids: list[int]) -> dict[int, frozenset[str]]:
    found: dict[int, set[str]] = {}
    for start in range(0, len(email_ids), 500):
        for email_id, address in await EmailParticipant.filter(
                email_id__in=email_ids[start:start + 500]).values_list("email_id", "address"):
            found.setdefault(email_id, set()).add(address)
    return {k: frozenset(v) for k, v in found.items()}


async def assign(conn, new: Mapping[int, HeaderInfo]) -> dict[int, int]:
    """email id -> thread id for these new e-mails."""
    refs = sorted({r[:255] for m in new.values() for r in (m.in_reply_to, *m.references) if r})
    by_message_id: dict[str, int] = dict(await rows.select_in(
        conn, "SELECT message_id, thread_id FROM emails WHERE thread_id IS NOT NULL AND message_id IN ({in})", refs))
    tokens = {i: t for i, m in new.items() if (t := find_token(m.kizuna_token or m.subject)) is not None}
    by_token = dict(await Email.filter(id__in=sorted(set(tokens.values()))).values_list("id", "thread_id")) \
        if tokens else {}
    threads: dict[int, int] = {}
    unresolved: dict[int, HeaderInfo] = {}
    for email_id, message in sorted(new.items()):
        thread = next((by_message_id[r[:255]] for r in (message.in_reply_to, *reversed(message.references))
                       if r and r[:255] in by_message_id), None)
        if thread is None and email_id in tokens:
            thread = by_token.get(tokens[email_id])
        if thread is None:
            unresolved[email_id] = message
            thread = email_id
        threads[email_id] = thread
        if message.message_id:
            by_message_id.setdefault(message.message_id[:255], thread)
    subjects = sorted({m.normalized_subject[:255] for m in unresolved.values() if m.normalized_subject})
    if subjects:
        similar = await Email.filter(normalized_subject__in=subjects, thread_id__not_isnull=True,
                                  id__not_in=list(new)).order_by("-sent_at").limit(2000).values_list(
            "id", "normalized_subject", "thread_id")
        known = await _addresses_of([r[0] for r in similar])
        for email_id, message in unresolved.items():
            mine = people(message)
            for other_id, subject, thread in similar:
                if subject == message.normalized_subject[:255] and known.get(other_id) == mine:
                    threads[email_id] = thread
                    break
    return threads
