"""Inside a Sluice command component: mlflow finds its tracking server and run in the environment
(MLFLOW_TRACKING_URI, MLFLOW_RUN_ID) and logs into the task's own execution."""
import mlflow

with mlflow.start_run():
    mlflow.log_param("optimizer", "adam")
    for step, loss in enumerate([0.9, 0.5, 0.3]):
        mlflow.log_metric("loss", loss, step=step)
    mlflow.set_tag("logged-by", "mlflow-in-task")
print("logged")
