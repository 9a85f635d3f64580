/** The selected node: its id and label, the component it runs, and its inputs as typed forms. */
import { memo, type ReactElement, type RefObject } from 'react';
import { indexPipeline, isLoopNode, taskOutputPorts, type Binding, type PipelineSpec, type TuneSpec, type ValidationIssue } from 'sluice/ir';
import { setInput } from '../../edit/bindings';
import { cachedIndex, connect, connectableOutputs } from '../../edit/connect';
import { setNodeUi } from '../../edit/nodeUi';
import { uniqueId } from '../../edit/nodeTree';
import { addPipelineInput, setPipelineOutput } from '../../edit/pipelinePorts';
import { portTypeLabel } from '../../edit/ports';
import { renameTask } from '../../edit/renameTask';
import { makeStudy, setTune, tuneFieldProblems, unmakeStudy } from '../../edit/tune';
import { TaskInputsForm, type SourceOption } from '../../forms/TaskInputsForm';
import type { Edit } from './Canvas';
import { TextCommitField } from './TextCommitField';
import { TuneForm } from './TuneForm';

export interface InspectorProps {
  spec: PipelineSpec;
  selected: string[];
  edit: Edit;
  selectNext: RefObject<string[] | null>;
  /** The validator's problems with `spec` (the study form shows its own at their fields). */
  issues: readonly ValidationIssue[];
}

/** Per input port, the outputs that may feed it under the canvas's connection rules. */
function sourcesFor(spec: PipelineSpec, id: string, ports: string[]): Record<string, SourceOption[]> {
  const index = cachedIndex(spec);
  return Object.fromEntries(
    ports.map((port) => [
      port,
      connectableOutputs(spec, id, port).map((c) => {
        const source = index.nodes.get(c.source)?.node;
        return { task: c.source, output: c.sourcePort, loop: source !== undefined && isLoopNode(source) };
      }),
    ]),
  );
}

function InspectorView({ spec, selected, edit, selectNext, issues }: InspectorProps): ReactElement {
  if (selected.length === 0) {
    return (
      <div className="inspector">
        <p className="muted">
          Select a task to edit its inputs. Drag components from the palette onto the canvas, then drag from an output (right) to an input (left) to connect
          them. Press <kbd>?</kbd> for shortcuts.
        </p>
      </div>
    );
  }
  if (selected.length > 1) {
    return (
      <div className="inspector">
        <p>{selected.length} nodes selected.</p>
        <p className="muted">
          <kbd>Delete</kbd> removes them, <kbd>Ctrl</kbd>+<kbd>C</kbd> copies them.
        </p>
      </div>
    );
  }
  const id = selected[0] as string;
  const info = cachedIndex(spec).nodes.get(id);
  if (!info) return <div className="inspector" />;
  const node = info.node;
  const rename = (to: string): string | undefined => {
    let why: string | undefined;
    edit((s) => {
      const r = renameTask(s, id, to.trim());
      if (!r.ok) why = r.reason;
      else selectNext.current = [to.trim()];
      return r;
    });
    return why;
  };
  const header = (
    <>
      {/* Keyed by what the field edits, not its value: a commit keeps the field (and focus). */}
      <TextCommitField key="id" label="Task id" value={id} onCommit={rename} hint="unique in the pipeline; other tasks refer to it" />
      <TextCommitField
        key={`label:${id}`}
        label="Label"
        value={node.ui?.label ?? ''}
        onCommit={(text) => {
          edit((s) => setNodeUi(s, id, { label: text.trim() || undefined }));
          return undefined;
        }}
        hint="shown on the canvas instead of the id"
      />
      {info.scope.length ? <p className="muted">Inside loop {info.scope.join(' › ')}</p> : null}
      {node.when ? <p className="muted">Runs only when its condition holds (edit conditions in the pipeline's source).</p> : null}
    </>
  );
  if (isLoopNode(node)) {
    return (
      <div className="inspector">
        <h3>Loop {id}</h3>
        {header}
        <p>
          Runs its {Object.keys(node.loop.tasks).length} tasks once per item
          {node.loop.parallelism !== undefined ? `, ${node.loop.parallelism} at a time` : ''}. Collected outputs: {Object.keys(node.loop.outputs).join(', ') || 'none'}.
        </p>
      </div>
    );
  }
  const component = spec.components[node.component];
  if (!component) return <div className="inspector">Task {id} uses component “{node.component}”, which the pipeline does not define.</div>;
  // A study's searched inputs get their values per trial: the form above edits their distributions.
  const space = node.tune?.space;
  const inputPorts = space ? Object.fromEntries(Object.entries(component.inputs).filter(([port]) => !Object.hasOwn(space, port))) : component.inputs;
  const bind = (port: string, binding: Binding | undefined): void => {
    edit((s) => setInput(s, id, port, binding));
  };
  const connectTo = (port: string, o: SourceOption): void => {
    edit((s) => connect(s, { source: o.task, sourcePort: o.output, target: id, targetPort: port }), `Connected ${o.task}.${o.output} → ${id}.${port}`);
  };
  const promote = (port: string): void => {
    const p = component.inputs[port];
    if (!p) return;
    edit((s) => {
      const name = uniqueId(port, new Set(Object.keys(s.inputs)));
      const current = indexPipeline(s).nodes.get(id)?.node;
      const value = current && !isLoopNode(current) ? current.inputs[port] : undefined;
      const withDefault = p.kind === 'parameter' && value && 'const' in value ? { ...p, default: value.const } : p;
      const r = addPipelineInput(s, name, withDefault);
      return r.ok ? { ok: true, spec: setInput(r.spec, id, port, { pipelineInput: name }) } : r;
    }, `Added pipeline input for ${id}.${port}`);
  };
  return (
    <div className="inspector">
      <h3>
        Task {id} <span className="muted">· {component.name} v{component.version}</span>
      </h3>
      {component.description ? <p className="muted">{component.description}</p> : null}
      {header}
      <h4>Inputs</h4>
      <TaskInputsForm
        taskId={id}
        ports={inputPorts}
        bindings={node.inputs}
        pipelineInputs={spec.inputs}
        onBind={bind}
        onPromote={promote}
        sources={sourcesFor(spec, id, Object.keys(inputPorts))}
        onConnect={connectTo}
      />
      <h4>Tuning study</h4>
      {node.tune ? (
        <>
          <p className="muted">
            Runs {component.name} once per trial with suggested values for the searched inputs, and keeps the best trial&apos;s outputs.{' '}
            <button type="button" className="link-button" onClick={() => edit((s) => unmakeStudy(s, id), `${id} is a plain task again`)}>
              Make it a plain task
            </button>
          </p>
          <TuneForm
            taskId={id}
            tune={node.tune}
            component={component}
            problems={tuneFieldProblems(issues, id)}
            apply={(candidate: TuneSpec) => {
              const r = setTune(spec, id, candidate);
              if (!r.ok) return r.reason;
              edit((s) => setTune(s, id, candidate));
              return undefined;
            }}
          />
        </>
      ) : (
        <p className="muted">
          Search this task&apos;s parameters for the best value of a metric it reports.{' '}
          <button type="button" onClick={() => edit((s) => makeStudy(s, id), `${id} is a tuning study`)}>
            Make it a tuning study
          </button>
        </p>
      )}
      <h4>Outputs</h4>
      <ul className="plain-list">
        {Object.entries(taskOutputPorts(node, component)).map(([name, port]) => {
          const published = Object.entries(spec.outputs).find(([, ref]) => ref.task === id && ref.output === name)?.[0];
          return (
            <li key={name}>
              {name} <span className="muted">{portTypeLabel(port)}</span>{' '}
              {published !== undefined ? (
                <span className="muted">→ pipeline output {published}</span>
              ) : info.scope.length === 0 ? (
                <button
                  type="button"
                  className="link-button"
                  aria-label={`Publish ${id}.${name} as a pipeline output`}
                  onClick={() => edit((s) => setPipelineOutput(s, uniqueId(name, new Set(Object.keys(s.outputs))), { task: id, output: name }), `Published ${id}.${name}`)}
                >
                  publish as pipeline output
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

export const Inspector = memo(InspectorView);
