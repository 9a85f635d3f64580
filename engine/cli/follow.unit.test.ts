/**
 * Following a run on a server: a dropped event stream is reconnected (with Last-Event-ID), the
 * transitions the stream never showed come from the run's records at the end, and a server that
 * stays away ends the command with a `server-lost` error naming it. The server here is a small
 * HTTP stand-in that drops connections on cue, which the real one cannot be made to do;
 * test/cli/served.test.ts follows runs on a real `sluice dev`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServedApi } from './api';
import { CliError } from './CliError';
import { followServedRun } from './follow';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (sec: number): string => new Date(T0 + sec * 1000).toISOString();

// Records as the API sends them (the client checks them against the contract).
const running = {
  id: 'r1',
  pipelineVersionId: 'v1',
  pipelineName: 'p',
  status: 'running',
  params: {},
  trigger: { kind: 'cli' },
  workflowId: 'run-r1',
  failedTask: null,
  error: null,
  outputs: null,
  createdAt: iso(0),
  startedAt: iso(0),
  finishedAt: null,
};
const failed = { ...running, status: 'failed', failedTask: 'b', finishedAt: iso(3), error: 'task "b" failed: boom' };
const execution = { componentName: 'c', componentDigest: 'd', params: {}, cacheKey: null, cachedFrom: null };
const executions = [
  { ...execution, id: 'r1.a', runId: 'r1', taskId: 'a', status: 'succeeded', attempt: 1, startedAt: iso(0), finishedAt: iso(1), error: null, outputParams: {} },
  { ...execution, id: 'r1.b', runId: 'r1', taskId: 'b', status: 'failed', attempt: 1, startedAt: iso(1), finishedAt: iso(3), error: 'boom', outputParams: null },
];
const logLine = { runId: 'r1', executionId: 'r1.b', taskId: 'b', attempt: 1, seq: 1, ts: iso(2), stream: 'stderr', level: null, message: 'oops', fields: null };

const event = (id: number, name: string, data: unknown): string => `id: ${id}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

let server: http.Server | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = 0;
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

async function serve(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function captureStdout(): () => string {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  return () => out;
}

describe('followServedRun', () => {
  it('reconnects a dropped stream with Last-Event-ID and shows every transition, the final ones from the records', async () => {
    const lastEventIds: (string | undefined)[] = [];
    const url = await serve((req, res) => {
      if (req.url === '/api/runs/r1/events') {
        lastEventIds.push(req.headers['last-event-id'] as string | undefined);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('retry: 3000\n\n');
        if (lastEventIds.length === 1) {
          res.write(event(1, 'run', { run: running }));
          res.write(event(2, 'task', { task: 'a', state: 'running', startedAt: T0 }));
          // The connection drops mid-run.
          setTimeout(() => res.socket?.destroy(), 50);
          return;
        }
        // After the reconnection the stream ends at once: b's transitions never came as events.
        res.end(event(1, 'end', { run: failed }));
        return;
      }
      if (req.url === '/api/runs/r1') return void res.end(JSON.stringify({ run: failed, executions, artifacts: [], tags: {}, note: null, experiment: null, live: null }));
      if (req.url?.startsWith('/api/runs/r1/logs')) {
        return void res.end(JSON.stringify({ lines: [logLine], next: null }));
      }
      res.writeHead(404).end();
    });
    const out = captureStdout();

    const record = await followServedRun(new ServedApi(url, undefined), 'r1', {});

    expect(record.status).toBe('failed');
    expect(lastEventIds).toEqual([undefined, '2']);
    const lines = out()
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^[▶✓✗│]|^last|^run r1/.test(l));
    expect(lines).toEqual([
      '▶ a running',
      '✓ a succeeded (1.0 s)',
      '▶ b running',
      '✗ b failed (2.0 s): boom',
      'last 1 log line of "b" (all: npx sluice logs r1 b):',
      '│ [stderr] oops',
      'run r1 failed: task "b" failed: boom',
    ]);
    expect(process.exitCode).toBe(1);
  });

  it('ends with a server-lost error naming the server and the run when the server stays away', async () => {
    const url = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(event(1, 'run', { run: running }));
      // The server dies: this connection drops and no other is accepted.
      server?.close();
      setTimeout(() => res.socket?.destroy(), 50);
    });
    captureStdout();

    const error = await followServedRun(new ServedApi(url, undefined), 'r1', { reconnectPatienceMs: 500 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe('server-lost');
    expect((error as CliError).message).toContain(`the server at ${url} stopped answering while this command followed run r1`);
    expect((error as CliError).details).toMatchObject({ url, runId: 'r1' });
  });
});
