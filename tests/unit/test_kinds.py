"""The registry of document kinds (`app.kinds`) is the one description of every kind: each kind
has exactly one entry, and what reads it (permissions, GraphQL, pages, PDFs, e-mails, numbering)
finds every kind there."""

from __future__ import annotations

import dataclasses

import pytest

from app import kinds
from app.mail import templates
from app.models import Kind, Organization
from app.pdf import labels
from app.permissions import MODULE_OF_KIND
from schema import schema
from views.books.kinds import PAGES_OF_KIND


def test_every_kind_has_one_entry_and_every_reader_finds_it():
    assert [k.kind for k in kinds.KINDS] == list(Kind)
    assert MODULE_OF_KIND == {k.kind: k.module for k in kinds.KINDS}
    assert set(PAGES_OF_KIND) == set(Kind)
    assert set(labels.TITLES) == set(templates.KINDS) == {k.value for k in Kind}
    for k in kinds.KINDS:
        assert k.prefix_field in Organization._meta.fields_map
        assert schema.get_type_by_name(k.type_name) is not None
    assert [k.kind for k in kinds.KINDS if k.books_edition_only] == [Kind.SALES_ORDER]


def test_a_kind_cannot_be_changed_at_run_time():
    with pytest.raises(dataclasses.FrozenInstanceError):
        kinds.of(Kind.INVOICE).module = "estimates"  # type: ignore[misc]
