#!/usr/bin/env bash
# bench-report.sh RUN_DIR [ROUNDS]: the report's size and its render time in headless Chromium,
# as the time over a blank page's (Chromium's own start-up), medians of interleaved rounds.
# Targets (issue 16): a 60-trial Fashion-MNIST report under ~1 MB that renders in under 2 s.
set -euo pipefail
run="${1:?usage: scripts/bench-report.sh RUN_DIR [ROUNDS]}"; rounds="${2:-5}"
bin="${HPSEARCH_BIN:-$(dirname "$0")/../.build/release/hpsearch}"
browser="${HPSEARCH_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
[ -n "$browser" ] || { echo "bench-report: no Chromium; scripts/setup.sh --with-browser installs it" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$bin" report "$run" -o "$tmp/report.html" >/dev/null
echo '<!DOCTYPE html><html><body><p>blank</p></body></html>' > "$tmp/blank.html"
shot() {
  local s e
  s=$(date +%s.%N)
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --user-data-dir="$tmp/profile" \
    --window-size=1280,1600 --screenshot="$tmp/shot.png" "file://$1" >/dev/null 2>&1
  e=$(date +%s.%N)
  echo "$e - $s" | bc
}
blank=(); page=()
for i in $(seq "$rounds"); do blank+=("$(shot "$tmp/blank.html")"); page+=("$(shot "$tmp/report.html")"); done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mb=$(stat -c %s "$tmp/report.html" | awk '{printf "%.3f", $1 / 1048576}')
b=$(median "${blank[@]}"); p=$(median "${page[@]}")
echo "report: $mb MB ($(grep -o '<section>' "$tmp/report.html" | wc -l) sections)"
awk -v b="$b" -v p="$p" -v n="$rounds" 'BEGIN { printf "chromium, median of %d interleaved rounds: blank page %.3f s, report %.3f s; render time %.3f s (target < 2 s)\n", n, b, p, p - b }'
