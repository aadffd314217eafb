"""The lock files answer pyproject.toml: every dependency declared there is locked, at a version
its specifier allows, with hashes. Fails after a dependency changes without `make lock`."""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from app import settings

PYPROJECT = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())["project"]


def locked(name: str) -> dict[str, Version]:
    text = (settings.BASE_DIR / name).read_text()
    return {canonicalize_name(m[1]): Version(m[2]) for m in re.finditer(r"^([A-Za-z0-9._-]+)==(\S+)", text, re.M)}


@pytest.mark.parametrize("lock,declared", [
    ("requirements.lock", PYPROJECT["dependencies"]),
    ("requirements-dev.lock", PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"]["dev"]),
])
def test_every_declared_dependency_is_locked_within_its_specifier(lock, declared):
    versions = locked(lock)
    for spec in map(Requirement, declared):
        name = canonicalize_name(spec.name)
        assert name in versions, f"{spec.name} is not in {lock}: run make lock"
        assert versions[name] in spec.specifier, f"{lock} has {name}=={versions[name]}, pyproject asks {spec}: run make lock"


def test_the_locks_agree_and_carry_hashes():
    runtime, dev = locked("requirements.lock"), locked("requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime  # the tests run what production runs
    text = (settings.BASE_DIR / "requirements.lock").read_text()
    assert text.count("--hash=sha256:") >= len(runtime)
