# Kizuna production image: at start it migrates, creates the first administrator (no demo data),
# then serves with uvicorn workers. Configure with DATABASE_URL, KIZUNA_SECRET_KEY and friends (README).
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
    KIZUNA_TRUSTED_PROXIES=

# IPAex Gothic: embedded in PDFs so estimates and invoices look the same in every viewer.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-ipaexfont-gothic \
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

ENTRYPOINT ["sh", "-c", "python -m app.cli migrate && python -m app.cli setup --no-demo && exec uvicorn --factory app.main:app_factory --workers \"${WEB_CONCURRENCY:-2}\" --no-proxy-headers --host 0.0.0.0 --port 8000"]
