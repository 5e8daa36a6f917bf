#!/usr/bin/env bash
# compare-schedulers.sh: early stopping against full-budget random search on real data.
# Runs a sweep twice under mpirun, as written (its scheduler, e.g. ASHA) and with
# `scheduler: {type: none}`; the seed is the same, so both searches sample the same
# configurations. Prints, for each: epochs trained, the share of the full budget's epochs, the
# trial each picks (best validation loss) and that trial's validation and test accuracy.
#   scripts/compare-schedulers.sh [-n RANKS] [SWEEP] [OUT_DIR]
#   (default: -n 3, sweeps/fashion-asha.yaml, runs/compare-schedulers; HPSEARCH_BIN picks the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
ranks=3
if [[ "${1:-}" == "-n" ]]; then ranks="$2"; shift 2; fi
sweep="${1:-sweeps/fashion-asha.yaml}"
out="${2:-runs/compare-schedulers}"
bin="${HPSEARCH_BIN:-.build/release/hpsearch}"
[[ -x "$bin" ]] || { echo "compare-schedulers.sh: no $bin; swift build -c release --product hpsearch" >&2; exit 1; }
grep -qE '^[[:space:]]*scheduler:' "$sweep" || { echo "compare-schedulers.sh: $sweep has no 'scheduler:' line under early_stopping" >&2; exit 1; }
mkdir -p "$out"
full="$out/$(basename "$sweep" .yaml)-full.yaml"
sed -E 's/^([[:space:]]*)scheduler:.*/\1scheduler: {type: none}/' "$sweep" > "$full"
export HPSEARCH_BLAS_THREADS="${HPSEARCH_BLAS_THREADS:-1}" HPSEARCH_BIN="$bin"
summary() { # summary NAME DIR SECONDS
  "$bin" ensemble "$2" --json > "$2/ensemble.json"
  python3 - "$1" "$2" "$3" "$full_epochs" <<'PY'
import json, sqlite3, sys
name, d, secs, full = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
db = sqlite3.connect(f"file:{d}/sweep.db?mode=ro", uri=True)
epochs = db.execute("select count(*) from epochs").fetchone()[0]
best = json.load(open(f"{d}/ensemble.json"))["best_single"]
share = f"{100 * epochs / int(full):.0f}%" if full else "100%"
print(f"| {name} | {epochs} | {share} | {best['trial']} | {best['val_nll']:.4f} | {best['val_accuracy']:.4f} | {best['test_accuracy']:.4f} | {secs:.0f} |")
PY
}
run() { # run NAME FILE → seconds
  local t0=$SECONDS
  scripts/launch.sh -n "$ranks" --oversubscribe -- run "$2" --dir "$out/$1" --quiet > "$out/$1.log" 2>&1 \
    || { [[ -d "$out/$1" ]] && scripts/launch.sh -n "$ranks" --oversubscribe -- resume "$out/$1" --quiet >> "$out/$1.log" 2>&1; } \
    || { echo "compare-schedulers.sh: the $1 sweep failed: see $out/$1.log" >&2; exit 1; }
  echo $((SECONDS - t0))
}
echo "full-budget random search: $full ($ranks ranks)…" >&2
full_seconds=$(run full "$full")
full_epochs=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(f'file:{sys.argv[1]}/sweep.db?mode=ro', uri=True).execute('select count(*) from epochs').fetchone()[0])" "$out/full")
echo "as written: $sweep…" >&2
stopped_seconds=$(run early "$sweep")
echo "| search | epochs | of full | picked trial | its val NLL | its val acc | its test acc | seconds |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
summary "random, full budget" "$out/full" "$full_seconds"
summary "random + $(grep -E '^[[:space:]]*scheduler:' "$sweep" | grep -oE 'type: *[a-z]+' | head -n 1 | sed 's/type: *//')" "$out/early" "$stopped_seconds"
