/**
 * Task executions as MLflow run ids. An execution's id is `<runId>.<taskPath>`, but MLflow's
 * client accepts only `[a-zA-Z0-9][\w-]*` as a run id and refuses anything else before it sends a
 * request. So an execution reads as `<runId>-<task>` when its path is a plain task name, else as
 * `<runId>-0<base64url of the path>` (a task name starts with a letter, never with "0"). Run ids
 * hold no "-", so the first one splits.
 */
import { NAME_PATTERN } from '../../../../dsl/ir/index';

export function mlflowRunIdOf(executionId: string): string {
  const dot = executionId.indexOf('.');
  if (dot < 0) return executionId;
  const runId = executionId.slice(0, dot);
  const path = executionId.slice(dot + 1);
  return NAME_PATTERN.test(path) ? `${runId}-${path}` : `${runId}-0${Buffer.from(path, 'utf8').toString('base64url')}`;
}

/** The execution an MLflow run id names, or undefined when it names none (a plain run id). */
export function executionIdOfMlflowRun(id: string): string | undefined {
  const dash = id.indexOf('-');
  if (dash <= 0 || dash === id.length - 1) return undefined;
  const runId = id.slice(0, dash);
  const rest = id.slice(dash + 1);
  const path = rest.startsWith('0') ? Buffer.from(rest.slice(1), 'base64url').toString('utf8') : rest;
  return path ? `${runId}.${path}` : undefined;
}
