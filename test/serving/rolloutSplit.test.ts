/**
 * The model server's rollout split over real HTTP, real ONNX Runtime sessions and a real registry
 * (PGlite): requests to the bare name and to `iris@champion` go to the candidate with the rollout's
 * weight; with an `x-sluice-route-key` header the choice is sticky (and stays on the candidate as
 * the weight rises); other aliases and explicit versions are never split; responses say which
 * version answered; a rollout's change and its end are picked up by the registry poll; a candidate
 * that cannot load answers 503s that count against its own version; shadow mode answers with the
 * baseline and counts the candidate's agreement. A promotion (champion moved, then the rollout
 * ended) that lands between the server's reads of the model and of its rollout never sends the
 * split's traffic back to the old champion.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../engine/logging';
import { oip, routeBucket, startModelServer, ROLLOUT_HEADER, ROUTE_KEY_HEADER, VERSION_HEADER, type RegistrySource, type RunningModelServer } from '../../engine/serving/index';
import { constantIrisModel, servedRegistry, type ServedRegistry } from '../support/servedModels';

const body = JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [[5.1, 3.5, 1.4, 0.2]] }] });

describe('the model server splits traffic by a running rollout', () => {
  let reg: ServedRegistry;
  let server: RunningModelServer;
  let n = 0;

  /** One inference; the version that answered (body and header agree) or the error status. */
  async function infer(name: string, key?: string, keyHeader = ROUTE_KEY_HEADER): Promise<{ status: number; version: string | null; rollout: string | null }> {
    const res = await fetch(`${server.url}/v2/models/${name}/infer`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key !== undefined ? { [keyHeader]: key } : {}) }, body });
    const json = (await res.json()) as unknown;
    const header = res.headers.get(VERSION_HEADER);
    if (res.status === 200) expect(oip.InferenceResponse.parse(json).model_version).toBe(header);
    return { status: res.status, version: header, rollout: res.headers.get(ROLLOUT_HEADER) };
  }

  /** `count` inferences, 20 at a time. */
  async function many(count: number, name: string, key?: (i: number) => string, keyHeader?: string) {
    const out: Awaited<ReturnType<typeof infer>>[] = [];
    for (let i = 0; i < count; i += 20) out.push(...(await Promise.all(Array.from({ length: Math.min(20, count - i) }, (_, j) => infer(name, key?.(i + j), keyHeader)))));
    return out;
  }

  /** Waits (by polling the metadata endpoint's rollout header) until the server applies `weight` of rollout `id`, or no rollout (null). */
  async function until(id: string | null, weight = 0): Promise<void> {
    for (let i = 0; i < 400; i++) {
      const header = (await fetch(`${server.url}/v2/models/iris`)).headers.get(ROLLOUT_HEADER);
      if (id === null ? header === null : header?.startsWith(`${id}; `) && header.includes(`; weight=${weight};`)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the server never picked the rollout change up (${id ?? 'no rollout'} at ${weight}%)`);
  }

  const start = async (mode: 'canary' | 'shadow' | 'ab', candidate: number, weight: number, plan: Record<string, string> = {}) => {
    const id = `ro-${++n}`;
    await reg.metadata.startModelRollout({ id, model: 'iris', mode, baselineVersion: 1, candidateVersion: candidate, weight, plan, createdBy: 'test' });
    await until(id, weight);
    return id;
  };
  const end = async (id: string) => {
    await reg.metadata.updateModelRollout(id, { state: 'aborted', weight: 0, reason: 'test over' });
    await until(null);
  };

  beforeAll(async () => {
    reg = await servedRegistry();
    expect(await reg.register('iris', constantIrisModel(0))).toBe(1);
    expect(await reg.register('iris', constantIrisModel(2))).toBe(2);
    expect(await reg.register('iris', 'not an ONNX model: every request to it fails')).toBe(3);
    expect(await reg.register('iris', constantIrisModel(0))).toBe(4);
    await reg.move('iris', 'champion', 1);
    await reg.move('iris', 'challenger', 2);
    server = await startModelServer({ source: reg.metadata, artifacts: reg.artifacts, logger: createLogger({ level: 'silent' }), port: 0, pollMs: 50 });
    // The model is cached (and polled) from its first request on.
    expect((await infer('iris')).version).toBe('1');
  });

  afterAll(async () => {
    await server?.close();
    await reg?.close();
  });

  it('sends the weight’s share of requests to the candidate; other aliases and versions are not split', async () => {
    const id = await start('canary', 2, 30);
    const answers = await many(400, 'iris');
    const onCandidate = answers.filter((a) => a.version === '2').length;
    expect(answers.every((a) => a.status === 200 && (a.version === '1' || a.version === '2'))).toBe(true);
    // Binomial(400, 0.3): mean 120, sd ≈ 9.2; the bounds are more than 4 sd away.
    expect(onCandidate).toBeGreaterThan(80);
    expect(onCandidate).toBeLessThan(160);
    expect(answers.find((a) => a.version === '2')?.rollout).toBe(`${id}; arm=candidate; weight=30; mode=canary`);
    expect(answers.find((a) => a.version === '1')?.rollout).toBe(`${id}; arm=baseline; weight=30; mode=canary`);
    // @champion is split as the bare name is; @challenger and /versions/1 are what they say.
    expect(new Set((await many(60, 'iris@champion')).map((a) => a.version))).toEqual(new Set(['1', '2']));
    expect(new Set((await many(20, 'iris@challenger')).map((a) => a.version))).toEqual(new Set(['2']));
    expect((await many(20, 'iris/versions/1')).every((a) => a.version === '1' && a.rollout === null)).toBe(true);
    await end(id);
    expect((await many(40, 'iris')).every((a) => a.version === '1' && a.rollout === null)).toBe(true);
  });

  it('is sticky by route key: a key keeps its version, and stays on the candidate as the weight rises', async () => {
    const id = await start('ab', 2, 30);
    const keys = Array.from({ length: 100 }, (_, i) => `user-${i}`);
    const first = await many(keys.length, 'iris', (i) => keys[i]!);
    const again = await many(keys.length, 'iris', (i) => keys[i]!);
    expect(again.map((a) => a.version)).toEqual(first.map((a) => a.version));
    // The bucket is the documented stable hash: the split is predictable from the key alone.
    expect(first.map((a) => a.version)).toEqual(keys.map((k) => (routeBucket('iris', k) < 30 ? '2' : '1')));
    const share = first.filter((a) => a.version === '2').length;
    expect(share).toBeGreaterThan(10);
    expect(share).toBeLessThan(60);
    await reg.metadata.updateModelRollout(id, { weight: 60 });
    await until(id, 60);
    const later = await many(keys.length, 'iris', (i) => keys[i]!);
    first.forEach((a, i) => {
      if (a.version === '2') expect(later[i]!.version).toBe('2');
    });
    expect(later.filter((a) => a.version === '2').length).toBeGreaterThan(share);
    await end(id);
  });

  it('is sticky by the header the rollout names (--key): one value, one version; the split holds over many values; without it, random', async () => {
    const id = await start('ab', 2, 30, { routeKeyHeader: 'x-user-id' });
    // A fixed set of 300 user ids, each sent twice, through the rollout's own header.
    const users = Array.from({ length: 300 }, (_, i) => `user-${i * 7919}`);
    const first = await many(users.length, 'iris', (i) => users[i]!, 'x-user-id');
    const again = await many(users.length, 'iris', (i) => users[i]!, 'X-User-Id');
    expect(first.every((a) => a.status === 200)).toBe(true);
    expect(again.map((a) => a.version)).toEqual(first.map((a) => a.version));
    expect(first.map((a) => a.version)).toEqual(users.map((u) => (routeBucket('iris', u) < 30 ? '2' : '1')));
    // 30% of 300 values: mean 90, sd ≈ 7.9 were the buckets random; the bounds are over 4 sd away.
    const share = first.filter((a) => a.version === '2').length;
    expect(share).toBeGreaterThan(55);
    expect(share).toBeLessThan(125);
    // One value sent 60 times in a header the rollout does not key on (the default one), or no
    // header at all: a fresh draw each time, so both versions answer.
    expect(new Set((await many(60, 'iris', () => 'user-0')).map((a) => a.version))).toEqual(new Set(['1', '2']));
    expect(new Set((await many(60, 'iris')).map((a) => a.version))).toEqual(new Set(['1', '2']));
    await end(id);
  });

  it('counts the 503s of a candidate that cannot load against the candidate version', async () => {
    const id = await start('canary', 3, 100);
    const answers = await many(20, 'iris');
    expect(answers.every((a) => a.status === 503 && a.version === '3')).toBe(true);
    const errors = await server.metrics.errors.get();
    expect(errors.values.find((v) => v.labels.version === '3' && v.labels.code === '503')?.value).toBeGreaterThanOrEqual(20);
    await end(id);
    expect((await many(20, 'iris')).every((a) => a.status === 200 && a.version === '1')).toBe(true);
  });

  it('shadow mode answers with the baseline and counts whether the candidate agrees', async () => {
    const shadowCount = async (candidate: string, result: string) =>
      (await server.metrics.shadow.get()).values.find((v) => v.labels.candidate === candidate && v.labels.result === result)?.value ?? 0;
    for (const [candidate, result] of [
      [2, 'disagree'],
      [4, 'agree'],
    ] as const) {
      const id = await start('shadow', candidate, 0);
      const answers = await many(30, 'iris');
      expect(answers.every((a) => a.status === 200 && a.version === '1')).toBe(true);
      // Mirrored off the request's path: counted soon after the answers, not before them.
      for (let i = 0; i < 200 && (await shadowCount(String(candidate), result)) < 30; i++) await new Promise((r) => setTimeout(r, 25));
      expect(await shadowCount(String(candidate), result)).toBe(30);
      await end(id);
    }
  });

  it('shadow: a candidate whose artifact is missing is not loaded again for every mirrored request (its failure is remembered)', async () => {
    const model = 'shadowmiss';
    const m = reg.metadata;
    await reg.register(model, constantIrisModel(0));
    // Bytes of its own: the store is content-addressed, and no other version may lose its file.
    const candidate = await reg.register(model, 'the shadow candidate whose artifact goes missing');
    await reg.move(model, 'champion', 1);
    // The candidate's artifact is gone from the store (deleted by hand, a lost disk).
    const artifact = (await m.getArtifact((await m.getModelVersion(model, candidate))!.artifactId))!;
    await rm(await reg.artifacts.materialize(artifact.uri));
    await m.startModelRollout({ id: 'shadowmiss-1', model, mode: 'shadow', baselineVersion: 1, candidateVersion: candidate, weight: 0, plan: {}, createdBy: 'test' });
    // Each load attempt reads the version's record first: count those reads.
    let loads = 0;
    const source: RegistrySource = {
      getRegisteredModel: m.getRegisteredModel.bind(m),
      getActiveModelRollout: m.getActiveModelRollout.bind(m),
      getModelVersion: async (name, v) => {
        if (name === model && v === candidate) loads++;
        return m.getModelVersion(name, v);
      },
      getArtifact: m.getArtifact.bind(m),
      listModelVersions: m.listModelVersions.bind(m),
      listRegisteredModels: m.listRegisteredModels.bind(m),
    };
    const own = await startModelServer({ source, artifacts: reg.artifacts, logger: createLogger({ level: 'silent' }), port: 0, pollMs: 3_600_000, loadRetryMs: 3_600_000 });
    const mirrorErrors = async () => (await own.metrics.shadow.get()).values.find((v) => v.labels.model === model && v.labels.result === 'error')?.value ?? 0;
    try {
      for (let i = 0; i < 50; i += 10) {
        const answers = await Promise.all(
          Array.from({ length: 10 }, async () => {
            const res = await fetch(`${own.url}/v2/models/${model}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
            await res.arrayBuffer();
            return [res.status, res.headers.get(VERSION_HEADER)];
          }),
        );
        expect(answers).toEqual(Array.from({ length: 10 }, () => [200, '1']));
      }
      // Every mirror ends as an error (off the request's path), but the load was tried once.
      for (let i = 0; i < 200 && (await mirrorErrors()) < 50; i++) await new Promise((r) => setTimeout(r, 25));
      expect(await mirrorErrors()).toBe(50);
      expect(loads).toBeGreaterThanOrEqual(1);
      expect(loads).toBeLessThanOrEqual(2);
    } finally {
      await own.close();
    }
  });

  it('never answers with the old champion when a promotion lands between its reads of the model and of the rollout', async () => {
    // A model of its own, and a server that polls only when told to, whose registry runs the
    // promotion right after the read it is armed for: as the rollout's finish activity would, if
    // it ran between the two reads of a poll (or of a model's first request).
    const model = 'promo';
    const m = reg.metadata;
    for (const cls of [0, 2, 1]) await reg.register(model, constantIrisModel(cls));
    await reg.move(model, 'champion', 1);
    let armed: (() => Promise<void>) | undefined;
    const thenPromote = async <T>(answer: T): Promise<T> => {
      const promote = armed;
      armed = undefined;
      await promote?.();
      return answer;
    };
    const source: RegistrySource = {
      getRegisteredModel: async (name) => thenPromote(await m.getRegisteredModel(name)),
      getActiveModelRollout: async (name) => thenPromote(await m.getActiveModelRollout(name)),
      getModelVersion: m.getModelVersion.bind(m),
      getArtifact: m.getArtifact.bind(m),
      listModelVersions: m.listModelVersions.bind(m),
      listRegisteredModels: m.listRegisteredModels.bind(m),
    };
    /** A canary at 100% from `from` to `to`, and its promotion in the finish activity's order: champion first, then the rollout's end. */
    const rollout = async (from: number, to: number) => {
      const id = `promo-${to}`;
      await m.startModelRollout({ id, model, mode: 'canary', baselineVersion: from, candidateVersion: to, weight: 100, plan: {}, createdBy: 'test' });
      return async () => {
        await m.moveModelAlias({ model, alias: 'champion', version: to, expectedVersion: from, actor: 'test', note: `rollout ${id}: promoted` });
        await m.updateModelRollout(id, { state: 'promoted', reason: 'every step passed' });
      };
    };
    const own = await startModelServer({ source, artifacts: reg.artifacts, logger: createLogger({ level: 'silent' }), port: 0, pollMs: 3_600_000 });
    const answer = async () => {
      const res = await fetch(`${own.url}/v2/models/${model}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
      return [res.status, res.headers.get(VERSION_HEADER), res.headers.get(ROLLOUT_HEADER)];
    };
    try {
      // The model's first request reads it: the promotion from v1 to v2 lands between its two reads.
      armed = await rollout(1, 2);
      expect(await answer()).toEqual([200, '2', null]);
      // A poll: v2 to v3 at 100%, then its promotion between the next poll's two reads.
      const promote = await rollout(2, 3);
      await own.catalog.poll();
      expect(await answer()).toEqual([200, '3', 'promo-3; arm=candidate; weight=100; mode=canary']);
      armed = promote;
      await own.catalog.poll();
      expect(armed).toBeUndefined();
      expect(await answer()).toEqual([200, '3', null]);
    } finally {
      await own.close();
    }
  });
});
