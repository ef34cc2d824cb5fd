#!/bin/sh
# Installs what the PyTorch side of `npm run perf` and test/perf/parity.spec.ts
# need: Debian's python3-torch (brings numpy) and the pthread OpenBLAS.
# Idempotent; run as root. Nothing is installed when everything is present.
set -eu

PY=/usr/bin/python3
missing=""
dpkg -s python3-torch >/dev/null 2>&1 || missing="$missing python3-torch"
dpkg -s python3-numpy >/dev/null 2>&1 || missing="$missing python3-numpy"
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || missing="$missing libopenblas0-pthread"

if [ -n "$missing" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh: need root to install:$missing" >&2
    exit 1
  fi
  echo "setup.sh: installing$missing"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
else
  echo "setup.sh: python3-torch, python3-numpy and libopenblas0-pthread already installed"
fi

"$PY" -c 'import numpy, torch; print("torch", torch.__version__, "numpy", numpy.__version__, "at", "'"$PY"'")'
