#!/usr/bin/env bash
# `npm start`: install, build and run AIUS (API on :8000, dashboard on :3000).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-pnpm.sh
pnpm install --frozen-lockfile
bash scripts/prisma-generate.sh
pnpm turbo run build --filter=@aius/api --filter=@aius/web --filter=@aius/launcher
exec node apps/launcher/dist/launch.js
