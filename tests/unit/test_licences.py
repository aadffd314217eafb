"""Kizuna is Apache-2.0, and every runtime dependency (the closure of pyproject's dependencies,
as installed) is under a permissive licence, read from its own metadata: MIT, BSD, Apache, PSF,
ISC and their kin. A licence outside that list fails the suite unless it is an exception below,
with its reason; an exception that no longer applies fails too, so the list stays true."""

from __future__ import annotations

import importlib.metadata as metadata
import re

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from app import settings

PERMISSIVE = {"MIT", "MIT-0", "MIT-CMU", "BSD-2-Clause", "BSD-3-Clause", "0BSD", "Apache-2.0", "PSF-2.0",
              "Python-2.0", "ISC", "Zlib", "HPND"}
# Older metadata: a free-text License field or trove classifiers instead of an SPDX expression.
PERMISSIVE_WORDS = re.compile(r"\b(MIT|BSD|Apache|PSF|Python Software Foundation|ISC)\b", re.IGNORECASE)

EXCEPTIONS = {
    # MPL-2.0 is weak copyleft, file by file: orjson's vendored MPL-2.0 sources stay under it, and
    # only changes to those files would have to be published. Kizuna uses the wheel unmodified, so
    # nothing of Kizuna's own code is affected.
    "orjson": "MPL-2.0 AND (Apache-2.0 OR MIT)",
    # procrastinate (MIT) talks to PostgreSQL through psycopg 3 and its pool. LGPL-3.0 lets an
    # Apache-2.0 work use a library it links to dynamically: Kizuna imports the unmodified packages
    # installed from PyPI (replaceable by the user with any compatible version) and ships none of
    # their code. Only changes to psycopg itself would have to be published under the LGPL.
    # certifi (through httpx and stripe's requests) is Mozilla's bundle of root certificates, a data
    # file under MPL-2.0: used unmodified, it asks nothing of Kizuna's code (weak, file-level copyleft).
    "certifi": "MPL-2.0",
    # defusedxml declares the Python Software Foundation License, a permissive (BSD-style) licence
    # the classifier does not know by that name.
    "defusedxml": "PSFL",
    # python-dateutil (through icalendar and vobject) is "Dual License": Apache-2.0 for new code and
    # BSD-3-Clause for the old, both permissive; its metadata names neither.
    "python-dateutil": "Dual License",
    "psycopg": "LGPL-3.0-only",
    "psycopg-pool": "LGPL-3.0-only",
}


def runtime_closure() -> dict[str, metadata.Distribution]:
    """Every installed distribution Kizuna needs at run time: its dependencies (not the `dev`
    extra), their dependencies with the extras asked for, and so on."""
    found: dict[str, set[str]] = {}
    todo = [(Requirement(r), frozenset({""})) for r in metadata.requires("kizuna") or []]
    while todo:
        req, extras = todo.pop()
        if req.marker and not any(req.marker.evaluate({"extra": extra}) for extra in extras):
            continue
        name = canonicalize_name(req.name)
        wanted = set(req.extras) | {""}
        if name in found and wanted <= found[name]:
            continue
        found.setdefault(name, set()).update(wanted)
        todo += [(Requirement(r), frozenset(found[name])) for r in metadata.requires(req.name) or []]
    return {name: metadata.distribution(name) for name in found}


def licence_of(dist: metadata.Distribution) -> tuple[str, bool]:
    """(licence, whether it is an SPDX expression)."""
    meta = dist.metadata
    if meta.get("License-Expression"):
        return meta["License-Expression"], True
    text = (meta.get("License") or "").strip()
    if text and len(text) < 200:  # some put the whole licence text here: the classifiers say more
        return text, False
    classifiers = "; ".join(c.rsplit(" :: ", 1)[-1] for c in meta.get_all("Classifier") or () if c.startswith("License ::"))
    return classifiers or licence_from_files(dist), False


# Some wheels (imapclient 4.x) name no licence in their metadata, only ship its text: recognise the
# usual permissive texts by their operative sentence.
LICENCE_TEXTS = {
    "BSD": "Redistribution and use in source and binary forms, with or without modification",
    "MIT": "Permission is hereby granted, free of charge, to any person obtaining a copy",
    "Apache": "Licensed under the Apache License, Version 2.0",
}


def licence_from_files(dist: metadata.Distribution) -> str:
    for name in dist.metadata.get_all("License-File") or ():
        text = dist.read_text(f"licenses/{name}") or dist.read_text(name) or ""
        flat = " ".join(text.split())
        if re.search(r"GPL|Mozilla Public", flat):
            return ""
        for licence, sentence in LICENCE_TEXTS.items():
            if sentence in flat:
                return f"{licence} (the text of {name})"
    return ""


def is_permissive(licence: str, spdx: bool) -> bool:
    if spdx:  # OR takes any permissive choice, AND needs every part permissive
        tokens = re.findall(r"\(|\)|[^\s()]+", licence)
        python = " ".join(t if t in "()" else {"AND": "and", "OR": "or"}.get(t, str(t in PERMISSIVE)) for t in tokens)
        return eval(python, {"__builtins__": {}})  # noqa: S307 - only True/False/and/or/parentheses
    return bool(PERMISSIVE_WORDS.search(licence)) and not re.search(r"GPL|MPL|EUPL|SSPL", licence)


def test_kizuna_is_apache_2():
    assert metadata.metadata("kizuna")["License-Expression"] == "Apache-2.0"
    licence = (settings.BASE_DIR / "LICENSE").read_text()
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence
    assert "END OF TERMS AND CONDITIONS" in licence  # the full text, not a notice


def test_the_closure_is_read():
    closure = runtime_closure()
    # runtime, direct and transitive; the dev tools are not part of it
    assert {"starlette", "tortoise-orm", "pypika-tortoise", "cryptography", "cffi"} <= closure.keys()
    assert not {"pytest", "hypothesis", "playwright", "kizuna"} & closure.keys()


def test_every_runtime_dependency_is_permissively_licensed():
    licences = {name: licence_of(dist) for name, dist in runtime_closure().items()}
    refused = {name: licence for name, (licence, spdx) in licences.items() if not is_permissive(licence, spdx)}
    unexplained = {name: licence for name, licence in refused.items() if EXCEPTIONS.get(name) != licence}
    assert not unexplained, f"not permissive (or changed licence): {unexplained}; replace the dependency, or " \
                            f"add it to EXCEPTIONS with the reason it is acceptable"
    stale = EXCEPTIONS.keys() - refused.keys()
    assert not stale, f"no longer needed in EXCEPTIONS: {sorted(stale)}"


def test_the_classifier_reads_spdx_and_text():
    assert is_permissive("Apache-2.0 OR BSD-3-Clause", True) and is_permissive("MIT", True)
    assert is_permissive("LGPL-2.1-only OR MIT", True)  # a choice of MIT is enough
    assert not is_permissive("MPL-2.0 AND (Apache-2.0 OR MIT)", True)
    assert not is_permissive("GPL-3.0-or-later", True) and not is_permissive("LicenseRef-Proprietary", True)
    assert is_permissive("BSD license (see license.txt for details), Copyright (c) 2000-2024, ReportLab Inc.", False)
    assert is_permissive("MIT License; Apache Software License", False)
    assert not is_permissive("GNU General Public License v3 (GPLv3)", False) and not is_permissive("", False)
