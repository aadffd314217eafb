"""Server-rendered pages (Jinja2 + htmx)."""

routes: list = []
