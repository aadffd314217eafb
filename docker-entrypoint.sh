#!/bin/sh
# The image's entry point: KIZUNA_ROLE=web (default) or worker; see the Dockerfile and README.
set -e
case "${KIZUNA_ROLE:-web}" in
  web)
    python -m app.cli migrate
    python -m app.cli setup --no-demo
    exec uvicorn --factory app.main:app_factory --workers "${WEB_CONCURRENCY:-2}" --no-proxy-headers \
      --host 0.0.0.0 --port 8000
    ;;
  worker)
    # KIZUNA_WORKER_ARGS: e.g. "--concurrency 8 --queues mail"
    # shellcheck disable=SC2086
    exec python -m app.cli worker ${KIZUNA_WORKER_ARGS:-}
    ;;
  *)
    echo "KIZUNA_ROLE must be web or worker, not '${KIZUNA_ROLE}'" >&2
    exit 2
    ;;
esac
