#!/usr/bin/env bash
# Installs, with apt, only the system packages hpsearch needs that are missing.
# Idempotent and non-interactive; runs `apt-get update` only when it must install something.
#   scripts/setup.sh [--with-browser]   (--with-browser: also Chromium, for the report's
#                                        rendering test, which is skipped without it)
set -euo pipefail

packages=(libopenmpi-dev openmpi-bin libopenblas-dev libsqlite3-dev zlib1g-dev pkg-config dataset-fashion-mnist)
for arg in "$@"; do
  case "$arg" in
    --with-browser) packages+=(chromium) ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "setup: unknown option $arg (expected --with-browser)" >&2; exit 2 ;;
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

if ! command -v swift >/dev/null; then
  for d in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
    [ -x "$d/swift" ] && export PATH="$d:$PATH" && break
  done
fi
command -v swift >/dev/null || { echo "setup: Swift 6 toolchain not found on PATH; install it from swift.org" >&2; exit 1; }
