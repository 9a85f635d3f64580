/**
 * Schedules and triggers over the HTTP API, on a real stack: create a schedule and trigger it, and
 * drive a signed webhook end to end (401 for a bad signature or a replay under a new delivery id
 * starts nothing; a replayed delivery is a 409; text the store cannot hold is a 422).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../dsl/index';
import { startApiServer, type RunningApiServer } from '../../engine/server/index';
import { createLogger } from '../../engine/logging';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from '../../engine/automation/triggers/index';
import * as flows from '../fixtures/controlFlow';
import { backends, startTestStack, type TestStack } from '../support/stackHarness';

describe.each(backends())('schedules and triggers over HTTP on %s', (backend) => {
  let ts: TestStack;
  let server: RunningApiServer;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; type: string }> => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, type: res.headers.get('content-type') ?? '' };
  };
  const runsOf = async (key: string, value: string): Promise<{ id: string; status: string; params: Record<string, unknown> }[]> => {
    const list = (await call('GET', '/api/runs?limit=200')).json.runs as { id: string; status: string; params: Record<string, unknown>; trigger: Record<string, unknown> }[];
    return list.filter((r) => r.trigger[key] === value);
  };

  beforeAll(async () => {
    ts = await startTestStack(backend, [flows]);
    server = await startApiServer({
      metadata: ts.stack.metadata,
      artifacts: ts.stack.artifacts,
      client: ts.stack.client,
      registry: ts.stack.registry,
      taskQueuePrefix: ts.stack.taskQueuePrefix,
      auth: { enabled: false },
      logger: createLogger({ level: 'silent' }),
      port: 0,
    });
  });
  afterAll(async () => {
    await server?.close();
    await ts?.stop();
  });

  it('creates, shows, triggers and deletes a schedule; refuses a bad one as problem+json', async () => {
    const created = await call('POST', '/api/schedules', { id: 'api-nightly', spec: compile(flows.branching).spec, params: { mode: 'fast' }, cron: ['0 4 * * *'], paused: true });
    expect(created.status).toBe(201);
    expect(created.json.schedule).toMatchObject({ id: 'api-nightly', paused: true, cron: ['0 4 * * *'] });
    expect((await call('POST', '/api/schedules/api-nightly/trigger', {})).status).toBe(202);
    for (let i = 0; i < 150 && (await runsOf('scheduleId', 'api-nightly')).every((r) => r.status !== 'succeeded'); i++) await new Promise((r) => setTimeout(r, 200));
    expect((await runsOf('scheduleId', 'api-nightly')).map((r) => r.status)).toContain('succeeded');
    const bad = await call('POST', '/api/schedules', { id: 'api-bad', spec: compile(flows.branching).spec, params: { mode: 1 }, every: ['1h'] });
    expect(bad.status).toBe(422);
    expect(bad.type).toContain('application/problem+json');
    expect((await call('DELETE', '/api/schedules/api-nightly')).status).toBe(204);
    expect((await call('GET', '/api/schedules/api-nightly')).status).toBe(404);
  });

  it('runs a pipeline from a signed webhook; a bad signature is a 401 and a replay a 409', async () => {
    const created = await call('POST', '/api/triggers', { kind: 'webhook', id: 'api-hook', spec: compile(flows.branching).spec, mapping: { mode: 'mode' } });
    expect(created.status).toBe(201);
    const secret = String(created.json.secret);
    const body = JSON.stringify({ mode: 'thorough' });
    const ts1 = Math.floor(Date.now() / 1000).toString();
    const headers = { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(secret, ts1, 'gh-1', body), [TIMESTAMP_HEADER]: ts1, [DELIVERY_HEADER]: 'gh-1' };

    const forged = await call('POST', '/api/triggers/api-hook/webhook', body, { ...headers, [SIGNATURE_HEADER]: signWebhook('not-the-secret-at-all', ts1, 'gh-1', body) });
    expect(forged.status).toBe(401);
    expect(forged.type).toContain('application/problem+json');
    // Issue 11 #3: a NUL in the payload was accepted (202) and its run never recorded.
    const nulBody = JSON.stringify({ mode: 'a\u0000b' });
    const nul = await call('POST', '/api/triggers/api-hook/webhook', nulBody, { ...headers, [SIGNATURE_HEADER]: signWebhook(secret, ts1, 'gh-nul', nulBody), [DELIVERY_HEADER]: 'gh-nul' });
    expect(nul.status).toBe(422);
    expect(nul.json.detail).toContain('parameter "mode" contains a NUL character');
    expect(await runsOf('triggerId', 'api-hook')).toEqual([]);

    const ok = await call('POST', '/api/triggers/api-hook/webhook', body, headers);
    expect(ok.status).toBe(202);
    const runId = String(ok.json.runId);
    expect((await call('POST', '/api/triggers/api-hook/webhook', body, headers)).status).toBe(409);
    // Issue 11 #4: the captured request with a fresh delivery id started a second run.
    const replayed = await call('POST', '/api/triggers/api-hook/webhook', body, { ...headers, [DELIVERY_HEADER]: 'gh-2' });
    expect(replayed.status).toBe(401);
    for (let i = 0; i < 150 && (await call('GET', `/api/runs/${runId}`)).json.run === undefined; i++) await new Promise((r) => setTimeout(r, 200));
    const run = (await call('GET', `/api/runs/${runId}`)).json.run as { params: Record<string, unknown>; trigger: Record<string, unknown> };
    expect(run.params.mode).toBe('thorough');
    expect(run.trigger).toMatchObject({ kind: 'trigger', triggerId: 'api-hook', event: { kind: 'webhook', delivery: 'gh-1' } });
    expect((await runsOf('triggerId', 'api-hook')).map((r) => r.id)).toEqual([runId]);
    const listed = (await call('GET', '/api/triggers')).json.triggers as Record<string, unknown>[];
    expect(listed.map((t) => t.id)).toContain('api-hook');
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect((await call('DELETE', '/api/triggers/api-hook')).status).toBe(204);
  });
});
