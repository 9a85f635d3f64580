/** The pipeline itself: name, description, inputs (typed, with defaults) and published outputs. */
import { memo, useId, useState, type ReactElement } from 'react';
import { isLoopNode, NAME_PATTERN, taskOutputPorts, type PipelineSpec } from 'sluice/ir';
import { addPipelineInput, removePipelineInput, renamePipelineOutput, setPipelineOutput, updatePipelineInput } from '../../edit/pipelinePorts';
import { portTypeLabel } from '../../edit/ports';
import { formatParamValue } from '../../forms/paramValue';
import { PortSpecForm } from '../../forms/PortSpecForm';
import type { Edit } from './Canvas';
import { TextCommitField } from './TextCommitField';

function PipelinePanelView({ spec, edit }: { spec: PipelineSpec; edit: Edit }): ReactElement {
  const [editing, setEditing] = useState<string | null>(null);
  const outputId = useId();
  const [newOutput, setNewOutput] = useState('');
  const taskOutputs = Object.entries(spec.dag.tasks).flatMap(([id, node]) =>
    isLoopNode(node) ? [] : Object.keys(taskOutputPorts(node, spec.components[node.component])).map((o) => ({ id, output: o, key: `${id}.${o}` })),
  );
  const refusal = (fn: (s: PipelineSpec) => ReturnType<typeof addPipelineInput>): string | undefined => {
    let why: string | undefined;
    edit((s) => {
      const r = fn(s);
      if (!r.ok) why = r.reason;
      return r;
    });
    return why;
  };
  return (
    <div className="pipeline-panel">
      <TextCommitField
        key="name"
        label="Pipeline name"
        value={spec.name}
        hint="saving under a new name makes a new pipeline"
        onCommit={(text) => {
          const name = text.trim();
          if (!NAME_PATTERN.test(name)) return `"${name}" is not a valid pipeline name: start with a letter; use letters, digits, "-" or "_" (max 63)`;
          edit((s) => ({ ...s, name }));
          return undefined;
        }}
      />
      <TextCommitField
        key="description"
        label="Description"
        value={spec.description ?? ''}
        onCommit={(text) => {
          edit((s) => {
            const { description: _d, ...rest } = s;
            return text.trim() ? { ...rest, description: text.trim() } : rest;
          });
          return undefined;
        }}
      />
      <h4>Inputs</h4>
      {Object.keys(spec.inputs).length === 0 ? <p className="muted">No inputs: a run takes no parameters.</p> : null}
      <ul className="plain-list">
        {Object.entries(spec.inputs).map(([name, port]) => (
          <li key={name} className="port-item">
            {editing === name ? (
              <PortSpecForm
                name={name}
                port={port}
                submitLabel="Apply"
                onCancel={() => setEditing(null)}
                onSubmit={(newName, p) => {
                  const why = refusal((s) => updatePipelineInput(s, name, p, newName));
                  if (!why) setEditing(null);
                  return why;
                }}
              />
            ) : (
              <>
                <span>
                  <strong>{name}</strong> <span className="muted">{portTypeLabel(port)}</span>
                  {port.kind === 'parameter' && port.default !== undefined ? <span className="muted"> = {formatParamValue(port.default, port.type)}</span> : null}
                  {port.optional ? <span className="muted"> (optional)</span> : null}
                </span>
                <span className="button-row">
                  <button type="button" className="small" aria-label={`Edit input ${name}`} onClick={() => setEditing(name)}>
                    Edit
                  </button>
                  <button type="button" className="small" aria-label={`Remove input ${name}`} onClick={() => edit((s) => removePipelineInput(s, name), `Removed input ${name}`)}>
                    Remove
                  </button>
                </span>
              </>
            )}
          </li>
        ))}
      </ul>
      <details>
        <summary>Add an input</summary>
        <PortSpecForm submitLabel="Add input" onSubmit={(name, p) => refusal((s) => addPipelineInput(s, name, p))} />
      </details>
      <h4>Outputs</h4>
      {Object.keys(spec.outputs).length === 0 ? <p className="muted">No outputs published.</p> : null}
      <ul className="plain-list">
        {Object.entries(spec.outputs).map(([name, ref]) => (
          <li key={name} className="port-item">
            <TextCommitField key={`out:${name}`} label={`Output ${name}: name`} value={name} onCommit={(to) => refusal((s) => renamePipelineOutput(s, name, to.trim()))} />
            <label className="visually-hidden" htmlFor={`${outputId}-${name}`}>
              Source of output {name}
            </label>
            <select
              id={`${outputId}-${name}`}
              value={`${ref.task}.${ref.output}`}
              onChange={(e) => {
                const o = taskOutputs.find((t) => t.key === e.target.value);
                if (o) edit((s) => setPipelineOutput(s, name, { task: o.id, output: o.output }));
              }}
            >
              {taskOutputs.some((t) => t.key === `${ref.task}.${ref.output}`) ? null : <option value={`${ref.task}.${ref.output}`}>{`${ref.task}.${ref.output} (missing)`}</option>}
              {taskOutputs.map((t) => (
                <option key={t.key} value={t.key}>
                  {t.key}
                </option>
              ))}
            </select>
            <button type="button" className="small" aria-label={`Remove output ${name}`} onClick={() => edit((s) => setPipelineOutput(s, name, undefined))}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <div className="field">
        <label htmlFor={`${outputId}-new`}>Publish a task output</label>
        <select
          id={`${outputId}-new`}
          value={newOutput}
          onChange={(e) => {
            setNewOutput('');
            const o = taskOutputs.find((t) => t.key === e.target.value);
            if (!o) return;
            const taken = new Set(Object.keys(spec.outputs));
            let n = o.output;
            for (let i = 2; taken.has(n); i++) n = `${o.output}${i}`;
            edit((s) => setPipelineOutput(s, n, { task: o.id, output: o.output }), `Published ${o.key} as ${n}`);
          }}
        >
          <option value="">choose a task output…</option>
          {taskOutputs.map((t) => (
            <option key={t.key} value={t.key}>
              {t.key}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

export const PipelinePanel = memo(PipelinePanelView);
