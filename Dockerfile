# crossdock's image: one image for every service kind (worker, webhook receiver, pollers, simulators);
# docker-compose.yml picks the command. Non-root, no secrets inside: settings and secrets come from the
# environment and from mounted files at run time (docs/deploy.md).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY crossdock ./crossdock
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
 && pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN groupadd --system --gid 10001 crossdock \
 && useradd --system --uid 10001 --gid crossdock --home-dir /var/lib/crossdock --create-home crossdock
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels crossdock && rm -rf /wheels
ENV CROSSDOCK_DATA_DIR=/var/lib/crossdock \
    PYTHONUNBUFFERED=1
USER crossdock
WORKDIR /var/lib/crossdock
VOLUME ["/var/lib/crossdock"]
ENTRYPOINT ["crossdock"]
CMD ["--help"]
# Health checks are per service kind (an HTTP endpoint each service serves): see docker-compose.yml.
HEALTHCHECK NONE
