/**
 * Activities of model rollouts (workflows/rollout.ts): the split's weight and end in the metadata
 * store (the model server picks them up with its registry poll), the decision log, the promotion
 * through the registry's alias move, and the gates' raw figures scraped from the model server's
 * Prometheus endpoint. Every write is keyed, so a retried activity adds no second row.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { MetadataStoreError, type MetadataStore } from '../../stores/metadata/index';
import type { RolloutActivities, ServingSnapshot } from '../workflows/types';

/** Where the worker finds the model server's /metrics; `sluice dev` sets it for its own workers. */
export const MODEL_SERVER_URL_ENV = 'SLUICE_MODEL_SERVER_URL';

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * The candidate version's requests, errors, latency buckets and shadow agreement from Prometheus
 * text exposition (only the model server's own series; every status code summed).
 */
export function servingSnapshot(text: string, model: string, version: number): ServingSnapshot {
  const snap: ServingSnapshot = { requests: 0, errors: 0, buckets: [], shadow: { agree: 0, disagree: 0, error: 0 } };
  const buckets = new Map<number | null, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('sluice_serving_')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels = new Map<string, string>();
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels.set(l[1]!, l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)));
    if (labels.get('model') !== model) continue;
    const value = Number(m[3]);
    if (m[1] === 'sluice_serving_shadow_total') {
      const result = labels.get('result');
      if (labels.get('candidate') === String(version) && (result === 'agree' || result === 'disagree' || result === 'error')) snap.shadow[result] += value;
      continue;
    }
    if (labels.get('version') !== String(version)) continue;
    if (m[1] === 'sluice_serving_requests_total') snap.requests += value;
    else if (m[1] === 'sluice_serving_errors_total') snap.errors += value;
    else if (m[1] === 'sluice_serving_request_duration_seconds_bucket') {
      const le = labels.get('le') === '+Inf' ? null : Number(labels.get('le'));
      buckets.set(le, (buckets.get(le) ?? 0) + value);
    }
  }
  snap.buckets = [...buckets].map(([le, count]) => ({ le, count })).sort((a, b) => (a.le ?? Infinity) - (b.le ?? Infinity));
  return snap;
}

export function createRolloutActivities(metadata: MetadataStore, modelServerUrl: () => string | undefined = () => process.env[MODEL_SERVER_URL_ENV]): RolloutActivities {
  return {
    async rolloutSetWeight({ rolloutId, step, weight, reason }) {
      const r = await metadata.updateModelRollout(rolloutId, { weight, step });
      await metadata.recordRolloutDecision({ rolloutId, step, weight, action: 'weight', figures: { weight, candidateVersion: r.candidateVersion }, reason, requestKey: `weight-${step}` });
    },

    async rolloutScrape({ model, version }) {
      const base = modelServerUrl();
      if (!base) {
        throw ApplicationFailure.nonRetryable(
          `the worker does not know the model server's URL: set ${MODEL_SERVER_URL_ENV} (e.g. http://127.0.0.1:8000) for the worker; sluice dev sets it`,
          'model_server_unknown',
        );
      }
      const res = await fetch(new URL('/metrics', base), { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`GET ${base}/metrics answered ${res.status}`);
      return servingSnapshot(await res.text(), model, version);
    },

    async rolloutDecide({ rolloutId, key, step, weight, action, figures, reason }) {
      await metadata.recordRolloutDecision({ rolloutId, step, weight, action, figures, reason, requestKey: key });
    },

    async rolloutFinish(input) {
      let { state, reason } = input;
      if (state === 'promoted') {
        try {
          await metadata.moveModelAlias({
            model: input.model,
            alias: 'champion',
            version: input.candidateVersion,
            expectedVersion: input.baselineVersion,
            actor: input.actor,
            note: `rollout ${input.rolloutId}: promoted v${input.candidateVersion} over v${input.baselineVersion} (${reason})`,
            requestKey: `rollout-${input.rolloutId}`,
          });
        } catch (e) {
          if (!(e instanceof MetadataStoreError) || e.code !== 'conflict') throw e;
          state = 'aborted';
          reason = `not promoted: champion no longer points at v${input.baselineVersion} (it was moved during the rollout; sluice models history ${input.model})`;
        }
      }
      const current = await metadata.getModelRollout(input.rolloutId);
      if (current && current.state !== 'running') {
        // A retried finish (or one raced by an abort without a workflow): report how it ended first.
        state = current.state;
        reason = current.reason ?? reason;
      } else {
        await metadata.updateModelRollout(input.rolloutId, { state, reason, ...(state === 'promoted' ? {} : { weight: 0 }) });
      }
      const action = state === 'promoted' ? 'promote' : state === 'rolled-back' ? 'rollback' : 'abort';
      await metadata.recordRolloutDecision({ rolloutId: input.rolloutId, step: input.step, weight: state === 'promoted' ? input.weight : 0, action, figures: input.figures, reason, requestKey: 'end' });
      return { state, reason };
    },
  };
}
