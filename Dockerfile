# Stage 1: build a wheel of Lantern and its runtime dependencies (no test or dev extras).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
COPY config ./config
# emulator/ (the Discord emulator for tests and `sandbox`) is deliberately not copied: the
# runtime image carries only what Lantern runs.
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# Stage 2: the runtime image, run as an unprivileged user, data in a volume.
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 lantern && mkdir /data && chown lantern /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER lantern
WORKDIR /home/lantern
ENV LANTERN_DATABASE=/data/lantern.db \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
