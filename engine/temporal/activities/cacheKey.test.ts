import { describe, expect, it } from 'vitest';
import { cacheKey, type CacheKeyParts } from './cacheKey';

const base: CacheKeyParts = {
  componentDigest: 'c'.repeat(64),
  params: { lr: 0.1, tags: ['a', 'b'], opts: { depth: 3, mode: 'x' } },
  artifacts: { data: 'a'.repeat(64), parts: ['1'.repeat(64), '2'.repeat(64)] },
};

describe('cacheKey', () => {
  it('is a stable sha256, blind to key order', () => {
    const key = cacheKey(base);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey({ ...base })).toBe(key);
    const reordered: CacheKeyParts = {
      artifacts: { parts: ['1'.repeat(64), '2'.repeat(64)], data: 'a'.repeat(64) },
      params: { opts: { mode: 'x', depth: 3 }, tags: ['a', 'b'], lr: 0.1 },
      componentDigest: 'c'.repeat(64),
    };
    expect(cacheKey(reordered)).toBe(key);
  });

  it('depends on content digests only: the same bytes under another artifact id give the same key', () => {
    // The parts hold no artifact ids at all; equal content is an equal key by construction.
    expect(cacheKey({ ...base, artifacts: { ...base.artifacts } })).toBe(cacheKey(base));
    expect(cacheKey({ ...base, artifacts: { ...base.artifacts, data: 'b'.repeat(64) } })).not.toBe(cacheKey(base));
  });

  it('misses on any change of parameters, component, sources or list order', () => {
    const key = cacheKey(base);
    expect(cacheKey({ ...base, params: { ...base.params, lr: 0.2 } })).not.toBe(key);
    expect(cacheKey({ ...base, params: { ...base.params, extra: null } })).not.toBe(key);
    expect(cacheKey({ ...base, params: { ...base.params, lr: '0.1' } })).not.toBe(key);
    expect(cacheKey({ ...base, componentDigest: 'd'.repeat(64) })).not.toBe(key);
    expect(cacheKey({ ...base, sourcesDigest: 'e'.repeat(64) })).not.toBe(key);
    expect(cacheKey({ ...base, sourcesDigest: 'e'.repeat(64) })).not.toBe(cacheKey({ ...base, sourcesDigest: 'f'.repeat(64) }));
    expect(cacheKey({ ...base, artifacts: { ...base.artifacts, parts: ['2'.repeat(64), '1'.repeat(64)] } })).not.toBe(key);
    // A single artifact and a list of one are different inputs.
    expect(cacheKey({ ...base, artifacts: { ...base.artifacts, data: ['a'.repeat(64)] } })).not.toBe(key);
  });
});
