/**
 * The cache key of a task: what must be equal for an earlier result to be reused. Artifacts count
 * by content (sha256), never by id, so the same data produced by another run or task still hits.
 */
import { canonicalJson, sha256Hex } from '../../../dsl/ir/index';
import type { Json } from '../workflows/types';

export interface CacheKeyParts {
  /** componentDigest() of the whole spec: ports, options and code digest. */
  componentDigest: string;
  /** Command components: digest of the files in `impl.sources` (commandSourcesDigest). */
  sourcesDigest?: string;
  /** Parameter inputs by port (fan-in collections as their value lists). */
  params: Record<string, Json>;
  /** Artifact inputs by port: content sha256, or the list of them for list ports and collections. */
  artifacts: Record<string, string | string[]>;
}

/** Bump when the meaning of the parts changes, so old keys stop matching. */
const CACHE_KEY_VERSION = 'sluice-cache-key/v1';

export function cacheKey(parts: CacheKeyParts): string {
  return sha256Hex(
    canonicalJson({
      v: CACHE_KEY_VERSION,
      component: parts.componentDigest,
      sources: parts.sourcesDigest ?? null,
      params: parts.params,
      artifacts: parts.artifacts,
    }),
  );
}
