/**
 * The selected task's inputs: for each port, where its value comes from (nothing, a literal value,
 * a pipeline input of a compatible type, or the task output an edge connects), with a typed field
 * for literal values (committed on blur / Enter, so one edit is one undo step).
 */
import { useId, useState, type ReactElement } from 'react';
import { incompatibility, isRequired, type Binding, type Json, type PortSpec } from 'sluice/dsl';
import { ParamField } from './ParamField';
import { formatParamValue, parseParamField } from './paramValue';

export interface TaskInputsFormProps {
  taskId: string;
  ports: Record<string, PortSpec>;
  bindings: Record<string, Binding>;
  pipelineInputs: Record<string, PortSpec>;
  onBind: (port: string, binding: Binding | undefined) => void;
  /** Makes a new pipeline input with this port's spec and binds the port to it. */
  onPromote: (port: string) => void;
}

function describeBinding(b: Binding): string {
  if ('task' in b) return `output ${b.output} of ${b.task}`;
  if ('collect' in b) return `${b.collect.output} collected from loop ${b.collect.loop}`;
  if ('loopItem' in b) return `the item of loop ${b.loopItem}${b.field !== undefined ? ` (field ${b.field})` : ''}`;
  if ('oneOf' in b) return `the first of ${b.oneOf.length} branches that ran`;
  if ('runStatus' in b) return `the run's ${b.runStatus}`;
  if ('pipelineInput' in b) return `pipeline input ${b.pipelineInput}`;
  return 'a value';
}

type Mode = 'unset' | 'const' | `input:${string}` | 'other';

function modeOf(b: Binding | undefined): Mode {
  if (!b) return 'unset';
  if ('const' in b) return 'const';
  if ('pipelineInput' in b) return `input:${b.pipelineInput}`;
  return 'other';
}

function InputRow({ name, port, binding, pipelineInputs, onBind, onPromote }: { name: string; port: PortSpec; binding: Binding | undefined } & Pick<TaskInputsFormProps, 'pipelineInputs' | 'onBind' | 'onPromote'>): ReactElement {
  const id = useId();
  const mode = modeOf(binding);
  const typeName = port.kind === 'parameter' ? port.type : 'string';
  const [text, setText] = useState(binding && 'const' in binding ? formatParamValue(binding.const, typeName) : '');
  const [constMode, setConstMode] = useState(mode === 'const');
  const parsed = parseParamField(text, port);
  const compatibleInputs = Object.entries(pipelineInputs).filter(([, p]) => incompatibility(p, port) === undefined);
  const selected: Mode = constMode && mode === 'unset' ? 'const' : mode;

  const commit = (t: string): void => {
    const r = parseParamField(t, port);
    if (r.kind === 'value') onBind(name, { const: r.value as Json });
    else if (r.kind === 'empty') onBind(name, undefined);
  };

  return (
    <fieldset className={`input-row${isRequired(port) && !binding ? ' is-missing' : ''}`}>
      <legend>
        {name} <span className="muted">{port.kind === 'artifact' ? `${port.type}${port.list ? '[]' : ''} artifact` : port.type}</span>
        {isRequired(port) ? <span className="muted"> · required</span> : null}
      </legend>
      <label htmlFor={`${id}-source`} className="visually-hidden">
        Source of input {name}
      </label>
      <select
        id={`${id}-source`}
        value={selected}
        onChange={(e) => {
          const v = e.target.value as Mode;
          if (v === 'unset') {
            setConstMode(false);
            onBind(name, undefined);
          } else if (v === 'const') {
            setConstMode(true);
            if (parsed.kind === 'value') onBind(name, { const: parsed.value as Json });
          } else if (v.startsWith('input:')) {
            setConstMode(false);
            onBind(name, { pipelineInput: v.slice('input:'.length) });
          }
        }}
      >
        <option value="unset">{port.kind === 'parameter' && port.default !== undefined ? `default (${formatParamValue(port.default, port.type)})` : 'not set'}</option>
        {port.kind === 'parameter' ? <option value="const">a value</option> : null}
        {compatibleInputs.map(([n]) => (
          <option key={n} value={`input:${n}`}>
            pipeline input {n}
          </option>
        ))}
        {mode === 'other' && binding ? <option value="other">{describeBinding(binding)}</option> : null}
      </select>
      {selected === 'const' ? <ParamField name={name} label={`Value of ${name}`} port={port} text={text} error={parsed.kind === 'error' ? parsed.error : undefined} onText={setText} onCommit={commit} /> : null}
      {mode === 'other' ? (
        <button type="button" onClick={() => onBind(name, undefined)} aria-label={`Disconnect input ${name}`}>
          Disconnect
        </button>
      ) : null}
      {mode === 'unset' || selected === 'const' ? (
        <button type="button" className="link-button" onClick={() => onPromote(name)} aria-label={`Make input ${name} a pipeline input`}>
          make it a pipeline input
        </button>
      ) : null}
    </fieldset>
  );
}

export function TaskInputsForm({ taskId, ports, bindings, pipelineInputs, onBind, onPromote }: TaskInputsFormProps): ReactElement {
  const names = Object.keys(ports);
  if (names.length === 0) return <p className="muted">This component takes no inputs.</p>;
  return (
    <div className="task-inputs">
      {names.map((name) => (
        <InputRow
          key={`${taskId}:${name}:${JSON.stringify(bindings[name] ?? null)}`}
          name={name}
          port={ports[name] as PortSpec}
          binding={bindings[name]}
          pipelineInputs={pipelineInputs}
          onBind={onBind}
          onPromote={onPromote}
        />
      ))}
    </div>
  );
}
