"""The SMTP fixtures and helpers live in tests/smtp.py (a plugin every test package sees). These
names stay importable from here for modules written before the move."""

from tests.smtp import REFUSED, RecordingHandler, free_port, running  # noqa: F401
