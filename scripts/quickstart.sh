#!/usr/bin/env bash
# quickstart.sh: the main job. Installs what is missing (apt), builds hpsearch in release mode,
# checks the quickstart sweep against the training recipe, then runs it as a real Fashion-MNIST
# sweep under mpirun with 3 ranks (rank 0 coordinates, 2 workers train) and prints the table.
#   scripts/quickstart.sh [RUN_DIR]       (default: runs/quickstart-<timestamp>)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== building hpsearch (release)"
swift build -c release --product hpsearch 2>&1 | tail -n 1
bin=.build/release/hpsearch
echo "== hpsearch check sweeps/quickstart.yaml"
HPSEARCH_BLAS_THREADS="${HPSEARCH_BLAS_THREADS:-2}" "$bin" check sweeps/quickstart.yaml
echo "== mpirun -np 3 hpsearch run sweeps/quickstart.yaml"
dir_args=()
[[ $# -ge 1 ]] && dir_args=(--dir "$1")
scripts/launch.sh -n 3 --oversubscribe -- run sweeps/quickstart.yaml "${dir_args[@]}"
