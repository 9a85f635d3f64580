/**
 * Hostile input over real HTTP, on PGlite and PostgreSQL (issue 11): text PostgreSQL cannot store,
 * JSON that only a lenient parser accepts (duplicate keys, "__proto__", 100,000 levels deep), a
 * task wired to itself, and access tokens under other spellings of their query key. Each is
 * refused with a 4xx naming the field, and leaves no row behind; no token reaches a log.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../dsl/index';
import { jsonDepthProblem, MAX_JSON_DEPTH } from '../../dsl/ir/parseIrJson';
import { submitRun } from '../../engine/runs/index';
import { createApiToken, type RunningApiServer } from '../../engine/server/index';
import type { MetadataStore } from '../../engine/stores/metadata/index';
import * as diamondModule from '../fixtures/diamond';
import { startTestApi } from '../support/apiServer';
import { backends, startTestStack, type TestStack } from '../support/stackHarness';

interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown>;
}

async function counts(m: MetadataStore): Promise<Record<string, number>> {
  return {
    runs: (await m.listRuns({ limit: 10_000 })).length,
    pipelines: (await m.listPipelines()).length,
    versions: (await m.listPipelineVersions()).length,
    experiments: (await m.listExperiments()).length,
  };
}

const diamond = compile(diamondModule.default).spec;
const errorsOf = (a: Answer): { path: string; code?: string; message: string }[] => (a.json.errors ?? []) as { path: string; code?: string; message: string }[];

describe.each(backends())('hostile input over HTTP on %s', (backend) => {
  let ts: TestStack;
  let server: RunningApiServer;
  let secured: RunningApiServer;
  let viewerToken: string;
  const logged: string[] = [];

  async function send(method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(url.startsWith('http') ? url : server.url + url, {
      method,
      headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON
    }
    return { status: res.status, text, json };
  }
  const post = (url: string, body: unknown): Promise<Answer> => send('POST', url, JSON.stringify(body));

  beforeAll(async () => {
    ts = await startTestStack(backend, [diamondModule]);
    server = await startTestApi(ts);
    // Every line the secured server logs, down to the per-request debug lines.
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logged.push(chunk.toString());
        done();
      },
    });
    secured = await startTestApi(ts, { auth: { enabled: true }, logger: pino({ level: 'debug' }, sink) });
    viewerToken = (await createApiToken(ts.stack.metadata, { name: 'viewer', role: 'viewer' })).token;
  });
  afterAll(async () => {
    await server?.close();
    await secured?.close();
    await ts?.stop();
  });

  // Issue 11 #3: each of these was a 500 (DrizzleQueryError), POST /api/runs leaving a pipeline row.
  it('refuses NUL and lone surrogates anywhere in a request with 422 naming the field, and writes nothing', async () => {
    const before = await counts(ts.stack.metadata);
    const renamed = { ...diamond, name: 'diamond-hostile' };
    const cases: { url: string; body?: unknown; method?: string; path: string; code: string }[] = [
      { url: '/api/runs', body: { spec: renamed, params: { failWith: 'a\u0000b' } }, path: '/body/params/failWith', code: 'nul-character' },
      { url: '/api/runs', body: { spec: renamed, params: { failWith: 'half \ud83d pair' } }, path: '/body/params/failWith', code: 'lone-surrogate' },
      { url: '/api/runs', body: { spec: { ...renamed, description: 'x\u0000' } }, path: '/body/spec/description', code: 'nul-character' },
      { url: '/api/runs', body: { spec: renamed, params: { 'fail\u0000With': 'x' } }, path: '/body/params/fail\u0000With', code: 'nul-character' },
      { url: '/api/pipelines', body: { spec: { ...renamed, description: '\u0000' } }, path: '/body/spec/description', code: 'nul-character' },
      { url: '/api/experiments', body: { name: 'hostile', description: 'd\u0000' }, path: '/body/description', code: 'nul-character' },
      { url: '/api/runs?pipeline=%00', method: 'GET', path: '/query/pipeline', code: 'nul-character' },
    ];
    for (const c of cases) {
      const res = c.method === 'GET' ? await send('GET', c.url) : await post(c.url, c.body);
      expect(res.status, `${c.url} ${c.path}: ${res.text}`).toBe(422);
      expect(res.json.type).toBe('urn:sluice:problem:invalid-text');
      expect(errorsOf(res)).toEqual([expect.objectContaining({ path: c.path, code: c.code })]);
    }
    expect(await counts(ts.stack.metadata)).toEqual(before);
  });

  // The writes of one submission are one transaction: whatever fails, no pipeline or version is left alone.
  it('writes a submitted run, its version and its pipeline together or not at all', async () => {
    const spec = { ...diamond, name: 'diamond-atomic' };
    const before = await counts(ts.stack.metadata);
    // Past every boundary check: a trigger the database refuses makes the last of the three writes fail.
    await expect(
      submitRun({ client: ts.stack.client, metadata: ts.stack.metadata, spec, trigger: { kind: 'x\u0000' }, taskQueuePrefix: ts.stack.taskQueuePrefix }),
    ).rejects.toThrow();
    expect(await counts(ts.stack.metadata)).toEqual(before);
    expect((await ts.stack.metadata.listPipelines()).map((p) => p.name)).not.toContain('diamond-atomic');
    // A version the database refuses leaves no pipeline row either.
    await expect(ts.stack.metadata.registerPipelineVersion({ ...spec, description: '\u0000' }, 'digest-with-nul')).rejects.toThrow();
    expect(await counts(ts.stack.metadata)).toEqual(before);
  });

  it('parses IR bodies as strictly as the CLI: duplicate keys and "__proto__" are refused, reserved ids named', async () => {
    const before = await counts(ts.stack.metadata);
    const text = JSON.stringify({ spec: { ...diamond, name: 'diamond-dup' } });
    // The last "right" would win in JSON.parse, hiding the first task.
    const dup = await send('POST', '/api/pipelines', text.replace('"left":{', '"right":{'));
    expect(dup.status, dup.text).toBe(400);
    expect(errorsOf(dup)).toEqual([expect.objectContaining({ path: '/body/spec/dag/tasks/right', code: 'duplicate-key' })]);
    const proto = await send('POST', '/api/pipelines', text.replace('"right":{', '"__proto__":{'));
    expect(proto.status, proto.text).toBe(400);
    expect(errorsOf(proto)).toEqual([expect.objectContaining({ path: '/body/spec/dag/tasks/__proto__', code: 'forbidden-key' })]);
    const ctor = await send('POST', '/api/pipelines', text.replace('"right":{', '"constructor":{'));
    expect(ctor.status, ctor.text).toBe(422);
    expect(errorsOf(ctor)).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/body/spec/dag/tasks/constructor', code: 'bad-name' })]));
    expect(await counts(ts.stack.metadata)).toEqual(before);
  });

  // Issue 11 #7: the same limit and message as `sluice compile`.
  it('refuses a body nested deeper than the CLI allows, with the CLI message, before parsing it', async () => {
    const res = await send('POST', '/api/pipelines', `{"spec":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(res.status).toBe(400);
    expect(res.json.detail).toContain(jsonDepthProblem('['.repeat(MAX_JSON_DEPTH + 1)));
    expect(errorsOf(res)).toEqual([expect.objectContaining({ path: '/body', code: 'too-deep' })]);
  });

  // Issue 11 #6.
  it('refuses a task wired to its own output as a cycle', async () => {
    const spec = structuredClone({ ...diamond, name: 'diamond-self' }) as unknown as { dag: { tasks: Record<string, { inputs: Record<string, unknown> }> } };
    const join = spec.dag.tasks.join;
    if (!join) throw new Error('diamond has no join task');
    join.inputs.a = { task: 'join', output: 'sum' };
    const res = await post('/api/pipelines', { spec });
    expect(res.status, res.text).toBe(422);
    expect(errorsOf(res)).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'cycle', message: 'tasks form a cycle: join → join' })]));
  });

  // Issue 11 #5: `access%5Ftoken` authenticated and was logged in clear.
  it('accepts the query token under one key once, and logs none of its spellings', async () => {
    const secret = viewerToken.slice('sluice_'.length + 13); // sluice_<12 hex id>_<secret>
    expect(secret.length).toBeGreaterThan(20);
    const url = (query: string): string => `${secured.url}/api/artifacts/no-such-artifact/content?${query}`;
    // Authenticated (a 404 for the artifact, not a 401): the key decodes to access_token.
    for (const key of ['access_token', 'access%5Ftoken']) {
      const res = await send('GET', url(`${key}=${viewerToken}`));
      expect(res.status, `${key}: ${res.text}`).toBe(404);
      expect(res.text).not.toContain(secret);
    }
    const twice = await send('GET', url(`access_token=${viewerToken}&access%5Ftoken=${viewerToken}`));
    expect(twice.status).toBe(401);
    expect(twice.json.detail).toBe('give the API token once: the query holds access_token 2 times');
    expect(twice.text).not.toContain(secret);
    for (const key of ['ACCESS_TOKEN', 'access_token%5B%5D']) {
      const res = await send('GET', url(`${key}=${viewerToken}`));
      expect(res.status, key).toBe(401);
      expect(res.text).not.toContain(secret);
    }
    expect(logged.some((l) => l.includes('no-such-artifact'))).toBe(true);
    expect(logged.filter((l) => l.includes(secret))).toEqual([]);
  });
});
