#!/usr/bin/env bash
# Tensor-core benchmark beside its anchor, in the same run: `hpsearch bench tensor` and the
# hand-written numpy MLP (same model, data, batch and thread count), then their ratio.
# Usage: scripts/bench-tensor.sh [ANCHORS_DIR]   (default: ../shared/anchors next to the repo)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh >/dev/null
anchors="${1:-../shared/anchors}"

swift build -c release --product hpsearch >/dev/null
bin=.build/release/hpsearch
table=$("$bin" bench tensor)
echo "$table"
ours=$(echo "$table" | awk '$1 == "mlp_images_per_s" {print $2}')

if [ -f "$anchors/numpy_mlp.py" ] && python3 -c "import numpy" 2>/dev/null; then
  echo
  echo "numpy anchor (python3 $anchors/numpy_mlp.py 2 3):"
  out=$(cd "$anchors" && python3 numpy_mlp.py 2 3)
  echo "$out"
  line=$(echo "$out" | tail -n 1)
  numpy=$(echo "$line" | grep -oE '[0-9]+ img/s' | grep -oE '[0-9]+')
  python3 - "$ours" "$numpy" <<'PY'
import sys
ours, numpy = float(sys.argv[1]), float(sys.argv[2])
print(f"\nMLP 784-256-128-10, batch 128, 2 threads: hpsearch {ours:,.0f} img/s, numpy {numpy:,.0f} img/s, "
      f"ratio {ours/numpy:.2f}x (target >= 2x)")
PY
else
  echo "numpy anchor not run: $anchors/numpy_mlp.py or numpy missing" >&2
fi
