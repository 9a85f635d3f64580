/**
 * A pipeline version as people name it: its id, `v<N>` (the N-th version, v1 the oldest), or a
 * digest prefix (4 characters or more). One rule for the API (`/api/pipelines/:p/diff`) and the CLI.
 */
import type { PipelineVersionSummary } from './PipelineStore';

export type VersionRefResult =
  | { ok: true; version: PipelineVersionSummary }
  | { ok: false; code: 'not-found' | 'ambiguous'; message: string };

/** `versions` newest first, as listPipelineVersions gives them. */
export function resolveVersionRef(versions: readonly PipelineVersionSummary[], ref: string, pipeline: string): VersionRefResult {
  const byId = versions.find((v) => v.id === ref);
  if (byId) return { ok: true, version: byId };
  const ordinal = /^v(\d{1,6})$/i.exec(ref);
  if (ordinal) {
    const n = Number(ordinal[1]);
    const found = n >= 1 ? versions[versions.length - n] : undefined;
    if (found) return { ok: true, version: found };
  }
  const byDigest = ref.length >= 4 ? versions.filter((v) => v.digest.startsWith(ref.toLowerCase())) : [];
  if (byDigest.length > 1) {
    return { ok: false, code: 'ambiguous', message: `"${ref}" is the digest prefix of ${byDigest.length} versions of pipeline "${pipeline}"; give more digits` };
  }
  const [only] = byDigest;
  if (only) return { ok: true, version: only };
  return {
    ok: false,
    code: 'not-found',
    message: `pipeline "${pipeline}" has no version "${ref}" (it has ${versions.length}: v1…v${versions.length}, a version id, or a digest prefix of 4+ characters)`,
  };
}
