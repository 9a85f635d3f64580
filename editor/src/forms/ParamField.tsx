/**
 * One labelled field for a parameter (or artifact id) port: the right control for its type
 * (bool → select, lists/json → textarea, else text), its type and default as a hint, and the
 * validation message from the DSL's rules, tied to the control for screen readers.
 */
import { useId, type ReactElement } from 'react';
import type { PortSpec } from 'sluice/ir';
import { portHint } from './paramValue';

export interface ParamFieldProps {
  name: string;
  port: PortSpec;
  text: string;
  error?: string | undefined;
  onText: (text: string) => void;
  /** Called on blur and Enter (text) or on change (bool select), with the current text: where a form commits it. */
  onCommit?: (text: string) => void;
  /** Label override (default: the port name). */
  label?: string;
}

export function ParamField({ name, port, text, error, onText, onCommit, label }: ParamFieldProps): ReactElement {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = error ? `${hintId} ${errorId}` : hintId;
  const common = {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
  } as const;
  // Text commits on blur (and Enter); a select commits on change only, so one choice is one commit.
  const onBlur = (e: { currentTarget: { value: string } }): void => onCommit?.(e.currentTarget.value);
  let control: ReactElement;
  if (port.kind === 'parameter' && port.type === 'bool') {
    control = (
      <select
        {...common}
        value={text}
        onChange={(e) => {
          onText(e.target.value);
          onCommit?.(e.target.value);
        }}
      >
        <option value="">{port.default !== undefined ? `(default: ${JSON.stringify(port.default)})` : '(not set)'}</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  } else if (port.kind === 'parameter' && (port.type === 'json' || port.type.startsWith('list<'))) {
    control = <textarea {...common} onBlur={onBlur} rows={2} value={text} spellCheck={false} onChange={(e) => onText(e.target.value)} />;
  } else {
    control = (
      <input
        {...common}
        onBlur={onBlur}
        type="text"
        inputMode={port.kind === 'parameter' && (port.type === 'int' || port.type === 'float') ? 'decimal' : undefined}
        value={text}
        placeholder={port.kind === 'parameter' && port.default !== undefined ? String(JSON.stringify(port.default)) : ''}
        onChange={(e) => onText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onCommit?.(e.currentTarget.value);
        }}
      />
    );
  }
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label ?? name}</label>
      {control}
      <span id={hintId} className="field__hint">
        {portHint(port)}
        {port.description ? ` · ${port.description}` : ''}
      </span>
      {error ? (
        <span id={errorId} className="field__error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
