"""Settings > Mail: the mailboxes a user connects (/settings/mail), and those of the Books
organization they work in (/books/settings/mailboxes, seed 000's Settings > Integrations > Mail).

Connecting logs in first (app.services.mailboxes): a refusal comes back on the form (422) in the
server's own words, under the password. Then the folders step lists the server's folders, INBOX
and Sent chosen. The password is never sent back to the browser: left blank on edit, the stored
one is kept. A user changes only their own mailboxes (the service checks); an organization's
page lists its mailboxes, each changed by the member who connected it.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.errors import NotFound, ValidationError
from app.i18n import N_
from app.models import Mailbox, MailboxShare, MailboxSharing, MailFolder, MailSecurity, Membership, User
from app.permissions import Principal
from app.services import mailboxes
from views.htmx import is_partial, redirect_after_post
from views.pages import page
from views.records import Field, choices_of, error_map, form_value
from views.templating import render

SECURITY = choices_of({
    MailSecurity.TLS: N_("TLS"), MailSecurity.STARTTLS: N_("STARTTLS"), MailSecurity.NONE: N_("None (unencrypted)"),
})
SHARING = choices_of({
    MailboxSharing.PRIVATE: N_("Private: only me"),
    MailboxSharing.ALL: N_("Shared with every user"),
    MailboxSharing.CHOSEN: N_("Shared with the users I choose"),
})
IMAP_FIELDS = (
    Field("email", N_("E-mail address"), "email", required=True),
    Field("imap_host", N_("IMAP server"), required=True),
    Field("imap_port", N_("Port"), "number"),
    Field("imap_security", N_("Security"), "select", SECURITY, blank=False),
    Field("username", N_("User name"), required=True),
)
SMTP_FIELDS = (
    Field("smtp_host", N_("SMTP server")),
    Field("smtp_port", N_("Port"), "number"),
    Field("smtp_security", N_("Security"), "select", SECURITY, blank=False),
    Field("smtp_username", N_("User name")),
)
TEXT_NAMES = [f.name for f in (*IMAP_FIELDS, *SMTP_FIELDS)] + ["sharing"]
SECRET_NAMES = ("password", "smtp_password")
NOTICES = {
    "connected": N_("The mailbox is connected. Its mail is being fetched."),
    "saved": N_("The mailbox was saved."),
    "folders": N_("The folders were saved."),
    "enabled": N_("The mailbox was enabled. Its mail is fetched again."),
    "disabled": N_("The mailbox was disabled. Nothing more is fetched; what was fetched stays."),
    "sync": N_("A sync was requested."),
    "removed": N_("The mailbox was removed."),
}
DEFAULTS = {"imap_port": "993", "imap_security": MailSecurity.TLS.value, "smtp_port": "587",
            "smtp_security": MailSecurity.STARTTLS.value, "sharing": MailboxSharing.PRIVATE.value}


def parse(form: FormData) -> dict[str, Any]:
    data: dict[str, Any] = {name: str(form.get(name, "")) for name in TEXT_NAMES}
    for name in SECRET_NAMES:
        if value := str(form.get(name, "")):
            data[name] = value  # blank: keep the stored one (on edit)
    data["shared_user_ids"] = [str(v) for v in form.getlist("shared_user_ids")]
    return data


def shown(data: dict[str, Any]) -> dict[str, Any]:
    """Submitted values to show again: never the passwords."""
    return {k: v for k, v in data.items() if k not in SECRET_NAMES}


async def values_of(mailbox: Mailbox) -> dict[str, Any]:
    values = {name: form_value(getattr(mailbox, name)) for name in TEXT_NAMES}
    values["shared_user_ids"] = [str(u) for u in await MailboxShare.filter(mailbox_id=mailbox.id)
                                 .values_list("user_id", flat=True)]
    return values


# ---- where a mailbox lives: the user's settings, or their organization's ------------------------


def _organization_id(request: Request) -> int:
    org_id = request.state.principal.current_organization_id
    if org_id is None:
        raise NotFound()
    return org_id


def _home(mailbox: Mailbox | None = None, organization: bool = False) -> str:
    return "/books/settings/mailboxes" if organization or (mailbox and mailbox.organization_id) else "/settings/mail"


async def _list_page(request: Request, organization: bool, status_code: int = 200, **context) -> Response:
    principal: Principal = request.state.principal
    if organization:
        org_id = _organization_id(request)
        listed = await Mailbox.filter(organization_id=org_id).select_related("owner").order_by("email", "id")
    else:
        listed = await mailboxes.mine(principal).select_related("organization")
    context.setdefault("errors", {})
    context.setdefault("values", await _new_values(request, organization))
    context.update(
        mailboxes=listed, organization=organization, notice=NOTICES.get(request.query_params.get("done", "")),
        users=await _share_candidates(principal), action="/books/settings/mailboxes" if organization else "/settings/mail",
        imap_fields=IMAP_FIELDS, smtp_fields=SMTP_FIELDS, sharing_choices=SHARING, mailbox=None,
    )
    return render(request, "mail/mailboxes.html", context, status_code=status_code)


async def _share_candidates(principal: Principal) -> list[User]:
    return await User.filter(is_active=True).exclude(id=principal.user.id).order_by("name", "id")


async def _new_values(request: Request, organization: bool) -> dict[str, Any]:
    values: dict[str, Any] = {**DEFAULTS, "email": request.state.user.email, "shared_user_ids": []}
    if organization:
        # An organization's mail is for its members: offered shared with them.
        org_id = _organization_id(request)
        values["sharing"] = MailboxSharing.CHOSEN.value
        values["shared_user_ids"] = [str(u) for u in await Membership.filter(organization_id=org_id)
                                     .values_list("user_id", flat=True)]
    return values


def _form(request: Request, mailbox: Mailbox | None, action: str, values: dict, errors: dict,
          users: list[User], status_code: int) -> Response:
    context = {"mailbox": mailbox, "action": action, "values": values, "errors": errors, "users": users,
               "imap_fields": IMAP_FIELDS, "smtp_fields": SMTP_FIELDS, "sharing_choices": SHARING,
               "home": _home(mailbox)}
    return render(request, "mail/_mailbox_form.html", context, status_code=status_code)


async def mailbox_list(request: Request) -> Response:
    return await _list_page(request, organization=False)


async def organization_mailboxes(request: Request) -> Response:
    return await _list_page(request, organization=True)


async def _connect(request: Request, organization: bool) -> Response:
    principal: Principal = request.state.principal
    data = parse(await request.form())
    if organization:
        data["organization_id"] = str(_organization_id(request))
    try:
        mailbox = await mailboxes.connect(principal, data)
    except ValidationError as exc:
        errors = error_map(exc, request)
        action = "/books/settings/mailboxes" if organization else "/settings/mail"
        if is_partial(request):
            return _form(request, None, action, shown(data), errors, await _share_candidates(principal), 422)
        return await _list_page(request, organization, 422, errors=errors, values=shown(data))
    return redirect_after_post(request, f"/settings/mail/{mailbox.id}/folders?done=connected")


async def mailbox_connect(request: Request) -> Response:
    return await _connect(request, organization=False)


async def organization_connect(request: Request) -> Response:
    return await _connect(request, organization=True)


# ---- one mailbox ---------------------------------------------------------------------------------


async def _edit_page(request: Request, mailbox: Mailbox, values: dict, errors: dict, status_code: int = 200):
    principal: Principal = request.state.principal
    action = f"/settings/mail/{mailbox.id}/edit"
    if is_partial(request) and request.method == "POST":
        return _form(request, mailbox, action, values, errors, await _share_candidates(principal), status_code)
    context = {"mailbox": mailbox, "action": action, "values": values, "errors": errors,
               "users": await _share_candidates(principal), "imap_fields": IMAP_FIELDS, "smtp_fields": SMTP_FIELDS,
               "sharing_choices": SHARING, "home": _home(mailbox)}
    return render(request, "mail/mailbox_edit.html", context, status_code=status_code)


async def mailbox_edit(request: Request) -> Response:
    mailbox = await mailboxes.get(request.state.principal, request.path_params["id"])
    return await _edit_page(request, mailbox, await values_of(mailbox), {})


async def mailbox_update(request: Request) -> Response:
    principal: Principal = request.state.principal
    mailbox = await mailboxes.get(principal, request.path_params["id"])
    data = parse(await request.form())
    try:
        await mailboxes.update(principal, mailbox.id, data)
    except ValidationError as exc:
        return await _edit_page(request, mailbox, shown(data), error_map(exc, request), 422)
    return redirect_after_post(request, f"{_home(mailbox)}?done=saved")


async def _folder_rows(request: Request, mailbox: Mailbox) -> tuple[list[dict], dict]:
    """The server's folders (fresh), marked with what is synced now; when the server cannot be
    reached, the folders known from the last time, with its words."""
    stored = {f.name: f for f in await MailFolder.filter(mailbox_id=mailbox.id).order_by("id")}
    try:
        listed = await mailboxes.server_folders(request.state.principal, mailbox.id)
    except ValidationError as exc:
        rows = [{"name": n, "sync": f.sync, "sent": f.is_sent} for n, f in stored.items()]
        return rows, error_map(exc, request)
    rows = []
    for folder in listed:
        if not getattr(folder, "selectable", True):
            continue
        known = stored.get(folder.name)
        rows.append({"name": folder.name, "sync": bool(known and known.sync),
                     "sent": bool(known and known.is_sent) or getattr(folder, "special_use", None) == "\\Sent"})
    return rows, {}


async def _folders_page(request: Request, mailbox: Mailbox, errors: dict | None = None,
                        status_code: int = 200) -> Response:
    rows, server_errors = await _folder_rows(request, mailbox)
    context = {"mailbox": mailbox, "folders": rows, "errors": {**server_errors, **(errors or {})},
               "notice": NOTICES.get(request.query_params.get("done", "")), "home": _home(mailbox)}
    return render(request, "mail/folders.html", context, status_code=status_code)


async def mailbox_folders(request: Request) -> Response:
    mailbox = await mailboxes.get(request.state.principal, request.path_params["id"])
    return await _folders_page(request, mailbox)


async def save_folders(request: Request) -> Response:
    principal: Principal = request.state.principal
    mailbox = await mailboxes.get(principal, request.path_params["id"])
    form = await request.form()
    data = {**await values_of(mailbox), "folders": [str(v) for v in form.getlist("folders")]}
    try:
        await mailboxes.update(principal, mailbox.id, data)
    except ValidationError as exc:
        return await _folders_page(request, mailbox, error_map(exc, request), 422)
    return redirect_after_post(request, f"{_home(mailbox)}?done=folders")


def _switch(enabled: bool):
    async def switch(request: Request) -> Response:
        mailbox = await mailboxes.set_enabled(request.state.principal, request.path_params["id"], enabled)
        return redirect_after_post(request, f"{_home(mailbox)}?done={'enabled' if enabled else 'disabled'}")

    switch.__name__ = "enable_mailbox" if enabled else "disable_mailbox"
    return switch


async def sync_now(request: Request) -> Response:
    mailbox = await mailboxes.get(request.state.principal, request.path_params["id"])
    if mailbox.enabled:  # a disabled mailbox fetches nothing until it is enabled again
        await mailboxes.request_sync(mailbox.id)
    return redirect_after_post(request, f"{_home(mailbox)}?done=sync")


async def confirm_remove(request: Request) -> Response:
    mailbox = await mailboxes.get(request.state.principal, request.path_params["id"])
    return render(request, "mail/remove.html", {"mailbox": mailbox, "home": _home(mailbox)})


async def remove(request: Request) -> Response:
    mailbox = await mailboxes.get(request.state.principal, request.path_params["id"])
    await mailboxes.remove(request.state.principal, mailbox.id)
    return redirect_after_post(request, f"{_home(mailbox)}?done=removed")


routes = [
    Route("/settings/mail", page(mailbox_list)),
    Route("/settings/mail", page(mailbox_connect), methods=["POST"]),
    Route("/settings/mail/{id:id}/edit", page(mailbox_edit)),
    Route("/settings/mail/{id:id}/edit", page(mailbox_update), methods=["POST"]),
    Route("/settings/mail/{id:id}/folders", page(mailbox_folders)),
    Route("/settings/mail/{id:id}/folders", page(save_folders), methods=["POST"]),
    Route("/settings/mail/{id:id}/enable", page(_switch(True)), methods=["POST"]),
    Route("/settings/mail/{id:id}/disable", page(_switch(False)), methods=["POST"]),
    Route("/settings/mail/{id:id}/sync", page(sync_now), methods=["POST"]),
    Route("/settings/mail/{id:id}/remove", page(confirm_remove)),
    Route("/settings/mail/{id:id}/remove", page(remove), methods=["POST"]),
    Route("/books/settings/mailboxes", page(organization_mailboxes)),
    Route("/books/settings/mailboxes", page(organization_connect), methods=["POST"]),
]
