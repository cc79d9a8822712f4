#!/usr/bin/env bash
# Lighthouse 12 on the PWA's main pages, signed in, against the demo county
# on embedded SQLite: the mobile scores and the slow-3G timings, written
# into BENCHMARKS.md between its Lighthouse markers. Installs Lighthouse
# from npm under target/ on first use; needs Chromium (CHROME_PATH, else
# /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/../.."

tools="target/lighthouse"
if [ ! -d "$tools/node_modules/lighthouse" ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --silent lighthouse@12.8.2 puppeteer-core@24
fi
cp tests/lighthouse/audit.mjs "$tools/audit.mjs"
# Every phone has a Chinese font. Without one, Chromium searches all its
# fonts for each character on every layout, and the scores measure that.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y --no-install-recommends fonts-noto-cjk >/dev/null
  else
    echo "a Chinese font is needed: install fonts-noto-cjk" >&2
    exit 1
  fi
fi

cargo xtask build-app
cargo build --quiet --release -p zhibu-server --bin zhibu
data="$(mktemp -d)"
port="${ZHIBU_LIGHTHOUSE_PORT:-18792}"
origin="http://127.0.0.1:$port"
ZHIBU_DATABASE_URL="sqlite://$data/zhibu.db?mode=rwc" \
ZHIBU_BIND="127.0.0.1:$port" \
ZHIBU_PUBLIC_DIR="dist" \
ZHIBU_PUBLIC_URL="$origin" \
RUST_LOG=warn \
  "${CARGO_TARGET_DIR:-target}/release/zhibu" serve --demo >"$data/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
for _ in $(seq 1 600); do
  curl -fsS "$origin/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

table="$(node "$tools/audit.mjs" "$origin" 2>"$data/lighthouse.json")"
echo "$table"
TABLE="$table" python3 - <<'PY'
import datetime, os, re
path = "BENCHMARKS.md"
text = open(path, encoding="utf-8").read()
start, end = "<!-- lighthouse:start -->", "<!-- lighthouse:end -->"
body = (
    f"{start}\n### Lighthouse, {datetime.date.today()} (`tests/lighthouse/run.sh`)\n\n"
    "Lighthouse 12, signed in as the demo secretary, each page in a fresh browser "
    "context (no service worker, nothing cached), with a Chinese font installed as on "
    "every phone. The scores, LCP and TBT are Lighthouse's mobile preset (simulated "
    "slow 4G, 4x slower CPU), from the run with the median score of five. The "
    "slow-3G columns are one real load throttled by Chromium (1.5 s latency per "
    "request, i.e. 400 ms round trips, 360 kbit/s, 4x slower CPU): the first "
    "contentful paint, and when the page first shows its content with no loading "
    "line left (boot screen gone, `<main>` filled, nothing `aria-busy`).\n\n"
    + os.environ["TABLE"] + f"\n{end}"
)
if start in text:
    text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: body, text, flags=re.S)
else:
    text = text.rstrip("\n") + "\n\n" + body + "\n"
open(path, "w", encoding="utf-8").write(text)
PY
