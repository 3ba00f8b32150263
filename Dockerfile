FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY crawler crawler
COPY store store
COPY schedules schedules
COPY seeds seeds
RUN pip install --no-cache-dir .
ENV MARSAD_DB=/data/marsad.db \
    MARSAD_CONFIG=/app/seeds/watch.toml
VOLUME /data
CMD ["marsad", "run", "--no-serve"]
