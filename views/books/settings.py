"""Books settings and the organization switcher.

Settings > Organization (/books/settings) and Settings > E-mail templates
(/books/settings/templates) are for administrators (the settings.admin grant) and act on the
organization they work in now; app.services.organizations and app.services.email_templates check
the membership again. The switcher (/books/organization) is for every member: it only remembers,
in the session, which of their organizations the Books pages show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from app import settings as app_settings
from app import kinds
from app import cleaning
from app.errors import NotFound, ValidationError
from app.i18n import N_
from app.limits import limit_body
from app.models import Edition, Kind, Organization, SmtpSecurity, TaxRounding, User
from app.services import email_templates
from app.services import organizations as organization_service
from app.services.documents import storage_path
from app.services.organizations import IMAGE_MAX_BYTES, IMAGE_TYPES, IMAGES, organizations, set_image
from views.books.masters import address_section, parse_terms
from views.choices import CURRENCIES
from views.flash import flash
from views.htmx import is_partial, redirect_after_post
from views.pages import page, safe_next
from views.records import Field, Section, choices_of, error_map, form_value
from views.settings import admin_page
from views.templating import render, translator

TEMPLATES = "books_settings"
LANGUAGES = (("ja", "日本語"), ("en", "English"))
MONTHS = tuple((str(m), str(m)) for m in range(1, 13))
TAX_ROUNDING = choices_of({
    TaxRounding.DOWN: N_("Round down"), TaxRounding.HALF_UP: N_("Round half up"), TaxRounding.UP: N_("Round up"),
})
EDITIONS = choices_of({Edition.BOOKS: N_("Books (with sales orders)"), Edition.INVOICE: N_("Invoicing only")})
SMTP_SECURITY = choices_of({
    SmtpSecurity.STARTTLS: N_("STARTTLS"), SmtpSecurity.TLS: N_("TLS"), SmtpSecurity.NONE: N_("None (unencrypted)"),
})
KINDS = choices_of({k.kind: k.singular for k in kinds.KINDS})
IMAGE_MEDIA_TYPES = {suffix: mime for mime, suffix in IMAGE_TYPES.items()}


@dataclass(frozen=True)
class SettingsForm:
    """One form of the settings page, saved on its own (its fields only) by the service."""

    key: str
    title: str
    sections: tuple[Section, ...]

    @property
    def fields(self) -> list[Field]:
        return [f for s in self.sections for f in s.fields]

    @property
    def action(self) -> str:
        return f"/books/settings/{self.key}"

    def values(self, org: Organization, submitted: dict[str, str] | None = None) -> dict[str, Any]:
        values = {f.name: form_value(getattr(org, f.name)) for f in self.fields}
        values.update(submitted or {})
        for f in self.fields:
            if f.kind == "password":
                values[f.name] = ""  # a password is never sent back to the browser
        return values

    def parse(self, form: FormData) -> dict[str, str]:
        data = {f.name: str(form.get(f.name, "")) for f in self.fields if f.parse is None}
        for f in self.fields:
            if f.parse is not None:
                data.update(f.parse(form))
        for f in self.fields:
            if f.kind == "password" and not data[f.name]:
                del data[f.name]  # left blank: keep the stored one
        return data


LANGUAGE_FIELD = Field("language", N_("Language of documents"), "select", LANGUAGES, blank=False, translate=False)
CURRENCY_FIELD = Field("currency", N_("Currency"), "select", CURRENCIES, blank=False, translate=False)
EDITION_FIELD = Field("edition", N_("Edition"), "select", EDITIONS, blank=False)
REGISTRATION_FIELD = Field("registration_number", N_("Registration number (T + 13 digits)"))

FORMS = (
    SettingsForm("profile", N_("Profile"), (
        Section(N_("Organization"), (
            Field("name", N_("Organization name"), required=True),
            REGISTRATION_FIELD,
            Field("phone", N_("Phone"), "tel"),
            Field("email", N_("E-mail"), "email"),
            Field("website", N_("Website"), "url"),
            LANGUAGE_FIELD,
            Field("bank_details", N_("Bank details"), "textarea"),
        )),
        address_section("address", N_("Address")),
    )),
    SettingsForm("fiscal", N_("Fiscal settings"), (Section(N_("Fiscal settings"), (
        CURRENCY_FIELD,
        Field("fiscal_year_start_month", N_("Fiscal year starts in month"), "select", MONTHS, blank=False,
              translate=False),
        Field("tax_rounding", N_("Rounding of consumption tax"), "select", TAX_ROUNDING, blank=False),
        # Customers without their own terms are billed by these (app.services.payment_terms).
        Field("payment_terms", N_("Payment terms"), "terms", blank=False, parse=parse_terms),
        EDITION_FIELD,
    )),)),
    SettingsForm("numbering", N_("Numbering"), (Section(N_("Number prefixes"), (
        Field("estimate_prefix", N_("Estimates")),
        Field("sales_order_prefix", N_("Sales orders")),
        Field("invoice_prefix", N_("Invoices")),
        Field("purchase_order_prefix", N_("Purchase orders")),
        Field("credit_note_prefix", N_("Credit notes")),
    )),)),
    SettingsForm("mail", N_("Outgoing e-mail"), (
        Section(N_("SMTP server"), (
            Field("smtp_host", N_("Host")),
            Field("smtp_port", N_("Port"), "number"),
            Field("smtp_security", N_("Security"), "select", SMTP_SECURITY, blank=False),
            Field("smtp_username", N_("User name")),
            Field("smtp_password", N_("Password"), "password"),
        )),
        Section(N_("Sender"), (
            Field("sender_email", N_("Sender e-mail"), "email"),
            Field("sender_name", N_("Sender name")),
        )),
    )),
)
NEW_ORGANIZATION = SettingsForm("organizations", N_("New organization"), (Section(N_("Organization"), (
    Field("name", N_("Organization name"), required=True),
    REGISTRATION_FIELD, CURRENCY_FIELD, LANGUAGE_FIELD, EDITION_FIELD,
)),))


async def current_organization(request: Request) -> Organization:
    """The organization the user works in now, as an administrator of it."""
    principal = request.state.principal
    return await organizations.get(principal, principal.current_organization_id or 0, "admin")


# ---- Settings > Organization ---------------------------------------------------------------


async def _settings_page(request: Request, org: Organization, status_code: int = 200, **context) -> Response:
    values = {form.key: form.values(org) for form in FORMS}
    values.update(context.pop("values", {}))
    member_ids = await org.memberships.all().values_list("user_id", flat=True)
    context.update(
        org=org, forms=FORMS, values=values, saved=request.query_params.get("saved", ""),
        members=await User.filter(id__in=member_ids).order_by("name"),
        candidates=await User.filter(is_active=True).exclude(id__in=member_ids).order_by("name"),
    )
    for name in ("errors", "member_errors", *(f"{image}_errors" for image in IMAGES)):
        context.setdefault(name, {})
    return render(request, f"{TEMPLATES}/organization.html", context, status_code=status_code)


async def organization_settings(request: Request) -> Response:
    if request.state.principal.current_organization_id is None:
        return RedirectResponse("/books/settings/organizations/new", status_code=303)
    return await _settings_page(request, await current_organization(request))


def _saver(form: SettingsForm):
    async def save_settings(request: Request) -> Response:
        org = await current_organization(request)
        data = form.parse(await request.form())
        try:
            await organizations.update(request.state.principal, org.id, data)
        except ValidationError as exc:
            errors = {form.key: error_map(exc, request)}
            values = {form.key: form.values(org, data)}
            if is_partial(request):
                context = {"form": form, "values": values, "errors": errors, "org": org}
                return render(request, f"{TEMPLATES}/_settings_form.html", context, status_code=422)
            return await _settings_page(request, org, 422, values=values, errors=errors)
        return redirect_after_post(request, f"/books/settings?saved={form.key}#{form.key}")

    save_settings.__name__ = f"save_{form.key}_settings"
    return save_settings


async def add_member(request: Request) -> Response:
    org = await current_organization(request)
    chosen = str((await request.form()).get("user_id", ""))
    try:
        await organization_service.add_member(request.state.principal, org.id, cleaning.pk(chosen) or 0)
    except ValidationError as exc:
        return await _settings_page(request, org, 422, member_errors=error_map(exc, request))
    return redirect_after_post(request, "/books/settings?saved=members#members")


async def remove_member(request: Request) -> Response:
    org = await current_organization(request)
    await organization_service.remove_member(request.state.principal, org.id, request.path_params["user_id"])
    return redirect_after_post(request, "/books/settings?saved=members#members")


async def new_organization(request: Request) -> Response:
    values = {"organizations": {"currency": "JPY", "language": "ja", "edition": Edition.BOOKS.value}}
    return _new_organization_page(request, values)


def _new_organization_page(request: Request, values: dict, errors: dict | None = None,
                           status_code: int = 200) -> Response:
    context = {"form": NEW_ORGANIZATION, "values": values, "errors": errors or {}}
    return render(request, f"{TEMPLATES}/new_organization.html", context, status_code=status_code)


async def create_organization(request: Request) -> Response:
    data = NEW_ORGANIZATION.parse(await request.form())
    try:
        org = await organizations.create(request.state.principal, data)
    except ValidationError as exc:
        key = NEW_ORGANIZATION.key
        return _new_organization_page(request, {key: data}, {key: error_map(exc, request)}, 422)
    request.session["organization_id"] = org.id  # the creator goes on working in it
    flash(request, N_("Organization “%(name)s” was created."), name=org.name)
    return redirect_after_post(request, "/books/settings")


# ---- logo and company seal ------------------------------------------------------------------
# Two images kept alike (app.services.organizations.set_image): each has its panel
# (_image.html), an upload, a removal, and a URL serving it to every member.


async def _image_panel(request: Request, field: str, org: Organization, errors: dict | None = None,
                       status_code: int = 200) -> Response:
    context = {"org": org, "field": field, f"{field}_errors": errors or {}}
    return render(request, f"{TEMPLATES}/_image.html", context, status_code=status_code)


def _image_views(field: str):
    async def upload(request: Request) -> Response:
        org = await current_organization(request)
        upload = (await request.form()).get(field)
        try:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise ValidationError.single(field, N_("Choose a file."))
            await set_image(request.state.principal, org.id, field, upload.filename,
                            await upload.read(IMAGE_MAX_BYTES + 1))
            org = await organizations.get(request.state.principal, org.id)
        except ValidationError as exc:
            if is_partial(request):
                return await _image_panel(request, field, org, error_map(exc, request), 422)
            return await _settings_page(request, org, 422, **{f"{field}_errors": error_map(exc, request)})
        return await after_change(request, org)

    async def delete(request: Request) -> Response:
        org = await current_organization(request)
        await set_image(request.state.principal, org.id, field, None, None)
        org = await organizations.get(request.state.principal, org.id)
        return await after_change(request, org)

    async def after_change(request: Request, org: Organization) -> Response:
        if is_partial(request):
            return await _image_panel(request, field, org)
        return redirect_after_post(request, f"/books/settings?saved={field}#{field}")

    async def serve(request: Request) -> Response:
        """The image, for any member: served with its own type, never sniffed into something else."""
        org = await organizations.get(request.state.principal, request.path_params["id"])
        stored = getattr(org, f"{field}_path")
        path = storage_path(stored) if stored else None
        if path is None or not path.exists():
            raise NotFound()
        headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=86400"}
        media_type = IMAGE_MEDIA_TYPES.get(path.suffix, "application/octet-stream")
        return FileResponse(path, media_type=media_type, headers=headers)

    upload.__name__, delete.__name__, serve.__name__ = f"upload_{field}", f"delete_{field}", field
    return upload, delete, serve


upload_logo, delete_logo, logo = _image_views("logo")
upload_seal, delete_seal, seal = _image_views("seal")


# ---- organization switcher -----------------------------------------------------------------


async def switcher(request: Request) -> Response:
    """The header's organization select (loaded by htmx); back to the page it sits on."""
    principal = request.state.principal
    current = urlsplit(request.headers.get("hx-current-url", ""))
    here = current.path + (f"?{current.query}" if current.query else "")
    context = {
        "organizations": await Organization.filter(id__in=sorted(principal.organization_ids)),
        "current_id": principal.current_organization_id, "next": safe_next(here, ""),
    }
    return render(request, f"{TEMPLATES}/_switcher.html", context)


async def switch_organization(request: Request) -> Response:
    form = await request.form()
    chosen = cleaning.pk(form.get("organization_id", ""))
    if chosen not in request.state.principal.organization_ids:
        raise NotFound()
    request.session["organization_id"] = chosen
    return redirect_after_post(request, safe_next(str(form.get("next", "")), "/books/invoices"))


# ---- Settings > E-mail templates -----------------------------------------------------------

TEMPLATE_FIELDS = ("name", "language", "subject", "body")
TEMPLATE_SECTION = Section(N_("Template"), (
    Field("name", N_("Name"), required=True),
    Field("language", N_("Language"), "select", LANGUAGES, blank=False, translate=False),
    Field("subject", N_("Subject"), required=True),
))


# What the templates page says after a change (a flash message); the name is data.
TEMPLATE_DONE = {
    "created": N_("E-mail template “%(name)s” was created."),
    "saved": N_("E-mail template “%(name)s” was saved."),
    "default": N_("E-mail template “%(name)s” is now the default."),
    "deleted": N_("E-mail template “%(name)s” was deleted."),
}


def _kind(value: Any) -> Kind:
    try:
        return Kind(value)
    except ValueError:
        return Kind.ESTIMATE


async def _templates_page(request: Request, kind: Kind, status_code: int = 200, problem: str = "") -> Response:
    org = await current_organization(request)
    context = {
        "org": org, "kind": kind, "kinds": KINDS, "languages": dict(LANGUAGES), "problem": problem,
        "templates": await email_templates.templates_for(request.state.principal, org.id, kind),
    }
    return render(request, f"{TEMPLATES}/templates.html", context, status_code=status_code)


async def template_list(request: Request) -> Response:
    return await _templates_page(request, _kind(request.query_params.get("kind")))


def _template_form(request: Request, kind: Kind, values: dict, template=None, errors: dict | None = None,
                   status_code: int = 200) -> Response:
    from app.mail.templates import PLACEHOLDERS  # the mail package is still settling: import late

    context = {
        "kind": kind, "kind_label": dict(KINDS)[kind.value], "template": template, "values": values,
        "errors": errors or {}, "section": TEMPLATE_SECTION, "placeholders": PLACEHOLDERS,
        "action": f"/books/settings/templates/{template.id}" if template else "/books/settings/templates",
    }
    return render(request, f"{TEMPLATES}/template_form.html", context, status_code=status_code)


def _back_to_templates(request: Request, kind: Kind) -> Response:
    return redirect_after_post(request, f"/books/settings/templates?kind={kind.value}")


def _template_data(form: FormData) -> dict[str, str]:
    return {name: str(form.get(name, "")) for name in TEMPLATE_FIELDS}


async def new_template(request: Request) -> Response:
    await current_organization(request)
    return _template_form(request, _kind(request.query_params.get("kind")), {"language": "ja"})


async def create_template(request: Request) -> Response:
    org = await current_organization(request)
    form = await request.form()
    kind, data = _kind(form.get("kind")), _template_data(form)
    data["is_default"] = str(form.get("is_default", ""))
    try:
        template = await email_templates.create(request.state.principal, org.id, kind, data)
    except ValidationError as exc:
        return _template_form(request, kind, data, errors=error_map(exc, request), status_code=422)
    flash(request, TEMPLATE_DONE["created"], name=template.name)
    return _back_to_templates(request, kind)


async def edit_template(request: Request) -> Response:
    template = await email_templates.get(request.state.principal, request.path_params["id"])
    values = {name: getattr(template, name) for name in TEMPLATE_FIELDS}
    return _template_form(request, template.kind, values, template)


async def update_template(request: Request) -> Response:
    principal = request.state.principal
    template = await email_templates.get(principal, request.path_params["id"])
    data = _template_data(await request.form())
    try:
        template = await email_templates.update(principal, template.id, data)
    except ValidationError as exc:
        return _template_form(request, template.kind, data, template, error_map(exc, request), 422)
    flash(request, TEMPLATE_DONE["saved"], name=template.name)
    return _back_to_templates(request, template.kind)


async def default_template(request: Request) -> Response:
    template = await email_templates.update(request.state.principal, request.path_params["id"],
                                            {"is_default": "true"})
    flash(request, TEMPLATE_DONE["default"], name=template.name)
    return _back_to_templates(request, template.kind)


async def delete_template(request: Request) -> Response:
    principal = request.state.principal
    template = await email_templates.get(principal, request.path_params["id"])
    try:
        await email_templates.delete(principal, template.id)
    except ValidationError as exc:
        return await _templates_page(request, template.kind, 409, exc.errors[0].render(translator(request)))
    flash(request, TEMPLATE_DONE["deleted"], name=template.name)
    return _back_to_templates(request, template.kind)


routes = [
    Route("/books/organization", page(switch_organization), methods=["POST"]),
    Route("/books/organization/switcher", page(switcher)),
    Route("/books/organization/{id:id}/logo", page(logo)),
    Route("/books/organization/{id:id}/seal", page(seal)),
    Route("/books/settings", admin_page(organization_settings)),
    *(Route(form.action, admin_page(_saver(form)), methods=["POST"]) for form in FORMS),
    limit_body(Route("/books/settings/logo", admin_page(upload_logo), methods=["POST"]),
               IMAGE_MAX_BYTES + app_settings.UPLOAD_MARGIN_BYTES),
    Route("/books/settings/logo/delete", admin_page(delete_logo), methods=["POST"]),
    limit_body(Route("/books/settings/seal", admin_page(upload_seal), methods=["POST"]),
               IMAGE_MAX_BYTES + app_settings.UPLOAD_MARGIN_BYTES),
    Route("/books/settings/seal/delete", admin_page(delete_seal), methods=["POST"]),
    Route("/books/settings/members", admin_page(add_member), methods=["POST"]),
    Route("/books/settings/members/{user_id:id}/remove", admin_page(remove_member), methods=["POST"]),
    Route("/books/settings/organizations/new", admin_page(new_organization)),
    Route(NEW_ORGANIZATION.action, admin_page(create_organization), methods=["POST"]),
    Route("/books/settings/templates", admin_page(template_list)),
    Route("/books/settings/templates", admin_page(create_template), methods=["POST"]),
    Route("/books/settings/templates/new", admin_page(new_template)),
    Route("/books/settings/templates/{id:id}", admin_page(edit_template)),
    Route("/books/settings/templates/{id:id}", admin_page(update_template), methods=["POST"]),
    Route("/books/settings/templates/{id:id}/default", admin_page(default_template), methods=["POST"]),
    Route("/books/settings/templates/{id:id}/delete", admin_page(delete_template), methods=["POST"]),
]
