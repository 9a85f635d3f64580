#!/usr/bin/env bash
# Prints the path of a Python that has NVIDIA's Triton HTTP client (`tritonclient[http]` from PyPI),
# installing it into a virtualenv under .sluice/ the first time (pinned). test/serving drives the
# model server's Open Inference Protocol with it, unchanged, as any KServe v2 client would.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/python-venv.sh"
ensure_venv tritonclient-venv "run the model server's tritonclient tests" "tritonclient[http]==2.73.0"
echo "$VENV_PY"
