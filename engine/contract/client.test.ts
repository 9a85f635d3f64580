/**
 * The contract's client on answers a real server does not give on purpose: a drifted answer, a
 * proxy's error page, no answer at all. (Against the real server: test/api/explorer.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient, readStreamEvent, runStreamEvents, type FetchLike } from './index';

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** A fetch that records the request and answers with `status` and `body`. */
function answering(status: number, body: unknown, calls: Call[] = []): FetchLike {
  return async (url, init) => {
    calls.push({ url, ...init });
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return { status, ok: status >= 200 && status < 300, text: async () => text };
  };
}

const run = {
  id: 'r/1',
  pipelineVersionId: 'v1',
  pipelineName: 'iris',
  status: 'running',
  params: {},
  trigger: { kind: 'api' },
  workflowId: 'run-r1',
  failedTask: null,
  error: null,
  outputs: null,
  createdAt: '2030-01-01T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
};
const waitingFit = { state: 'waiting', taskQueue: 'sluice-gpu', waitingFor: { resourceClass: 'gpu', reason: 'waiting for a gpu worker' } };

describe('the API client of the contract', () => {
  it('builds the request from the route (encoded path, query, token) and returns the typed answer', async () => {
    const calls: Call[] = [];
    const api = createApiClient({ baseUrl: 'http://h:1/', token: () => 'sluice_t', fetch: answering(200, { run, executions: [], artifacts: [], tags: {}, note: null, experiment: null, live: { runId: 'r/1', pipeline: 'iris', state: 'running', tasks: { fit: waitingFit } } }, calls) });
    const detail = await api.getRun({ params: { runId: 'r/1' } });
    expect(detail.live?.tasks.fit?.waitingFor).toEqual({ resourceClass: 'gpu', reason: 'waiting for a gpu worker' });
    expect(calls).toEqual([{ url: 'http://h:1/api/runs/r%2F1', method: 'GET', headers: { accept: 'application/json', authorization: 'Bearer sluice_t' } }]);

    await createApiClient({ baseUrl: '', fetch: answering(200, { runs: [], nextCursor: null }, calls) }).listRuns({ query: { status: 'failed', limit: 5 } });
    expect(calls[1]?.url).toBe('/api/runs?status=failed&limit=5');
    await createApiClient({ baseUrl: '', fetch: answering(202, { runId: 'r', status: 'cancelling' }, calls) }).cancelRun({ params: { runId: 'r' } });
    expect(calls[2]).toMatchObject({ method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  });

  it('turns a problem document into an ApiError with its code, status and field errors', async () => {
    const problem = { type: 'urn:sluice:problem:invalid-params', title: 'The run parameters are invalid', status: 422, detail: 'epochs must be an int', errors: [{ path: '/body/params/epochs', message: 'must be an int' }] };
    const api = createApiClient({ baseUrl: '', fetch: answering(422, problem) });
    const error = await api.submitRun({ body: { spec: {}, params: { epochs: 'x' } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'invalid-params', status: 422, message: 'epochs must be an int', errors: problem.errors });
  });

  it('says what happened when the answer is not a problem document, or there is none', async () => {
    const proxy = createApiClient({ baseUrl: '', fetch: answering(502, '<html>Bad gateway</html>') });
    const gateway = await proxy.listPipelines().catch((e: unknown) => e);
    expect(gateway).toMatchObject({ code: 'bad-response', status: 502 });
    expect((gateway as ApiError).message).toContain('GET /api/pipelines failed with HTTP 502');
    const down = createApiClient({ baseUrl: 'http://127.0.0.1:9', fetch: async () => Promise.reject(new Error('connect ECONNREFUSED')) });
    const none = await down.listPipelines().catch((e: unknown) => e);
    expect(none).toMatchObject({ code: 'unreachable', status: 0 });
    expect((none as ApiError).message).toContain('cannot reach the Sluice API at http://127.0.0.1:9');
  });

  it('refuses an answer the contract does not describe, naming the field (the old editor bug, from the other side)', async () => {
    const drifted = { run, executions: [], artifacts: [], tags: {}, note: null, experiment: null, live: { runId: 'r', pipeline: 'iris', state: 'running', tasks: { fit: { state: 'waiting', waitingFor: 'a gpu worker' } } } };
    const api = createApiClient({ baseUrl: '', fetch: answering(200, drifted) });
    const error = await api.getRun({ params: { runId: 'r' } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'bad-response', status: 200 });
    expect((error as ApiError).message).toContain('live.tasks.fit.waitingFor');
  });

  it('gives URLs for streams and downloads, with the token in the query only where the route takes it there', () => {
    const api = createApiClient({ baseUrl: 'http://h', token: 'sluice_t' });
    expect(api.url('streamRun', { params: { runId: 'r1' }, query: { task: 'fit' } })).toBe('http://h/api/runs/r1/events?task=fit&access_token=sluice_t');
    expect(api.url('getRun', { params: { runId: 'r1' } })).toBe('http://h/api/runs/r1');
  });

  it('checks each server-sent event against the stream contract', () => {
    expect(readStreamEvent(runStreamEvents, 'task', JSON.stringify({ task: 'fit', ...waitingFit })).waitingFor?.resourceClass).toBe('gpu');
    expect(() => readStreamEvent(runStreamEvents, 'task', JSON.stringify({ task: 'fit', state: 'waiting', waitingFor: 'gpu' }))).toThrow(/waitingFor/);
    expect(() => readStreamEvent(runStreamEvents, 'task', 'not json')).toThrow(ApiError);
  });
});
