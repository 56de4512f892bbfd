# One image for both processes; docker-compose.yml runs it as `worker` and as `web`.
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core ca-certificates poppler-utils && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV APP_MODE=production NODE_ENV=production DATA_DIR=/data
USER node
CMD ["node", "--import", "tsx", "server.ts"]
