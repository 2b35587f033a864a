# syntax=docker/dockerfile:1
#
# Images of the gateway and the agent, one target each:
#
#   docker build --target gateway -t downstream-alerting-gateway:0.1.0 .
#   docker build --target agent   -t downstream-alerting-agent:0.1.0 .
#
# Both run on Node 22 LTS (the production runtime). Build args: NODE_VERSION
# (pin a patch release, or a digest, for reproducible builds), VERSION and
# REVISION (written into the OCI labels). The runtime stages hold only the
# built dist/ and the production dependencies (npm ci --omit=dev), run as a
# non-root user and write nowhere but the data directory, so they run with a
# read-only root filesystem. No HEALTHCHECK: Kubernetes probes the ports
# (grpc.health.v1 on the gRPC port, /healthz on the HTTP port).
# deploy/test/production-start.e2e-spec.ts runs these steps (npm ci
# --omit=dev beside the built dist/, then both apps) in npm test.

ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS toolchain
# better-sqlite3 compiles its native module when no prebuilt one matches the
# image's Node; the project's lockfile needs npm 11.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/* \
 && npm install -g npm@11
WORKDIR /src

FROM toolchain AS build
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM toolchain AS production-dependencies
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-dependencies /src/node_modules ./node_modules
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/dist ./dist
COPY deploy/image/kube-cluster-id.mjs ./bin/kube-cluster-id.mjs
# The data directory is the one writable path (a volume in Kubernetes); owned
# by the image's non-root user so that a plain `docker run` works too.
# SQLite's temporary files go there as well (not to /tmp).
RUN mkdir -p /var/lib/downstream-alerting && chown 1000:1000 /var/lib/downstream-alerting
ENV SQLITE_TMPDIR=/var/lib/downstream-alerting TMPDIR=/var/lib/downstream-alerting
# The node user of the official image, by number so that runAsNonRoot can check it.
USER 1000:1000
LABEL org.opencontainers.image.source="https://github.com/downstream-alerting/downstream-alerting" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.vendor="Downstream Alerting" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

FROM runtime AS gateway
LABEL org.opencontainers.image.title="downstream-alerting-gateway" \
      org.opencontainers.image.description="Downstream Alerting gateway: agent sessions, notification store, fan-out, admin API and page"
ENV GATEWAY_DATA_DIR=/var/lib/downstream-alerting
EXPOSE 9090 8080
ENTRYPOINT ["node", "dist/apps/gateway/apps/gateway/src/main.js"]

FROM runtime AS agent
LABEL org.opencontainers.image.title="downstream-alerting-agent" \
      org.opencontainers.image.description="Downstream Alerting agent: durable notification queue pushed to the gateway"
ENV AGENT_DATA_DIR=/var/lib/downstream-alerting
EXPOSE 9190 9191
ENTRYPOINT ["node", "dist/apps/agent/apps/agent/src/main.js"]
