"""The real MLflow client (mlflow-skinny) against a Sluice server.

MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN point it at the server (test/api/mlflow.test.ts sets
them). It logs two runs, checks what it reads back, and prints one JSON line for the TypeScript
side to check through Sluice's own API. Any failed check raises, so the exit status says it.
"""
import json
import os
import sys
import tempfile

import mlflow
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def expect_error(code, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except MlflowException as e:
        expect(e.error_code == code, f"expected {code}, got {e.error_code}: {e.message}")
        return e.message
    raise AssertionError(f"expected {code}, got no error")


experiment_name = sys.argv[1]
experiment = mlflow.set_experiment(experiment_name)
client = MlflowClient()

work = tempfile.mkdtemp()
model = os.path.join(work, "model.txt")
with open(model, "w") as f:
    f.write("weights: 1 2 3\n")
plot = os.path.join(work, "loss.csv")
with open(plot, "w") as f:
    f.write("step,loss\n0,1.0\n1,0.5\n")

with mlflow.start_run(run_name="vision-run") as run:
    vision = run.info.run_id
    mlflow.log_param("epochs", 40)
    mlflow.log_param("lr", 0.01)
    for step in range(3):
        mlflow.log_metric("accuracy", 0.8 + 0.06 * step, step=step)
    mlflow.log_metric("loss", 0.25)
    mlflow.set_tag("team", "vision")
    mlflow.log_artifact(model)
    mlflow.log_artifact(plot, artifact_path="plots")

with mlflow.start_run(run_name="audio-run") as run:
    audio = run.info.run_id
    mlflow.log_params({"epochs": 10, "lr": 0.1})
    mlflow.log_metrics({"accuracy": 0.5, "loss": 0.9}, step=0)
    mlflow.set_tag("team", "audio")

# Read back: params, the latest metric values, the tag, the status.
got = client.get_run(vision)
expect(got.data.params == {"epochs": "40", "lr": "0.01"}, f"params: {got.data.params}")
expect(abs(got.data.metrics["accuracy"] - 0.92) < 1e-9, f"metrics: {got.data.metrics}")
expect(got.data.tags.get("team") == "vision", f"tags: {got.data.tags}")
expect(got.info.status == "FINISHED", f"status: {got.info.status}")
expect(got.info.run_name == "vision-run", f"name: {got.info.run_name}")
history = client.get_metric_history(vision, "accuracy")
expect([m.step for m in history] == [0, 1, 2], f"history: {history}")

# Search with a filter: only the vision run matches.
found = client.search_runs(
    [experiment.experiment_id],
    "metrics.accuracy > 0.9 and params.epochs = '40' and tags.team = 'vision' and attributes.status = 'FINISHED'",
)
expect([r.info.run_id for r in found] == [vision], f"search: {[r.info.run_id for r in found]}")
listed = mlflow.search_runs([experiment.experiment_id], filter_string="params.epochs = '10'", output_format="list")
expect([r.info.run_id for r in listed] == [audio], f"search list: {[r.info.run_id for r in listed]}")
ordered = client.search_runs([experiment.experiment_id], "", order_by=["metrics.accuracy DESC"])
expect([r.info.run_id for r in ordered] == [vision, audio], "order by metric")

# Artifacts: list, and download what was uploaded.
names = sorted(a.path for a in client.list_artifacts(vision))
expect(names == ["model.txt", "plots"], f"artifacts: {names}")
expect([a.path for a in client.list_artifacts(vision, "plots")] == ["plots/loss.csv"], "artifacts under plots")
local = mlflow.artifacts.download_artifacts(run_id=vision, artifact_path="model.txt", dst_path=os.path.join(work, "down"))
with open(local) as f:
    expect(f.read() == "weights: 1 2 3\n", "downloaded content")
local_dir = mlflow.artifacts.download_artifacts(run_id=vision, artifact_path="plots", dst_path=os.path.join(work, "down2"))
with open(os.path.join(local_dir, "loss.csv")) as f:
    expect(f.read().startswith("step,loss"), "downloaded directory")

# Bad input: clear errors, MLflow-shaped.
message = expect_error("INVALID_PARAMETER_VALUE", client.search_runs, [experiment.experiment_id], "metrics.accuracy > 'high'")
expect("'high'" in message, f"the bad token is named: {message}")
expect_error("RESOURCE_DOES_NOT_EXIST", client.get_experiment, "no-such-experiment")
expect(client.get_experiment_by_name("no-such-experiment") is None, "unknown name reads as None")
expect_error("INVALID_PARAMETER_VALUE", client.log_param, vision, "epochs", "41")

print(json.dumps({"experiment_id": experiment.experiment_id, "vision": vision, "audio": audio}))
