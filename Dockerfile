# One image for both processes; docker-compose.yml runs it as `worker` and as `web`.
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core ca-certificates poppler-utils && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# The workflow bundle, built once here (npm run build); the worker loads it instead of bundling at every start.
RUN node --import tsx scripts/build.ts /app/build/workflow-bundle.js
ENV APP_MODE=production NODE_ENV=production DATA_DIR=/data WORKFLOW_BUNDLE=/app/build/workflow-bundle.js
USER node
CMD ["node", "--import", "tsx", "server.ts"]
