"""WebDAV XML: request bodies read with defusedxml (no DTDs, so no entity expansion and no
external entities), multistatus and error bodies built with xml.etree."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
CARDDAV = "urn:ietf:params:xml:ns:carddav"
CS = "http://calendarserver.org/ns/"
KIZUNA = "urn:kizuna:dav"

for _prefix, _uri in (("d", DAV), ("cal", CALDAV), ("card", CARDDAV), ("cs", CS), ("k", KIZUNA)):
    ET.register_namespace(_prefix, _uri)


def tag(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


class BadXml(Exception):
    """The body is not well-formed XML, or declares a DTD or entities (refused outright)."""


def parse(body: bytes) -> ET.Element | None:
    """The document's root element; None for an empty body."""
    if not body.strip():
        return None
    try:
        return SafeET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ET.ParseError, ValueError) as exc:
        raise BadXml(str(exc)) from exc


def element(name: str, value: Any = None) -> ET.Element:
    """An element with `value`: None (empty), text, an element or a list of elements."""
    el = ET.Element(name)
    fill(el, value)
    return el


def fill(el: ET.Element, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, str):
        el.text = value
    elif isinstance(value, ET.Element):
        el.append(value)
    else:
        for child in value:
            el.append(child)


def href(url: str) -> ET.Element:
    return element(tag(DAV, "href"), url)


def response(url: str, found: dict[str, Any] | None = None, missing: Iterable[str] = (),
             status: str | None = None) -> ET.Element:
    """One DAV:response: the properties found (200) and those asked for but unknown (404), or a
    bare status (a removed item in sync-collection: 404)."""
    res = ET.Element(tag(DAV, "response"))
    res.append(href(url))
    if status is not None:
        res.append(element(tag(DAV, "status"), f"HTTP/1.1 {status}"))
        return res
    for props, code in ((found or {}, "200 OK"), (dict.fromkeys(missing), "404 Not Found")):
        if not props:
            continue
        propstat = ET.SubElement(res, tag(DAV, "propstat"))
        prop = ET.SubElement(propstat, tag(DAV, "prop"))
        for name, value in props.items():
            prop.append(element(name, value))
        propstat.append(element(tag(DAV, "status"), f"HTTP/1.1 {code}"))
    return res


def multistatus(responses: Iterable[ET.Element], sync_token: str | None = None) -> bytes:
    root = ET.Element(tag(DAV, "multistatus"))
    for r in responses:
        root.append(r)
    if sync_token is not None:
        root.append(element(tag(DAV, "sync-token"), sync_token))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def error(condition: str | None = None, message: str | None = None) -> bytes:
    """A DAV:error body naming the failed precondition, with a human-readable message."""
    root = ET.Element(tag(DAV, "error"))
    if condition:
        ET.SubElement(root, condition)
    if message:
        root.append(element(tag(KIZUNA, "message"), message))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def names(prop: ET.Element | None) -> list[str]:
    """The property names inside a DAV:prop element."""
    return [] if prop is None else [child.tag for child in prop if isinstance(child.tag, str)]
