"""Products: list (filter active/inactive, search), page, form."""

from __future__ import annotations

from tortoise.queryset import QuerySet

from app import settings
from app.i18n import N_
from app.permissions import Principal
from app.services.products import products
from app.services.tax import TAX_RATES
from views.choices import CURRENCIES
from views.records import Column, Field, Filter, RecordPages, Section

ACTIVE = (("True", N_("Active")), ("False", N_("Inactive")))


def _by_state(qs: QuerySet, value: str, principal: Principal) -> QuerySet:
    return qs.filter(active=value == "active")


def _rate_value(rate) -> str:
    return format(rate.normalize(), "f")


pages = RecordPages(
    module="products",
    service=products,
    singular=N_("Product"),
    plural=N_("Products"),
    sections=(
        Section(N_("Product"), (
            Field("name", N_("Product name"), required=True),
            Field("code", N_("Product code")),
            Field("unit", N_("Unit")),
            Field("unit_price", N_("Unit price"), "amount"),
            Field("currency", N_("Currency"), "select", CURRENCIES, blank=False, translate=False),
            # The widget labels the rates itself ("8% (reduced)"), as on Books items.
            Field("tax_rate", N_("Tax rate"), "tax_rate", tuple((_rate_value(r),) * 2 for r in TAX_RATES)),
            Field("active", N_("Status"), "select", ACTIVE, blank=False),
        )),
        Section(N_("Description"), (Field("description", N_("Description"), "textarea"),)),
    ),
    columns=(
        Column(N_("Product name"), "name", "link"),
        Column(N_("Product code"), "code"),
        Column(N_("Unit"), "unit"),
        Column(N_("Unit price"), "unit_price", "money"),
        Column(N_("Tax rate"), "tax_rate", "tax_rate"),
        Column(N_("Status"), "active", "choice", ACTIVE),
        Column(N_("Owner"), "owner.name"),
    ),
    filters=(Filter("state", N_("Status"), (("", N_("All")), ("active", N_("Active")),
                                            ("inactive", N_("Inactive"))), _by_state),),
    defaults={"active": "True", "tax_rate": _rate_value(TAX_RATES[0]), "currency": settings.DEFAULT_CURRENCY},
)

routes = pages.routes()
