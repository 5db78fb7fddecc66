#!/usr/bin/env bash
# Runs each package README's install steps (the sh block after `<!-- install-from-clone -->`) with
# /path/to/clawgate as this clone and /path/to/your-project as a fresh scratch project, so what CI
# tests is exactly what the README tells a user: `pnpm pack:packages` packs every package (pnpm pack
# rewrites the `workspace:` ranges), npm installs the README's tarballs and registry dependencies,
# then the package is imported in that project through ESM and through CJS.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
ran_in_clone=""
for dir in "$root"/packages/*/; do
  [ -f "$dir/package.json" ] || continue
  name="$(node -p "require('$dir/package.json').name")"
  steps="$(awk '/<!-- install-from-clone -->/{found=1; next} found && /^```/{if (inblock) exit; inblock=1; next} found && inblock {print}' "${dir}README.md")"
  if [[ "$steps" != *"cd /path/to/your-project"* ]]; then
    echo "FAILED: $name: its README has no install-from-clone steps ending in your project"; exit 1
  fi
  project="$scratch/$(basename "$dir")"
  mkdir -p "$project"
  echo '{"name":"consumer-smoke","private":true,"version":"0.0.0"}' > "$project/package.json"
  # The steps in the clone are the same in every README (they pack every package): run them once.
  in_clone="${steps%%cd /path/to/your-project*}"
  if [ "$in_clone" = "$ran_in_clone" ]; then steps="cd /path/to/your-project${steps#*cd /path/to/your-project}"; fi
  ran_in_clone="$in_clone"
  steps="${steps//\/path\/to\/clawgate/$root}"
  steps="${steps//\/path\/to\/your-project/$project}"
  if ! bash -euo pipefail -c "$steps" > "$project.log" 2>&1; then
    cat "$project.log"; echo "FAILED: $name: the README's install steps"; exit 1
  fi
  cd "$project"
  node --input-type=module -e "const m = await import('$name'); if (Object.keys(m).length === 0) throw new Error('$name: no ESM exports');"
  node -e "const m = require('$name'); if (Object.keys(m).length === 0) throw new Error('$name: no CJS exports');"
  echo "ok: $name, installed as its README says (ESM + CJS)"
  if [ "$name" = "@clawgate/auth" ]; then
    node --input-type=module -e "const m = await import('@clawgate/auth/redis'); if (!m.RedisRateLimitStore) throw new Error('no RedisRateLimitStore');"
    node -e "const m = require('@clawgate/auth/redis'); if (!m.RedisRateLimitStore) throw new Error('no RedisRateLimitStore');"
    echo "ok: @clawgate/auth/redis (ESM + CJS)"
  fi
done
