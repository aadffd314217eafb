"""Write the schema in SDL to schema.graphql (committed; a test compares it with the code).

    .venv/bin/python -m schema.export
"""

from __future__ import annotations

from pathlib import Path

from strawberry.printer import print_schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"
REGENERATE = ".venv/bin/python -m schema.export"


def sdl() -> str:
    from schema import schema

    return print_schema(schema) + "\n"


def main() -> None:
    SCHEMA_FILE.write_text(sdl(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")


if __name__ == "__main__":
    main()
