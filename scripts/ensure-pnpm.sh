# Sourced by the other scripts: makes `pnpm` (pinned) available on a machine that has only Node and npm.
# corepack is not used: it fails where registry metadata carries no signatures.
PNPM_VERSION=10.34.9
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  if ! npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1; then
    # No permission for a global install: use a project-local copy instead.
    npm install --no-save --prefix "$PWD/.aius-data/tools" "pnpm@$PNPM_VERSION" >/dev/null
    export PATH="$PWD/.aius-data/tools/node_modules/.bin:$PATH"
  fi
fi
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
