"""PIM sync (issue 14, seed 003): contacts, tasks and events exchanged with Outlook and other
clients, as files and over CalDAV/CardDAV.

- `items`: the one form every reader and writer speaks (`Item`), with seed 003's limits.
- `outlook_csv`, `vcard`, `ical`, `text`: the file formats, bytes in and out.
- `dedup`, `attendees`, `apply`: the rules every way in obeys (de-duplication, attendee links,
  limits, permissions), writing in bulk.
- `records`: records back into items (exports, DAV).
- `runs`: the reports of sync runs, ignored records and re-syncing them.
- `settings`: per-user, per-kind sync settings.
"""
