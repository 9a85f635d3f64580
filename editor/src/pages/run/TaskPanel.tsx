/**
 * The selected task: its state, error, and four tabs — Logs, Artifacts (outputs with previews,
 * download and lineage links), Metrics (charts), Parameters (inputs, outputs, code digest, cache).
 * Tabs follow the WAI-ARIA tabs pattern (arrow keys move between them).
 */
import { useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import { href } from '../../app/route';
import { formatBytes } from '../../lineage/graph';
import { ArtifactPreview, contentUrl } from '../../previews/ArtifactPreview';
import { ValueTable } from '../../previews/ValueTable';
import type { Execution, LogLine, MetricSeries, RunArtifact } from 'sluice/api';
import { StateBadge } from '../../runview/RunNode';
import { taskDetail } from '../../runview/runGraph';
import type { TaskView } from '../../runview/runState';
import { LogView } from './LogView';
import { MetricsView } from './MetricsView';

export const TABS = ['Logs', 'Artifacts', 'Metrics', 'Parameters'] as const;
export type Tab = (typeof TABS)[number];

function ArtifactRows({ artifacts }: { artifacts: RunArtifact[] }): ReactElement {
  const [open, setOpen] = useState<string | null>(artifacts.length === 1 ? (artifacts[0]?.id ?? null) : null);
  if (artifacts.length === 0) return <p className="muted">No output artifacts (yet).</p>;
  return (
    <ul className="artifact-list">
      {artifacts.map((a) => (
        <li key={a.id} data-testid={`artifact-row-${a.port}`}>
          <div className="artifact-row">
            <span className="type-badge">{a.type}</span>
            <span className="artifact-name">{a.port}</span>
            <span className="muted">
              {formatBytes(a.size)}
              {a.reused ? ' · reused' : ''}
            </span>
            <button type="button" aria-expanded={open === a.id} onClick={() => setOpen(open === a.id ? null : a.id)}>
              {open === a.id ? 'Hide preview' : 'Preview'}
            </button>
            <a href={contentUrl(a.id)} download>
              Download
            </a>
            <a href={href.lineage('artifact', a.id)}>Lineage</a>
          </div>
          {open === a.id && <ArtifactPreview artifactId={a.id} showLineageLink={false} />}
        </li>
      ))}
    </ul>
  );
}

export interface TaskPanelProps {
  taskId: string;
  label: string;
  view: TaskView & { paths?: number };
  execution: Execution | undefined;
  artifacts: RunArtifact[];
  metrics: MetricSeries[];
  logs: LogLine[];
  logsLoading: boolean;
  logsError: string | null;
  live: boolean;
  now: number;
  tab: Tab;
  onTab: (tab: Tab) => void;
}

export function TaskPanel(p: TaskPanelProps): ReactElement {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    const i = TABS.indexOf(p.tab);
    const next = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : -1;
    if (next === -1) return;
    e.preventDefault();
    p.onTab(TABS[next] as Tab);
    refs.current[next]?.focus();
  };
  const id = (tab: Tab): string => `task-tab-${tab.toLowerCase()}`;
  const detail = taskDetail(p.view, p.now);
  return (
    <section className="task-panel" aria-label={`Task ${p.label}`} data-testid="task-panel">
      <header>
        <h2>{p.label}</h2>
        <p>
          <StateBadge state={p.view.state} /> {detail && <span className="muted">{detail}</span>}
        </p>
        {p.execution && p.execution.componentName !== p.label && <p className="muted">component {p.execution.componentName}</p>}
        {p.view.approval?.message && <p className="approval-message">Approval: {p.view.approval.message}</p>}
        {p.view.waitingFor && (
          <p className="muted" data-testid="task-waiting-for">
            {p.view.waitingFor}
          </p>
        )}
        {p.view.error && (
          <pre className="task-error" role="alert" data-testid="task-error">
            {p.view.error}
          </pre>
        )}
        {p.view.cachedFrom && <p className="muted">Outputs reused from execution {p.view.cachedFrom}.</p>}
      </header>
      <div role="tablist" aria-label="Task details" className="tabs" onKeyDown={onKey}>
        {TABS.map((tab, i) => (
          <button
            key={tab}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={id(tab)}
            aria-selected={p.tab === tab}
            aria-controls={`${id(tab)}-panel`}
            tabIndex={p.tab === tab ? 0 : -1}
            onClick={() => p.onTab(tab)}
          >
            {tab}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id(p.tab)}-panel`} aria-labelledby={id(p.tab)} className="tab-panel">
        {p.tab === 'Logs' && <LogView lines={p.logs} loading={p.logsLoading} error={p.logsError} live={p.live} />}
        {p.tab === 'Artifacts' && (
          <>
            <ArtifactRows artifacts={p.artifacts} />
            <ValueTable caption="Output values" values={p.execution?.outputParams} />
          </>
        )}
        {p.tab === 'Metrics' && <MetricsView series={p.metrics} />}
        {p.tab === 'Parameters' &&
          (p.execution ? (
            <>
              <ValueTable caption="Inputs (parameters)" values={p.execution.params} />
              {Object.keys(p.execution.params).length === 0 && <p className="muted">No parameter inputs.</p>}
              <table className="data-table">
                <caption>Execution</caption>
                <tbody>
                  <tr>
                    <th scope="row">component</th>
                    <td>{p.execution.componentName}</td>
                  </tr>
                  <tr>
                    <th scope="row">code digest</th>
                    <td>
                      <code>{p.execution.componentDigest}</code>
                    </td>
                  </tr>
                  <tr>
                    <th scope="row">attempts</th>
                    <td>{p.execution.attempt}</td>
                  </tr>
                  <tr>
                    <th scope="row">cache key</th>
                    <td>
                      <code>{p.execution.cacheKey ?? '–'}</code>
                    </td>
                  </tr>
                  <tr>
                    <th scope="row">started</th>
                    <td>{new Date(p.execution.startedAt).toLocaleString()}</td>
                  </tr>
                  <tr>
                    <th scope="row">finished</th>
                    <td>{p.execution.finishedAt ? new Date(p.execution.finishedAt).toLocaleString() : '–'}</td>
                  </tr>
                </tbody>
              </table>
            </>
          ) : (
            <p className="muted">The task has not started: its inputs are known once it runs.</p>
          ))}
      </div>
    </section>
  );
}
