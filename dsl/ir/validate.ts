/**
 * The one validator for pipeline IR, whatever produced it (DSL, editor, API, a JSON file).
 * It never throws on bad input: it returns every problem it finds, each naming the pipeline,
 * task and port involved and saying how to fix it.
 */
import type { z } from 'zod';
import { incompatibility, parseParamType, valueMismatch } from './portTypes';
import {
  NAME_PATTERN,
  pipelineSpecSchema,
  type Binding,
  type ComponentSpec,
  type PipelineSpec,
  type PortSpec,
} from './schema';

export type IssueCode =
  | 'schema'
  | 'bad-name'
  | 'unknown-component'
  | 'missing-input'
  | 'extra-input'
  | 'unknown-source'
  | 'type-mismatch'
  | 'bad-value'
  | 'unknown-dependency'
  | 'cycle'
  | 'bad-output'
  | 'duplicate-id';

export interface ValidationIssue {
  code: IssueCode;
  /** What is wrong, in one sentence. */
  message: string;
  /** What to do about it. */
  hint: string;
  pipeline: string;
  task?: string;
  port?: string;
  /** JSON path inside the IR, e.g. ["dag","tasks","train","inputs","epochs"]. */
  path: (string | number)[];
}

export type ValidationResult =
  | { ok: true; spec: PipelineSpec; issues: [] }
  | { ok: false; spec?: PipelineSpec; issues: ValidationIssue[] };

/** Formats an issue as one line a person can act on. */
export function formatIssue(issue: ValidationIssue): string {
  const where = [`pipeline "${issue.pipeline}"`];
  if (issue.task !== undefined) where.push(`task "${issue.task}"`);
  if (issue.port !== undefined) where.push(`port "${issue.port}"`);
  return `${where.join(', ')}: ${issue.message} — ${issue.hint}`;
}

/** Parses unknown input as IR and checks every rule. */
export function validatePipeline(input: unknown): ValidationResult {
  const pipelineName = guessName(input);
  const parsed = pipelineSpecSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: schemaIssues(parsed.error, pipelineName) };
  const issues = checkSemantics(parsed.data);
  return issues.length === 0 ? { ok: true, spec: parsed.data, issues: [] } : { ok: false, spec: parsed.data, issues };
}

function guessName(input: unknown): string {
  if (typeof input === 'object' && input !== null && 'name' in input && typeof input.name === 'string') {
    return input.name;
  }
  return '<unnamed>';
}

function schemaIssues(error: z.ZodError, pipeline: string): ValidationIssue[] {
  return error.issues.map((zi) => {
    const path = zi.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const loc = locate(path);
    return {
      code: 'schema',
      message: `${path.length ? `at ${path.join('.')}` : 'document'}: ${zi.message}`,
      hint: 'fix the field so it matches the IR reference (docs/IR.md)',
      pipeline,
      ...loc,
      path,
    };
  });
}

/** Maps an IR path to the task / port it concerns. */
function locate(path: (string | number)[]): { task?: string; port?: string } {
  if (path[0] === 'dag' && path[1] === 'tasks' && typeof path[2] === 'string') {
    const port = path[3] === 'inputs' && typeof path[4] === 'string' ? path[4] : undefined;
    return port === undefined ? { task: path[2] } : { task: path[2], port };
  }
  if ((path[0] === 'inputs' || path[0] === 'outputs') && typeof path[1] === 'string') return { port: path[1] };
  return {};
}

function checkSemantics(spec: PipelineSpec): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const pipeline = spec.name;
  const add = (i: Omit<ValidationIssue, 'pipeline'>): void => {
    issues.push({ pipeline, ...i });
  };

  // Names and defaults of the pipeline's own inputs.
  for (const [portName, port] of Object.entries(spec.inputs)) {
    checkName(portName, 'pipeline input', ['inputs', portName], add, { port: portName });
    checkPortType(port, ['inputs', portName], add, { port: portName });
  }

  // Components: names, port names, defaults.
  for (const [ref, comp] of Object.entries(spec.components)) {
    for (const dir of ['inputs', 'outputs'] as const) {
      for (const [portName, port] of Object.entries(comp[dir])) {
        const path = ['components', ref, dir, portName];
        checkName(portName, `component "${comp.name}" ${dir.slice(0, -1)}`, path, add, { port: portName });
        checkPortType(port, path, add, { port: portName });
      }
    }
  }

  const tasks = Object.entries(spec.dag.tasks);
  if (tasks.length === 0) {
    add({
      code: 'schema',
      message: 'the pipeline has no tasks',
      hint: 'add at least one task to the DAG',
      path: ['dag', 'tasks'],
    });
  }

  for (const [taskId, task] of tasks) {
    const taskPath = ['dag', 'tasks', taskId];
    checkName(taskId, 'task id', taskPath, add, { task: taskId });
    const comp = spec.components[task.component];
    if (!comp) {
      add({
        code: 'unknown-component',
        message: `uses component "${task.component}", which is not in the pipeline's components`,
        hint: `add "${task.component}" under "components" or use one of: ${Object.keys(spec.components).join(', ') || '(none)'}`,
        task: taskId,
        path: [...taskPath, 'component'],
      });
      continue;
    }
    for (const [portName, port] of Object.entries(comp.inputs)) {
      if (task.inputs[portName] === undefined && isRequired(port)) {
        add({
          code: 'missing-input',
          message: `required ${port.kind} input "${portName}" (${port.type}) of component "${comp.name}" is not set`,
          hint: 'connect it to an upstream output or a pipeline input, or give it a value',
          task: taskId,
          port: portName,
          path: [...taskPath, 'inputs', portName],
        });
      }
    }
    for (const [portName, binding] of Object.entries(task.inputs)) {
      const path = [...taskPath, 'inputs', portName];
      const port = comp.inputs[portName];
      if (!port) {
        add({
          code: 'extra-input',
          message: `component "${comp.name}" has no input "${portName}"`,
          hint: `remove it, or use one of the component's inputs: ${Object.keys(comp.inputs).join(', ') || '(none)'}`,
          task: taskId,
          port: portName,
          path,
        });
        continue;
      }
      checkBinding(spec, taskId, portName, port, binding, path, add);
    }
    for (const [i, dep] of (task.after ?? []).entries()) {
      if (dep === taskId || !spec.dag.tasks[dep]) {
        add({
          code: 'unknown-dependency',
          message: dep === taskId ? 'lists itself in "after"' : `runs after "${dep}", which is not a task of this pipeline`,
          hint: `use one of: ${Object.keys(spec.dag.tasks).filter((t) => t !== taskId).join(', ') || '(none)'}`,
          task: taskId,
          path: [...taskPath, 'after', i],
        });
      }
    }
  }

  for (const cycle of findCycles(spec)) {
    const first = cycle[0] ?? '';
    add({
      code: 'cycle',
      message: `tasks form a cycle: ${[...cycle, first].join(' → ')}`,
      hint: 'remove one of the connections (or "after" entries) so that data flows one way',
      task: first,
      path: ['dag', 'tasks', first],
    });
  }

  for (const [outName, binding] of Object.entries(spec.outputs)) {
    const path = ['outputs', outName];
    checkName(outName, 'pipeline output', path, add, { port: outName });
    const source = outputPort(spec, binding.task, binding.output);
    if (typeof source === 'string') {
      add({ code: 'bad-output', message: `pipeline output "${outName}": ${source}`, hint: 'point it at an existing task output', port: outName, path });
    }
  }
  return issues;
}

type Add = (i: Omit<ValidationIssue, 'pipeline'>) => void;

function checkName(value: string, what: string, path: (string | number)[], add: Add, loc: { task?: string; port?: string }): void {
  if (!NAME_PATTERN.test(value)) {
    add({
      code: 'bad-name',
      message: `${what} "${value}" is not a valid name`,
      hint: 'names start with a letter and use only letters, digits, "-" and "_" (at most 63 characters)',
      ...loc,
      path,
    });
  }
}

function checkPortType(port: PortSpec, path: (string | number)[], add: Add, loc: { task?: string; port?: string }): void {
  if (port.kind !== 'parameter' || port.default === undefined) return;
  let why: string | undefined;
  try {
    parseParamType(port.type);
    why = valueMismatch(port.default, port.type);
  } catch (e) {
    why = (e as Error).message;
  }
  if (why) {
    add({
      code: 'bad-value',
      message: `default value does not fit type ${port.type}: ${why}`,
      hint: `change the default to a ${port.type} value`,
      ...loc,
      path: [...path, 'default'],
    });
  }
}

export function isRequired(port: PortSpec): boolean {
  return !port.optional && !(port.kind === 'parameter' && port.default !== undefined);
}

/** The spec of a task's output, or a sentence saying why it does not exist. */
function outputPort(spec: PipelineSpec, taskId: string, output: string): PortSpec | string {
  const task = spec.dag.tasks[taskId];
  if (!task) return `task "${taskId}" does not exist`;
  const comp: ComponentSpec | undefined = spec.components[task.component];
  if (!comp) return `task "${taskId}" uses an unknown component`;
  const port = comp.outputs[output];
  if (!port) {
    return `task "${taskId}" (component "${comp.name}") has no output "${output}"; its outputs are: ${Object.keys(comp.outputs).join(', ') || '(none)'}`;
  }
  return port;
}

function checkBinding(
  spec: PipelineSpec,
  taskId: string,
  portName: string,
  port: PortSpec,
  binding: Binding,
  path: (string | number)[],
  add: Add,
): void {
  const loc = { task: taskId, port: portName, path };
  if ('const' in binding) {
    if (port.kind === 'artifact') {
      add({
        code: 'bad-value',
        message: `artifact input (${port.type}) cannot take a literal value`,
        hint: 'connect it to an upstream task output or a pipeline input of that artifact type',
        ...loc,
      });
      return;
    }
    const why = safeMismatch(binding.const, port.type);
    if (why) add({ code: 'bad-value', message: `value does not fit type ${port.type}: ${why}`, hint: `give a ${port.type} value`, ...loc });
    return;
  }
  if ('pipelineInput' in binding) {
    const source = spec.inputs[binding.pipelineInput];
    if (!source) {
      add({
        code: 'unknown-source',
        message: `reads pipeline input "${binding.pipelineInput}", which the pipeline does not declare`,
        hint: `declare it under "inputs" or use one of: ${Object.keys(spec.inputs).join(', ') || '(none)'}`,
        ...loc,
      });
      return;
    }
    const why = incompatibility(source, port);
    if (why) {
      add({ code: 'type-mismatch', message: `pipeline input "${binding.pipelineInput}": ${why}`, hint: 'connect a source of the matching type', ...loc });
    }
    return;
  }
  const source = outputPort(spec, binding.task, binding.output);
  if (typeof source === 'string') {
    add({ code: 'unknown-source', message: source, hint: 'connect it to an existing task output', ...loc });
    return;
  }
  const why = incompatibility(source, port);
  if (why) {
    add({
      code: 'type-mismatch',
      message: `output "${binding.output}" of task "${binding.task}": ${why}`,
      hint: `connect an output of type ${port.type} instead`,
      ...loc,
    });
  }
}

function safeMismatch(value: unknown, type: string): string | undefined {
  try {
    return valueMismatch(value, type);
  } catch (e) {
    return (e as Error).message;
  }
}

/** Upstream task ids of a task: data edges plus explicit `after`. */
export function taskDependencies(spec: PipelineSpec, taskId: string): string[] {
  const task = spec.dag.tasks[taskId];
  if (!task) return [];
  const deps = new Set<string>(task.after ?? []);
  for (const b of Object.values(task.inputs)) if ('task' in b) deps.add(b.task);
  return [...deps].filter((d) => spec.dag.tasks[d] !== undefined);
}

/** Each cycle once, as a list of task ids (Tarjan's strongly connected components). */
function findCycles(spec: PipelineSpec): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of taskDependencies(spec, v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      const selfLoop = scc.length === 1 && taskDependencies(spec, v).includes(v);
      if (scc.length > 1 || selfLoop) cycles.push(scc.reverse());
    }
  };
  for (const id of Object.keys(spec.dag.tasks)) if (!index.has(id)) visit(id);
  return cycles;
}
