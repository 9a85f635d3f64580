/**
 * Triggers on a real Temporal dev server: a new-artifact sensor, a pipeline-completion trigger,
 * failure notifications to a real HTTP endpoint, and signed webhooks (bad signatures and replays
 * refused). Each event starts at most one run, however many polls see it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../dsl/index';
import type { MetadataStore, RunRecord } from '../../engine/stores/metadata/MetadataStore';
import {
  createTrigger,
  deleteTrigger,
  DELIVERY_HEADER,
  listTriggers,
  receiveWebhook,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  type TriggerDeps,
} from '../../engine/automation/triggers/index';
import * as flows from '../fixtures/controlFlow';
import { startTestStack, type TestStack } from '../support/stackHarness';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function triggeredRuns(metadata: MetadataStore, triggerId: string, count: number, timeoutMs = 60_000): Promise<RunRecord[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const runs = (await metadata.listRuns({ limit: 500 })).filter((r) => r.trigger.triggerId === triggerId);
    if (runs.filter((r) => r.status === 'succeeded' || r.status === 'failed').length >= count) return runs;
    if (Date.now() > until) throw new Error(`expected ${count} finished runs of trigger ${triggerId}; got ${JSON.stringify(runs.map((r) => r.status))}`);
    await sleep(200);
  }
}

describe('triggers', () => {
  let ts: TestStack;
  let deps: TriggerDeps;
  beforeAll(async () => {
    ts = await startTestStack('pglite', [flows]);
    deps = { client: ts.stack.client, metadata: ts.stack.metadata, taskQueuePrefix: ts.stack.taskQueuePrefix };
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it('starts a pipeline once per new artifact of the watched type, with the artifact as its input', async () => {
    await createTrigger(deps, { kind: 'artifact', id: 'on-docs', spec: compile(flows.consumer).spec, input: 'doc', match: { type: 'Markdown', name: 'write.file' }, pollMs: 300 });
    const produced = await ts.run(flows.withSub); // writes inner/write.file … named "write.file"
    void produced;
    const first = await ts.run(flows.sub, { text: 'four' }); // its "write.file" artifact
    const runs = await triggeredRuns(ts.stack.metadata, 'on-docs', 1);
    await sleep(1500); // several more polls: still one run per artifact
    const again = (await ts.stack.metadata.listRuns({ limit: 500 })).filter((r) => r.trigger.triggerId === 'on-docs');
    const artifactOfFirst = (await ts.stack.metadata.listRunArtifacts(first.id))[0];
    const forFirst = again.filter((r) => (r.trigger.event as { artifactId?: string }).artifactId === artifactOfFirst?.id);
    expect(forFirst).toHaveLength(1);
    expect(new Set(again.map((r) => JSON.stringify(r.trigger.event))).size).toBe(again.length);
    const run = forFirst[0] as RunRecord;
    expect(run.params.doc).toBe(artifactOfFirst?.id);
    await triggeredRuns(ts.stack.metadata, 'on-docs', again.length);
    const finished = await ts.stack.metadata.getRun(run.id);
    expect(finished?.outputs).toEqual({ chars: 4 });
    // Lineage: the triggering artifact leads to the triggered run's execution.
    const graph = await ts.stack.metadata.lineage(artifactOfFirst?.id ?? '', { direction: 'downstream', depth: 1 });
    expect(graph.nodes.some((n) => n.execution?.runId === run.id)).toBe(true);
    expect(runs.length).toBeGreaterThanOrEqual(1);
    await deleteTrigger(deps.client, 'on-docs');
  });

  it('runs pipeline B when A succeeds, with A\'s outputs as B\'s inputs', async () => {
    await createTrigger(deps, { kind: 'completion', id: 'after-sub', spec: compile(flows.consumer).spec, after: { pipeline: 'sub', statuses: ['succeeded'] }, mapping: { doc: 'file' }, pollMs: 300 });
    const a = await ts.run(flows.sub, { text: 'hello' });
    const [b] = await triggeredRuns(ts.stack.metadata, 'after-sub', 1);
    expect(b?.trigger.event).toMatchObject({ kind: 'completion', runId: a.id, status: 'succeeded' });
    expect(b?.params.doc).toBe(a.outputs?.file);
    expect((await ts.stack.metadata.getRun(b?.id ?? ''))?.outputs).toEqual({ chars: 5 });
    await deleteTrigger(deps.client, 'after-sub');
  });

  it('posts a JSON summary of each failed run to a URL, once', async () => {
    const received: unknown[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      await createTrigger(deps, { kind: 'notification', id: 'alerts', after: { pipeline: 'failing-with-exit', statuses: ['failed'] }, url, pollMs: 300 });
      const failed = await ts.run(flows.failingWithExit);
      for (let i = 0; i < 100 && received.length === 0; i++) await sleep(200);
      await sleep(1500);
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ event: 'run.failed', trigger: 'alerts', run: { id: failed.id, pipeline: 'failing-with-exit', status: 'failed', failedTask: 'explode' } });
    } finally {
      server.close();
      await deleteTrigger(deps.client, 'alerts').catch(() => undefined);
    }
  });

  it('starts a run from a signed webhook, mapping the payload; refuses bad signatures, stale timestamps, replays and text the store cannot hold', async () => {
    const created = await createTrigger(deps, { kind: 'webhook', id: 'hook', spec: compile(flows.branching).spec, mapping: { mode: 'build.mode' } });
    const secret = created.secret ?? '';
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await listTriggers(deps.client))).not.toContain(secret);
    const body = Buffer.from(JSON.stringify({ build: { mode: 'fast' } }));
    const now = Math.floor(Date.now() / 1000).toString();
    const headers = { [SIGNATURE_HEADER]: signWebhook(secret, now, 'd-1', body), [TIMESTAMP_HEADER]: now, [DELIVERY_HEADER]: 'd-1' };
    const before = (await ts.stack.metadata.listRuns({ limit: 500 })).length;

    await expect(receiveWebhook(deps, 'hook', body, { ...headers, [SIGNATURE_HEADER]: signWebhook('wrong-secret-wrong-secret', now, 'd-1', body) })).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(receiveWebhook(deps, 'hook', body, { [TIMESTAMP_HEADER]: now, [DELIVERY_HEADER]: 'd-1' })).rejects.toMatchObject({ code: 'unauthenticated' });
    const old = (Math.floor(Date.now() / 1000) - 3600).toString();
    await expect(receiveWebhook(deps, 'hook', body, { ...headers, [TIMESTAMP_HEADER]: old, [SIGNATURE_HEADER]: signWebhook(secret, old, 'd-1', body) })).rejects.toMatchObject({ code: 'unauthenticated' });
    const badPayload = Buffer.from(JSON.stringify({ build: { mode: 7 } }));
    await expect(receiveWebhook(deps, 'hook', badPayload, { ...headers, [SIGNATURE_HEADER]: signWebhook(secret, now, 'd-1', badPayload) })).rejects.toMatchObject({ code: 'bad-payload' });
    // Issue 11 #3: a NUL in a mapped value was accepted; its run then failed to record 10 times.
    const nulPayload = Buffer.from(JSON.stringify({ build: { mode: 'fa\u0000st' } }));
    await expect(receiveWebhook(deps, 'hook', nulPayload, { ...headers, [SIGNATURE_HEADER]: signWebhook(secret, now, 'd-1', nulPayload) })).rejects.toMatchObject({
      code: 'bad-payload',
      message: expect.stringContaining('parameter "mode" contains a NUL character') as unknown,
    });
    // Issue 11 #4: the signature covers the delivery id, so a captured request cannot be resent under a new one.
    await expect(receiveWebhook(deps, 'hook', body, { ...headers, [DELIVERY_HEADER]: 'd-2' })).rejects.toMatchObject({ code: 'unauthenticated' });
    expect((await ts.stack.metadata.listRuns({ limit: 500 })).length).toBe(before);

    const started = await receiveWebhook(deps, 'hook', body, headers);
    await expect(receiveWebhook(deps, 'hook', body, headers)).rejects.toMatchObject({ code: 'replay' });
    const [run] = await triggeredRuns(ts.stack.metadata, 'hook', 1);
    expect(run?.id).toBe(started.runId);
    expect(run?.params).toMatchObject({ mode: 'fast' });
    expect(run?.trigger).toMatchObject({ kind: 'trigger', triggerId: 'hook', event: { kind: 'webhook', delivery: 'd-1' } });
    expect(run?.outputs).toEqual({ chosen: 'fast' });
    await expect(receiveWebhook(deps, 'nope', body, headers)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('refuses bad trigger definitions before starting anything', async () => {
    await expect(createTrigger(deps, { kind: 'artifact', id: 'x1', spec: compile(flows.consumer).spec, input: 'note', match: { type: 'Markdown' } })).rejects.toThrow(/not a Markdown artifact/);
    await expect(createTrigger(deps, { kind: 'completion', id: 'x2', spec: compile(flows.consumer).spec, after: { pipeline: 'sub', statuses: ['succeeded'] }, mapping: { nope: 'file' } })).rejects.toThrow(/has no input "nope"/);
    await expect(createTrigger(deps, { kind: 'notification', id: 'x3', after: { statuses: ['failed'] }, url: 'ftp://x' })).rejects.toThrow(/url/);
    await expect(createTrigger(deps, { kind: 'webhook', id: 'hook', spec: compile(flows.branching).spec, mapping: { mode: 'm' } })).rejects.toMatchObject({ code: 'exists' });
    await expect(createTrigger(deps, { kind: 'webhook', id: 'x4', spec: compile(flows.branching).spec })).rejects.toThrow(/missing required parameter "mode"/);
  });
});
