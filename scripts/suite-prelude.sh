# suite-prelude.sh: sourced by the test scripts that drive real mpirun jobs (faults.sh,
# cluster-test.sh). Sets `bin` to the absolute path of the hpsearch binary (HPSEARCH_BIN, else
# the release build, else the debug build) and checks mpirun and Fashion-MNIST are installed;
# exits 2 with what to do otherwise. Expects `suite` (the script's name) and the repository root
# as the working directory.
bin="${HPSEARCH_BIN:-}"
[[ -z "$bin" && -x .build/release/hpsearch ]] && bin=.build/release/hpsearch
[[ -z "$bin" && -x .build/debug/hpsearch ]] && bin=.build/debug/hpsearch
[[ -n "$bin" ]] || { echo "$suite: no hpsearch binary; swift build --product hpsearch" >&2; exit 2; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
command -v mpirun >/dev/null || { echo "$suite: mpirun not found (scripts/setup.sh)" >&2; exit 2; }
[[ -d /usr/share/datasets/fashion-mnist ]] || { echo "$suite: Fashion-MNIST not installed (scripts/setup.sh)" >&2; exit 2; }
