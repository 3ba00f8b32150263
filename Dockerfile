FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY crawler crawler
COPY store store
COPY schedules schedules
COPY seeds seeds
RUN pip install --no-cache-dir . \
    && useradd --system --home-dir /data marsad \
    && mkdir -p /data && chown marsad /data
# A named volume mounted on /data starts with this ownership, so the daemon need not run as root.
USER marsad
ENV MARSAD_DB=/data/marsad.db \
    MARSAD_CONFIG=/app/seeds/watch.toml \
    PYTHONUNBUFFERED=1
VOLUME /data
# marsad itself handles SIGTERM (finishes in-flight checks, exits 0) and SIGHUP (re-reads the config).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["marsad", "health"]
CMD ["marsad", "run", "--no-serve"]
