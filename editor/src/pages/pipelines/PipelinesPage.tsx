/**
 * The pipelines: each with its versions (newest first, numbered from 1 = oldest) and links into the
 * editor and the runs list; "New pipeline" and "Open IR file" start the editor. Archived pipelines
 * are hidden unless "Show archived" is ticked; archiving keeps versions and runs, and is undone.
 */
import { useEffect, useState, type ChangeEvent, type ReactElement } from 'react';
import { href, navigate } from '../../app/route';
import type { PipelineListItem, PipelineVersionSummary } from 'sluice/api';
import { getPipeline, listPipelines, setPipelineArchived } from '../editor/editorApi';
import { IMPORT_KEY } from '../editor/EditorPage';
import { openPickedIrFile } from '../editor/openIrFile';

const when = (iso: string): string => new Date(iso).toLocaleString();

function Versions({ name }: { name: string }): ReactElement {
  const [versions, setVersions] = useState<PipelineVersionSummary[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    getPipeline(name).then(
      (r) => setVersions(r.versions),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [name]);
  if (error) return <p className="error-text">{error}</p>;
  if (!versions) return <p className="muted">Loading versions…</p>;
  return (
    <ul className="version-list">
      {versions.map((v, i) => {
        const n = versions.length - i;
        return (
          <li key={v.id}>
            <a href={href.editor(name, n)}>version {n}</a>
            {v.draft ? ' (draft: cannot run)' : ''} <span className="muted">· {when(v.createdAt)} · digest {v.digest.slice(0, 12)}</span>
          </li>
        );
      })}
    </ul>
  );
}

export function PipelinesPage(): ReactElement {
  const [pipelines, setPipelines] = useState<PipelineListItem[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [fileError, setFileError] = useState<string | undefined>();
  const [showArchived, setShowArchived] = useState(false);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    let cancelled = false;
    listPipelines({ archived: showArchived }).then(
      (p) => !cancelled && setPipelines(p),
      (e: unknown) => setError(`Cannot list the pipelines: ${e instanceof Error ? e.message : String(e)}`),
    );
    return () => {
      cancelled = true;
    };
  }, [showArchived, reload]);
  const archive = (name: string, archived: boolean): void => {
    setPipelineArchived(name, archived).then(
      () => setReload((n) => n + 1),
      (e: unknown) => setError(`Cannot ${archived ? 'archive' : 'restore'} ${name}: ${e instanceof Error ? e.message : String(e)}`),
    );
  };

  const onFile = (e: ChangeEvent<HTMLInputElement>): void =>
    openPickedIrFile(
      e.target,
      (opened, text) => {
        if (!opened.ok) {
          setFileError(opened.error);
          return;
        }
        sessionStorage.setItem(IMPORT_KEY, text);
        navigate(href.newPipeline());
      },
      setFileError,
    );

  return (
    <main className="page pipelines-page">
      <div className="page-head">
        <h1>Pipelines</h1>
        <a className="button primary" href={href.newPipeline()}>
          New pipeline
        </a>
        <label className="button">
          Open IR file
          <input type="file" accept=".json,application/json" className="visually-hidden" onChange={onFile} />
        </label>
        <label>
          <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} /> Show archived
        </label>
      </div>
      {fileError ? (
        <p className="error-text" role="alert">
          {fileError}
        </p>
      ) : null}
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
      {!pipelines && !error ? <p className="muted">Loading…</p> : null}
      {pipelines && pipelines.length === 0 ? (
        <p>
          No pipelines yet. Build one in the <a href={href.newPipeline()}>editor</a>, or run <code>sluice run examples/iris.ts</code>.
        </p>
      ) : null}
      {pipelines && pipelines.length > 0 ? (
        <table className="pipelines-table">
          <thead>
            <tr>
              <th scope="col">Pipeline</th>
              <th scope="col">Versions</th>
              <th scope="col">Latest</th>
              <th scope="col">Runs</th>
              <th scope="col">
                <span className="visually-hidden">Archive</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {pipelines.map((p) => (
              <tr key={p.id}>
                <td>
                  <a href={href.editor(p.name)} data-testid={`pipeline-${p.name}`}>
                    {p.name}
                  </a>
                  {p.archivedAt ? <span className="muted"> (archived)</span> : null}
                </td>
                <td>
                  <details>
                    <summary>{p.versionCount} version{p.versionCount === 1 ? '' : 's'}</summary>
                    <Versions name={p.name} />
                  </details>
                </td>
                <td>{p.latestVersion ? when(p.latestVersion.createdAt) : '—'}</td>
                <td>
                  <a href={href.runs({ pipeline: p.name })}>runs</a>
                  {p.versionCount >= 2 && (
                    <>
                      {' · '}
                      <a href={href.diff(p.name)}>diff versions</a>
                    </>
                  )}
                </td>
                <td>
                  <button type="button" aria-label={`${p.archivedAt ? 'Unarchive' : 'Archive'} ${p.name}`} onClick={() => archive(p.name, p.archivedAt === null)}>
                    {p.archivedAt ? 'Unarchive' : 'Archive'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </main>
  );
}
