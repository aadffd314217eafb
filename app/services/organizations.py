"""Organizations (Books tenants), their members, and the scope every Books record lives in.

A deployment hosts several organizations; users belong to one or more. Books records carry their
organization; a user reaches the records of the organizations they belong to (app.permissions).
Settings of an organization are edited by administrators who are members of it.
"""

from __future__ import annotations

import re
import unicodedata
import secrets
from io import BytesIO
from typing import Any, ClassVar

from tortoise.models import Model
from tortoise.transactions import in_transaction

from app import cleaning, kinds
from app.errors import Conflict, NotFound, PermissionDenied, ValidationError
from app.i18n import N_
from app.models import Edition, Kind, Membership, Organization, Transaction, User
from app.money import MINOR_UNITS
from app.permissions import Principal, require
from app.services import payment_terms
from app.services.records import EMAIL_RE, Cleaned, RecordService

# ASCII digits only: `\d` and int() accept every script's digits (Arabic-Indic ones would pass
# and print as empty boxes).
REGISTRATION_RE = re.compile(r"T[0-9]{13}")


def corporate_number_check_digit(base12: str) -> int:
    """The leading check digit of a 13-digit corporate number (法人番号) from its other 12 digits:
    9 - (sum of digits weighted 1,2,1,2... from the right) mod 9."""
    total = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(reversed(base12)))
    return 9 - total % 9


def registration_number_problem(value: str) -> str | None:
    """None when `value` is a valid qualified-invoice registration number (T + 13 digits)."""
    if not REGISTRATION_RE.fullmatch(value):
        return N_("Enter T followed by the 13 digits of the registration number.")
    digits = value[1:]
    if int(digits[0]) != corporate_number_check_digit(digits[1:]):
        return N_("The registration number's check digit is wrong; check the number.")
    return None


def normalize_registration_number(value: Any) -> str:
    """Accept the forms people paste: lower-case t, full-width letters and digits (NFKC), hyphens
    and spaces. What is left must be T and 13 ASCII digits (registration_number_problem)."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip().upper()
    return re.sub(r"[\s\-‐‑‒–—−]", "", text)


class OrganizationScoped:
    """Mixin for services of Books records: the organization comes from the input (one the user
    belongs to) or is the user's current one, and never changes afterwards."""

    owned: ClassVar[bool] = False

    async def coerce(self, principal: Principal, name: str, value: Any, cleaned: Cleaned) -> Any:
        if name == "organization_id":
            return value  # decided in validate(), where the instance is known
        return await super().coerce(principal, name, value, cleaned)  # type: ignore[misc]

    async def validate(self, principal: Principal, cleaned: Cleaned, instance: Model | None) -> None:
        requested = cleaned.values.pop("organization_id", None)
        if instance is not None:
            if requested not in (None, "") and str(requested) != str(instance.organization_id):
                cleaned.error("organization_id", N_("A record cannot move to another organization."))
        else:
            org_id = cleaning.pk(requested or principal.current_organization_id or 0)
            if org_id not in principal.organization_ids:
                cleaned.error("organization_id", N_("Choose an organization you belong to."))
            else:
                cleaned.values["organization_id"] = org_id
        await super().validate(principal, cleaned, instance)  # type: ignore[misc]


class OrganizationService(RecordService):
    model = Organization
    owned = False
    fields = (
        "name", "edition", "phone", "email", "website", "registration_number", "bank_details",
        "currency", "fiscal_year_start_month", "tax_rounding", "language", "payment_terms",
        "estimate_prefix", "sales_order_prefix", "invoice_prefix", "purchase_order_prefix", "credit_note_prefix",
        "smtp_host", "smtp_port", "smtp_username", "smtp_password", "smtp_security",
        "sender_email", "sender_name",
        *(f"address_{p}" for p in ("attention", "street", "city", "state", "code", "country")),
    )
    required = ("name",)

    def query(self, principal: Principal, action: str = "view"):
        return Organization.filter(id__in=sorted(principal.organization_ids))

    async def get(self, principal: Principal, record_id: int | str, action: str = "view") -> Organization:
        pk = cleaning.pk(record_id)
        if pk not in principal.organization_ids:
            raise NotFound()
        org = await Organization.get_or_none(id=pk)
        if org is None:
            raise NotFound()
        if action != "view":
            require(principal, "admin", "settings")
        return org

    async def create(self, principal: Principal, data: dict[str, Any]) -> Organization:
        require(principal, "admin", "settings")
        cleaned = await self.clean(principal, data, None)
        async with in_transaction():
            org = await Organization.create(**cleaned.values)
            await Membership.create(organization_id=org.id, user_id=principal.user.id)
            await install_default_templates(org)
        principal.joined(org.id)
        return org

    async def update(self, principal: Principal, record_id: int | str, data: dict[str, Any]) -> Organization:
        org = await self.get(principal, record_id, "admin")
        cleaned = await self.clean(principal, data, org)
        for key, value in cleaned.values.items():
            setattr(org, key, value)
        await org.save()
        return org

    async def delete(self, principal: Principal, record_id: int | str) -> int:
        raise Conflict(N_("Organizations with records cannot be deleted."))

    async def coerce(self, principal: Principal, name: str, value: Any, cleaned: Cleaned) -> Any:
        if name == "registration_number":
            value = normalize_registration_number(value)
        if name == "payment_terms":
            return payment_terms.coerce(value, cleaned.error, blank_allowed=False)
        return await super().coerce(principal, name, value, cleaned)

    async def validate(self, principal: Principal, cleaned: Cleaned, instance: Model | None) -> None:
        values = cleaned.values
        number = values.get("registration_number")
        if number and (problem := registration_number_problem(number)):
            cleaned.error("registration_number", problem)
        if "currency" in values and values["currency"] not in MINOR_UNITS:
            cleaned.error("currency", N_("Choose one of the offered values."))
        month = values.get("fiscal_year_start_month")
        if month is not None and not 1 <= month <= 12:
            cleaned.error("fiscal_year_start_month", N_("Enter a month from 1 to 12."))
        port = values.get("smtp_port")
        if port is not None and not 1 <= port <= 65535:
            cleaned.error("smtp_port", N_("Enter a port from 1 to 65535."))
        for name in ("email", "sender_email"):
            if values.get(name) and not EMAIL_RE.match(values[name]):
                cleaned.error(name, N_("Enter a valid e-mail address."))
        if "language" in values and values["language"] not in ("ja", "en"):
            cleaned.error("language", N_("Choose one of the offered values."))
        for kind in kinds.KINDS:
            name = kind.prefix_field
            if name in values and not re.fullmatch(r"[A-Za-z0-9\-_/]{1,10}", values[name]):
                cleaned.error(name, N_("Use up to 10 letters, digits, hyphens or slashes."))
        if (instance is not None and values.get("edition") == Edition.INVOICE
                and instance.edition == Edition.BOOKS
                and await Transaction.filter(organization_id=instance.id,
                                             kind__in=[k.kind for k in kinds.KINDS if k.books_edition_only]).exists()):
            cleaned.error("edition", N_("This organization has sales orders, which only the Books edition keeps."))


organizations = OrganizationService()


async def add_member(principal: Principal, organization_id: int, user_id: int) -> None:
    await organizations.get(principal, organization_id, "admin")
    if not await User.filter(id=user_id, is_active=True).exists():
        raise ValidationError.single("user_id", N_("Choose an active user."))
    await Membership.get_or_create(organization_id=organization_id, user_id=user_id)


async def remove_member(principal: Principal, organization_id: int, user_id: int) -> None:
    await organizations.get(principal, organization_id, "admin")
    if user_id == principal.user.id:
        raise PermissionDenied(N_("You cannot remove yourself from an organization."))
    await Membership.filter(organization_id=organization_id, user_id=user_id).delete()


# The organization's images (the logo, the company seal): PNG or JPEG told from their bytes,
# bounded in bytes and in pixels, and decoded once on upload, so that a file the PDF renderer
# would choke on (or a small file that inflates to gigabytes) never gets stored.
IMAGE_TYPES = {"image/png": ".png", "image/jpeg": ".jpg"}
IMAGE_MAX_BYTES = 1024 * 1024
IMAGE_MAX_SIDE = 4096  # pixels: a 21 mm seal at 600 dpi is 500; a logo 40 mm wide, 950
IMAGES = ("logo", "seal")  # each kept in Organization.<name>_path
LOGO_TYPES, LOGO_MAX_BYTES = IMAGE_TYPES, IMAGE_MAX_BYTES


def _decoded(field: str, content: bytes) -> None:
    """Decode the image in full (CPU work: call it from a worker thread); the size is read from
    the header first, so a decompression bomb is refused before it is inflated."""
    from PIL import Image

    too_large = ValidationError.single(field, N_("The image is larger than %(max)d x %(max)d pixels."),
                                       max=IMAGE_MAX_SIDE)
    try:
        with Image.open(BytesIO(content)) as image:
            width, height = image.size
            if width > IMAGE_MAX_SIDE or height > IMAGE_MAX_SIDE:
                raise too_large
            image.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError:  # Pillow's own bound, far above ours, met at opening
        raise too_large from None
    except Exception:  # noqa: BLE001 - whatever the decoder raises: truncated, corrupt, bomb
        raise ValidationError.single(field, N_("The image could not be read."))


async def set_image(principal: Principal, organization_id: int, field: str, filename: str | None,
                    content: bytes | None) -> Organization:
    """Keep a PNG or JPEG as the organization's `field` image ("logo" or "seal"), under a random
    name, in place of the previous one; `content` None removes it."""
    import anyio

    from app.services.documents import detect_type, storage_path

    if field not in IMAGES:
        raise ValueError(field)
    org = await organizations.get(principal, organization_id, "admin")
    name = ""
    if content is not None:
        content_type = detect_type(content[:8192], filename or "")
        if content_type not in IMAGE_TYPES:
            raise ValidationError.single(field, N_("Upload a PNG or JPEG image."))
        if len(content) > IMAGE_MAX_BYTES:
            raise ValidationError.single(field, N_("The file is larger than %(max)d MB."),
                                         max=IMAGE_MAX_BYTES // (1024 * 1024))
        await anyio.to_thread.run_sync(_decoded, field, content)
        name = secrets.token_hex(20) + IMAGE_TYPES[content_type]
        path = storage_path(name)
        await anyio.Path(path.parent).mkdir(parents=True, exist_ok=True)
        await anyio.Path(path).write_bytes(content)
    attribute = f"{field}_path"
    previous = getattr(org, attribute)
    setattr(org, attribute, name)
    await Organization.filter(id=org.id).update(**{attribute: name})
    if previous:
        storage_path(previous).unlink(missing_ok=True)
    return org


async def set_logo(principal: Principal, organization_id: int, filename: str | None,
                   content: bytes | None) -> Organization:
    return await set_image(principal, organization_id, "logo", filename, content)


async def set_seal(principal: Principal, organization_id: int, filename: str | None,
                   content: bytes | None) -> Organization:
    """The company seal (角印) printed beside the issuer block of every document."""
    return await set_image(principal, organization_id, "seal", filename, content)


async def install_default_templates(org: Organization) -> None:
    """The ja and en e-mail templates of every transaction kind (the org's language is default)."""
    from app.mail.templates import DEFAULT_TEMPLATES
    from app.models import EmailTemplate

    rows = []
    for kind in Kind:
        for lang, (subject, body) in DEFAULT_TEMPLATES[kind.value].items():
            rows.append(EmailTemplate(
                organization_id=org.id, kind=kind, language=lang, subject=subject, body=body,
                name="標準" if lang == "ja" else "Standard", is_default=lang == org.language,
            ))
    await EmailTemplate.bulk_create(rows)
