/**
 * Content digests: sha256 over canonical JSON (sorted keys). Pure JS (@noble/hashes) so it runs
 * identically in the browser, in Node and inside the Temporal workflow sandbox.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { NodeSpec, PipelineSpec } from './schema';

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

function stripNodes(tasks: Record<string, NodeSpec>): Record<string, NodeSpec> {
  const stripped: Record<string, NodeSpec> = {};
  for (const [id, node] of Object.entries(tasks)) {
    const { ui: _ui, ...rest } = node;
    stripped[id] = 'loop' in rest ? { ...rest, loop: { ...rest.loop, tasks: stripNodes(rest.loop.tasks) } } : rest;
  }
  return stripped;
}

/**
 * The pipeline without editor-only fields: what the digest covers. `ui` goes at every depth (loop
 * bodies, nested pipelines), so moving a node inside a loop on the canvas is no new version either.
 */
export function stripUi(spec: PipelineSpec): PipelineSpec {
  const components = Object.fromEntries(
    Object.entries(spec.components).map(([ref, c]) => [ref, c.impl.kind === 'pipeline' ? { ...c, impl: { ...c.impl, spec: stripUi(c.impl.spec) } } : c]),
  );
  const { ui: _ui, ...rest } = spec;
  return { ...rest, components, dag: { tasks: stripNodes(spec.dag.tasks) } };
}

/** Stable content digest of a pipeline; editor positions (`ui`) never change it. */
export function pipelineDigest(spec: PipelineSpec): string {
  return sha256Hex(canonicalJson(stripUi(spec)));
}
