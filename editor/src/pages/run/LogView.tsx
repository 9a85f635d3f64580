/**
 * A task's log lines: the first page from GET /api/runs/:id/logs?task=…, new lines as the run's
 * event stream brings them (the page's reducer merges both without duplicates). "Follow" keeps the
 * newest line in view while the task runs.
 */
import { memo, useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import type { LogLine } from 'sluice/api';

const time = (iso: string): string => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString(undefined, { hour12: false });
};

export interface LogViewProps {
  lines: LogLine[];
  loading: boolean;
  error: string | null;
  live: boolean;
}

/** Memoised: the run page re-renders every second while the run goes on; the lines need not. */
export const LogView = memo(function LogView({ lines, loading, error, live }: LogViewProps): ReactElement {
  const [follow, setFollow] = useState(true);
  const [stream, setStream] = useState<'all' | LogLine['stream']>('all');
  const box = useRef<HTMLDivElement>(null);
  const shown = useMemo(() => (stream === 'all' ? lines : lines.filter((l) => l.stream === stream)), [lines, stream]);
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [shown.length, follow]);
  return (
    <div className="log-view">
      <div className="log-tools">
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <label>
          Stream{' '}
          <select value={stream} onChange={(e) => setStream(e.target.value as typeof stream)}>
            <option value="all">all</option>
            <option value="log">log</option>
            <option value="stdout">stdout</option>
            <option value="stderr">stderr</option>
            <option value="system">system</option>
          </select>
        </label>
        <span className="muted" aria-live="polite">
          {shown.length} line{shown.length === 1 ? '' : 's'}
          {live ? ' · live' : ''}
        </span>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div className="log-lines" ref={box} tabIndex={0} role="log" aria-label="Task log">
        {loading && shown.length === 0 && <p className="muted">Loading the log…</p>}
        {!loading && shown.length === 0 && <p className="muted">No log lines{live ? ' yet' : ''}.</p>}
        {shown.map((l) => (
          <div key={`${l.executionId}|${l.attempt}|${l.seq}`} className={`log-line stream-${l.stream} level-${l.level ?? 'none'}`}>
            <span className="log-ts">{time(l.ts)}</span>
            {l.attempt > 1 && <span className="log-attempt">#{l.attempt}</span>}
            <span className="log-stream">{l.level ?? l.stream}</span>
            <span className="log-msg">
              {l.message}
              {l.fields && Object.keys(l.fields).length > 0 && <span className="log-fields"> {JSON.stringify(l.fields)}</span>}
            </span>
          </div>
        ))}
      </div>
    </div>
  );
});
