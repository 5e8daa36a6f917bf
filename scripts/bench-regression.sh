#!/usr/bin/env bash
# The regression target, measured in one run: the Auto MPG sweep (examples/auto-mpg, 24 trials,
# ASHA, top-5 ensemble) against scikit-learn ridge regression (alpha by 5-fold CV, the same
# imputation, scaling and one-hot) on the same test file. Python is used for the data (the copy
# of UCI Auto MPG bundled with the vega_datasets package) and the baseline only.
# Usage: scripts/bench-regression.sh [RUN_DIR]   (default: a fresh directory under /tmp)
set -euo pipefail
cd "$(dirname "$0")/.."
run="${1:-$(mktemp -d /tmp/auto-mpg.XXXXXX)/run}"
set --   # setup.sh reads its own options
source scripts/setup.sh >/dev/null
venv=.build/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet scikit-learn pandas vega_datasets
fi
"$venv/bin/python" examples/auto-mpg/prepare.py
ridge=$("$venv/bin/python" examples/auto-mpg/ridge.py)

swift build -c release --product hpsearch >/dev/null
bin=.build/release/hpsearch
"$bin" run examples/auto-mpg/sweep.yaml --dir "$run" >/dev/null 2>"$run.log" || { cat "$run.log"; exit 1; }
ensemble=$("$bin" ensemble "$run" --json)
python3 - "$ridge" "$ensemble" <<'PY'
import json, sys
ridge, e = json.loads(sys.argv[1]), json.loads(sys.argv[2])
rows = [("ridge (scikit-learn, alpha %.3g)" % ridge["alpha"], ridge),
        ("best single model (trial %d)" % e["best_single"]["trial"], e["best_single"]),
        (e["ensemble"]["name"], e["ensemble"])]
print("Auto MPG, 80 test cars, Miles_per_Gallon (miles per gallon):")
print("%-36s %9s %9s %7s" % ("model", "test RMSE", "test MAE", "R²"))
for name, r in rows:
    print("%-36s %9.4g %9.4g %7.4f" % (name, r["test_rmse"], r["test_mae"], r["test_r2"]))
best, ens = e["best_single"]["test_rmse"], e["ensemble"]["test_rmse"]
print("best single / ridge RMSE: %.3f; ensemble / ridge: %.3f (target: both < 1)" % (best / ridge["test_rmse"], ens / ridge["test_rmse"]))
PY
