#!/usr/bin/env bash
# bench-coordinator.sh: rank 0's throughput with no-op trials (10 epoch reports each, SQLite
# persistence, 2 workers under mpirun), then Optuna's own overhead with SQLite storage and 10
# reports per trial (the anchor, ../shared/anchors/optuna_overhead.py) in the same run, and the ratio.
#   scripts/bench-coordinator.sh [TRIALS]      (needs `pip install optuna` for the anchor)
set -euo pipefail
cd "$(dirname "$0")/.."
trials="${1:-5000}"
swift build -c release --product hpsearch 2>&1 | tail -n 1
json=$(scripts/launch.sh -n 3 --oversubscribe -- bench coordinator --trials "$trials" --json | tail -n 1)
echo "hpsearch: $json"
ours=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['trials_per_s'])" "$json")
anchors=../shared/anchors
if [[ -f "$anchors/optuna_overhead.py" ]] && python3 -c "import optuna" 2>/dev/null; then
  line=$(cd "$anchors" && python3 optuna_overhead.py sqlite-median-all10 | grep "trials/s" | tail -n 1)
  echo "optuna:   $line"
  theirs=$(echo "$line" | awk '{print $2}')
  python3 -c "import sys; print(f'ratio: {float(sys.argv[1]) / float(sys.argv[2]):.0f}x Optuna (target >= 100x)')" "$ours" "$theirs"
else
  echo "anchor skipped: $anchors/optuna_overhead.py and 'pip install optuna' are needed for the ratio"
fi
