/**
 * Activities of triggers: finding new events for a sensor (artifacts recorded, runs finished) and
 * posting run notifications. Events are keyed (artifact id, run id) so the sensor workflow can
 * start at most one run per event.
 */
import type { Json, MetadataStore, RunRecord } from '../../stores/metadata/index';
import type { Logger } from '../../logging';
import type { TriggerActivities, TriggerDefinition, TriggerEvent } from '../workflows/types';

const PAGE = 200;

export function createTriggerActivities(deps: { metadata: MetadataStore; logger: Logger }): TriggerActivities {
  const { metadata } = deps;
  return {
    async pollTriggerEvents({ definition, cursor }) {
      const since = new Date(cursor);
      if (definition.kind === 'artifact') {
        const found = await metadata.listArtifacts({ type: definition.match.type, createdFrom: since, limit: PAGE });
        const events: TriggerEvent[] = [];
        let next = cursor;
        for (const a of found) {
          if (a.createdAt.toISOString() > next) next = a.createdAt.toISOString();
          if (definition.match.name !== undefined && a.name !== definition.match.name) continue;
          if (!matches(a.properties, definition.match.properties)) continue;
          events.push({ key: a.id, params: { ...definition.params, [definition.input]: a.id }, event: { kind: 'artifact', artifactId: a.id, type: a.type, name: a.name } });
        }
        return { events, cursor: next };
      }
      if (definition.kind === 'completion' || definition.kind === 'notification') {
        const runs = await finishedSince(metadata, since, definition.after.pipeline);
        const events: TriggerEvent[] = [];
        let next = cursor;
        for (const r of runs) {
          const at = (r.finishedAt as Date).toISOString();
          if (at > next) next = at;
          if (!(definition.after.statuses as string[]).includes(r.status)) continue;
          events.push({ key: r.id, params: definition.kind === 'completion' ? mapOutputs(definition, r) : {}, event: { kind: 'completion', runId: r.id, pipeline: r.pipelineName, status: r.status } });
        }
        return { events, cursor: next };
      }
      return { events: [], cursor };
    },

    async postNotification({ url, runId, triggerId }) {
      const run = await metadata.getRun(runId);
      if (!run) return;
      const executions = await metadata.listExecutions(runId);
      const summary = {
        event: `run.${run.status}`,
        trigger: triggerId,
        run: {
          id: run.id,
          pipeline: run.pipelineName,
          status: run.status,
          error: run.error,
          failedTask: run.failedTask,
          params: run.params,
          outputs: run.outputs,
          startedAt: run.startedAt?.toISOString() ?? null,
          finishedAt: run.finishedAt?.toISOString() ?? null,
          tasks: executions.filter((e) => !e.taskId.includes('[')).map((e) => ({ task: e.taskId, status: e.status, attempt: e.attempt, error: e.error })),
        },
      };
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'sluice-notifier' },
        body: JSON.stringify(summary),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new Error(`notification to ${url} answered ${res.status} ${res.statusText}`);
      deps.logger.info({ url, runId, status: res.status }, 'notification sent');
    },
  };
}

/** Finished runs (of one pipeline, or all) whose finish time is at or after `since`. */
async function finishedSince(metadata: MetadataStore, since: Date, pipeline: string | undefined): Promise<RunRecord[]> {
  // Only runs created within a day before the cursor are looked at: a watched run that lasts
  // longer than a day is not seen when it finishes.
  const runs = await metadata.listRuns({ ...(pipeline ? { pipelineName: pipeline } : {}), createdFrom: new Date(since.getTime() - 86_400_000), limit: 1000 });
  return runs.filter((r) => r.finishedAt && r.finishedAt >= since).sort((a, b) => (a.finishedAt as Date).getTime() - (b.finishedAt as Date).getTime());
}

function mapOutputs(def: Extract<TriggerDefinition, { kind: 'completion' }>, run: RunRecord): Record<string, Json> {
  const out: Record<string, Json> = { ...def.params };
  for (const [input, output] of Object.entries(def.mapping)) {
    const v = run.outputs?.[output];
    if (v !== undefined) out[input] = v;
  }
  return out;
}

function matches(props: Record<string, Json>, want: Record<string, Json> | undefined): boolean {
  if (!want) return true;
  return Object.entries(want).every(([k, v]) => JSON.stringify(props[k]) === JSON.stringify(v));
}
