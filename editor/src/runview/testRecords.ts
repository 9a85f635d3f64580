/** Records as the API returns them, for the run view's and the lineage explorer's unit tests. */
import type { Execution } from 'sluice/api';
import type { GraphNode } from '../graph/pipelineGraph';

/** An execution of task `taskId` in run r1; finished unless running or waiting. */
export function executionRecord(taskId: string, status: Execution['status'], extra: Partial<Execution> = {}): Execution {
  return {
    id: `r1.${taskId}`,
    runId: 'r1',
    taskId,
    componentName: taskId,
    componentDigest: 'd',
    status,
    attempt: 1,
    params: {},
    outputParams: null,
    error: null,
    cacheKey: null,
    cachedFrom: null,
    startedAt: '2030-01-01T00:00:02.000Z',
    finishedAt: status === 'running' || status === 'waiting' ? null : '2030-01-01T00:00:03.500Z',
    ...extra,
  };
}

/** A plain task node of a pipeline graph. */
export function taskNode(id: string, extra: Partial<GraphNode> = {}): GraphNode {
  return { id, kind: 'task', label: id, component: id, inputs: [], outputs: [], conditional: false, exitHandler: false, ...extra };
}
