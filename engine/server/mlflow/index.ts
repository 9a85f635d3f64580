/** The MLflow tracking API (2.0) and artifact proxy under /mlflow: router.ts. */
export { MLFLOW_PREFIX, MLFLOW_RUN_PIPELINE, MlflowError, mlflowRouter } from './router';
