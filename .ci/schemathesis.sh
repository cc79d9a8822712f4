#!/usr/bin/env bash
# Fuzzes the running server through its own OpenAPI document, as an admin
# and as a member: no server errors, and every response matches the
# documented status codes, content types and schemas. Installs schemathesis
# from PyPI into a venv under target/ on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

budget="${ZHIBU_FUZZ_SECONDS:-120}"
examples="${ZHIBU_FUZZ_EXAMPLES:-25}"
venv="target/schemathesis-venv"
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'schemathesis>=4.3,<5'
fi

cargo build --quiet -p zhibu-server --bin zhibu
data="$(mktemp -d)"
port="${ZHIBU_FUZZ_PORT:-18791}"
base="http://127.0.0.1:$port"
ZHIBU_DATABASE_URL="sqlite://$data/zhibu.db?mode=rwc" \
ZHIBU_BIND="127.0.0.1:$port" \
ZHIBU_PUBLIC_DIR="$data/no-pwa" \
ZHIBU_LOGIN_FAILURES_PER_IP=1000000 \
RUST_LOG=warn \
  "${CARGO_TARGET_DIR:-target}/debug/zhibu" serve --demo >"$data/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
for _ in $(seq 1 120); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done

token() {
  curl -fsS -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"phone\":\"$1\",\"password\":\"demo1234\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}

status=0
passed=0
failed=0
# The member first: the admin's run may disable members.
for who in member:13800000002 admin:13800000000; do
  name="${who%%:*}"
  echo "== schemathesis as $name"
  # Calls that end the caller's own session would end the run early.
  "$venv/bin/st" run "$base/api/openapi.json" --url "$base" \
    -H "Authorization: Bearer $(token "${who##*:}")" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --exclude-path /api/v1/auth/logout --exclude-path /api/v1/me/password \
    --exclude-path /api/v1/auth/refresh \
    --max-examples "$examples" --max-time "$budget" --seed 20261129 \
    --no-color --warnings off && passed=$((passed + 1)) || { status=1; failed=$((failed + 1)); }
done
if grep -q "panicked" "$data/server.log"; then
  echo "the server panicked during fuzzing:" >&2
  grep -A5 "panicked" "$data/server.log" >&2
  status=1
fi
echo "schemathesis: $passed passed, $failed failed"
exit "$status"
