/**
 * What one run can hold. A scope (a pipeline's top level, a loop body, a nested pipeline) runs in
 * one workflow, and every task costs that workflow's history about six events (activity scheduled,
 * started, completed, and a workflow task); Temporal closes a workflow whose history passes 51,200
 * events. So a scope may hold at most MAX_NODES_PER_SCOPE nodes: larger pipelines are refused when
 * they are submitted, naming the limit, instead of starting and dying half-way.
 */
import { isLoopNode } from './graph';
import type { NodeSpec, PipelineSpec } from './schema';
import type { ValidationIssue } from './validate';

/** Nodes one workflow runs at most: ~30,000 history events for a chain, well below Temporal's 51,200. */
export const MAX_NODES_PER_SCOPE = 5000;

/** Scopes of `spec` (and of its nested pipelines) with more nodes than one workflow can run. */
export function runLimitIssues(spec: PipelineSpec, max = MAX_NODES_PER_SCOPE): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const check = (pipeline: string, where: string, tasks: Record<string, NodeSpec>, path: (string | number)[], task?: string): void => {
    const count = Object.keys(tasks).length;
    if (count > max) {
      issues.push({
        code: 'too-large',
        message: `${where} has ${count} tasks, but one workflow runs at most ${max} (limit MAX_NODES_PER_SCOPE: each task adds about six events to its workflow's history, which Temporal caps at 51,200)`,
        hint: 'run repeated work as a forEach loop (its items run in batch workflows of their own) or group tasks into nested pipelines, each under the limit',
        pipeline,
        ...(task !== undefined ? { task } : {}),
        path,
      });
    }
    for (const [id, node] of Object.entries(tasks)) {
      if (isLoopNode(node)) check(pipeline, `the body of loop "${id}"`, node.loop.tasks, [...path, id, 'loop', 'tasks'], id);
    }
  };
  const walk = (p: PipelineSpec, path: (string | number)[]): void => {
    check(p.name, `pipeline "${p.name}"`, p.dag.tasks, [...path, 'dag', 'tasks']);
    for (const [ref, comp] of Object.entries(p.components)) {
      if (comp.impl.kind === 'pipeline') walk(comp.impl.spec, [...path, 'components', ref, 'impl', 'spec']);
    }
  };
  walk(spec, []);
  return issues;
}
