#!/usr/bin/env bash
# bench-predict.sh RUN_DIR [ROUNDS=3]: `hpsearch predict` of RUN_DIR's newest ensemble on the
# 10,000 Fashion-MNIST test images (its own rows_per_second: reading the IDX file, the
# transform, every member, the metrics and the .npy output) against onnxruntime running the same
# ensemble exported with `hpsearch export-model --format onnx` (session.run on the images in
# memory), interleaved rounds at 2 and 1 threads; medians and ratios. RUN_DIR: a quickstart run
# (scripts/quickstart.sh). onnxruntime: `scripts/setup.sh --with-onnx` (python3 or .venv-onnx).
set -euo pipefail
cd "$(dirname "$0")/.."
run="${1:?usage: scripts/bench-predict.sh RUN_DIR [ROUNDS]}"
rounds="${2:-3}"
bin="${HPSEARCH_BIN:-.build/release/hpsearch}"
[ -x "$bin" ] || { echo "bench-predict: build first: swift build -c release --product hpsearch" >&2; exit 1; }
py=python3
python3 -c "import onnxruntime, numpy" 2>/dev/null || py=.venv-onnx/bin/python3
"$py" -c "import onnxruntime, numpy" 2>/dev/null || { echo "bench-predict: onnxruntime not found: scripts/setup.sh --with-onnx" >&2; exit 1; }
fm=/usr/share/datasets/fashion-mnist
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$bin" export-model "$run" --format onnx -o "$work/model.onnx" > /dev/null
cat > "$work/ort.py" <<'PY'
import gzip, sys, time, numpy as np, onnxruntime as ort
model, threads, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
x = np.frombuffer(gzip.open(d + "/t10k-images-idx3-ubyte.gz").read(), np.uint8, offset=16).reshape(-1, 28, 28, 1).astype(np.float32)
y = np.frombuffer(gzip.open(d + "/t10k-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)
o = ort.SessionOptions(); o.intra_op_num_threads = threads; o.inter_op_num_threads = 1
s = ort.InferenceSession(model, o, providers=["CPUExecutionProvider"])
name = s.get_inputs()[0].name
s.run(None, {name: x[:100]})
t = time.perf_counter(); p = s.run(None, {name: x})[0]; dt = time.perf_counter() - t
print(f"{len(x) / dt:.0f} {np.mean(p.argmax(1) == y):.4f}")
PY
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for t in 2 1; do
  : > "$work/h$t"; : > "$work/o$t"
  for r in $(seq "$rounds"); do
    out=$("$bin" predict "$run" --input "$fm/t10k-images-idx3-ubyte.gz" --labels "$fm/t10k-labels-idx1-ubyte.gz" \
          --proba -o "$work/p.npy" --json --threads "$t")
    h=$(echo "$out" | "$py" -c "import json,sys; d=json.load(sys.stdin); print(round(d['rows_per_second']), d['accuracy'])")
    o=$("$py" "$work/ort.py" "$work/model.onnx" "$t" "$fm")
    echo "threads $t round $r: hpsearch ${h% *} images/s (accuracy ${h#* }), onnxruntime ${o% *} images/s (accuracy ${o#* })"
    echo "${h% *}" >> "$work/h$t"; echo "${o% *}" >> "$work/o$t"
  done
  hm=$(median < "$work/h$t"); om=$(median < "$work/o$t")
  echo "threads $t: medians hpsearch $hm, onnxruntime $om images/s: $(awk -v a="$hm" -v b="$om" 'BEGIN {printf "%.2f", a / b}')×"
done
