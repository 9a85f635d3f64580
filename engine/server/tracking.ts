/**
 * Experiment tracking on Sluice's own API: a run's tags and note (PATCH /api/runs/:runId), runs
 * side by side (GET /api/runs/compare), the diff of two pipeline versions, and the pieces of the
 * runs list that search (filter, orderBy, columns: parsed here into the store's typed search, never
 * into SQL text). Mounted before runs.ts, so /api/runs/compare wins over /api/runs/:runId.
 */
import { diffPipelines } from '../../dsl/ir/index';
import { compareRuns, CompareRunsError } from '../runs/index';
import {
  MetadataStoreError,
  NOTE_TAG,
  readRunAnnotations,
  parseRunFilter,
  parseRunOrder,
  resolveVersionRef,
  RunFilterError,
  type PipelineVersionSummary,
  type RunFilterExpr,
  type RunOrder,
  type RunRecord,
  type RunTag,
} from '../stores/metadata/index';
import type { JsonValue } from '../contract/index';
import { requireRun, type ApiContext } from './context';
import { ApiProblem, conflict, jsonPointer, notFound } from './problem';
import { implement, type ApiRoute } from './routing';

/** A bad filter/order/column: 400 naming the query field and the token. */
function badQuery(field: string, e: RunFilterError | string): ApiProblem {
  const message = typeof e === 'string' ? e : e.message;
  return new ApiProblem('validation', `${field}: ${message}`, { errors: [{ path: `/query/${field}`, code: 'bad-filter', message }] });
}

export function parseFilterQuery(text: string | undefined): RunFilterExpr {
  if (text === undefined || text.trim() === '') return [];
  try {
    return parseRunFilter(text);
  } catch (e) {
    if (e instanceof RunFilterError) throw badQuery('filter', e);
    throw e;
  }
}

/** `metrics.accuracy desc, params.lr`: split at commas outside quotes, each parsed as MLflow's order_by. */
export function parseOrderQuery(text: string | undefined): RunOrder[] {
  if (text === undefined || text.trim() === '') return [];
  const entries: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === ',') {
      entries.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  entries.push(current);
  try {
    return parseRunOrder(entries.map((e) => e.trim()).filter((e) => e !== ''));
  } catch (e) {
    if (e instanceof RunFilterError) throw badQuery('orderBy', e);
    throw e;
  }
}

export interface RunColumn {
  name: string;
  entity: 'param' | 'metric' | 'tag';
  key: string;
}

const COLUMN_ENTITIES: Record<string, RunColumn['entity']> = { param: 'param', params: 'param', metric: 'metric', metrics: 'metric', tag: 'tag', tags: 'tag' };

export function parseColumnsQuery(columns: readonly string[] | undefined): RunColumn[] {
  return (columns ?? []).map((name) => {
    const m = /^([a-z]+)\.(.+)$/i.exec(name);
    const entity = m ? COLUMN_ENTITIES[(m[1] ?? '').toLowerCase()] : undefined;
    if (!m || !entity) throw badQuery('columns', `unknown column "${name}": write params.<key>, metrics.<key> or tags.<key>`);
    return { name, entity, key: m[2] ?? '' };
  });
}

/** Each run's values of the asked columns (null where it has none). */
export async function columnValues(ctx: ApiContext, runs: readonly RunRecord[], columns: readonly RunColumn[]): Promise<Map<string, Record<string, JsonValue>>> {
  const ids = runs.map((r) => r.id);
  const metricKeys = columns.filter((c) => c.entity === 'metric').map((c) => c.key);
  const [latest, tags] = await Promise.all([
    metricKeys.length ? ctx.metadata.latestMetrics(ids, metricKeys) : Promise.resolve(new Map<string, { key: string; value: number }[]>()),
    columns.some((c) => c.entity === 'tag') ? ctx.metadata.listTags(ids) : Promise.resolve(new Map<string, RunTag[]>()),
  ]);
  const out = new Map<string, Record<string, JsonValue>>();
  for (const run of runs) {
    const values: Record<string, JsonValue> = {};
    for (const c of columns) {
      if (c.entity === 'param') values[c.name] = (run.params[c.key]) ?? null;
      else if (c.entity === 'metric') values[c.name] = latest.get(run.id)?.find((m) => m.key === c.key)?.value ?? null;
      else values[c.name] = tags.get(run.id)?.find((t) => t.key === c.key)?.value ?? null;
    }
    out.set(run.id, values);
  }
  return out;
}

/** A run's tags (the note apart). */
export async function runAnnotations(ctx: ApiContext, runId: string): Promise<{ tags: Record<string, string>; note: string | null }> {
  const { tags, note } = await readRunAnnotations(ctx.metadata, runId);
  return { tags, note };
}

/** A version of a pipeline by id, digest prefix, or `v<N>`: 404 or 409 naming the query field. */
function pickVersion(versions: readonly PipelineVersionSummary[], ref: string, field: string, pipeline: string): PipelineVersionSummary {
  const found = resolveVersionRef(versions, ref, pipeline);
  if (found.ok) return found.version;
  if (found.code === 'ambiguous') throw new ApiProblem('conflict', found.message, { errors: [{ path: `/query/${field}`, message: 'ambiguous digest prefix' }] });
  throw notFound(found.message, `/query/${field}`);
}

export function trackingRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    implement('compareRuns', {
      handler: async ({ query }) => {
        try {
          const comparison = await compareRuns(ctx.metadata, query.ids, {
            ...(query.lowerIsBetter ? { lowerIsBetter: query.lowerIsBetter } : {}),
            ...(query.higherIsBetter ? { higherIsBetter: query.higherIsBetter } : {}),
          }, query.points === 'true');
          return { body: comparison };
        } catch (e) {
          if (e instanceof CompareRunsError) {
            throw new ApiProblem('not-found', `${e.message} (GET /api/runs lists them)`, {
              errors: e.missing.map((i) => ({ path: jsonPointer(['query', 'ids', i]), message: 'no such run' })),
            });
          }
          throw e;
        }
      },
    }),
    implement('updateRun', {
      handler: async ({ params, body }) => {
        const run = await requireRun(ctx, params.runId);
        const changes = Object.entries(body.tags ?? {}).map(([key, value]) => ({ key, value }));
        if (changes.some((c) => c.key === NOTE_TAG)) {
          throw new ApiProblem('validation', `the note is not a tag here: set it with "note"`, { errors: [{ path: jsonPointer(['body', 'tags', NOTE_TAG]), message: 'use "note"' }] });
        }
        if (body.note !== undefined) changes.push({ key: NOTE_TAG, value: body.note === null || body.note === '' ? null : body.note });
        try {
          if (changes.length) await ctx.metadata.setTags(run.id, changes);
        } catch (e) {
          // Deleted meanwhile.
          if (e instanceof MetadataStoreError && e.code === 'not_found') throw notFound(e.message, '/params/runId');
          throw e;
        }
        return { body: await runAnnotations(ctx, run.id) };
      },
    }),
    implement('diffPipelineVersions', {
      handler: async ({ params, query }) => {
        const all = await ctx.metadata.listPipelines();
        const pipeline = all.find((p) => p.id === params.pipeline) ?? all.find((p) => p.name === params.pipeline);
        if (!pipeline) throw notFound(`no pipeline with id or name "${params.pipeline}" (GET /api/pipelines lists them)`, '/params/pipeline');
        const versions = await ctx.metadata.listPipelineVersions({ pipelineId: pipeline.id });
        const from = pickVersion(versions, query.from, 'from', pipeline.name);
        const to = pickVersion(versions, query.to, 'to', pipeline.name);
        const [a, b] = await Promise.all([ctx.metadata.getPipelineVersion(from.id), ctx.metadata.getPipelineVersion(to.id)]);
        if (!a || !b) throw conflict(`a version of pipeline "${pipeline.name}" disappeared while reading it; try again`);
        return { body: { pipeline, from, to, diff: diffPipelines(a.spec, b.spec) } };
      },
    }),
  ];
}
