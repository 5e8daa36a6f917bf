#!/usr/bin/env bash
# bench-anchors.sh [ROUNDS=3]: hpsearch's training speed against the anchors, in one run —
# interleaved rounds at 1 and 2 BLAS threads of `hpsearch bench tensor` (MLP, CNN, ResNet; each
# model in its own process, so peak_rss_mb is that model's) and of ../shared/anchors/numpy_mlp.py,
# torch_mlp.py, torch_cnn.py and scripts/torch_resnet.py; medians per figure, then the ratios.
# PyTorch CPU: pip install "torch==2.13.0+cpu" (from this machine's local wheel directory).
# These machines are shared: 2-thread figures move by 1.5-2x between runs, 1-thread ones by ~5%.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
bin="${HPSEARCH_BIN:-.build/release/hpsearch}"
anchors="${HPSEARCH_ANCHORS:-../shared/anchors}"
[ -x "$bin" ] || { echo "bench-anchors: build first: swift build -c release --product hpsearch" >&2; exit 1; }
[ -d "$anchors" ] || { echo "bench-anchors: no anchors at $anchors (set HPSEARCH_ANCHORS)" >&2; exit 1; }
python3 -c "import torch" 2>/dev/null || { echo "bench-anchors: no PyTorch: pip install \"torch==2.13.0+cpu\"" >&2; exit 1; }
out=$(mktemp); trap 'rm -f "$out" "$out.header"' EXIT
# Each run's header names OpenBLAS's kernels (kept in $out.header for the machine line below).
figure() { "$bin" bench tensor --only "$1" --threads "$2" --seconds 2 2>/dev/null | tee "$out.header" | awk -v k="$3" '$1 == k { print $2 }'; }
last_rate() { grep -o '[0-9][0-9]* img/s' | tail -1 | awk '{print $1}'; }
for r in $(seq "$rounds"); do
  for t in 1 2; do
    echo "round $r, $t thread(s)…" >&2
    echo "hps_mlp $t $(figure mlp "$t" mlp_images_per_s)" >> "$out"
    echo "hps_cnn $t $(figure cnn "$t" cnn_images_per_s)" >> "$out"
    echo "hps_resnet $t $(figure resnet "$t" resnet_images_per_s)" >> "$out"
    echo "hps_resnet_rss $t $("$bin" bench tensor --only resnet --threads "$t" --seconds 1 2>/dev/null | awk '$1 == "peak_rss_mb" { print $2 }')" >> "$out"
    echo "numpy_mlp $t $( (cd "$anchors" && python3 numpy_mlp.py "$t" 3 2>/dev/null) | last_rate)" >> "$out"
    echo "torch_mlp $t $( (cd "$anchors" && python3 torch_mlp.py "$t" 3 2>/dev/null) | grep tensor-index | last_rate)" >> "$out"
    echo "torch_cnn $t $( (cd "$anchors" && python3 torch_cnn.py "$t" 3 40 2>/dev/null) | last_rate)" >> "$out"
    echo "torch_resnet $t $(HPSEARCH_ANCHORS="$anchors" python3 scripts/torch_resnet.py "$t" 3 16 2>/dev/null | last_rate)" >> "$out"
  done
done
# The machine behind the figures: OpenBLAS's kernels (and oneDNN's) follow the CPU kind.
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores;" \
  "$(head -n 1 "$out.header" | grep -o 'OpenBLAS kernels: [A-Za-z0-9]*' || true)"
python3 - "$out" "$rounds" <<'PY'
import sys, statistics as st
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 3 and parts[2] not in ("", "nan"):
        rows.setdefault((parts[0], int(parts[1])), []).append(float(parts[2]))
med = {k: st.median(v) for k, v in rows.items()}
def m(k, t): return med.get((k, t), float("nan"))
print(f"medians of {sys.argv[2]} interleaved rounds (images/s; peak RSS in MB)")
print("threads  " + "  ".join(f"{k:>12}" for k in ["hps_mlp", "numpy_mlp", "torch_mlp", "hps_cnn", "torch_cnn", "hps_resnet", "torch_resnet", "resnet_rss"]))
for t in (1, 2):
    vals = [m("hps_mlp", t), m("numpy_mlp", t), m("torch_mlp", t), m("hps_cnn", t), m("torch_cnn", t), m("hps_resnet", t), m("torch_resnet", t), m("hps_resnet_rss", t)]
    print(f"{t:7d}  " + "  ".join(f"{v:12.0f}" for v in vals))
print("ratios (target): MLP vs numpy (>= 2), MLP vs PyTorch (>= 3), CNN vs PyTorch (>= 1.5), ResNet vs PyTorch (>= 1.2)")
for t in (1, 2):
    print(f"{t} thread(s): {m('hps_mlp', t) / m('numpy_mlp', t):.2f}x  {m('hps_mlp', t) / m('torch_mlp', t):.2f}x  "
          f"{m('hps_cnn', t) / m('torch_cnn', t):.2f}x  {m('hps_resnet', t) / m('torch_resnet', t):.2f}x")
PY
