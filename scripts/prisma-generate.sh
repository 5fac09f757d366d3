#!/usr/bin/env bash
# Generates the Prisma client (packages/db/src/generated) offline. The generator is WebAssembly and never runs the
# schema engine, but the CLI insists the engine file exists: point it at any file when
# the real engine is absent (air-gapped sites; see README "Database migrations").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
if [ -z "${PRISMA_SCHEMA_ENGINE_BINARY:-}" ]; then
  export PRISMA_SCHEMA_ENGINE_BINARY="$ROOT/package.json"
fi
# The schema, its config and the generated client belong to packages/db.
cd packages/db
pnpm exec prisma generate 2>&1 | grep -v '^$' || { echo "prisma generate failed" >&2; exit 1; }
