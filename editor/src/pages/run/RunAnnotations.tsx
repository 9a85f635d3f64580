/**
 * A run's experiment, tags and note in the run view's header, editable after the fact
 * (PATCH /api/runs/:id: a tag set or removed, the note set or cleared). What the server answers
 * replaces what is shown, so the panel shows the stored state, not the request.
 *
 * Hooks for end-to-end tests: tag chips `data-testid="run-tag-<key>"`; the note `run-note`.
 */
import { useState, type FormEvent, type ReactElement } from 'react';
import type { RunAnnotations as Annotations } from 'sluice/api';
import { api, errorText } from '../../api/client';
import { href } from '../../app/route';

export function RunAnnotations(props: { runId: string; annotations: Annotations; experiment: { id: string; name: string } | null; onChange: (a: Annotations) => void }): ReactElement {
  const { runId, annotations, experiment } = props;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tagKey, setTagKey] = useState('');
  const [tagValue, setTagValue] = useState('');
  const [note, setNote] = useState<string | null>(null); // null: not editing

  const patch = async (body: { tags?: Record<string, string | null>; note?: string | null }): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      props.onChange(await api.updateRun({ params: { runId }, body }));
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const addTag = (e: FormEvent): void => {
    e.preventDefault();
    const key = tagKey.trim();
    if (!key) return;
    void patch({ tags: { [key]: tagValue } }).then((ok) => {
      if (ok) {
        setTagKey('');
        setTagValue('');
      }
    });
  };
  const tags = Object.entries(annotations.tags).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="run-annotations">
      <p className="run-params">
        {experiment && (
          <span className="param-chip">
            experiment <a href={href.runs({ experiment: experiment.name })}>{experiment.name}</a>
          </span>
        )}
        {tags.map(([k, v]) => (
          <span key={k} className="param-chip tag-chip" data-testid={`run-tag-${k}`}>
            {k}: {v}{' '}
            <button type="button" className="chip-remove" aria-label={`Remove tag ${k}`} disabled={busy} onClick={() => void patch({ tags: { [k]: null } })}>
              ×
            </button>
          </span>
        ))}
      </p>
      <details className="annotate">
        <summary>Tags and note</summary>
        <form onSubmit={addTag} className="tag-form" aria-label="Add a tag">
          <label>
            Tag <input value={tagKey} onChange={(e) => setTagKey(e.target.value)} placeholder="team" maxLength={250} />
          </label>
          <label>
            Value <input value={tagValue} onChange={(e) => setTagValue(e.target.value)} placeholder="vision" maxLength={5000} />
          </label>
          <button type="submit" disabled={busy || !tagKey.trim()}>
            Set tag
          </button>
        </form>
        {note === null ? (
          <p>
            <button type="button" onClick={() => setNote(annotations.note ?? '')}>
              {annotations.note ? 'Edit note' : 'Add a note'}
            </button>
          </p>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void patch({ note: note.trim() ? note : null }).then((ok) => ok && setNote(null));
            }}
          >
            <label>
              Note
              <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={3} maxLength={50_000} />
            </label>
            <button type="submit" disabled={busy}>
              Save note
            </button>{' '}
            <button type="button" onClick={() => setNote(null)}>
              Cancel
            </button>
          </form>
        )}
      </details>
      {annotations.note && (
        <p className="run-note" data-testid="run-note">
          {annotations.note}
        </p>
      )}
      {error && (
        <p className="error-text" role="alert">
          Could not change the run: {error}
        </p>
      )}
    </div>
  );
}
