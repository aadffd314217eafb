"""How a customer is addressed and how an address is written, for PDFs, the portal and e-mail.

Japanese business etiquette puts one honorific on one addressee: 様 on the person a document or
mail is addressed to, 御中 on a company only when no person is named. Addresses are written in
their country's order: Japanese ones from the postal code down (〒530-0001 / 大阪府大阪市北区梅田),
others from the street up to the country (street / city region postal code / country).
"""

from __future__ import annotations

import re
import unicodedata

HONORIFICS = ("様", "殿", "御中", "さま")
# What people type in a Japanese address's country field (compared after NFKC and casefold).
JAPAN = {"", "日本", "日本国", "japan", "jp", "jpn", "nippon", "nihon"}


def addressee(lang: str, customer_name: str, *, is_company: bool,
              contact_name: str = "") -> tuple[str, str]:
    """(customer_name, contact_name) with Japanese honorifics: 様 on the person addressed,
    御中 on a company when no person is named — never both. A name that already ends with an
    honorific keeps it. Other languages: no honorifics, and the contact falls back to the
    customer (so that "Dear {contact_name}," always reads well)."""
    customer_name, contact_name = customer_name.strip(), contact_name.strip()
    if contact_name == customer_name:
        contact_name = ""
    if lang != "ja":
        return customer_name, contact_name or customer_name
    if contact_name:
        return customer_name, contact_name if contact_name.endswith(HONORIFICS) else f"{contact_name} 様"
    if customer_name.endswith(HONORIFICS):
        return customer_name, ""
    return f"{customer_name} {'御中' if is_company else '様'}", ""


def is_japan(country: str) -> bool:
    return unicodedata.normalize("NFKC", country).strip().casefold() in JAPAN


# The parts of an address as entered, by field suffix (app.models.crm: `billing_code` ...):
# Japanese order from the postal code down (〒, 都道府県, 市区町村, 番地, 建物), others from the
# street up to the country.
JAPANESE_ORDER = ("code", "state", "city", "street", "building", "country")
WESTERN_ORDER = ("street", "building", "city", "state", "code", "country")
_JAPANESE_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def japanese_order(country: str, lang: str, *texts: str) -> bool:
    """Is an address in `country` written in the Japanese order for a reader of `lang`? A
    Japanese one is, in Japanese and whenever it is written in Japanese script; a romanised one
    is read by foreigners in their own order, and so is any other country's."""
    return is_japan(country) and (lang == "ja" or any(_JAPANESE_SCRIPT.search(t or "") for t in texts))


def entry_order(country: str, lang: str) -> tuple[str, ...]:
    """The order of an address form's fields: Japanese when the address is in Japan (a new one,
    country not yet given, in Japanese), the country's own otherwise."""
    return JAPANESE_ORDER if (lang == "ja" or country.strip()) and is_japan(country) else WESTERN_ORDER


def address_lines(*, code: str, state: str, city: str, street: str, country: str,
                  lang: str, building: str = "") -> tuple[str, ...]:
    """The lines of an address in its country's order (`japanese_order`): 〒 and the postal code,
    then prefecture, city and street on one line, the building on its own; the country is left
    out of a Japanese address read in Japanese. Others: street, building, "city, state code",
    country."""
    if japanese_order(country, lang, state, city, street, building):
        first = f"〒{code}" if code else ""
        rest = country if lang != "ja" else ""
        return tuple(x for x in (first, f"{state}{city}{street}", building, rest) if x)
    locality = " ".join(p for p in (city, state, code) if p)
    if city and (state or code):
        locality = f"{city}, " + " ".join(p for p in (state, code) if p)
    return tuple(x for x in (street, building, locality, country) if x)


def lines_of(record: object, prefix: str, lang: str) -> tuple[str, ...]:
    """The lines of a record's address block `prefix` (`billing`, `mailing` ...)."""
    parts = {p: getattr(record, f"{prefix}_{p}", "") or "" for p in JAPANESE_ORDER}
    return address_lines(**parts, lang=lang)
