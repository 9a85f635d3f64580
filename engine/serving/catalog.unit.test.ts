/**
 * The catalog's first read of a model: concurrent first requests share one registry read, so a
 * slow read from before a rollout started cannot land after (and overwrite) a newer one. A failed
 * load is remembered for `loadRetryMs`, then tried again.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logging';
import type { ArtifactStore } from '../stores/artifacts/index';
import type { ModelRolloutRecord, RegisteredModelRecord } from '../stores/metadata/index';
import { ModelCatalog, type RegistrySource } from './catalog';
import { DEFAULT_BATCHING } from './server';

const model = { name: 'iris', aliases: { champion: 1 } } as unknown as RegisteredModelRecord;
const rollout = { id: 'iris-r1', model: 'iris', baselineVersion: 1, candidateVersion: 2, weight: 50 } as unknown as ModelRolloutRecord;

const options = { session: { provider: 'cpu' as const, gpu: 0, threads: 0 }, batching: DEFAULT_BATCHING, pollMs: 60_000, defaultAlias: 'champion', loadRetryMs: 10_000 };

describe('ModelCatalog first reads', () => {
  it('concurrent first requests for a model share one registry read, so an older read cannot overwrite a newer one', async () => {
    let reads = 0;
    // The first read is slow and from before the rollout; any later one sees the rollout.
    const source = {
      async getActiveModelRollout() {
        const n = ++reads;
        if (n === 1) await new Promise((r) => setTimeout(r, 50));
        return n === 1 ? null : rollout;
      },
      getRegisteredModel: () => Promise.resolve(model),
    } as unknown as RegistrySource;
    const catalog = new ModelCatalog(source, {} as ArtifactStore, options, createLogger({ level: 'silent' }), () => undefined);
    const first = catalog.model('iris');
    const second = catalog.model('iris');
    await Promise.all([first, second]);
    // One read answered both; its state stands until the next poll (never a newer one overwritten).
    expect(reads).toBe(1);
    expect(catalog.rolloutOf('iris')).toBeNull();
  });
});

describe('ModelCatalog failed loads', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives a failed load\'s error again without loading until loadRetryMs has passed, then tries again', async () => {
    vi.useFakeTimers();
    let reads = 0;
    // Every load starts by reading the version's record: here it is gone, so each load fails.
    const source = {
      getModelVersion: () => {
        reads++;
        return Promise.resolve(undefined);
      },
    } as unknown as RegistrySource;
    const catalog = new ModelCatalog(source, {} as ArtifactStore, options, createLogger({ level: 'silent' }), () => undefined);
    await expect(catalog.load('iris', 2)).rejects.toMatchObject({ code: 'not_found' });
    for (let i = 0; i < 50; i++) await expect(catalog.load('iris', 2)).rejects.toMatchObject({ code: 'not_found' });
    expect(reads).toBe(1);
    await vi.advanceTimersByTimeAsync(9_999);
    await expect(catalog.load('iris', 2)).rejects.toMatchObject({ code: 'not_found' });
    expect(reads).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(catalog.load('iris', 2)).rejects.toMatchObject({ code: 'not_found' });
    expect(reads).toBe(2);
  });
});
