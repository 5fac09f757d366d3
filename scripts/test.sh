#!/usr/bin/env bash
# `npm test`: every test — unit and integration (vitest, real Postgres and Redis) and the
# dashboard in a real Chromium (Playwright). Needs PostgreSQL and Redis on 127.0.0.1
# (TEST_DATABASE_URL / TEST_REDIS_URL to point elsewhere) and Chromium at CHROMIUM_PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-pnpm.sh
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

pnpm install --frozen-lockfile >/dev/null
bash scripts/prisma-generate.sh >/dev/null
node scripts/check-test-services.mjs
pnpm turbo run build --output-logs=errors-only
pnpm turbo run test --concurrency=1 --output-logs=full
pnpm --filter @aius/web run test:e2e
