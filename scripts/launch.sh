#!/usr/bin/env bash
# launch.sh: run hpsearch under mpirun with the flags it needs.
#   scripts/launch.sh [-n RANKS] [--hostfile FILE] [--oversubscribe] [--] HPSEARCH_ARGS...
# e.g. scripts/launch.sh -n 3 --oversubscribe -- run sweeps/quickstart.yaml
#      scripts/launch.sh -n 9 --hostfile hostfiles/cluster.example -- run sweeps/fashion-mlp.yaml
# - --allow-run-as-root only when running as root;
# - --bind-to none: each rank sets its own BLAS thread count (cores on its node ÷ ranks on its
#   node, or HPSEARCH_BLAS_THREADS), so binding every rank to one core would starve them;
# - HPSEARCH_* and OPENBLAS_* variables are exported to every rank (-x).
# HPSEARCH_BIN overrides the binary (default: .build/release/hpsearch, else hpsearch on PATH).
set -euo pipefail
ranks=2
hostfile=""
oversubscribe=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n|-np) ranks="$2"; shift 2 ;;
    --hostfile) hostfile="$2"; shift 2 ;;
    --oversubscribe) oversubscribe="--oversubscribe"; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
cd "$(dirname "$0")/.."
bin="${HPSEARCH_BIN:-.build/release/hpsearch}"
[[ -x "$bin" ]] || bin="$(command -v hpsearch || true)"
[[ -n "$bin" ]] || { echo "launch.sh: no hpsearch binary; build it: swift build -c release" >&2; exit 1; }
command -v mpirun >/dev/null || { echo "launch.sh: mpirun not found; install Open MPI: apt-get install openmpi-bin libopenmpi-dev (scripts/setup.sh)" >&2; exit 1; }
args=(-np "$ranks" --bind-to none)
[[ $(id -u) -eq 0 ]] && args+=(--allow-run-as-root)
[[ -n "$oversubscribe" ]] && args+=("$oversubscribe")
if [[ -n "$hostfile" ]]; then
  [[ -r "$hostfile" ]] || { echo "launch.sh: cannot read hostfile $hostfile" >&2; exit 1; }
  args+=(--hostfile "$hostfile")
fi
for v in $(env | grep -oE '^(HPSEARCH|OPENBLAS)_[A-Z_]+' || true); do args+=(-x "$v"); done
exec mpirun "${args[@]}" "$bin" "$@"
