/**
 * Grid search: the Cartesian product of every parameter's values (a conditional parameter only
 * where its condition holds), visited in an order shuffled once by the study's seed, as Optuna's
 * GridSampler draws unvisited points at random (so a study cut short still covers the space
 * evenly); points already suggested are skipped.
 */
import type { Assignment, ParamValue } from '../../dsl/ir/tuneSpace';
import { TuningError } from './errors';
import { suggestionRng } from './rng';
import { gridCount, gridValues, isActive, type SpaceParam } from './space';

/** More points than this is a space for random search or TPE, not a grid. */
export const MAX_GRID_POINTS = 100_000;

/** A canonical key of an assignment (parameter order and number formatting do not matter). */
export function assignmentKey(a: Assignment): string {
  return JSON.stringify(
    Object.keys(a)
      .sort()
      .map((k) => [k, typeof a[k], a[k]]),
  );
}

/** Every point of the grid, in space order of enumeration. */
export function enumerateGrid(params: readonly SpaceParam[]): Assignment[] {
  const values = new Map<string, readonly ParamValue[]>();
  for (const p of params) {
    // Counted before any list is built: `intRange(0, 1e9)` would otherwise fill the heap first.
    const count = gridCount(p.domain);
    if (count !== undefined && count > MAX_GRID_POINTS) {
      throw new TuningError('grid-too-large', `the grid has more than ${MAX_GRID_POINTS} points: '${p.name}' alone has ${count} values; use a larger step, fewer values, or random search or TPE`, p.name);
    }
    const v = gridValues(p.domain);
    if (!v) {
      const hint = p.param.type === 'logUniform' ? 'a logUniform has no grid: use an intRange with log, or a choice of values' : 'give it a `step`, or make it a choice';
      throw new TuningError('grid-needs-step', `grid search cannot enumerate the continuous parameter '${p.name}': ${hint}`, p.name);
    }
    values.set(p.name, v);
  }
  const out: Assignment[] = [];
  const walk = (i: number, partial: Assignment): void => {
    if (i === params.length) {
      if (out.length >= MAX_GRID_POINTS) {
        throw new TuningError('grid-too-large', `the grid has more than ${MAX_GRID_POINTS} points: use fewer values or steps, or random search or TPE`);
      }
      out.push({ ...partial });
      return;
    }
    const p = params[i]!;
    if (!isActive(p, partial)) return walk(i + 1, partial);
    for (const v of values.get(p.name)!) {
      partial[p.name] = v;
      walk(i + 1, partial);
    }
    delete partial[p.name];
  };
  walk(0, {});
  return out;
}

/** The next unvisited grid point, or null when every point has been suggested. */
export function suggestGrid(params: readonly SpaceParam[], visited: readonly Assignment[], seed: number): Assignment | null {
  const points = enumerateGrid(params);
  const rand = suggestionRng(seed, 0, 'grid');
  for (let i = points.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [points[i], points[j]] = [points[j]!, points[i]!];
  }
  const seen = new Set(visited.map(assignmentKey));
  return points.find((p) => !seen.has(assignmentKey(p))) ?? null;
}
