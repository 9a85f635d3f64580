/**
 * The run view: the run's pipeline DAG with live task states, run controls (approve/reject waiting
 * gates, cancel, retry from failure) and the selected task's logs, artifacts, metrics and parameters.
 * Live over SSE (GET /api/runs/:id/events) until the run ends; `#/runs/:id?task=<taskId>` selects a task.
 *
 * Stable hooks for end-to-end tests:
 *   data-testid="run-status"            data-status="pending|running|succeeded|failed|cancelled"
 *   data-testid="run-node-<taskId>"     data-state="queued|running|succeeded|failed|cached|skipped|
 *                                                   cancelled|waiting-approval|waiting-gpu|waiting-worker|not-run"
 *   data-testid="task-list-<taskId>"    the same task in the keyboard-friendly task list (a button)
 *   data-testid="task-panel"            the selected task; tabs are role="tab" named "Logs",
 *                                       "Artifacts", "Metrics", "Parameters"
 *   data-testid="task-error"            the task's error text
 *   data-testid="artifact-row-<port>"   an output artifact, with a "Lineage" link (#/lineage/artifact/:id),
 *                                       a "Download" link and a "Preview" button
 *   data-testid="artifact-preview"      an opened preview (data-artifact-type="<type>");
 *                                       data-testid="confusion-matrix" inside ClassificationMetrics
 *   a "Temporal" link to the run's workflow in the Temporal Web UI, only when the server serves one
 *   buttons "Approve <gate>", "Reject <gate>", "Cancel run" (then "Yes, cancel the run"), "Retry from failure"
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState, type ReactElement } from 'react';
import { temporalWorkflowUrl, type LogLine, type MetricSeries, type Run, type RunDetail, type Study } from 'sluice/api';
import { formatIssue, validatePipeline, type PipelineSpec } from 'sluice/ir';
import { ApiError, api, subscribe } from '../../api/client';
import { href, navigate } from '../../app/route';
import { pipelineGraph } from '../../graph/pipelineGraph';
import { RunGraph } from '../../runview/RunGraph';
import { emptyRunView, formatDuration, isFinalRun, nodeView, reduceRun, runOutcome, runStatusView, taskView, waitingGates } from '../../runview/runState';
import { TaskList } from './TaskList';
import { RunAnnotations } from './RunAnnotations';
import { StudyView } from './StudyView';
import { studiesOfTask, studyObjective } from '../../runview/study';
import { TaskPanel, type Tab } from './TaskPanel';

/** How often the Metrics tab of a live run reads the metrics again. */
const METRICS_POLL_MS = 2000;

/** One empty log for every task without lines, so the memoised log view sees no change. */
const NO_LINES: LogLine[] = [];

const message = (e: unknown): string => (e instanceof ApiError || e instanceof Error ? e.message : String(e));

/** Calls `fn` at most once per `ms`, trailing: bursts of stream events refetch once. */
function useThrottled(fn: () => void, ms: number): () => void {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  return useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      latest.current();
    }, ms);
  }, [ms]);
}

function triggerText(trigger: Run['trigger']): string {
  const kind = typeof trigger.kind === 'string' ? trigger.kind : 'unknown';
  if (kind === 'retry' && typeof trigger.of === 'string') return `retry of ${trigger.of}`;
  if (typeof trigger.by === 'string') return `${kind} by ${trigger.by}`;
  return kind;
}

export function RunPage(props: { runId: string; query: URLSearchParams }): ReactElement {
  const { runId } = props;
  const [state, dispatch] = useReducer(reduceRun, undefined, emptyRunView);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [spec, setSpec] = useState<PipelineSpec | null>(null);
  const [specError, setSpecError] = useState<string | null>(null);
  const [artifacts, setArtifacts] = useState<RunDetail['artifacts']>([]);
  const [metrics, setMetrics] = useState<MetricSeries[]>([]);
  const [studies, setStudies] = useState<Study[]>([]);
  const [now, setNow] = useState(() => Date.now());
  const [tab, setTab] = useState<Tab>('Logs');
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [comment, setComment] = useState('');
  const [logsLoading, setLogsLoading] = useState(false);
  const [logsError, setLogsError] = useState<string | null>(null);
  const [annotations, setAnnotations] = useState<Pick<RunDetail, 'tags' | 'note' | 'experiment'> | null>(null);
  // Where the Temporal Web UI is, if the server serves one (sluice dev --temporal-ui); no link otherwise.
  const [temporalUi, setTemporalUi] = useState<{ url: string; namespace: string } | null>(null);
  useEffect(() => {
    api.serverInfo().then(
      (info) => setTemporalUi(info.temporalUi),
      () => setTemporalUi(null),
    );
  }, []);

  const loadDetail = useCallback(async (): Promise<RunDetail | undefined> => {
    try {
      const detail = await api.getRun({ params: { runId } });
      dispatch({ type: 'detail', detail });
      setArtifacts(detail.artifacts);
      setAnnotations({ tags: detail.tags, note: detail.note, experiment: detail.experiment });
      setLoadError(null);
      return detail;
    } catch (e) {
      setLoadError(message(e));
      return undefined;
    }
  }, [runId]);
  const loadMetrics = useCallback(async (): Promise<void> => {
    try {
      setMetrics((await api.getRunMetrics({ params: { runId } })).series);
    } catch {
      // Metrics are secondary: the tab says "no metrics" and the next refresh tries again.
    }
  }, [runId]);
  const loadStudies = useCallback(async (): Promise<void> => {
    try {
      setStudies((await api.getRunStudies({ params: { runId } })).studies);
    } catch {
      // As the metrics: the next refresh tries again.
    }
  }, [runId]);
  const refresh = useThrottled(() => {
    void loadDetail();
    void loadMetrics();
    void loadStudies();
  }, 1000);

  // First load, then the pipeline version (for the graph) and, while the run goes on, its stream.
  useEffect(() => {
    let closed = false;
    let close: (() => void) | undefined;
    void (async () => {
      const detail = await loadDetail();
      void loadMetrics();
      void loadStudies();
      if (!detail || closed) return;
      api
        .getPipelineVersion({ params: { pipeline: detail.run.pipelineName, version: detail.run.pipelineVersionId } })
        .then((r) => {
          if (closed) return;
          // The IR crosses a boundary here: the graph is drawn only from one that parses.
          const checked = validatePipeline(r.version.spec);
          if (checked.spec) setSpec(checked.spec);
          else setSpecError(`the run's pipeline version is not a pipeline IR: ${checked.ok ? '' : checked.issues.slice(0, 3).map(formatIssue).join('; ')}`);
        })
        .catch((e: unknown) => !closed && setSpecError(message(e)));
      if (isFinalRun(detail.run)) return;
      close = subscribe('streamRun', { params: { runId } }, {
        run: (d) => dispatch({ type: 'run', run: d.run }),
        task: ({ task, ...status }) => dispatch({ type: 'task', task, status }),
        execution: ({ execution }) => {
          dispatch({ type: 'execution', execution });
          if (execution.status !== 'running') refresh();
        },
        log: (line) => dispatch({ type: 'log', line }),
        end: (d) => {
          dispatch({ type: 'end', run: d.run });
          close?.();
          refresh();
        },
      });
      if (closed) close();
    })();
    return () => {
      closed = true;
      close?.();
    };
  }, [runId, loadDetail, loadMetrics, loadStudies, refresh]);

  const ended = state.ended || isFinalRun(state.run);
  useEffect(() => {
    if (ended) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [ended]);

  // Metrics are written as a task trains (one point per epoch), and no stream event announces them:
  // while the run goes on and its charts are open, they are read again every 2 s.
  useEffect(() => {
    if (ended || tab !== 'Metrics') return;
    const t = setInterval(() => void loadMetrics(), METRICS_POLL_MS);
    return () => clearInterval(t);
  }, [ended, tab, loadMetrics]);

  const graph = useMemo(() => (spec ? pipelineGraph(spec) : null), [spec]);
  // Tasks in the order they started (then the pipeline's order): the list reads like the run went.
  const startOrder = Object.values(state.executions)
    .map((e) => `${e.startedAt}|${e.taskId}`)
    .sort()
    .join('\n');
  const tasks = useMemo(() => {
    const all = graph?.nodes.filter((n) => n.kind === 'task') ?? [];
    // Ranks computed once (a sort comparator that searched arrays was O(n² log n)).
    const rank = new Map<string, number>();
    const started = startOrder === '' ? [] : startOrder.split('\n');
    for (const line of started) {
      const id = line.slice(line.indexOf('|') + 1);
      if (!rank.has(id)) rank.set(id, rank.size);
    }
    const offset = started.length;
    all.forEach((n, i) => {
      if (!rank.has(n.id)) rank.set(n.id, offset + i);
    });
    const rankOf = (id: string): number => rank.get(id) ?? Number.MAX_SAFE_INTEGER;
    return [...all].sort((a, b) => rankOf(a.id) - rankOf(b.id));
  }, [graph, startOrder]);

  // The selected task: ?task=, else the failed one, else one waiting or running, else the first.
  const requested = props.query.get('task') ?? undefined;
  const selected = useMemo(() => {
    if (requested) return requested;
    if (state.run?.failedTask) return state.run.failedTask;
    const busyTask = tasks.find((t) => ['running', 'waiting-approval', 'waiting-gpu', 'waiting-worker', 'failed'].includes(nodeView(state, t.id).state));
    return busyTask?.id ?? tasks[0]?.id;
  }, [requested, state, tasks]);
  const select = useCallback((taskId: string): void => navigate(href.run(runId, taskId)), [runId]);

  // The selected task's tuning study, if it is one (from the IR: the study may not have started yet).
  const objective = useMemo(() => (selected !== undefined ? studyObjective(spec, selected) : undefined), [spec, selected]);
  const taskStudies = useMemo(() => studiesOfTask(studies, selected), [studies, selected]);
  // No stream event announces a trial's progress: while the run goes on and a study is shown, its
  // trials and their intermediate values are read again 2 s after the last read ended: chained, not
  // an interval, so a slow server (a study that does not answer within its deadline) never has
  // reads piling up.
  const studyShown = objective !== undefined;
  useEffect(() => {
    if (!studyShown) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = (): void => {
      if (live && !ended) timer = setTimeout(() => void Promise.all([loadStudies(), loadMetrics()]).then(next), METRICS_POLL_MS);
    };
    void loadStudies().then(next);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [ended, studyShown, loadStudies, loadMetrics]);
  const studyChanged = useCallback((changed: Study) => setStudies((old) => old.map((s) => (s.study === changed.study ? changed : s))), []);

  // The selected task's log: one page on selection (and when its execution changes), then the stream.
  const execution = selected !== undefined ? state.executions[selected] : undefined;
  const executionKey = execution ? `${execution.id}|${execution.status}|${execution.attempt}` : '';
  const taskArtifacts = useMemo(() => artifacts.filter((a) => a.taskId === selected), [artifacts, selected]);
  const taskMetrics = useMemo(() => metrics.filter((m) => m.taskId === selected), [metrics, selected]);
  const taskLogs = (selected !== undefined ? state.logs[selected] : undefined) ?? NO_LINES;
  useEffect(() => {
    if (selected === undefined || executionKey === '') return;
    let live = true;
    setLogsLoading(true);
    setLogsError(null);
    api
      .getRunLogs({ params: { runId }, query: { task: selected, limit: 5000 } })
      .then((r) => live && dispatch({ type: 'logs', lines: r.lines }))
      .catch((e: unknown) => live && setLogsError(`Could not load the log: ${message(e)}`))
      .finally(() => live && setLogsLoading(false));
    return () => {
      live = false;
    };
  }, [runId, selected, executionKey]);

  const act = async (label: string, fn: () => Promise<void>): Promise<void> => {
    setBusy(label);
    setActionError(null);
    try {
      await fn();
    } catch (e) {
      setActionError(`${label} failed: ${message(e)}`);
    } finally {
      setBusy(null);
    }
  };
  const decide = (task: string, approved: boolean): Promise<void> =>
    act(approved ? `Approving ${task}` : `Rejecting ${task}`, async () => {
      await api[approved ? 'approveGate' : 'rejectGate']({ params: { runId }, body: { task, ...(comment.trim() ? { comment: comment.trim() } : {}) } });
      setComment('');
      refresh();
    });
  const cancel = (): Promise<void> =>
    act('Cancelling the run', async () => {
      await api.cancelRun({ params: { runId } });
      // Accepted: the run reads "cancelling…" now, not "running" until the workflow has stopped.
      dispatch({ type: 'cancel-requested' });
      setConfirmCancel(false);
    });
  const retry = (): Promise<void> =>
    act('Retrying the run', async () => {
      const r = await api.retryRun({ params: { runId } });
      navigate(href.run(r.run.id));
    });

  if (loadError && !state.run) {
    return (
      <main className="page">
        <h1>Run {runId}</h1>
        <p className="error-text" role="alert">
          Could not load the run: {loadError}
        </p>
        <p>
          <a href={href.runs()}>Back to the runs</a>
        </p>
      </main>
    );
  }
  const run = state.run;
  if (!run) {
    return (
      <main className="page">
        <p role="status">Loading run {runId}…</p>
      </main>
    );
  }

  const gates = waitingGates(state);
  const shown = runStatusView(state);
  const outcome = runOutcome(run);
  const started = run.startedAt ? Date.parse(run.startedAt) : undefined;
  const finished = run.finishedAt ? Date.parse(run.finishedAt) : undefined;
  const temporalUrl = temporalWorkflowUrl(temporalUi, run.workflowId);
  const selectedNode = tasks.find((t) => t.id === selected);
  const selectedView = selected !== undefined ? nodeView(state, selected) : undefined;
  const params = Object.entries(run.params);

  return (
    <main className="page run-page">
      <header className="run-header">
        <div className="run-title">
          <h1>
            <a href={href.runs({ pipeline: run.pipelineName })} title="Runs of this pipeline">
              {run.pipelineName}
            </a>{' '}
            <span className="muted">run {run.id}</span>
          </h1>
          <span className={`run-status status-${shown.status}`} data-testid="run-status" data-status={shown.status} role="status">
            {shown.label}
          </span>
          {!ended && <span className="muted live-dot">live</span>}
        </div>
        <p className="run-meta muted">
          {triggerText(run.trigger)} · created {new Date(run.createdAt).toLocaleString()}
          {started !== undefined && ` · ${formatDuration((finished ?? now) - started)}${finished === undefined ? ' so far' : ''}`}
          {' · '}
          <a href={href.lineage('run', run.id)}>Lineage</a>
          {temporalUrl && (
            <>
              {' · '}
              <a href={temporalUrl} target="_blank" rel="noreferrer" title="This run's workflow in the Temporal Web UI (for debugging)">
                Temporal
              </a>
            </>
          )}
          {spec && (
            <>
              {' · '}
              <a href={href.editor(run.pipelineName)}>Pipeline</a>
            </>
          )}
        </p>
        {params.length > 0 && (
          <p className="run-params">
            {params.map(([k, v]) => (
              <span key={k} className="param-chip">
                {k} = <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
              </span>
            ))}
          </p>
        )}
        {annotations && (
          <RunAnnotations runId={run.id} annotations={annotations} experiment={annotations.experiment} onChange={(a) => setAnnotations((old) => ({ ...a, experiment: old?.experiment ?? null }))} />
        )}
        {outcome?.kind === 'failed' && (
          <p className="error-text run-error" role="alert" data-testid="run-outcome">
            {outcome.task ? (
              <>
                Task{' '}
                <a href={href.run(run.id, outcome.task)} onClick={() => setTab('Logs')}>
                  {outcome.task}
                </a>{' '}
                failed:{' '}
              </>
            ) : null}
            {outcome.text}
          </p>
        )}
        {outcome?.kind === 'cancelled' && (
          <p className="run-cancelled" role="status" data-testid="run-outcome">
            {outcome.text}
          </p>
        )}
        <div className="run-actions">
          {gates.map((g) => (
            <div key={g.taskId} className="gate" role="group" aria-label={`Approval gate ${g.taskId}`}>
              <strong>{g.taskId}</strong> waits for approval{g.approval?.message ? `: ${g.approval.message}` : ''}
              {g.approval?.deadline !== undefined && <span className="muted"> (deadline {new Date(g.approval.deadline).toLocaleString()})</span>}
              <label>
                Comment <input value={comment} onChange={(e) => setComment(e.target.value)} maxLength={10000} />
              </label>
              <button type="button" className="primary" disabled={busy !== null} onClick={() => void decide(g.taskId, true)}>
                Approve {g.taskId}
              </button>
              <button type="button" disabled={busy !== null} onClick={() => void decide(g.taskId, false)}>
                Reject {g.taskId}
              </button>
            </div>
          ))}
          {shown.canCancel &&
            (confirmCancel ? (
              <span role="group" aria-label="Confirm cancel">
                Running tasks stop and the exit handler runs.{' '}
                <button type="button" className="danger" disabled={busy !== null} onClick={() => void cancel()}>
                  Yes, cancel the run
                </button>{' '}
                <button type="button" onClick={() => setConfirmCancel(false)}>
                  Keep it running
                </button>
              </span>
            ) : (
              <button type="button" disabled={busy !== null} onClick={() => setConfirmCancel(true)}>
                Cancel run
              </button>
            ))}
          {ended && (run.status === 'failed' || run.status === 'cancelled') && (
            <button type="button" className="primary" disabled={busy !== null} onClick={() => void retry()} title="A new run that reuses the succeeded steps and re-runs the rest">
              Retry from failure
            </button>
          )}
          {busy && <span role="status">{busy}…</span>}
          {actionError && (
            <span className="error-text" role="alert">
              {actionError}
            </span>
          )}
        </div>
      </header>
      <div className="run-body">
        <section className="run-graph" aria-label="Run graph">
          {spec ? (
            <RunGraph spec={spec} state={state} selected={selected} now={now} onSelect={select} />
          ) : specError ? (
            <p className="error-text" role="alert">
              Could not load the pipeline version: {specError}
            </p>
          ) : (
            <p className="muted" role="status">
              Loading the pipeline…
            </p>
          )}
        </section>
        <aside className="run-side" aria-label="Tasks">
          <nav aria-label="Tasks of the run">
            <TaskList tasks={tasks} state={state} selected={selected} now={now} onSelect={select} />
          </nav>
          {selected !== undefined && selectedView && (
            <TaskPanel
              key={selected}
              taskId={selected}
              label={selectedNode?.label ?? selected}
              view={selectedView.paths > 0 || state.executions[selected] ? selectedView : taskView(state, selected)}
              execution={execution}
              artifacts={taskArtifacts}
              metrics={taskMetrics}
              logs={taskLogs}
              logsLoading={logsLoading}
              logsError={logsError}
              live={!ended}
              now={now}
              tab={tab}
              onTab={setTab}
            />
          )}
        </aside>
      </div>
      {objective !== undefined && (
        <div className="run-study">
          {taskStudies.length > 0 ? (
            <StudyView runId={run.id} studies={taskStudies} objective={objective} metrics={metrics} now={now} onChanged={studyChanged} />
          ) : (
            <p className="muted" role="status">
              The study {selected} has recorded no trials yet.
            </p>
          )}
        </div>
      )}
    </main>
  );
}
