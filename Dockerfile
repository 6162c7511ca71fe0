# One image for every Xietong service; docker-compose.yml picks the entry point per service.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm run compose && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/schema schema
COPY --from=build /app/deploy deploy
COPY --from=build /app/dashboard dashboard
COPY package.json ./
# SQLite provinces keep their database in a volume at /data.
RUN mkdir -p /data && chown node:node /data
USER node
CMD ["node", "--max-semi-space-size=32", "dist/gateway/main.js", "--supergraph", "schema/supergraph.graphql", "--config", "deploy/gateway.json"]
