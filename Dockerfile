# syntax=docker/dockerfile:1
# The facility gateway as an image: Node 24 runs the TypeScript sources directly (type stripping),
# so the image holds the sources, the production node_modules and the built dashboard.
#
#   docker build -t facility-gateway .
#   docker run --read-only --tmpfs /tmp -v gw-data:/data -v ./site.yaml:/config/site.yaml:ro \
#     -p 8080:8080 facility-gateway
#
# Everything the gateway writes goes to /data (SQLite files, PKI, TLS, reports) or /tmp (tmpfs), so
# the root filesystem may be read-only. Checked without a Docker engine by
# test/packaging/dockerfile.test.ts (rules in packaging/README.md).

ARG NODE_IMAGE=node:24-bookworm-slim

# --- production dependencies only -------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the only install scripts of production dependencies are the `node` package's
# (it downloads a second Node 24 binary for `npm start`; the image already is Node 24) and
# @serialport/bindings-cpp's node-gyp-build, whose linux-x64/arm64 prebuilds ship in the package.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/node node_modules/.bin/node \
 && npm cache clean --force

# --- the dashboard (esbuild is a dev dependency) -----------------------------------------------
FROM ${NODE_IMAGE} AS dashboard
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
# the dashboard imports types of rules/ (erased by esbuild, but resolvable either way)
COPY rules ./rules
COPY dashboard ./dashboard
RUN node dashboard/build.ts

# --- runtime -------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# HOME in the data volume: node-opcua keeps a default certificate store in $HOME/.config.
ENV NODE_ENV=production \
    HOME=/data \
    LOG_LEVEL=info \
    GATEWAY_HEALTH_URL=http://127.0.0.1:8080/api/health
# A dedicated system user; /data is the only place it writes (the volume below).
RUN groupadd --system --gid 10001 gateway \
 && useradd --system --uid 10001 --gid gateway --home-dir /data --shell /usr/sbin/nologin gateway \
 && mkdir -p /data /config \
 && chown gateway:gateway /data
WORKDIR /app
# Sources and modules are owned by root and read-only for the gateway user.
COPY --chown=root:root --from=deps /app/node_modules ./node_modules
COPY --chown=root:root --from=dashboard /app/dashboard/dist ./dashboard/dist
COPY --chown=root:root package.json ./
COPY --chown=root:root gateway ./gateway
COPY --chown=root:root rules ./rules
COPY --chown=root:root simulators ./simulators
# `gateway central` (docker-compose.fleet.yml runs the operations centre from this image)
COPY --chown=root:root central ./central
COPY --chown=root:root config ./config
# the printable handover speaks the dashboard's vocabulary (dashboard/src/i18n, plain TypeScript)
COPY --chown=root:root dashboard/src ./dashboard/src
USER gateway:gateway
VOLUME ["/data"]
EXPOSE 8080 1883
# Node's fetch (slim has no curl): healthy while the API answers (gateway/supervision/healthcheck.ts).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "gateway/supervision/healthcheck.ts"]
STOPSIGNAL SIGTERM
# V8 flags of the gateway (gateway/supervision/node-flags.ts) on the command line: Node refuses
# --heap-growing-percent in NODE_OPTIONS
ENTRYPOINT ["node", "--max-semi-space-size=8", "--heap-growing-percent=50", "gateway/cli.ts"]
CMD ["run", "--config", "/config/site.yaml", "--data-dir", "/data"]
