"""Services hold the rules. They take a Principal and plain data, and know nothing of HTTP."""
