import { describe, expect, it } from 'vitest';
import { executionIdOfMlflowRun, mlflowRunIdOf } from './mlflowRunId';

// MLflow's client refuses any run id outside this pattern before it sends a request
// (mlflow/utils/validation.py, _RUN_ID_REGEX): a task execution's id `<run>.<task>` was refused.
const MLFLOW_RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;

describe('a task execution as an MLflow run id (what a command component gets as MLFLOW_RUN_ID)', () => {
  it.each([
    ['70c91563e1c8.train', '70c91563e1c8-train'],
    ['70c91563e1c8.train_2-b', '70c91563e1c8-train_2-b'],
  ])('reads %s as %s, a valid MLflow run id', (execution, mlflow) => {
    expect(mlflowRunIdOf(execution)).toBe(mlflow);
    expect(mlflow).toMatch(MLFLOW_RUN_ID);
    expect(executionIdOfMlflowRun(mlflow)).toBe(execution);
  });

  it.each(['70c91563e1c8.sweep[3]/train', '70c91563e1c8.outer[0]/inner[12]/fit-model', '70c91563e1c8.sub/step'])('encodes the loop or nested path of %s and reads it back', (execution) => {
    const id = mlflowRunIdOf(execution);
    expect(id).toMatch(MLFLOW_RUN_ID);
    expect(executionIdOfMlflowRun(id)).toBe(execution);
  });

  it('reads a plain run id as no execution', () => {
    expect(executionIdOfMlflowRun('70c91563e1c8')).toBeUndefined();
  });
});
