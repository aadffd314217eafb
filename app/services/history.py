"""Comments on transactions: notes users write, and the system history (created, sent, viewed,
accepted, paid ...). History text is a msgid with params, so each reader sees their language."""

from __future__ import annotations

from typing import Any

from app import cleaning
from app.errors import ValidationError
from app.i18n import N_, Day, language_of
from app.models import Comment, CommentKind, Transaction, User
from app.models.base import LONG_TEXT_MAX
from app.permissions import Principal, require


async def record(txn: Transaction, action: str, msgid: str, author: User | None = None, **params: Any) -> Comment:
    return await Comment.create(
        transaction_id=txn.id, kind=CommentKind.HISTORY, action=action, text=msgid,
        params={k: str(v) for k, v in params.items()}, author_id=author.id if author else None,
    )


async def add_note(principal: Principal, txn: Transaction, text: str, visible_to_customer: bool = False) -> Comment:
    """A user's note: writing on a document takes the right to edit it. Marked visible to the
    customer, it shows in the customer portal (app.services.portal)."""
    require(principal, "create_edit", txn)
    text = (text or "").strip()
    if not cleaning.storable(text):
        raise ValidationError.single("text", cleaning.UNSTORABLE)
    if not text:
        raise ValidationError.single("text", N_("This field is required."))
    if len(text) > LONG_TEXT_MAX:
        raise ValidationError.single(
            "text", N_("Must be at most %(max)d characters (now %(length)d)."),
            max=LONG_TEXT_MAX, length=len(text))
    return await Comment.create(transaction_id=txn.id, kind=CommentKind.NOTE, text=text,
                                author_id=principal.user.id, visible_to_customer=bool(visible_to_customer))


# History parameters that hold a calendar day (ISO text).
DAY_PARAMS = frozenset({"date"})


def render_comment(comment: Comment, gettext) -> str:
    """The comment as its reader should see it."""
    if comment.kind == CommentKind.NOTE:
        return comment.text
    text = gettext(comment.text)
    if not comment.params:
        return text
    lang = language_of(gettext)  # days are stored ISO and written the reader's way
    return text % {k: Day(v).shown(lang) if k in DAY_PARAMS and lang else v for k, v in comment.params.items()}
