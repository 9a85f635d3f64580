#!/usr/bin/env bash
# `npm test`: installs what is missing (npm packages, the Temporal CLI, PostgreSQL and Chromium
# when root), builds the editor, then type checks (including the type-level DSL tests), lints, and runs every test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/ensure-deps.sh
echo "== Temporal CLI: $(bash scripts/ensure-temporal.sh)"
if url="$(bash scripts/ensure-postgres.sh)"; then
  export SLUICE_TEST_DATABASE_URL="$url"
  echo "== PostgreSQL: $url"
else
  echo "== PostgreSQL unavailable: the PostgreSQL-backed tests will be skipped (see the message above)"
fi

if chromium="$(bash scripts/ensure-chromium.sh)"; then
  export SLUICE_CHROMIUM="$chromium"
  echo "== Chromium: $chromium"
else
  echo "== Chromium unavailable: the browser tests will fail (see the message above)"
fi
# The MLflow client tests (test/api/mlflow.test.ts) drive the API with the real mlflow-skinny.
if mlflow_python="$(bash scripts/ensure-mlflow.sh)"; then
  echo "== MLflow client: $mlflow_python"
else
  echo "== MLflow client unavailable: the MLflow client tests will be skipped (see the message above)"
fi
# The notebook component's tests (components/notebook/runNotebook.test.ts) run real papermill, nbconvert, ipykernel.
if notebook_python="$(bash scripts/ensure-notebook.sh)"; then
  export SLUICE_NOTEBOOK_PYTHON="$notebook_python"
  echo "== notebook Python (papermill): $notebook_python"
else
  echo "== notebook Python unavailable: the papermill tests will be skipped (see the message above)"
fi
# The model server tests (test/serving/tritonclient.test.ts) drive it with the real tritonclient[http].
if triton_python="$(bash scripts/ensure-tritonclient.sh)"; then
  echo "== tritonclient: $triton_python"
else
  echo "== tritonclient unavailable: the tritonclient tests will be skipped (see the message above)"
fi
echo "== editor build (vite)"
bash scripts/ensure-editor.sh

echo "== typecheck (tsc -b: Node, the pure dsl/ + API contract, the editor; including test/types/*.test-d.ts)"
npm run --silent typecheck
echo "== lint (eslint)"
npx eslint .
echo "== tests (vitest)"
report=".sluice/test-report.json"
mkdir -p .sluice
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
# One plain closing line for CI: "N passed, N failed, N skipped".
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$report" || true
exit "$status"
