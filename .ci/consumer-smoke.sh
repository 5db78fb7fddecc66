#!/usr/bin/env bash
# Packs every publishable package, installs the tarballs into a scratch project the way a user
# would (npm, from the registry for third-party dependencies) and imports each one through ESM
# and through CJS.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
names=()
for dir in "$root"/packages/*/; do
  [ -f "$dir/package.json" ] || continue
  (cd "$dir" && pnpm pack --pack-destination "$scratch" >/dev/null)
  names+=("$(node -p "require('$dir/package.json').name")")
done
cd "$scratch"
echo '{"name":"consumer-smoke","private":true,"version":"0.0.0"}' > package.json
npm install --no-audit --no-fund --ignore-scripts ./*.tgz zod@^4 ioredis@^5 >/dev/null
for name in "${names[@]}"; do
  node --input-type=module -e "const m = await import('$name'); if (Object.keys(m).length === 0) throw new Error('$name: no ESM exports');"
  node -e "const m = require('$name'); if (Object.keys(m).length === 0) throw new Error('$name: no CJS exports');"
  echo "ok: $name (ESM + CJS)"
done
node --input-type=module -e "const m = await import('@clawgate/auth/redis'); if (!m.RedisRateLimitStore) throw new Error('no RedisRateLimitStore');" 2>/dev/null || { echo "FAILED: @clawgate/auth/redis"; exit 1; }
node -e "const m = require('@clawgate/auth/redis'); if (!m.RedisRateLimitStore) throw new Error('no RedisRateLimitStore');"
echo "ok: @clawgate/auth/redis (ESM + CJS)"
