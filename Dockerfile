# Kizuna production image: migrations run at start, then uvicorn workers serve the app.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    KIZUNA_VAR_DIR=/var/lib/kizuna \
    WEB_CONCURRENCY=2

WORKDIR /srv/kizuna
COPY pyproject.toml README.md ./
COPY app ./app
COPY schema ./schema
COPY views ./views
COPY static ./static
RUN pip install . \
    && useradd --system --home /var/lib/kizuna --create-home kizuna \
    && chown -R kizuna /var/lib/kizuna

USER kizuna
VOLUME ["/var/lib/kizuna"]
EXPOSE 8000

# DATABASE_URL (postgres://user:pass@host:5432/kizuna) and KIZUNA_SECRET_KEY come from the
# environment; see README "Production".
CMD ["sh", "-c", "python -m app.cli migrate && python -m app.cli setup --no-demo && exec uvicorn --factory app.main:app_factory --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY} --proxy-headers --forwarded-allow-ips='*'"]
