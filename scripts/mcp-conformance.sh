#!/usr/bin/env bash
# `codex-pr-bot mcp-server` through the official MCP clients: the TypeScript SDK's
# client (scripts/mcp-conformance.mjs) and the MCP Inspector's CLI. Each starts the
# server as the README shows, lists its tools, checks serverInfo.version, and makes
# calls that must come back as tool errors within a second (a missing cwd, an invalid
# argument). No model is called; only npm needs the network. Needs Node 20+, npm, uv.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

SDK_VERSION="1.32.2"
INSPECTOR_VERSION="2.12.0"
FAST_MS=1000

for tool in node npm uv git; do
  command -v "$tool" >/dev/null 2>&1 || { echo "mcp-conformance: $tool is needed" >&2; exit 2; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/clients" "$work/codex-home"
repo="$work/repo"
git init -q "$repo"
echo "a file, not a folder" >"$repo/README.md"
# Codex and the Inspector keep their state here, not in the user's home.
export CODEX_HOME="$work/codex-home"
export MCP_CATALOG_PATH="$work/inspector-catalog.json"
export MCP_CLIENT_CONFIG_PATH="$work/inspector-client.json"

sdk="@modelcontextprotocol/sdk@$SDK_VERSION"
inspector_package="@modelcontextprotocol/inspector@$INSPECTOR_VERSION"
echo "== installing $sdk and $inspector_package"
(
  cd "$work/clients"
  # No install scripts run (the Inspector's only one is for its own source tree).
  npm install --no-save --no-package-lock --no-audit --no-fund --prefer-offline \
    --ignore-scripts --loglevel=error \
    "$sdk" "$inspector_package"
)
cp scripts/mcp-conformance.mjs "$work/clients/"

uv sync --quiet --compile-bytecode
version="$(uv run --no-sync python -c \
  'import importlib.metadata as m; print(m.version("codex-pr-bot"))')"
server=(
  uv run --no-sync --project "$root" codex-pr-bot mcp-server
  --sandbox workspace-write --approval-policy never --cwd-root "$repo"
  --codex-config features.plugins=false
)

echo "== TypeScript SDK client (ready after ${SECONDS} s)"
(cd "$work/clients" && EXPECTED_VERSION="$version" node mcp-conformance.mjs -- "${server[@]}")

echo "== MCP Inspector CLI (at ${SECONDS} s)"
inspector() {
  local launcher="clients/node_modules/@modelcontextprotocol/inspector/clients/launcher"
  node "$work/$launcher/build/index.js" --cli --format json --quiet \
    -e "CODEX_HOME=$CODEX_HOME" --cwd "$repo" "$@" -- "${server[@]}"
}
# check <json> <condition> <what it means> [<detail to show>]: JavaScript over `r`, the JSON.
check() {
  local detail
  detail="$(node -e '
    const r = JSON.parse(process.argv[1]);
    if (!eval(process.argv[2])) process.exit(1);
    if (process.argv[3]) console.log(eval(process.argv[3]));' "$1" "$2" "${4:-}")" ||
    { echo "FAILED: $3; the Inspector said: $1" >&2; exit 1; }
  echo "ok: $3${detail:+ ($detail)}"
}

out="$(inspector --method initialize)"
check "$out" "r.result.serverInfo.version === '$version'" "serverInfo.version is $version"

out="$(inspector --method tools/list --strict)"  # --strict: exit 6 on a schema portability error
check "$out" "r.result.tools.map(t => t.name).join() === 'codex,codex-reply'" \
  "tools/list: codex, codex-reply, schemas portable"

invalid_calls=(
  '{"prompt": "x", "cwd": "does-not-exist"}|does not exist'
  '{"prompt": 42}|must be a string'
)
for case in "${invalid_calls[@]}"; do
  arguments="${case%|*}" complaint="${case#*|}"
  # A tool error makes the Inspector exit 5 (tool_is_error), with the result on stdout.
  status=0
  out="$(inspector --method tools/call --tool-name codex --tool-args-json "$arguments" \
    2>"$work/stderr")" || status=$?
  if [[ $status -ne 5 ]]; then
    echo "FAILED: codex $arguments: exit $status, not 5: $out $(cat "$work/stderr")" >&2
    exit 1
  fi
  check "$out" "r.result.isError === true && r.result.content[0].text.includes('$complaint')" \
    "codex $arguments is a tool error ('$complaint')"
  # The Inspector's load mode times each call itself, without the server's start.
  out="$(inspector --method tools/call --tool-name codex --tool-args-json "$arguments" \
    --load --load-requests 3 --load-concurrency 1)"
  check "$out" "r.result.toolErrors === 3 && r.result.latencyMs.max < $FAST_MS" \
    "codex $arguments: 3 tool errors, each under $FAST_MS ms" \
    "'slowest ' + r.result.latencyMs.max + ' ms'"
done
echo "mcp-conformance: both official clients agree with the server (${SECONDS} s)"
