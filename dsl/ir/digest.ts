/**
 * Content digests: sha256 over canonical JSON (sorted keys). Pure JS (@noble/hashes) so it runs
 * identically in the browser, in Node and inside the Temporal workflow sandbox.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { PipelineSpec } from './schema';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** The pipeline without editor-only fields: what the digest covers. */
export function stripUi(spec: PipelineSpec): PipelineSpec {
  const tasks = Object.fromEntries(
    Object.entries(spec.dag.tasks).map(([id, task]) => {
      const { ui: _ui, ...rest } = task;
      return [id, rest];
    }),
  );
  const { ui: _ui, ...rest } = spec;
  return { ...rest, dag: { tasks } };
}

/** Stable content digest of a pipeline; editor positions (`ui`) never change it. */
export function pipelineDigest(spec: PipelineSpec): string {
  return sha256Hex(canonicalJson(stripUi(spec)));
}
