#!/usr/bin/env bash
# quickstart.sh: the main job. Installs what is missing (apt), builds hpsearch in release mode,
# checks the quickstart sweep against the training recipe, then runs it as a real Fashion-MNIST
# sweep under mpirun with 3 ranks (rank 0 coordinates, 2 workers train), prints the table and the
# ensemble, and writes the HTML report (RUN_DIR/report.html).
#   scripts/quickstart.sh [RUN_DIR]       (default: runs/quickstart-<timestamp>)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== building hpsearch (release)"
swift build -c release --product hpsearch 2>&1 | tail -n 1
bin=.build/release/hpsearch
dir="${1:-runs/quickstart-$(date -u +%Y%m%d-%H%M%S)}"
checks="$(mktemp)"
trap 'rm -f "$checks"' EXIT
echo "== hpsearch check sweeps/quickstart.yaml"
HPSEARCH_BLAS_THREADS="${HPSEARCH_BLAS_THREADS:-2}" "$bin" check sweeps/quickstart.yaml --save "$checks"
echo "== mpirun -np 3 hpsearch run sweeps/quickstart.yaml --dir $dir"
scripts/launch.sh -n 3 --oversubscribe -- run sweeps/quickstart.yaml --dir "$dir"
cp "$checks" "$dir/check.json"
echo "== hpsearch report $dir"
"$bin" report "$dir"
fm=/usr/share/datasets/fashion-mnist
echo "== hpsearch predict $dir (the newest ensemble on the 10,000 test images)"
"$bin" predict "$dir" --input "$fm/t10k-images-idx3-ubyte.gz" --labels "$fm/t10k-labels-idx1-ubyte.gz" --proba -o "$dir/test-predictions.csv"
echo "== hpsearch export-model $dir --format onnx (the ensemble as one ONNX graph, raw pixels in)"
"$bin" export-model "$dir" --format onnx -o "$dir/ensemble.onnx"
