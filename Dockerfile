# Kizuna production image, one image for both roles (KIZUNA_ROLE):
# - web (default): at start it migrates, creates the first administrator (no demo data), then
#   serves with uvicorn workers;
# - worker: runs background jobs (`python -m app.cli worker`; PostgreSQL only). Start web first:
#   a worker refuses to start until the migrations have created the job queue.
# Configure with DATABASE_URL, KIZUNA_SECRET_KEY and friends (README, "Background jobs").
FROM python:3.11-slim

# KIZUNA_TRUSTED_PROXIES: the reverse proxy's address(es) or network, whose X-Forwarded-For and
# X-Forwarded-Proto the app believes (empty: none). uvicorn's own proxy handling is off
# (--no-proxy-headers) so that this one setting decides.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KIZUNA_VAR_DIR=/var/lib/kizuna \
    KIZUNA_SESSION_HTTPS_ONLY=true \
    WEB_CONCURRENCY=2 \
    KIZUNA_ROLE=web \
    KIZUNA_TRUSTED_PROXIES=

# IPAex Gothic: embedded in PDFs so estimates and invoices look the same in every viewer.
# libpq: psycopg (the job queue's driver, pure Python) loads the system's PostgreSQL client library.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-ipaexfont-gothic libpq5 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /srv/kizuna
# Dependencies first, from the lock file (exact versions, hashes checked), in their own layer; then
# Kizuna itself without re-resolving them. The code runs from this directory (static/ and the
# templates sit next to the packages).
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md LICENSE ./
COPY app ./app
COPY schema ./schema
COPY views ./views
COPY static ./static
RUN pip install --no-deps . \
    && rm -rf build *.egg-info \
    && useradd --system --user-group --home-dir /var/lib/kizuna --create-home --shell /usr/sbin/nologin kizuna \
    && chown kizuna:kizuna /var/lib/kizuna

USER kizuna
# SQLite file (when DATABASE_URL is not set), the generated secret key and admin password, and
# uploaded documents (KIZUNA_DOCUMENTS_DIR defaults to documents/ in here).
VOLUME ["/var/lib/kizuna"]
EXPOSE 8000

# executable in git; COPY keeps the mode
COPY docker-entrypoint.sh /usr/local/bin/kizuna-entrypoint
ENTRYPOINT ["kizuna-entrypoint"]
