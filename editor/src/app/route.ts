/**
 * Hash routes, so the API server needs no fallback rules and every view has a link to share:
 *   #/pipelines                        pipeline list (opens the editor)
 *   #/pipelines/:name[/versions/:n]   the editor on a stored version (latest when no version)
 *   #/pipelines/:name/diff[?from=&to=] two versions of a pipeline side by side, changes marked
 *   #/new                              an empty canvas
 *   #/runs[?pipeline=&status=…]       runs list
 *   #/runs/:runId                      run view
 *   #/compare?runs=a,b,c               runs compared side by side
 *   #/lineage/:kind/:id[?hops=n]       lineage explorer from an artifact, a run or a model
 *   #/models[/:name]                   the model registry, a registered model
 */
import { useEffect, useRef, useState } from 'react';

export type Route =
  | { view: 'pipelines' }
  | { view: 'editor'; pipeline?: string; version?: number }
  | { view: 'diff'; pipeline: string; query: URLSearchParams }
  | { view: 'runs'; query: URLSearchParams }
  | { view: 'compare'; query: URLSearchParams }
  | { view: 'run'; runId: string; query: URLSearchParams }
  | { view: 'lineage'; kind: 'artifact' | 'run' | 'model'; id: string; query: URLSearchParams }
  | { view: 'models' }
  | { view: 'model'; name: string }
  | { view: 'notFound'; hash: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/pipelines';
  const [pathPart = '', queryPart = ''] = raw.split('?', 2);
  const query = new URLSearchParams(queryPart);
  let parts: string[];
  try {
    parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    // A malformed escape (#/runs/%E0) names nothing.
    return { view: 'notFound', hash: raw };
  }
  const [head, a, b, c] = parts;
  if (head === 'pipelines' && a === undefined) return { view: 'pipelines' };
  if (head === 'pipelines' && a !== undefined) {
    if (b === 'versions' && c !== undefined && /^\d+$/.test(c)) return { view: 'editor', pipeline: a, version: Number(c) };
    if (b === undefined) return { view: 'editor', pipeline: a };
    if (b === 'diff' && c === undefined) return { view: 'diff', pipeline: a, query };
  }
  if (head === 'new' && a === undefined) return { view: 'editor' };
  if (head === 'runs' && a === undefined) return { view: 'runs', query };
  if (head === 'compare' && a === undefined) return { view: 'compare', query };
  if (head === 'runs' && a !== undefined && b === undefined) return { view: 'run', runId: a, query };
  if (head === 'lineage' && (a === 'artifact' || a === 'run' || a === 'model') && b !== undefined) return { view: 'lineage', kind: a, id: b, query };
  if (head === 'models' && a === undefined) return { view: 'models' };
  if (head === 'models' && a !== undefined && b === undefined) return { view: 'model', name: a };
  return { view: 'notFound', hash: raw };
}

export const href = {
  pipelines: (): string => '#/pipelines',
  editor: (pipeline: string, version?: number): string =>
    `#/pipelines/${encodeURIComponent(pipeline)}${version !== undefined ? `/versions/${version}` : ''}`,
  newPipeline: (): string => '#/new',
  diff: (pipeline: string, from?: string, to?: string): string =>
    `#/pipelines/${encodeURIComponent(pipeline)}/diff${from && to ? `?${new URLSearchParams({ from, to }).toString()}` : ''}`,
  compare: (runIds: readonly string[]): string => `#/compare?runs=${runIds.map(encodeURIComponent).join(',')}`,
  runs: (query?: Record<string, string>): string => `#/runs${query && Object.keys(query).length ? `?${new URLSearchParams(query).toString()}` : ''}`,
  run: (runId: string, task?: string): string => `#/runs/${encodeURIComponent(runId)}${task ? `?task=${encodeURIComponent(task)}` : ''}`,
  lineage: (kind: 'artifact' | 'run' | 'model', id: string, hops?: number): string =>
    `#/lineage/${kind}/${encodeURIComponent(id)}${hops !== undefined ? `?hops=${hops}` : ''}`,
  models: (): string => '#/models',
  model: (name: string): string => `#/models/${encodeURIComponent(name)}`,
};

export function navigate(to: string): void {
  window.location.hash = to.replace(/^#/, '');
}

/** Says whether the current page may be left (it may ask the user); false keeps it. */
export type LeaveGuard = () => boolean;

const leaveGuards = new Set<LeaveGuard>();

/**
 * While mounted, an in-app hash change (a link, Back) first asks `mayLeave`; when it answers false
 * the previous address comes back and the page stays mounted. The route is where the check has to
 * live: the page's own hashchange listener would run after the route has already switched.
 */
export function useLeaveGuard(mayLeave: LeaveGuard): void {
  const current = useRef(mayLeave);
  current.current = mayLeave;
  useEffect(() => {
    const guard: LeaveGuard = () => current.current();
    leaveGuards.add(guard);
    return () => {
      leaveGuards.delete(guard);
    };
  }, []);
}

/**
 * The current route, and `seq`, which counts arrivals: a page that rewrites its own address with
 * replaceState (the editor after a first save) is left by the next hash change even when that
 * parses to the same route (#/new → save → New pipeline is a fresh editor, not the saved one).
 */
export function useRoute(): Route & { seq: number } {
  const [route, setRoute] = useState(() => ({ ...parseRoute(window.location.hash), seq: 0 }));
  useEffect(() => {
    const onChange = (e: HashChangeEvent): void => {
      for (const mayLeave of leaveGuards) {
        if (!mayLeave()) {
          // Put the old address back without a new hashchange (replaceState fires none).
          window.history.replaceState(window.history.state, '', e.oldURL);
          return;
        }
      }
      setRoute((r) => ({ ...parseRoute(window.location.hash), seq: r.seq + 1 }));
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
