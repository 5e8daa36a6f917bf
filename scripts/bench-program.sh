#!/usr/bin/env bash
# bench-program.sh [ROUNDS=3]: hpsearch's overhead per program trial — spawn, epoch reports,
# decisions, collection and storage — beyond the program's own run time. The program reports 10
# epochs and exits (python3 -S, no imports beyond json). Per round: the program run directly 40
# times (its own time per run), and sweeps of 20 and 60 trials in one process (`scheduler: none`);
# the per-trial cost is the slope (T60 − T20) / 40, which leaves out hpsearch's start-up, and the
# overhead is that slope minus the program's own time. Medians of interleaved rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
bin="${HPSEARCH_BIN:-.build/release/hpsearch}"
[ -x "$bin" ] || { echo "bench-program: build first: swift build -c release --product hpsearch" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cat > "$work/ten.py" <<'PY'
import json, os
for e in range(1, 11):
    print("hpsearch " + json.dumps({"epoch": e, "val_loss": 1.0 / e}), flush=True)
PY
for n in 20 60; do
  cat > "$work/s$n.yaml" <<YAML
name: overhead
program: {command: [python3, -S, ten.py]}
budget: {trials: $n, max_epochs: 10}
parameters:
  x: {distribution: uniform, min: 0, max: 1}
YAML
done
now() { date +%s.%N; }
for r in $(seq "$rounds"); do
  t0=$(now); for i in $(seq 40); do python3 -S "$work/ten.py" > /dev/null; done; t1=$(now)
  rm -rf "$work/r20" "$work/r60"
  "$bin" run "$work/s20.yaml" --dir "$work/r20" --quiet > /dev/null; t2=$(now)
  "$bin" run "$work/s60.yaml" --dir "$work/r60" --quiet > /dev/null; t3=$(now)
  echo "$t0 $t1 $t2 $t3"
done | python3 -c '
import sys, statistics as st
own, per = [], []
for line in sys.stdin:
    t0, t1, t2, t3 = map(float, line.split())
    own.append((t1 - t0) / 40); per.append(((t3 - t2) - (t2 - t1)) / 40)
o, p = st.median(own), st.median(per)
print(f"program alone: {o*1000:.1f} ms per run; per trial in a sweep: {p*1000:.1f} ms; overhead: {(p-o)*1000:.1f} ms per trial (target < 20 ms), medians of {len(own)} rounds")
'
