#!/usr/bin/env bash
# Prints the path of a Python with what bench/serving.ts compares Sluice's model server against:
# BentoML (its own HTTP server and adaptive batching) and a minimal FastAPI + uvicorn app, both on
# onnxruntime (the version onnxruntime-node is built on), installed from PyPI into a virtualenv
# under .sluice/ the first time (pinned).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/python-venv.sh"
ensure_venv serving-bench-venv "run npm run bench:serving" "bentoml==1.4.40" "fastapi==0.163.2" "uvicorn==0.54.0" "onnxruntime==1.30.0" "numpy==2.4.6"
echo "$VENV_PY"
