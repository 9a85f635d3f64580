/**
 * The first save of a new pipeline: its name is asked, never assumed ("untitled" once made every
 * new pipeline a version of the same one). A name that is taken is pointed out first; saving under
 * it again adds a version to that pipeline. With validation problems it says the save is a draft.
 */
import { useId, useState, type FormEvent, type ReactElement } from 'react';
import { NAME_PATTERN } from 'sluice/ir';
import { FormError } from '../../forms/FormError';
import { listPipelines } from './editorApi';
import { Modal } from './Modal';

export interface SaveDialogProps {
  initialName: string;
  /** Validation problems of the IR: non-zero means it is saved as a draft. */
  problems: number;
  onClose: () => void;
  /** Renames the pipeline to `name` and saves it; throws when the server refuses. */
  onSave: (name: string) => Promise<void>;
}

export function SaveDialog({ initialName, problems, onClose, onSave }: SaveDialogProps): ReactElement {
  const id = useId();
  const [name, setName] = useState(initialName);
  const [taken, setTaken] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const trimmed = name.trim();
  const invalid = trimmed && !NAME_PATTERN.test(trimmed) ? `"${trimmed}" is not a valid pipeline name: start with a letter; use letters, digits, "-" or "_" (max 63)` : undefined;

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!trimmed || invalid) {
      setError(invalid ?? 'Give the pipeline a name');
      return;
    }
    setBusy(true);
    setError(undefined);
    const go = async (): Promise<void> => {
      if (taken !== trimmed && (await listPipelines({ archived: true })).some((p) => p.name === trimmed)) {
        setTaken(trimmed);
        return;
      }
      await onSave(trimmed);
    };
    go().then(
      () => setBusy(false),
      (err: unknown) => {
        setBusy(false);
        setError(err instanceof Error ? err.message : String(err));
      },
    );
  };

  return (
    <Modal title="Save the new pipeline" onClose={onClose}>
      <form onSubmit={submit} aria-label="Save the new pipeline">
        <div className={`field${error ? ' has-error' : ''}`}>
          <label htmlFor={id}>Pipeline name</label>
          <input id={id} value={name} onChange={(e) => setName(e.target.value)} aria-invalid={error ? true : undefined} />
        </div>
        {taken === trimmed ? (
          <p className="error-text" role="alert">
            A pipeline named {trimmed} already exists: saving adds a version to it. Choose another name for a pipeline of its own.
          </p>
        ) : null}
        {problems > 0 ? (
          <p className="muted">
            It has {problems} problem{problems === 1 ? '' : 's'} (see Problems): it is saved as a draft, which keeps your work but cannot run until they are fixed.
          </p>
        ) : null}
        <FormError message={error} />
        <div className="button-row">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : taken === trimmed ? `Save as a version of ${trimmed}` : problems > 0 ? 'Save as draft' : 'Save'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
