/**
 * The selected task's inputs: for each port, where its value comes from (nothing, a literal value,
 * a pipeline input of a compatible type, or an output of another task: the keyboard way to
 * connect), with a typed field for literal values (committed on blur / Enter, so one edit is one
 * undo step).
 */
import { useEffect, useId, useState, type ReactElement } from 'react';
import type { Json } from 'sluice/dsl';
import { incompatibility, isRequired, type Binding, type PortSpec } from 'sluice/ir';
import { ParamField } from './ParamField';
import { formatParamValue, parseParamField } from './paramValue';

/** An output that may feed a port (the caller checks it with the canvas's connection rules). */
export interface SourceOption {
  task: string;
  output: string;
  /** The source is a loop: the input reads the output collected over its items. */
  loop?: boolean;
}

export interface TaskInputsFormProps {
  taskId: string;
  ports: Record<string, PortSpec>;
  bindings: Record<string, Binding>;
  pipelineInputs: Record<string, PortSpec>;
  onBind: (port: string, binding: Binding | undefined) => void;
  /** Makes a new pipeline input with this port's spec and binds the port to it. */
  onPromote: (port: string) => void;
  /** Per port, the outputs offered as its source. */
  sources?: Record<string, SourceOption[]>;
  /** Connects `port` to a source output (as dragging an edge would). */
  onConnect?: (port: string, source: SourceOption) => void;
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

// Task and port names never contain ".", so `source:<task>.<output>` splits unambiguously.
type Mode = 'unset' | 'const' | `input:${string}` | `source:${string}` | 'other';

const sourceMode = (task: string, output: string): Mode => `source:${task}.${output}`;

function modeOf(b: Binding | undefined): Mode {
  if (!b) return 'unset';
  if ('const' in b) return 'const';
  if ('pipelineInput' in b) return `input:${b.pipelineInput}`;
  if ('task' in b) return sourceMode(b.task, b.output);
  if ('collect' in b) return sourceMode(b.collect.loop, b.collect.output);
  return 'other';
}

const constText = (b: Binding | undefined, typeName: string): string => (b && 'const' in b ? formatParamValue(b.const, typeName) : '');

function InputRow({
  name,
  port,
  binding,
  pipelineInputs,
  onBind,
  onPromote,
  sources,
  onConnect,
}: { name: string; port: PortSpec; binding: Binding | undefined; sources: SourceOption[] } & Pick<TaskInputsFormProps, 'pipelineInputs' | 'onBind' | 'onPromote' | 'onConnect'>): ReactElement {
  const id = useId();
  const mode = modeOf(binding);
  const typeName = port.kind === 'parameter' ? port.type : 'string';
  const [text, setText] = useState(constText(binding, typeName));
  const [constMode, setConstMode] = useState(mode === 'const');
  // The row stays mounted (and focused) across edits; a binding changed elsewhere (undo, the
  // canvas) resets the local text.
  const bindingKey = JSON.stringify(binding ?? null);
  useEffect(() => {
    const b = JSON.parse(bindingKey) as Binding | null;
    setText(constText(b ?? undefined, typeName));
    setConstMode(b !== null && 'const' in b);
  }, [bindingKey, typeName]);
  const parsed = parseParamField(text, port);
  const compatibleInputs = Object.entries(pipelineInputs).filter(([, p]) => incompatibility(p, port) === undefined);
  const selected: Mode = constMode && mode === 'unset' ? 'const' : mode;
  const sourceModes = new Set(sources.map((o) => sourceMode(o.task, o.output)));
  const connected = mode.startsWith('source:') || mode === 'other';

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
          } else if (v.startsWith('source:')) {
            const o = sources.find((x) => sourceMode(x.task, x.output) === v);
            if (o && onConnect) {
              setConstMode(false);
              onConnect(name, o);
            }
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
        {sources.map((o) => (
          <option key={`${o.task}.${o.output}`} value={sourceMode(o.task, o.output)}>
            {o.loop ? `${o.output} collected from loop ${o.task}` : `output ${o.output} of ${o.task}`}
          </option>
        ))}
        {connected && binding && !sourceModes.has(mode) ? <option value={mode}>{describeBinding(binding)}</option> : null}
      </select>
      {selected === 'const' ? <ParamField name={name} label={`Value of ${name}`} port={port} text={text} error={parsed.kind === 'error' ? parsed.error : undefined} onText={setText} onCommit={commit} /> : null}
      {connected ? (
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

export function TaskInputsForm({ taskId, ports, bindings, pipelineInputs, onBind, onPromote, sources, onConnect }: TaskInputsFormProps): ReactElement {
  const names = Object.keys(ports);
  if (names.length === 0) return <p className="muted">This component takes no inputs.</p>;
  return (
    <div className="task-inputs">
      {names.map((name) => (
        <InputRow
          key={`${taskId}:${name}`}
          name={name}
          port={ports[name] as PortSpec}
          binding={bindings[name]}
          pipelineInputs={pipelineInputs}
          onBind={onBind}
          onPromote={onPromote}
          sources={sources?.[name] ?? []}
          onConnect={onConnect}
        />
      ))}
    </div>
  );
}
