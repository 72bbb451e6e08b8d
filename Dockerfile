# Build stage: compiles better-sqlite3 (no prebuilt binaries here) and the TypeScript.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# node-gyp must use the image's own Node headers: nothing is downloaded during the build.
ENV npm_config_nodedir=/usr/local
WORKDIR /app
# Dependencies before the source, so a source change reuses this layer (better-sqlite3 compiles once).
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund
# better-sqlite3 needs only its compiled addon at run time: drop the SQLite sources and objects (~25 MB).
RUN cd node_modules/better-sqlite3 \
 && rm -rf deps src build/deps build/Release/obj build/Release/obj.target build/Release/.deps \
      build/Release/sqlite3.a build/Release/test_extension.node

# Runtime stage: node + the built app, as a non-root user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    UPE_DATA_DIR=/data \
    UPE_CERTS_DIR=/certs
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY scenarios ./scenarios
COPY web-ui ./web-ui
# Example seeds, e.g. UPE_SEED=/app/examples/call-flows.yaml (compose.yaml uses it).
COPY examples ./examples
RUN mkdir -p /data /certs && chown node:node /data /certs
USER node
VOLUME ["/data", "/certs"]
# Not exposed, publish them where needed (compose.yaml does): STUN over TCP on 3478/tcp (under
# podman, Testcontainers must map every exposed port, and it cannot map one port number twice)
# and the RTP range UPE_RTP_PORTS names.
EXPOSE 65061/tcp 8443/tcp 3478/udp
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "require('https').get({host:'127.0.0.1',port:process.env.UPE_HTTPS_PORT||8443,path:'/readyz',rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
ENTRYPOINT ["node", "dist/main.js"]
CMD ["start"]
