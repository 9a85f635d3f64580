# The Sluice image: the API server and the CPU workers of docker-compose.yml (GPU workers:
# Dockerfile.gpu). TypeScript runs through tsx, so there is no build step. The Temporal server is a
# service of its own in docker-compose.yml; no Temporal CLI is installed here.
FROM node:20.20.2-bookworm-slim

ENV NODE_ENV=production \
    SLUICE_HOME=/var/lib/sluice \
    SLUICE_ARTIFACT_CACHE=/var/cache/sluice/artifacts

WORKDIR /app

# Dependencies first, so that a change to the sources does not reinstall them.
COPY package.json package-lock.json .npmrc ./
# No CUDA provider download in the CPU image (npm 10 runs onnxruntime-node's postinstall).
RUN ONNXRUNTIME_NODE_INSTALL=skip npm install --omit=dev --no-audit --no-fund \
 && npm cache clean --force

COPY . .

# State (workflow bundle cache, task scratch space) and the artifact download cache, owned by the
# unprivileged user (a named volume mounted there starts with this ownership).
RUN mkdir -p /var/lib/sluice /var/cache/sluice/artifacts \
 && chown -R node:node /var/lib/sluice /var/cache/sluice
USER node

EXPOSE 8080
CMD ["node", "bin/sluice.js", "--help"]
