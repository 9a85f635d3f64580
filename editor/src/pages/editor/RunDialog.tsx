/** "Run": a form generated from the pipeline's inputs; saves the version if needed and starts a run. */
import { useState, type FormEvent, type ReactElement } from 'react';
import type { PipelineSpec } from 'sluice/ir';
import { ApiError } from '../../api/client';
import { FormError } from '../../forms/FormError';
import { collectParams, initialTexts, ParamForm } from '../../forms/ParamForm';
import { Modal } from './Modal';

export interface RunDialogProps {
  spec: PipelineSpec;
  /** Whether the current IR must be saved first (it will be, as a new version). */
  needsSave: boolean;
  /** Why the run cannot start (a draft; see runBlocker.ts): shown, and Start is disabled. */
  blocked?: string | undefined;
  onClose: () => void;
  /** Starts the run; throws ApiError with field errors when the server refuses. */
  onStart: (params: Record<string, unknown>) => Promise<void>;
}

export function RunDialog({ spec, needsSave, blocked, onClose, onStart }: RunDialogProps): ReactElement {
  const [texts, setTexts] = useState(() => initialTexts(spec.inputs));
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const collected = collectParams(spec.inputs, texts);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setTried(true);
    if (blocked !== undefined) return;
    if (Object.keys(collected.errors).length) return;
    setBusy(true);
    setError(undefined);
    onStart(collected.values).then(
      () => setBusy(false),
      (err: unknown) => {
        setBusy(false);
        setError(err instanceof Error ? err.message : String(err));
        if (err instanceof ApiError) {
          const byName: Record<string, string> = {};
          for (const f of err.errors) {
            const m = /^\/body\/params\/([^/]+)/.exec(f.path);
            if (m?.[1]) byName[decodeURIComponent(m[1])] = f.message;
          }
          setServerErrors(byName);
        }
      },
    );
  };
  return (
    <Modal title={`Run ${spec.name}`} onClose={onClose}>
      <form onSubmit={submit} aria-label={`Run ${spec.name}`}>
        <ParamForm ports={spec.inputs} texts={texts} onTexts={setTexts} showMissing={tried} serverErrors={serverErrors} />
        {blocked !== undefined ? (
          <p className="field__error" role="alert" id="run-blocked">
            {blocked}
          </p>
        ) : null}
        {needsSave && blocked === undefined ? <p className="muted">The pipeline has unsaved changes: it is saved as a new version first.</p> : null}
        <FormError message={error} />
        <div className="button-row">
          <button type="submit" className="primary" disabled={busy || blocked !== undefined} aria-describedby={blocked !== undefined ? 'run-blocked' : undefined}>
            {busy ? 'Starting…' : 'Start run'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
