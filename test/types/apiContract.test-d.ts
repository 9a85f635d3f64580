/**
 * Type-level tests of the API contract (engine/contract, `sluice/api`): the server's replies must fit
 * the contract's answers, and a client's calls and answers are typed by the same schemas. Checked by
 * `npm run typecheck`; each `@ts-expect-error` fails the build if the line below it ever compiles.
 */
import { createApiClient, type RunListItem, type TaskStatus } from 'sluice/api';
import { implement } from '../../engine/server/routing';
import type { RunRecord } from '../../engine/stores/metadata/index';

declare const run: RunRecord;

// ---- the server: a handler's reply is checked against the route's answers --------------------

// A store record (Dates for instants) is a valid Run.
implement('submitRun', { handler: async () => ({ status: 201, body: { run } }) });
// @ts-expect-error 200 is not an answer of submitRun (it answers 201)
implement('submitRun', { handler: async () => ({ body: { run } }) });
// @ts-expect-error a Run needs its outputs (null until it succeeded)
implement('submitRun', { handler: async () => ({ status: 201, body: { run: { ...run, outputs: undefined } } }) });
implement('getRun', {
  // @ts-expect-error waitingFor is { resourceClass, reason }, not text (the bug that made the contract)
  handler: async () => ({ body: { run, executions: [], artifacts: [], live: { runId: 'r', pipeline: 'p', state: 'running', tasks: { fit: { state: 'waiting', waitingFor: 'a gpu' } } } } }),
});
implement('getRun', {
  handler: async ({ params }) => {
    const id: string = params.runId;
    // @ts-expect-error getRun has no query
    void params.task;
    return { body: { run: { ...run, id }, executions: [], artifacts: [], live: null, tags: {}, note: null, experiment: null } };
  },
});

// ---- a client: requests and answers typed by the route table ---------------------------------

const api = createApiClient({ baseUrl: 'http://127.0.0.1:8080', token: 'sluice_x_y' });

export async function clientCalls(): Promise<void> {
  const detail = await api.getRun({ params: { runId: 'r1' } });
  const waiting: { resourceClass: 'cpu' | 'gpu'; reason: string } | undefined = detail.live?.tasks.fit?.waitingFor;
  // @ts-expect-error waitingFor is an object, not text
  const text: string | undefined = detail.live?.tasks.fit?.waitingFor;
  // @ts-expect-error a run's path parameter is required
  await api.getRun({});
  const page = await api.listRuns({ query: { status: 'failed', limit: 20, taskCounts: 'true' } });
  const first: RunListItem | undefined = page.runs[0];
  // @ts-expect-error no such status
  await api.listRuns({ query: { status: 'exploded' } });
  // @ts-expect-error the body needs a spec
  await api.createPipelineVersion({ body: {} });
  const created = await api.createPipelineVersion({ body: { spec: { apiVersion: 'sluice/v1' } } });
  const isNew: boolean = created.created;
  // Streams and downloads are URLs, not calls.
  const url: string = api.url('streamRun', { params: { runId: 'r1' } });
  // @ts-expect-error an event stream is not a JSON call
  void api.streamRun;
  const status: TaskStatus['state'] = 'waiting';
  void [waiting, text, first, isNew, url, status];
}
