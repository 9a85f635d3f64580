/**
 * The model registry: registered models with their aliases, and one model's versions (each with
 * its producing run's metrics, one click to its lineage and to that run), its alias history as a
 * timeline (who moved which alias from which version to which, when and why), and a form to move
 * an alias. A move is a compare-and-set against the version shown, so a move someone made
 * meanwhile is reported instead of overwritten. Its latest rollout is shown live (RolloutPanel).
 */
import { useCallback, useEffect, useState, type FormEvent, type ReactElement } from 'react';
import type { ModelAliasEvent, ModelVersionDetail, RegisteredModel } from 'sluice/api';
import { api, ApiError } from '../../api/client';
import { href } from '../../app/route';
import { RolloutPanel } from './RolloutPanel';

const when = (iso: string): string => new Date(iso).toLocaleString();
const messageOf = (e: unknown): string => (e instanceof ApiError || e instanceof Error ? e.message : String(e));
const versionText = (v: number | null, none: string): string => (v === null ? none : `v${v}`);

export function ModelsPage(): ReactElement {
  const [models, setModels] = useState<RegisteredModel[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    api.listModels().then(
      (r) => setModels(r.models),
      (e: unknown) => setError(`Cannot list the models: ${messageOf(e)}`),
    );
  }, []);
  return (
    <main className="page models-page">
      <div className="page-head">
        <h1>Models</h1>
      </div>
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
      {models === undefined && !error ? <p className="muted">Loading models…</p> : null}
      {models?.length === 0 ? <p className="muted">No registered models yet: a pipeline's register-model task, or `sluice models register`, adds one.</p> : null}
      <ul className="version-list" data-testid="model-list">
        {models?.map((m) => (
          <li key={m.name}>
            <a href={href.model(m.name)}>{m.name}</a>{' '}
            <span className="muted">
              · latest {versionText(m.latestVersion, 'none')} ·{' '}
              {Object.entries(m.aliases)
                .map(([a, v]) => `${a} → v${v}`)
                .join(', ') || 'no aliases'}
            </span>
          </li>
        ))}
      </ul>
    </main>
  );
}

function MetricsCell({ metrics }: { metrics: Record<string, number> }): ReactElement {
  const entries = Object.entries(metrics);
  if (entries.length === 0) return <span className="muted">–</span>;
  return <span>{entries.map(([k, v]) => `${k} ${Number(v.toPrecision(4))}`).join(' · ')}</span>;
}

function MoveAliasForm({ model, versions, onMoved }: { model: RegisteredModel; versions: ModelVersionDetail[]; onMoved: () => void }): ReactElement {
  const [alias, setAlias] = useState('champion');
  const [version, setVersion] = useState<number | undefined>(versions[0]?.version);
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (version === undefined) return;
    setBusy(true);
    setProblem(undefined);
    api
      .moveModelAlias({ params: { model: model.name, alias }, body: { version, note, expectedVersion: model.aliases[alias] ?? null } })
      .then(
        () => {
          setNote('');
          onMoved();
        },
        (err: unknown) => setProblem(messageOf(err)),
      )
      .finally(() => setBusy(false));
  };
  return (
    <form className="move-alias" onSubmit={submit} aria-label="Move an alias">
      <label>
        Alias <input value={alias} onChange={(e) => setAlias(e.target.value)} required pattern="[A-Za-z][\w\-]{0,62}" data-testid="alias-name" />
      </label>{' '}
      <label>
        to version{' '}
        <select value={version ?? ''} onChange={(e) => setVersion(Number(e.target.value))} data-testid="alias-version">
          {versions.map((v) => (
            <option key={v.version} value={v.version}>
              v{v.version}
            </option>
          ))}
        </select>
      </label>{' '}
      <label>
        because <input value={note} onChange={(e) => setNote(e.target.value)} required placeholder="why it moves (kept in the history)" data-testid="alias-note" />
      </label>{' '}
      <button type="submit" className="button primary" disabled={busy || note.trim() === ''}>
        Move
      </button>
      {problem ? (
        <p className="error-text" role="alert">
          {problem}
        </p>
      ) : null}
    </form>
  );
}

export function ModelPage({ name }: { name: string }): ReactElement {
  const [shown, setShown] = useState<{ model: RegisteredModel; versions: ModelVersionDetail[] } | undefined>();
  const [history, setHistory] = useState<ModelAliasEvent[]>([]);
  const [error, setError] = useState<string | undefined>();
  const load = useCallback(() => {
    Promise.all([api.getModel({ params: { model: name } }), api.getModelAliasHistory({ params: { model: name } })]).then(
      ([m, h]) => {
        setShown(m);
        setHistory(h.events);
      },
      (e: unknown) => setError(`Cannot load model ${name}: ${messageOf(e)}`),
    );
  }, [name]);
  useEffect(load, [load]);

  if (error) {
    return (
      <main className="page model-page">
        <p className="error-text" role="alert">
          {error}
        </p>
        <a href={href.models()}>All models</a>
      </main>
    );
  }
  if (!shown) return <main className="page model-page"><p className="muted">Loading…</p></main>;
  const { model, versions } = shown;
  return (
    <main className="page model-page">
      <div className="page-head">
        <h1>{model.name}</h1>
        <a href={href.models()}>All models</a>
      </div>
      {model.description ? <p>{model.description}</p> : null}
      <h2>Versions</h2>
      <table className="runs-table data-table" data-testid="model-versions">
        <thead>
          <tr>
            <th>version</th>
            <th>aliases</th>
            <th>run metrics</th>
            <th>produced by</th>
            <th>registered</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} data-testid={`model-version-${v.version}`}>
              <td>
                v{v.version}
                {v.description ? <div className="muted">{v.description}</div> : null}
              </td>
              <td>{v.aliases.join(', ') || <span className="muted">–</span>}</td>
              <td>
                <MetricsCell metrics={v.metrics} />
              </td>
              <td>
                <a href={href.lineage('artifact', v.artifactId)}>lineage</a>
                {v.producer ? (
                  <>
                    {' · '}
                    <a href={href.run(v.producer.runId, v.producer.taskId)}>
                      run {v.producer.runId} ({v.producer.taskId})
                    </a>
                  </>
                ) : null}
              </td>
              <td className="muted">
                {when(v.createdAt)} by {v.createdBy}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {versions.length ? <MoveAliasForm model={model} versions={versions} onMoved={load} /> : null}
      <h2>Rollout</h2>
      <RolloutPanel model={model.name} onEnded={load} />
      <h2>Alias history</h2>
      {history.length === 0 ? <p className="muted">No alias was ever set.</p> : null}
      <ol className="timeline" data-testid="alias-history">
        {[...history].reverse().map((e) => (
          <li key={e.id}>
            <strong>{e.alias}</strong> {versionText(e.fromVersion, '(new)')} → {versionText(e.toVersion, '(removed)')}{' '}
            <span className="muted">
              · {when(e.createdAt)} · by {e.actor}
            </span>
            <div>{e.note}</div>
          </li>
        ))}
      </ol>
    </main>
  );
}
