#!/usr/bin/env bash
# Runs what deploy/zhibu.service and deploy/Containerfile run, against a
# built binary, where neither systemd nor a container engine is at hand:
# configtest (ExecStartPre), serve (ExecStart / CMD), healthcheck until
# healthy (ExecStartPost / HEALTHCHECK), SIGTERM (KillSignal / STOPSIGNAL)
# and a clean exit. Then `systemd-analyze verify` on the units when the
# machine has it, and the image build when a container engine answers and
# ZHIBU_CHECK_IMAGE=1 (a full release build: minutes).
#
#   bash deploy/check.sh [path/to/zhibu]      (default: target/release/zhibu)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
zhibu="$(realpath "${1:-$here/../target/release/zhibu}")"
[ -x "$zhibu" ] || { echo "no zhibu binary at $zhibu" >&2; exit 1; }

work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A free loopback port: nothing answers on it.
port=""
for _ in $(seq 1 50); do
  candidate=$(( 20000 + RANDOM % 40000 ))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[ -n "$port" ] || { echo "no free port" >&2; exit 1; }

# The environment file the unit reads, with this run's paths.
cat > "$work/zhibu.env" <<ENV
ZHIBU_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
ZHIBU_PUBLIC_URL=https://zhibu.example.cn
ZHIBU_DATABASE_URL=sqlite://$work/state/zhibu.db?mode=rwc
ZHIBU_BIND=127.0.0.1:$port
ZHIBU_PUBLIC_DIR=$work/dist
ZHIBU_LOG_FORMAT=json
ENV
set -a; . "$work/zhibu.env"; set +a
mkdir -p "$work/state" "$work/dist"

echo "== configtest (ExecStartPre)"
"$zhibu" configtest

echo "== serve (ExecStart)"
"$zhibu" serve >"$work/serve.log" 2>&1 &
pid=$!

echo "== healthcheck until healthy (ExecStartPost, HEALTHCHECK)"
healthy=""
for _ in $(seq 1 60); do
  if "$zhibu" healthcheck --timeout 2; then healthy=1; break; fi
  kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; echo "zhibu serve exited" >&2; exit 1; }
  sleep 1
done
[ -n "$healthy" ] || { cat "$work/serve.log" >&2; echo "never healthy" >&2; exit 1; }

# ZHIBU_LOG_FORMAT=json: every log line is one JSON object.
grep -q '"level":"INFO"' "$work/serve.log" || { cat "$work/serve.log" >&2; echo "no JSON log lines" >&2; exit 1; }
if grep -q "$ZHIBU_JWT_SECRET" "$work/serve.log"; then echo "the secret reached the log" >&2; exit 1; fi

echo "== SIGTERM (KillSignal, STOPSIGNAL)"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
[ "$status" -eq 0 ] || { cat "$work/serve.log" >&2; echo "zhibu serve exited with $status on SIGTERM" >&2; exit 1; }
if "$zhibu" healthcheck --timeout 1 2>/dev/null; then echo "still healthy after stopping" >&2; exit 1; fi
echo "stopped cleanly"

if command -v systemd-analyze >/dev/null 2>&1; then
  echo "== systemd-analyze verify"
  mkdir -p "$work/units"
  for unit in zhibu.service zhibu-healthcheck.service zhibu-healthcheck.timer; do
    sed -e "s#/usr/local/bin/zhibu#$zhibu#g" -e "s#/etc/zhibu/zhibu.env#$work/zhibu.env#g" \
      "$here/$unit" >"$work/units/$unit"
  done
  # Only the units' own problems count; a host without systemd running
  # may print notes about itself.
  out=$(cd "$work/units" && systemd-analyze verify ./zhibu.service ./zhibu-healthcheck.service ./zhibu-healthcheck.timer 2>&1) || true
  if echo "$out" | grep -E "zhibu(-healthcheck)?\.(service|timer)" >&2; then
    echo "systemd-analyze found problems in the units" >&2
    exit 1
  fi
  echo "units verified"
else
  echo "== systemd-analyze not installed: units not verified"
fi

if [ "${ZHIBU_CHECK_IMAGE:-0}" = 1 ] && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  echo "== docker build"
  docker build -f "$here/Containerfile" -t zhibu:check "$here/.."
else
  echo "== image not built (set ZHIBU_CHECK_IMAGE=1 where a container engine runs)"
fi

echo "deploy check passed"
