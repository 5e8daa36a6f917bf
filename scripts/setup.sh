#!/usr/bin/env bash
# Installs, with apt, only the system packages hpsearch needs that are missing.
# Idempotent and non-interactive; runs `apt-get update` only when it must install something.
#   scripts/setup.sh [--with-browser] [--with-onnx]
#     --with-browser: also Chromium, for the report's rendering test (skipped without it)
#     --with-onnx: onnxruntime, safetensors and numpy (PyPI), for the export tests (skipped without
#                  them): nothing when python3 already imports them, else a virtual environment
#                  .venv-onnx that the tests find. hpsearch itself never needs Python.
set -euo pipefail

packages=(libopenmpi-dev openmpi-bin libopenblas-dev libsqlite3-dev zlib1g-dev pkg-config dataset-fashion-mnist)
browser=0
onnx=0
for arg in "$@"; do
  case "$arg" in
    --with-browser) browser=1 ;;
    --with-onnx) onnx=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "setup: unknown option $arg (expected --with-browser or --with-onnx)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all system packages present"
else
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Chromium only renders the report in one test: a failed install skips that test, nothing more.
if [ "$browser" -eq 1 ] && ! command -v chromium >/dev/null; then
  echo "setup: installing chromium (for the report's rendering test)"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  { DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium; } \
    || echo "setup: could not install chromium; the browser rendering test will be skipped" >&2
fi

# onnxruntime and safetensors only check exported models in the tests: a failed install skips them.
if [ "$onnx" -eq 1 ]; then
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if python3 -c "import onnxruntime, safetensors, numpy" 2>/dev/null; then
    echo "setup: onnxruntime, safetensors and numpy present"
  elif [ -x "$here/.venv-onnx/bin/python3" ] && "$here/.venv-onnx/bin/python3" -c "import onnxruntime, safetensors, numpy" 2>/dev/null; then
    echo "setup: onnxruntime, safetensors and numpy present in .venv-onnx"
  else
    echo "setup: installing onnxruntime, safetensors and numpy into .venv-onnx (for the export tests)"
    { python3 -m venv "$here/.venv-onnx" && "$here/.venv-onnx/bin/pip" install -q onnxruntime safetensors numpy; } \
      || echo "setup: could not install onnxruntime/safetensors; the ONNX and safetensors checks will be skipped" >&2
  fi
fi

if ! command -v swift >/dev/null; then
  for d in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
    [ -x "$d/swift" ] && export PATH="$d:$PATH" && break
  done
fi
command -v swift >/dev/null || { echo "setup: Swift 6 toolchain not found on PATH; install it from swift.org" >&2; exit 1; }
