"""Root query fields, one module per domain, merged into `Query` in schema/__init__.py."""
