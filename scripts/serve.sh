#!/usr/bin/env bash
# The main job: build the playground's wasm package into www/pkg and serve www/ on
# http://127.0.0.1:${PORT:-8000}/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-web.sh
port="${PORT:-${1:-8000}}"
echo "ctxgroup playground: http://127.0.0.1:$port/  (Ctrl+C to stop)"
exec python3 scripts/serve.py --dir www --port "$port"
