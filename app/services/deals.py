"""Deals: amounts in a currency, a stage in the open/won/lost pipeline, contacts with roles, line
items (app.services.deal_lines) whose sum is the amount of a deal that has them."""

from __future__ import annotations

from typing import Any

from app.i18n import N_
from app import money
from app.models import Contact, Deal, DealContact, DealLine, Stage, StageCategory
from app.models.activities import RelatedType
from app.permissions import Principal
from app.services import books_automation, deal_lines, links
from app.services.activities import delete_activities_of
from app.services.records import Cleaned, RecordService

MAX_AMOUNT = deal_lines.MAX_AMOUNT
ROLE_MAX = 50
PREVIOUS_STAGE = "previous_stage_id"  # in the cleaned values of an update: the stage before it


class DealService(RecordService):
    model = Deal
    fields = (
        "name", "account_id", "amount", "currency", "stage_id", "closing_date", "description",
        "contacts", "lines", "lost_reason",
    )
    required = ("name", "stage_id")

    async def coerce(self, principal: Principal, name: str, value: Any, cleaned: Cleaned) -> Any:
        if name == "contacts":
            return await self._coerce_contacts(principal, value or [], cleaned)
        if name == "lines":
            currency = cleaned.values.get("currency", getattr(cleaned.instance, "currency", "JPY"))
            return await deal_lines.clean_lines(principal, value or [], currency, cleaned)
        if name == "currency":
            code = (value or "JPY").strip().upper() if isinstance(value, str) else "JPY"
            if code not in money.CURRENCIES:
                cleaned.error("currency", N_("Choose a supported currency."))
            return code
        return await super().coerce(principal, name, value, cleaned)

    async def _coerce_contacts(
        self, principal: Principal, items: list[dict], cleaned: Cleaned
    ) -> list[tuple[int, str]]:
        """[{contact_id, role}] -> [(id, role)]; each contact must be visible, at most once.

        The list replaces the contacts the editor can see; links to hidden contacts stay as they
        are (`save_related`), so a hidden id repeated in the input is left out, not refused."""
        linked = await self._linked_contacts(cleaned.instance)
        hidden = await links.hidden_ids(principal, Contact, linked)
        result: list[tuple[int, str]] = []
        wanted: dict[int, int] = {}
        for i, item in enumerate(items):
            cid = links.as_id(item.get("contact_id"))
            if cid is None:
                cleaned.error(f"contacts.{i}.contact_id", N_("Choose a valid record."))
                continue
            role = str(item.get("role") or "").strip()
            if len(role) > ROLE_MAX:
                cleaned.error(f"contacts.{i}.role", N_("Must be at most %(max)d characters (now %(length)d)."), max=ROLE_MAX, length=len(role))
            if cid in wanted:
                cleaned.error(f"contacts.{i}.contact_id", N_("This contact is listed twice."))
            wanted[cid] = i
            if cid not in hidden:
                result.append((cid, role))
        unknown = await links.hidden_ids(principal, Contact, set(wanted) - hidden)
        for cid, i in wanted.items():
            if cid in unknown:
                cleaned.error(f"contacts.{i}.contact_id", N_("Choose a valid record."))
        return result

    @staticmethod
    async def _linked_contacts(deal: Deal | None) -> list[int]:
        if deal is None:
            return []
        return await DealContact.filter(deal_id=deal.id).values_list("contact_id", flat=True)

    async def validate(self, principal: Principal, cleaned: Cleaned, instance: Deal | None) -> None:
        values = cleaned.values
        if instance is not None:  # not a column: for the automation, which follows stage changes
            values[PREVIOUS_STAGE] = instance.stage_id
        await self._amount_of_lines(cleaned, instance)
        amount = values.get("amount", getattr(instance, "amount", None))
        currency = values.get("currency", getattr(instance, "currency", "JPY"))
        if amount is not None and not cleaned.has_error("amount") and currency in money.CURRENCIES:
            if amount < 0:
                cleaned.error("amount", N_("The amount cannot be negative."))
            elif amount > MAX_AMOUNT:
                cleaned.error("amount", N_("The amount is too large."))
            elif not money.fits_minor_unit(amount, currency):
                cleaned.error(
                    "amount", N_("%(currency)s amounts allow %(digits)d decimal places."),
                    currency=currency, digits=money.minor_unit(currency),
                )
        if "stage_id" in values and values["stage_id"] is not None:
            if not await Stage.exists(id=values["stage_id"]):
                cleaned.error("stage_id", N_("Choose a valid record."))
        await self._lost_reason(cleaned, instance)

    @staticmethod
    async def _lost_reason(cleaned: Cleaned, instance: Deal | None) -> None:
        """A lost reason belongs to a lost deal: given with the move to a lost stage, it may not be
        blank (app.services.deal_stages always gives it); any deal not lost has none."""
        values = cleaned.values
        stage_id = values.get("stage_id", getattr(instance, "stage_id", None))
        if stage_id is None or cleaned.has_error("stage_id"):
            return
        category = await Stage.filter(id=stage_id).values_list("category", flat=True)
        if category and category[0] != StageCategory.LOST:
            if "lost_reason" in values or getattr(instance, "lost_reason", ""):
                values["lost_reason"] = ""
        elif "lost_reason" in values:
            values["lost_reason"] = (values["lost_reason"] or "").strip()
            if not values["lost_reason"]:
                cleaned.error("lost_reason", N_("Say why the deal was lost."))

    @staticmethod
    async def _amount_of_lines(cleaned: Cleaned, instance: Deal | None) -> None:
        """A deal with lines (given now, or kept) has their sum as its amount, whatever was typed."""
        values = cleaned.values
        if "lines" in cleaned.data:
            if cleaned.has_error("lines") or any(e.field.startswith("lines.") for e in cleaned.errors):
                return
            lines = values.get("lines") or []
        elif instance is not None and ("amount" in values or "currency" in values):
            lines = list(await DealLine.filter(deal_id=instance.id))
        else:
            return
        if lines:
            currency = values.get("currency", getattr(instance, "currency", "JPY"))
            values["amount"] = deal_lines.total(lines, currency)
            cleaned.errors[:] = [e for e in cleaned.errors if e.field != "amount"]

    async def save_related(self, principal, obj: Deal, values: dict, created: bool) -> None:
        if "lines" in values:
            await deal_lines.write_lines(obj, values["lines"])
        if "contacts" in values:
            hidden = await links.hidden_ids(principal, Contact, await self._linked_contacts(obj))
            replaced = DealContact.filter(deal_id=obj.id)
            await (replaced.exclude(contact_id__in=sorted(hidden)) if hidden else replaced).delete()
            await DealContact.bulk_create(
                [DealContact(deal_id=obj.id, contact_id=cid, role=role) for cid, role in values["contacts"]]
            )
        # Last: the Books document takes the deal as saved (its lines, its contacts), in its transaction.
        await books_automation.deal_saved(principal, obj, created=created,
                                          previous_stage_id=values.get(PREVIOUS_STAGE))

    async def before_delete(self, obj: Deal) -> None:
        await delete_activities_of(RelatedType.DEAL, obj.id)


deals = DealService()


async def set_lines(principal: Principal, deal_id: int | str, lines: Any) -> Deal:
    """Replace all the lines of a deal (editing it), in one transaction; its amount follows them
    (a deal left without lines keeps its last amount)."""
    return await deals.update(principal, deal_id, {"lines": lines})
