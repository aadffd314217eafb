"""How a customer is addressed and how an address is written, for PDFs, the portal and e-mail.

Japanese business etiquette puts one honorific on one addressee: 様 on the person a document or
mail is addressed to, 御中 on a company only when no person is named. Addresses are written in
their country's order: Japanese ones from the postal code down (〒530-0001 / 大阪府大阪市北区梅田),
others from the street up to the country (street / city region postal code / country).
"""

from __future__ import annotations

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


def address_lines(*, code: str, state: str, city: str, street: str, country: str,
                  lang: str) -> tuple[str, ...]:
    """The lines of an address in its country's order (Japan: the Japanese order in Japanese
    documents; the country is left out of a Japanese address in a Japanese document)."""
    if is_japan(country) and lang == "ja":
        first = f"〒{code}" if code else ""
        return tuple(x for x in (first, f"{state}{city}{street}") if x)
    locality = " ".join(p for p in (city, state, code) if p)
    if city and (state or code):
        locality = f"{city}, " + " ".join(p for p in (state, code) if p)
    return tuple(x for x in (street, locality, country) if x)
