/**
 * A tuning study of the selected task (`p.tune`): its trials as a table (pruned ones with the step
 * and the reason), the best-so-far curve, the trials' intermediate-value curves, and while it runs
 * the controls (trials at once, trials in all, stop keeping the best so far) through
 * POST /api/runs/:id/studies/control, with the server's refusal shown as it says it.
 *
 * Stable hooks for end-to-end tests:
 *   data-testid="study-view"           data-study="<study path>"
 *   data-testid="trial-row-<n>"        data-state="running|succeeded|failed|pruned|cancelled"
 *   data-testid="study-control-error"  the server's (or the form's) reason a change was refused
 */
import { useEffect, useMemo, useState, type ReactElement } from 'react';
import type { MetricSeries, Study } from 'sluice/api';
import type { Objective } from 'sluice/ir';
import { api, errorText } from '../../api/client';
import { formatNumber, LineChart, SERIES_COLOURS } from '../../previews/LineChart';
import { bestSoFar, controlChange, intermediateCurves, stepLabelOf, trialParallel, trialRows, trialValues } from '../../runview/study';
import { ParallelCoordinates } from '../../previews/ParallelCoordinates';

const PRUNED_COLOUR = '#98a2b3';

export interface StudyViewProps {
  runId: string;
  /** The selected task's studies: one, or one per loop item. */
  studies: Study[];
  objective: Objective | undefined;
  /** The run's metric series (the trials' intermediate values among them). */
  metrics: MetricSeries[];
  now: number;
  /** A control call answered with the study as it is now. */
  onChanged: (study: Study) => void;
}

function StudyControls({ runId, study, onChanged }: { runId: string; study: Study; onChanged: (s: Study) => void }): ReactElement | null {
  const control = study.control;
  const [form, setForm] = useState({ parallelTrials: String(control?.parallelTrials ?? ''), maxTrials: String(control?.maxTrials ?? '') });
  const [edited, setEdited] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmStop, setConfirmStop] = useState(false);
  // Follow the server's values until the person starts typing (another client may change them).
  useEffect(() => {
    if (!edited && control) setForm({ parallelTrials: String(control.parallelTrials), maxTrials: String(control.maxTrials) });
  }, [edited, control]);
  if (!control) return null;

  const send = async (label: string, body: { parallelTrials?: number; maxTrials?: number; stop?: boolean }): Promise<void> => {
    setBusy(label);
    setError(null);
    try {
      onChanged(await api.controlStudy({ params: { runId }, body: { study: study.study, ...body } }));
      setEdited(false);
      setConfirmStop(false);
    } catch (e) {
      setError(`${label} failed: ${errorText(e)}`);
    } finally {
      setBusy(null);
    }
  };
  const apply = (): void => {
    const checked = controlChange(control, form);
    if ('error' in checked) {
      setError(checked.error);
      return;
    }
    if (Object.keys(checked.change).length === 0) {
      setEdited(false);
      return;
    }
    void send('Changing the study', checked.change);
  };
  const field = (key: 'parallelTrials' | 'maxTrials', label: string): ReactElement => (
    <label>
      {label}{' '}
      <input
        type="number"
        min={1}
        step={1}
        value={form[key]}
        size={5}
        onChange={(e) => {
          setEdited(true);
          setForm((f) => ({ ...f, [key]: e.target.value }));
        }}
      />
    </label>
  );
  return (
    <form
      className="study-controls"
      aria-label="Study controls"
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      {field('parallelTrials', 'Parallel trials')}
      {field('maxTrials', 'Max trials')}
      <button type="submit" disabled={busy !== null || control.stopRequested}>
        Apply
      </button>
      {control.stopRequested ? (
        <span className="muted" role="status">
          Stopping: no new trials; the best so far will be the result.
        </span>
      ) : confirmStop ? (
        <span role="group" aria-label="Confirm stop">
          Running trials are cancelled.{' '}
          <button type="button" className="danger" disabled={busy !== null} onClick={() => void send('Stopping the study', { stop: true })}>
            Yes, stop the study
          </button>{' '}
          <button type="button" onClick={() => setConfirmStop(false)}>
            Keep it running
          </button>
        </span>
      ) : (
        <button type="button" disabled={busy !== null} onClick={() => setConfirmStop(true)}>
          Stop study
        </button>
      )}
      {busy && <span role="status">{busy}…</span>}
      {error && (
        <span className="error-text" role="alert" data-testid="study-control-error">
          {error}
        </span>
      )}
    </form>
  );
}

export function StudyView(props: StudyViewProps): ReactElement | null {
  const { runId, studies, objective, metrics, now, onChanged } = props;
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const study = studies.find((s) => s.study === chosen) ?? studies[0];
  const rows = useMemo(() => (study ? trialRows(study, now) : []), [study, now]);
  const goal = objective?.goal ?? 'minimize';
  const metric = objective?.metric;
  const curves = useMemo(() => (study && metric ? intermediateCurves(study, metric, metrics) : []), [study, metric, metrics]);
  const parallel = useMemo(() => (study && metric ? trialParallel(study, metric, metrics) : undefined), [study, metric, metrics]);
  if (!study) return null;
  const counts = rows.reduce<Record<string, number>>((c, r) => ({ ...c, [r.state]: (c[r.state] ?? 0) + 1 }), {});
  const best = bestSoFar(study.trials, goal);
  const objectiveLabel = metric ? `${metric} (${goal})` : 'objective';
  return (
    <section className="study-view" aria-label={`Tuning study ${study.study}`} data-testid="study-view" data-study={study.study}>
      <header className="study-head">
        <h2>Study {study.study}</h2>
        {studies.length > 1 && (
          <label>
            Loop item{' '}
            <select value={study.study} onChange={(e) => setChosen(e.target.value)}>
              {studies.map((s) => (
                <option key={s.study} value={s.study}>
                  {s.study}
                </option>
              ))}
            </select>
          </label>
        )}
        <span className="muted">
          {objectiveLabel} · {rows.length} trial{rows.length === 1 ? '' : 's'}
          {Object.entries(counts).map(([state, n]) => ` · ${n} ${state}`)}
          {study.control ? ` · ${study.control.parallelTrials} at once, ${study.control.maxTrials} in all` : ''}
          {study.best ? ` · best ${formatNumber(study.best.value)} (trial ${study.best.number})` : ''}
        </span>
      </header>
      <StudyControls key={study.study} runId={runId} study={study} onChanged={onChanged} />
      <div className="study-body">
        <div className="study-table">
          <table className="data-table runs-table">
            <caption>Trials</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">parameters</th>
                <th scope="col">{metric ?? 'objective'}</th>
                <th scope="col">state</th>
                <th scope="col">duration</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.number} data-testid={`trial-row-${r.number}`} data-state={r.state} className={r.best ? 'is-best' : undefined}>
                  <td>
                    {r.number}
                    {r.best && <span title="the best trial"> ★</span>}
                  </td>
                  <td>
                    <code>{r.params}</code>
                  </td>
                  <td>{r.objective}</td>
                  <td>
                    <span className={`trial-state state-${r.state}`}>{r.state}</span>
                    {r.detail && <div className="muted trial-detail">{r.detail}</div>}
                  </td>
                  <td>{r.duration}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="charts">
          {best.length > 0 && (
            <LineChart
              title={`best ${metric ?? 'objective'} so far`}
              series={[
                { label: 'best so far', points: best },
                { label: 'trial', points: trialValues(study.trials) },
              ]}
              xLabel="trial"
              yLabel={metric ?? 'objective'}
              dots
              width={340}
              height={200}
            />
          )}
          {curves.length > 0 && metric && (
            <LineChart
              title={`${metric} per ${stepLabelOf(study, metric, metrics)} of each trial`}
              series={curves.map((c) => ({ label: c.label, points: c.points }))}
              // Pruned trials in grey: the curves the rule cut short stand apart from the ones that ran on.
              colours={curves.map((c, i) => (c.pruned ? PRUNED_COLOUR : (SERIES_COLOURS[i % SERIES_COLOURS.length] as string)))}
              xLabel={stepLabelOf(study, metric, metrics)}
              yLabel={metric}
              width={340}
              height={200}
            />
          )}
        </div>
      </div>
      {parallel && metric && parallel.plot.axes.length >= 2 && parallel.lines.length > 0 && (
        <ParallelCoordinates
          plot={parallel.plot}
          testId="study-parallel-coordinates"
          gaps="skip"
          caption={`Parameters → ${metric}, one line per trial (pruned in grey)`}
          label={`Parallel coordinates of ${parallel.plot.axes.map((a) => a.key).join(', ')} for ${parallel.lines.length} trials`}
          style={(_, i) => {
            const line = parallel.lines[i];
            const t = parallel.plot.lines[i]?.positions.at(-1);
            // Pruned trials in grey, as in the curves; the others coloured by the objective, the better end blue.
            return { colour: line?.pruned ? PRUNED_COLOUR : objectiveColour(t === undefined ? undefined : goal === 'minimize' ? 1 - t : t), title: line?.title ?? '', faint: line?.pruned ?? false };
          }}
        />
      )}
    </section>
  );
}

/** A trial's colour by how good its objective is (0 worst → 1 best): orange to blue (the compare view's ramp, readable without red/green). */
function objectiveColour(good: number | undefined): string {
  if (good === undefined) return PRUNED_COLOUR;
  const mix = (a: number, b: number): number => Math.round(a + (b - a) * good);
  return `rgb(${mix(213, 0)}, ${mix(94, 114)}, ${mix(0, 178)})`;
}
