"""Ids in URLs (`/accounts/{id:id}`) are keys of an id column: a number outside its range names
no record. Such a path reaches the view with id 0, which every service answers with NotFound (a
404), instead of handing the database a number it refuses (a 500 on PostgreSQL and SQLite).

Imported by views/__init__ before any route is declared (starlette compiles a path's convertor
when the route is created)."""

from __future__ import annotations

from starlette.convertors import IntegerConvertor, register_url_convertor

from app import cleaning


class IdConvertor(IntegerConvertor):
    def convert(self, value: str) -> int:
        return cleaning.pk(value) or 0


# A convertor of its own, not a replacement of starlette's `int`: routes say what they hold.
register_url_convertor("id", IdConvertor())
