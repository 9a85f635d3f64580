/**
 * A model's latest rollout, live: mode, baseline → candidate, state, the candidate's weight and
 * step, the plan's gates, and every decision with the figures it was taken on (error rate, p99,
 * requests; shadow: agreement). While it runs the panel reads it again every 2 s (each read after
 * the last one answered), and tells the page when it ends (champion may have moved).
 */
import { useEffect, useRef, useState, type ReactElement } from 'react';
import type { ModelRollout, RolloutDecision } from 'sluice/api';
import { api, ApiError } from '../../api/client';

export const ROLLOUT_POLL_MS = 2000;

const pct = (x: unknown): string => (typeof x === 'number' ? `${Number((x * 100).toFixed(2))}%` : '–');
const num = (x: unknown): string => (typeof x === 'number' ? String(x) : '–');

function figuresText(f: RolloutDecision['figures']): string {
  if (f.requests === undefined) return '';
  const parts = [`${num(f.requests)} requests`, `${num(f.errors)} errors (${pct(f.errorRate)})`, `p99 ≤ ${num(f.p99Ms)} ms`];
  if (typeof f.mirrored === 'number' && f.mirrored > 0) parts.push(`agreement ${pct(f.agreement)} (${num(f.agree)} of ${num(f.mirrored)})`);
  if (typeof f.maxErrorRate === 'number') parts.push(`gates: ≤ ${pct(f.maxErrorRate)}, ≤ ${num(f.maxP99Ms)} ms, ≥ ${num(f.minRequests)} requests`);
  return parts.join(' · ');
}

export function RolloutPanel({ model, onEnded }: { model: string; onEnded: () => void }): ReactElement | null {
  const [latest, setLatest] = useState<{ rollout: ModelRollout; decisions: RolloutDecision[] } | null | undefined>();
  const [error, setError] = useState<string | undefined>();
  const wasRunning = useRef(false);
  const ended = useRef(onEnded);
  ended.current = onEnded;

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = (): void => {
      api.listModelRollouts({ params: { model } }).then(
        ({ rollouts }) => {
          if (stopped) return;
          const first = rollouts[0] ?? null;
          setLatest(first);
          setError(undefined);
          const running = first?.rollout.state === 'running';
          if (wasRunning.current && !running) ended.current();
          wasRunning.current = running;
          if (running) timer = setTimeout(read, ROLLOUT_POLL_MS);
        },
        (e: unknown) => {
          if (stopped) return;
          setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
          // Keep trying while one was running: the server may be restarting.
          if (wasRunning.current) timer = setTimeout(read, ROLLOUT_POLL_MS);
        },
      );
    };
    read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [model]);

  if (error && !latest) return <p className="muted">Rollouts could not be read: {error}</p>;
  if (!latest) return latest === null ? <p className="muted">No rollout yet (sluice rollout {model} --to challenger starts one).</p> : null;
  const { rollout: r, decisions } = latest;
  const plan = r.plan as { steps?: number[]; intervalMs?: number };
  return (
    <section className="rollout" data-testid="rollout">
      <p data-testid="rollout-summary">
        <strong>
          {r.mode} v{r.baselineVersion} → v{r.candidateVersion}
        </strong>{' '}
        · <span data-testid="rollout-state">{r.state}</span>
        {r.state === 'running' ? (
          <>
            {' '}
            · candidate weight <strong data-testid="rollout-weight">{r.weight}%</strong>
            {r.mode === 'canary' && plan.steps ? ` · step ${Math.max(r.step, 0) + 1} of ${plan.steps.length} (${plan.steps.join(', ')}%, every ${(plan.intervalMs ?? 0) / 1000} s)` : ''}
          </>
        ) : null}
        {r.reason ? <span className="muted"> · {r.reason}</span> : null}
      </p>
      {error ? <p className="muted">Last read failed: {error}</p> : null}
      <table className="runs-table data-table" data-testid="rollout-decisions">
        <thead>
          <tr>
            <th>when</th>
            <th>step</th>
            <th>weight</th>
            <th>decision</th>
            <th>why</th>
            <th>figures</th>
          </tr>
        </thead>
        <tbody>
          {decisions.map((d) => (
            <tr key={d.id}>
              <td className="muted">{new Date(d.createdAt).toLocaleTimeString()}</td>
              <td>{d.step + 1}</td>
              <td>{d.weight}%</td>
              <td>{d.action}</td>
              <td>{d.reason}</td>
              <td className="muted">{figuresText(d.figures)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
