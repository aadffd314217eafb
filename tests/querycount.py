"""Count the SQL statements a block of code sends, on any tortoise backend.

Every tortoise client logs each statement it executes to the `tortoise.db_client` logger at DEBUG
level, once per round trip; counting those records is backend-independent.

    with count_queries() as queries:
        await do_something()
    assert len(queries) == 3, queries.sql
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from tortoise.log import db_client_logger


class QueryLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.sql: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.sql.append(record.getMessage())

    def __len__(self) -> int:
        return len(self.sql)


@contextmanager
def count_queries() -> Iterator[QueryLog]:
    log = QueryLog()
    previous_level, previous_propagate = db_client_logger.level, db_client_logger.propagate
    db_client_logger.addHandler(log)
    db_client_logger.setLevel(logging.DEBUG)
    db_client_logger.propagate = False  # keep the statements out of pytest's captured log
    try:
        yield log
    finally:
        db_client_logger.removeHandler(log)
        db_client_logger.setLevel(previous_level)
        db_client_logger.propagate = previous_propagate
