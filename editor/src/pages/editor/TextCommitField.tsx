/**
 * A labelled text field that commits on blur / Enter and shows the refusal reason it gets back. It
 * stays mounted (keeping focus) when its value changes; a new value resets the text.
 */
import { useEffect, useId, useState, type ReactElement } from 'react';

export function TextCommitField({
  label,
  value,
  onCommit,
  hint,
  problem,
}: {
  label: string;
  value: string;
  onCommit: (text: string) => string | undefined;
  hint?: string;
  /** A problem the validator found with the committed value (shown like a refusal, until fixed). */
  problem?: string | undefined;
}): ReactElement {
  const id = useId();
  const [text, setText] = useState(value);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    setText(value);
    setError(undefined);
  }, [value]);
  const commit = (): void => {
    if (text === value) {
      setError(undefined);
      return;
    }
    setError(onCommit(text));
  };
  const shown = error ?? problem;
  return (
    <div className={`field${shown ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={text}
        aria-invalid={shown ? true : undefined}
        aria-describedby={shown ? `${id}-error` : hint ? `${id}-hint` : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') {
            setText(value);
            setError(undefined);
          }
        }}
      />
      {hint && !shown ? (
        <span id={`${id}-hint`} className="field__hint">
          {hint}
        </span>
      ) : null}
      {shown ? (
        <span id={`${id}-error`} className="field__error" role="alert">
          {shown}
        </span>
      ) : null}
    </div>
  );
}
