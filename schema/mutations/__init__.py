"""Root mutation fields, one module per domain, merged into `Mutation` in schema/__init__.py."""
