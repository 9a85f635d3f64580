/**
 * The breadcrumb trail of the lineage explorer: where the user started and each node they moved
 * the centre to. Going back to an entry drops what came after it, as a browser's history would.
 */
export interface TrailEntry {
  kind: 'artifact' | 'run' | 'model';
  id: string;
  /** A person's name ("Model train-classifier.model", "iris run 8aa4…"). */
  name: string;
}

export const TRAIL_LIMIT = 12;

export function pushTrail(trail: readonly TrailEntry[], entry: TrailEntry, limit = TRAIL_LIMIT): TrailEntry[] {
  const at = trail.findIndex((e) => e.id === entry.id && (e.kind === entry.kind || (e.kind !== 'run' && entry.kind !== 'run')));
  // Revisiting: cut back to it (keeping the better name); else append, dropping the oldest beyond the limit.
  const next = at === -1 ? [...trail, entry] : [...trail.slice(0, at), { ...entry, name: entry.name || trail[at]?.name || entry.id }];
  return next.slice(Math.max(0, next.length - limit));
}

/** Reads a stored trail, tolerating anything (storage written by an older version, by hand). */
export function parseTrail(text: string | null): TrailEntry[] {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return [];
    return value.filter(
      (e): e is TrailEntry =>
        typeof e === 'object' && e !== null && ['artifact', 'run', 'model'].includes((e as TrailEntry).kind) && typeof (e as TrailEntry).id === 'string' && typeof (e as TrailEntry).name === 'string',
    );
  } catch {
    return [];
  }
}
