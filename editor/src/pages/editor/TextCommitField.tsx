/**
 * A labelled text field that commits on blur / Enter and shows the refusal reason it gets back. It
 * stays mounted (keeping focus) when its value changes; a new value resets the text.
 */
import { useEffect, useId, useState, type ReactElement } from 'react';

export function TextCommitField({ label, value, onCommit, hint }: { label: string; value: string; onCommit: (text: string) => string | undefined; hint?: string }): ReactElement {
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
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={text}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
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
      {hint && !error ? (
        <span id={`${id}-hint`} className="field__hint">
          {hint}
        </span>
      ) : null}
      {error ? (
        <span id={`${id}-error`} className="field__error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
