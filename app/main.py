"""The ASGI application: routes from views/ and schema/, middleware, database lifecycle."""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from tortoise.contrib.starlette import RegisterTortoise

from app import settings
from app.db import tortoise_config
from app.headers import SecurityHeadersMiddleware
from app.limits import BodyLimitMiddleware
from app.middleware import AuthMiddleware, CSRFMiddleware

STATIC_DIR = settings.BASE_DIR / "static"


YOUNG_GC_THRESHOLD = 10_000


def freeze_heap() -> None:
    """Once started: what is alive now (modules, compiled templates, routes, the ORM's metadata,
    catalogs) lives as long as the process, so the garbage collector stops walking it. Without
    this, the collections a page's allocations trigger re-scan it: a third of a list page's time
    (bench/pages.py).

    The youngest generation is collected after 10,000 net allocations instead of 700: a page
    holds a few thousand objects while it is built (its rows, their values, the markup), so at 700
    nearly every page paid a collection walking them all (a quarter of a millisecond on the
    contacts list); pages now rarely do. Their objects are freed by reference counting all the
    same; only cycles wait a little longer."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GC_THRESHOLD, older, oldest)


def create_app(*, manage_db: bool = True, db_url: str | None = None) -> Starlette:
    """`manage_db=False` leaves the database to the caller (tests open their own context) and
    runs no jobs (tests run them with `await app.jobs.run_pending()`)."""
    from app.dav import routes as dav_routes
    from schema import graphql_route
    from views import exception_handlers, routes as page_routes

    @asynccontextmanager
    async def lifespan(app: Starlette):
        if not manage_db:
            yield
            return
        from app import jobs

        # Jobs inside the ORM's lifetime: the embedded worker's jobs use it, and stop first.
        async with RegisterTortoise(app, config=tortoise_config(db_url)), \
                jobs.running(worker=settings.JOBS_EMBEDDED):
            freeze_heap()
            yield

    routes = [
        graphql_route(),
        *dav_routes,
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        *page_routes,
    ]
    return Starlette(
        debug=settings.DEBUG,
        routes=routes,
        middleware=[
            *_proxy_middleware(),
            # Outermost: its headers (and Secure cookies) reach every response, the session's too.
            Middleware(SecurityHeadersMiddleware),
            # First: no body reaches anything (CSRF's form check, form parsers) past its limit.
            Middleware(BodyLimitMiddleware, routes=routes),
            Middleware(
                SessionMiddleware,
                secret_key=str(settings.SECRET_KEY),
                session_cookie=settings.SESSION_COOKIE,
                max_age=settings.SESSION_MAX_AGE,
                same_site="lax",
                https_only=settings.SESSION_HTTPS_ONLY,
            ),
            Middleware(AuthMiddleware),
            Middleware(CSRFMiddleware),
        ],
        exception_handlers=exception_handlers,
        lifespan=lifespan,
    )


def _proxy_middleware() -> list[Middleware]:
    """The client's address and scheme from X-Forwarded-For/-Proto, only when the peer is one of
    KIZUNA_TRUSTED_PROXIES: sign-in throttling and the session list read `request.client`, so an
    untrusted peer must not choose it. Outermost, so every layer sees the same client."""
    if not settings.TRUSTED_PROXIES:
        return []
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    return [Middleware(ProxyHeadersMiddleware, trusted_hosts=settings.TRUSTED_PROXIES)]


def app_factory() -> Starlette:
    """Entry point for `uvicorn --factory app.main:app_factory`."""
    return create_app()
