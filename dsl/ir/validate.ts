/**
 * The one validator for pipeline IR, whatever produced it (DSL, editor, API, a JSON file).
 * It never throws on bad input: it returns every problem it finds, each naming the pipeline,
 * task and port involved and saying how to fix it.
 */
import type { z } from 'zod';
import { canonicalJson } from './digest';
import { toMs } from './duration';
import { comparisonProblem } from './expr';
import { indexPipeline, isLoopNode, nodeDependencies, ownBindings, referencedNodes, scopeNodes, type NodeInfo, type PipelineIndex } from './graph';
import { parseArg, placeholderMismatch, type ArgPart } from './placeholders';
import { incompatibility, literalType, parseParamType, valueMismatch } from './portTypes';
import { findUnstorableText } from './storableText';
import { taskOutputPort, taskOutputPorts } from './tuneSpec';
import { checkTuneSpec } from './validateTune';
import {
  NAME_PATTERN,
  pipelineSpecSchema,
  type Binding,
  type ComponentSpec,
  isComparison,
  type Expr,
  type LoopNodeSpec,
  type PipelineSpec,
  type PortSpec,
  type TaskSpec,
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
  | 'duplicate-id'
  | 'not-a-list'
  | 'bad-condition'
  | 'bad-scope'
  | 'bad-exit-handler'
  | 'bad-approval'
  | 'bad-command'
  /** A required input reads a value that may be absent (an optional output or pipeline input without default). */
  | 'maybe-absent'
  /** `execution: 'local'` where it cannot run locally (not a function component, or a GPU task). */
  | 'bad-execution'
  /** Valid, but more than one run can hold (dsl/ir/limits.ts): refused at submission. */
  | 'too-large'
  /** Text PostgreSQL cannot store (NUL, lone surrogates). */
  | 'bad-text'
  /** JSON text nested deeper than any IR (refused before parsing). */
  | 'too-deep'
  /** A study's search space, objective or budget that cannot work (dsl/ir/validateTune.ts). */
  | 'bad-tune';

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

export interface ValidateOptions {
  /**
   * The checks added against hostile input (issue 11): text PostgreSQL cannot store, "__proto__"
   * keys and reserved names, a task reading its own output. Default true; false only where a
   * workflow replays a run that started before them (pipelineRun, behind `patched()`).
   */
  hostileInputChecks?: boolean;
}

/** Parses unknown input as IR and checks every rule. */
export function validatePipeline(input: unknown, options: ValidateOptions = {}): ValidationResult {
  const strict = options.hostileInputChecks ?? true;
  const pipelineName = guessName(input);
  // Before the schema: it would drop a "__proto__" entry silently, and keeps text no store can hold.
  const early = strict ? [...textIssues(input, pipelineName), ...protoKeyIssues(input, pipelineName)] : [];
  const parsed = pipelineSpecSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: [...early, ...schemaIssues(parsed.error, pipelineName, input)] };
  const issues = [...early, ...checkSemantics(parsed.data, false, strict)];
  return issues.length === 0 ? { ok: true, spec: parsed.data, issues: [] } : { ok: false, spec: parsed.data, issues };
}

/** Names every object inherits, or whose assignment changes the object: never ids, ports or refs. */
const RESERVED_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** `record[key]` only when the record has it itself (never Object.prototype's `constructor`, `toString`, …). */
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function textIssues(input: unknown, pipeline: string): ValidationIssue[] {
  return findUnstorableText(input).map((p) => ({
    code: 'bad-text',
    message: `${p.path.join('.') || 'the document'} ${p.message}`,
    hint: 'remove the character (PostgreSQL text cannot hold NUL; strings must be valid Unicode)',
    pipeline,
    ...locate(p.path),
    path: p.path,
  }));
}

/** Own "__proto__" keys anywhere (JSON.parse makes them; the schema's output objects would lose them). */
function protoKeyIssues(input: unknown, pipeline: string): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: input, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop() as { v: unknown; path: (string | number)[] };
    if (typeof v !== 'object' || v === null) continue;
    for (const [key, child] of Object.entries(v)) {
      const at = [...path, Array.isArray(v) ? Number(key) : key];
      if (key === '__proto__') {
        out.push({
          code: 'bad-name',
          message: `"__proto__" cannot be a key (at ${at.join('.')})`,
          hint: 'rename it; __proto__, constructor and prototype cannot be names',
          pipeline,
          ...locate(at),
          path: at,
        });
      } else {
        stack.push({ v: child, path: at });
      }
    }
  }
  return out;
}

function guessName(input: unknown): string {
  if (typeof input === 'object' && input !== null && 'name' in input && typeof input.name === 'string') {
    return input.name;
  }
  return '<unnamed>';
}

/** The value at `path` in `input`, shortened for a message. */
function valueAt(input: unknown, path: (string | number)[]): string | undefined {
  let v: unknown = input;
  for (const key of path) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  const text = JSON.stringify(v);
  return text === undefined ? undefined : text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/**
 * A union issue (a node is a task or a loop; a binding one of seven kinds) says only "Invalid
 * input": use the issues of the option that matched the node's discriminating key, so the message
 * names the field (`resources.gpu`) and not the whole node.
 */
function innermost(zi: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (zi.code !== 'invalid_union' || zi.errors.length === 0) return [zi];
  // The option with the fewest issues is the one the input was meant to be.
  const best = [...zi.errors].sort((a, b) => a.length - b.length)[0] ?? [];
  if (best.length === 0) return [zi];
  return best.flatMap((inner) => innermost({ ...inner, path: [...zi.path, ...inner.path] }));
}

function schemaIssues(error: z.ZodError, pipeline: string, input: unknown): ValidationIssue[] {
  return error.issues.flatMap(innermost).map((zi) => {
    const path = zi.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const loc = locate(path);
    const value = path.length > 0 ? valueAt(input, path) : undefined;
    return {
      code: 'schema',
      message: `${path.length ? `at ${path.join('.')}` : 'document'}: ${zi.message}${value !== undefined && zi.code !== 'unrecognized_keys' ? ` (got ${value})` : ''}`,
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

function checkSemantics(spec: PipelineSpec, nested: boolean, strict: boolean): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const pipeline = spec.name;
  const add = (i: Omit<ValidationIssue, 'pipeline'>): void => {
    issues.push({ pipeline, ...i });
  };
  const checkName = (value: string, what: string, path: (string | number)[], loc: { task?: string; port?: string }): void => {
    checkNameRules(value, what, path, add, loc, strict);
  };

  // Names and defaults of the pipeline's own inputs.
  for (const [portName, port] of Object.entries(spec.inputs)) {
    checkName(portName, 'pipeline input', ['inputs', portName], { port: portName });
    checkPortType(port, ['inputs', portName], add, { port: portName });
  }

  // Components: names, port names, defaults; nested pipelines recursively.
  for (const [ref, comp] of Object.entries(spec.components)) {
    for (const dir of ['inputs', 'outputs'] as const) {
      for (const [portName, port] of Object.entries(comp[dir])) {
        const path = ['components', ref, dir, portName];
        checkName(portName, `component "${comp.name}" ${dir.slice(0, -1)}`, path, { port: portName });
        checkPortType(port, path, add, { port: portName });
      }
    }
    if (comp.impl.kind === 'pipeline') checkNestedPipeline(ref, comp, add, issues, strict);
    if (comp.impl.kind === 'command') checkCommand(ref, comp, comp.impl.command, add);
  }

  const index = indexPipeline(spec);
  for (const d of index.duplicates) {
    add({
      code: 'duplicate-id',
      message: `two tasks have the id "${d.id}" (ids are unique across loop bodies too)`,
      hint: 'give one of them another id',
      task: d.id,
      path: d.path,
    });
  }
  if (Object.keys(spec.dag.tasks).length === 0) {
    add({ code: 'schema', message: 'the pipeline has no tasks', hint: 'add at least one task to the DAG', path: ['dag', 'tasks'] });
  }

  const ctx: Ctx = { spec, index, add };
  for (const info of index.nodes.values()) {
    checkName(info.id, 'task id', info.path, { task: info.id });
    if (isLoopNode(info.node)) checkLoop(ctx, info, info.node);
    else checkTask(ctx, info, info.node, nested);
    if (info.node.when) checkCondition(ctx, info, info.node.when);
    const siblings = scopeNodes(index, info.scope);
    for (const [i, dep] of (info.node.after ?? []).entries()) {
      if (dep === info.id || !siblings.has(dep)) {
        add({
          code: 'unknown-dependency',
          message:
            dep === info.id
              ? 'lists itself in "after"'
              : index.nodes.has(dep)
                ? `runs after "${dep}", which is in another loop body; "after" only orders tasks of the same scope`
                : `runs after "${dep}", which is not a task of this pipeline`,
          hint: `use one of: ${[...siblings].filter((t) => t !== info.id).join(', ') || '(none)'}`,
          task: info.id,
          path: [...info.path, 'after', i],
        });
      }
    }
  }

  for (const cycle of findCycles(index, strict)) {
    const first = cycle[0] ?? '';
    add({
      code: 'cycle',
      message: `tasks form a cycle: ${[...cycle, first].join(' → ')}`,
      hint: 'remove one of the connections (or "after" entries) so that data flows one way',
      task: first,
      path: index.nodes.get(first)?.path ?? ['dag', 'tasks', first],
    });
  }

  for (const [outName, binding] of Object.entries(spec.outputs)) {
    const path = ['outputs', outName];
    checkName(outName, 'pipeline output', path, { port: outName });
    const source = outputPort(ctx, [], binding.task, binding.output);
    if (isUnreadable(source)) {
      add({ code: 'bad-output', message: `pipeline output "${outName}": ${source.why}`, hint: 'point it at an output of a top-level task', port: outName, path });
    }
  }
  return issues;
}

interface Ctx {
  spec: PipelineSpec;
  index: PipelineIndex;
  add: Add;
}

function checkNestedPipeline(ref: string, comp: ComponentSpec, add: Add, issues: ValidationIssue[], strict: boolean): void {
  if (comp.impl.kind !== 'pipeline') return;
  const inner = comp.impl.spec;
  issues.push(...checkSemantics(inner, true, strict));
  const path = ['components', ref];
  for (const [name, port] of Object.entries(inner.inputs)) {
    const declared = own(comp.inputs, name);
    if (!declared || declared.kind !== port.kind || declared.type !== port.type) {
      add({
        code: 'schema',
        message: `nested pipeline "${inner.name}": input "${name}" (${port.type}) is not declared the same way on component "${comp.name}"`,
        hint: 'recompile the pipeline so the component mirrors the nested pipeline\'s inputs',
        port: name,
        path: [...path, 'inputs', name],
      });
    }
  }
  for (const name of Object.keys(inner.outputs)) {
    if (!own(comp.outputs, name)) {
      add({
        code: 'schema',
        message: `nested pipeline "${inner.name}": output "${name}" is missing on component "${comp.name}"`,
        hint: 'recompile the pipeline so the component mirrors the nested pipeline\'s outputs',
        port: name,
        path: [...path, 'outputs', name],
      });
    }
  }
}

/** Every placeholder of a command's argv must name a port of the matching kind. */
function checkCommand(ref: string, comp: ComponentSpec, argv: string[], add: Add): void {
  for (const [i, arg] of argv.entries()) {
    const path = ['components', ref, 'impl', 'command', i];
    let parts: ArgPart[];
    try {
      parts = parseArg(arg);
    } catch (e) {
      add({ code: 'bad-command', message: `component "${comp.name}", argument ${i}: ${(e as Error).message}`, hint: 'fix the placeholder', path });
      continue;
    }
    for (const part of parts) {
      if (!('kind' in part)) continue;
      const why = placeholderMismatch(part.kind, part.name, comp);
      if (why) add({ code: 'bad-command', message: `component "${comp.name}", argument ${i}: ${why}`, hint: 'name a declared port of that kind', port: part.name, path });
    }
  }
}

function checkTask(ctx: Ctx, info: NodeInfo, task: TaskSpec, nested: boolean): void {
  const { spec, add } = ctx;
  const taskId = info.id;
  const taskPath = info.path;
  const comp = own(spec.components, task.component);
  if (!comp) {
    add({
      code: 'unknown-component',
      message: `uses component "${task.component}", which is not in the pipeline's components`,
      hint: `add "${task.component}" under "components" or use one of: ${Object.keys(spec.components).join(', ') || '(none)'}`,
      task: taskId,
      path: [...taskPath, 'component'],
    });
    return;
  }
  const execution = task.execution ?? comp.execution;
  if (execution === 'local' && (comp.impl.kind !== 'function' || (task.resources?.gpu ?? comp.resources?.gpu ?? 0) > 0)) {
    add({
      code: 'bad-execution',
      message:
        comp.impl.kind !== 'function'
          ? `execution 'local' on a ${comp.impl.kind} component ("${comp.name}"): only function components run as local steps`
          : `execution 'local' with resources.gpu: a local step runs on the control worker, which lends no GPU`,
      hint: "remove execution: 'local' (or set it to 'queued') for this task",
      task: taskId,
      path: task.execution !== undefined ? [...taskPath, 'execution'] : ['components', task.component, 'execution'],
    });
  }
  if (comp.impl.kind === 'approval' && (info.scope.length > 0 || nested)) {
    add({
      code: 'bad-approval',
      message: `approval gate inside ${info.scope.length > 0 ? `loop "${info.scope[info.scope.length - 1] ?? ''}"` : 'a nested pipeline'}`,
      hint: 'approval gates wait for one decision per run: put the gate in the top-level pipeline, before or after the loop',
      task: taskId,
      path: taskPath,
    });
  }
  const deadline = comp.impl.kind === 'approval' ? own(task.inputs, 'deadline') : undefined;
  if (deadline && 'const' in deadline && typeof deadline.const === 'string') {
    try {
      toMs(deadline.const as Parameters<typeof toMs>[0], 'deadline');
    } catch {
      add({
        code: 'bad-value',
        message: `deadline ${JSON.stringify(deadline.const)} is not a duration`,
        hint: 'write it as a number and a unit: "30m", "12h", "2d"',
        task: taskId,
        port: 'deadline',
        path: [...taskPath, 'inputs', 'deadline'],
      });
    }
  }
  if (task.exitHandler) {
    if (info.scope.length > 0) {
      add({
        code: 'bad-exit-handler',
        message: 'an exit handler cannot be inside a loop',
        hint: 'make the exit handler a top-level task',
        task: taskId,
        path: [...taskPath, 'exitHandler'],
      });
    }
    for (const other of ctx.index.nodes.values()) {
      if (other.id !== taskId && ownBindings(other.node).some((b) => referencedNodes(b).includes(taskId) || ('task' in b && b.task === taskId))) {
        add({
          code: 'bad-exit-handler',
          message: `task "${other.id}" reads the exit handler's outputs, but the exit handler runs last`,
          hint: 'nothing can depend on an exit handler',
          task: other.id,
          path: other.path,
        });
      }
      if ((other.node.after ?? []).includes(taskId)) {
        add({
          code: 'bad-exit-handler',
          message: `task "${other.id}" runs after the exit handler "${taskId}", which always runs last`,
          hint: 'remove the exit handler from its "after" list',
          task: other.id,
          path: [...other.path, 'after'],
        });
      }
    }
  }
  if (task.tune) {
    for (const i of checkTuneSpec(task.tune, comp, task.inputs)) {
      ctx.add({ code: 'bad-tune', message: i.message, hint: i.hint, task: taskId, ...(i.port !== undefined ? { port: i.port } : {}), path: [...taskPath, ...i.path] });
    }
  }
  for (const [portName, port] of Object.entries(comp.inputs)) {
    if (own(task.inputs, portName) === undefined && isRequired(port) && !(task.tune && Object.hasOwn(task.tune.space, portName))) {
      add({
        code: 'missing-input',
        message: `required ${port.kind} input "${portName}" (${port.kind === 'artifact' && port.list ? `list of ${port.type}` : port.type}) of component "${comp.name}" is not set`,
        hint: 'connect it to an upstream output or a pipeline input, or give it a value',
        task: taskId,
        port: portName,
        path: [...taskPath, 'inputs', portName],
      });
    }
  }
  for (const [portName, binding] of Object.entries(task.inputs)) {
    const path = [...taskPath, 'inputs', portName];
    const port = own(comp.inputs, portName);
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
    if (task.exitHandler && ('task' in binding || 'collect' in binding || 'oneOf' in binding) && isRequired(port)) {
      add({
        code: 'bad-exit-handler',
        message: `exit handler input "${portName}" is required but reads a task output, which is missing when that task failed`,
        hint: 'make the input optional, or pass pipeline inputs, constants or the run status (p.run.status)',
        task: taskId,
        port: portName,
        path,
      });
    }
    checkBinding(ctx, info, portName, port, binding, path, task.exitHandler === true);
  }
}

function checkLoop(ctx: Ctx, info: NodeInfo, node: LoopNodeSpec): void {
  const loop = node.loop;
  const path = [...info.path, 'loop', 'items'];
  const source = bindingPort(ctx, info.scope, loop.items, false);
  if (isUnreadable(source)) {
    ctx.add({ code: 'unknown-source', message: `loop items: ${source.why}`, hint: 'loop over a list: a literal list, a list pipeline input or a list output', task: info.id, path });
  } else if (!isListParam(source)) {
    ctx.add({
      code: 'not-a-list',
      message: `loop items must be a list, but ${describeBinding(loop.items)} is ${describePort(source)}`,
      hint: 'loop over a list parameter (list<...>), e.g. a pipeline input of type list<float> or a literal [0.1, 0.01]',
      task: info.id,
      path,
    });
  }
  if (Object.keys(loop.tasks).length === 0) {
    ctx.add({ code: 'schema', message: 'the loop body has no tasks', hint: 'add tasks to the loop body', task: info.id, path: [...info.path, 'loop', 'tasks'] });
  }
  for (const [outName, b] of Object.entries(loop.outputs)) {
    const target = ctx.index.nodes.get(b.task);
    const inBody = target && target.scope.length === info.scope.length + 1 && target.scope[info.scope.length] === info.id;
    const port = inBody ? outputPort(ctx, [...info.scope, info.id], b.task, b.output) : badScope(`task "${b.task}" is not in the body of loop "${info.id}"`);
    if (isUnreadable(port)) {
      ctx.add({ code: 'bad-output', message: `loop output "${outName}": ${port.why}`, hint: 'point it at an output of a task in the loop body', task: info.id, port: outName, path: [...info.path, 'loop', 'outputs', outName] });
    }
  }
}

function checkCondition(ctx: Ctx, info: NodeInfo, expr: Expr, path: (string | number)[] = [...info.path, 'when']): void {
  if (!isComparison(expr)) {
    if ('args' in expr) expr.args.forEach((a, i) => checkCondition(ctx, info, a, [...path, 'args', i]));
    else checkCondition(ctx, info, expr.arg, [...path, 'arg']);
    return;
  }
  const sides: string[] = [];
  for (const side of ['left', 'right'] as const) {
    const port = bindingPort(ctx, info.scope, expr[side], false);
    if (isUnreadable(port)) {
      ctx.add({ code: 'bad-condition', message: `condition ${side} side: ${port.why}`, hint: 'compare pipeline inputs, task parameter outputs, loop items or literals', task: info.id, path: [...path, side] });
      return;
    }
    if (port.kind !== 'parameter') {
      ctx.add({ code: 'bad-condition', message: `condition ${side} side is an artifact (${port.type}); conditions compare parameter values`, hint: 'compare a parameter output instead (e.g. a metric value)', task: info.id, path: [...path, side] });
      return;
    }
    sides.push(port.type);
  }
  const why = comparisonProblem(expr.op, sides[0] ?? 'json', sides[1] ?? 'json');
  if (why) {
    ctx.add({
      code: 'bad-condition',
      message: `condition ${describeBinding(expr.left)} ${expr.op} ${describeBinding(expr.right)} ${why}`,
      hint: 'compare values of the same type',
      task: info.id,
      path,
    });
  }
}

function isListParam(port: PortSpec): boolean {
  return port.kind === 'parameter' && port.type.startsWith('list<');
}

function describePort(port: PortSpec): string {
  if (port.kind === 'artifact') return port.list ? `a list of ${port.type}` : `an artifact (${port.type})`;
  return port.type;
}

function describeBinding(b: Binding): string {
  if ('const' in b) return JSON.stringify(b.const);
  if ('pipelineInput' in b) return `pipeline input "${b.pipelineInput}"`;
  if ('task' in b) return `output "${b.output}" of task "${b.task}"`;
  if ('loopItem' in b) return `the item of loop "${b.loopItem}"${b.field ? `.${b.field}` : ''}`;
  if ('collect' in b) return `collect(loop "${b.collect.loop}".${b.collect.output})`;
  if ('runStatus' in b) return `run ${b.runStatus}`;
  return 'oneOf(…)';
}

type Add = (i: Omit<ValidationIssue, 'pipeline'>) => void;

function checkNameRules(value: string, what: string, path: (string | number)[], add: Add, loc: { task?: string; port?: string }, strict: boolean): void {
  if (strict && RESERVED_NAMES.has(value)) {
    add({
      code: 'bad-name',
      message: `${what} "${value}" is reserved (__proto__, constructor and prototype cannot be names)`,
      hint: 'choose another name',
      ...loc,
      path,
    });
  } else if (!NAME_PATTERN.test(value)) {
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
  if (port.kind === 'parameter' && port.enum !== undefined && port.type !== 'string') {
    add({ code: 'schema', message: `"enum" is for string parameters; this one is ${port.type}`, hint: 'make the type string or drop "enum"', ...loc, path: [...path, 'enum'] });
  }
  if (port.kind === 'parameter' && port.enum !== undefined && port.default !== undefined && !port.enum.includes(port.default as string)) {
    add({ code: 'bad-value', message: `default ${JSON.stringify(port.default)} is not one of ${port.enum.join(', ')}`, hint: 'choose one of the listed values as the default', ...loc, path: [...path, 'default'] });
  }
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

/** Why a binding cannot be read where it is used, with the issue code that sentence belongs to. */
interface Unreadable {
  unreadable: 'unknown-source' | 'bad-scope' | 'type-mismatch';
  why: string;
}
const unknownSource = (why: string): Unreadable => ({ unreadable: 'unknown-source', why });
const badScope = (why: string): Unreadable => ({ unreadable: 'bad-scope', why });
function isUnreadable(p: PortSpec | Unreadable): p is Unreadable {
  return 'unreadable' in p;
}

/**
 * The spec of a task's output as seen from `scope`, or why it cannot be read there: outputs of
 * tasks inside a loop body are only visible inside that body (use collect()).
 */
function outputPort(ctx: Ctx, scope: string[], taskId: string, output: string): PortSpec | Unreadable {
  const info = ctx.index.nodes.get(taskId);
  if (!info) return unknownSource(`task "${taskId}" does not exist`);
  if (isLoopNode(info.node)) return badScope(`"${taskId}" is a loop; read its outputs with collect(), e.g. { "collect": { "loop": "${taskId}", "output": "${output}" } }`);
  if (!info.scope.every((s, i) => scope[i] === s) || info.scope.length > scope.length) {
    const loop = info.scope[info.scope.length - 1] ?? '';
    return badScope(`task "${taskId}" runs inside loop "${loop}", once per item; read its output from outside the loop with collect() over a loop output`);
  }
  const comp: ComponentSpec | undefined = own(ctx.spec.components, info.node.component);
  if (!comp) return unknownSource(`task "${taskId}" uses an unknown component`);
  const port = taskOutputPort(info.node, comp, output);
  if (!port) {
    return unknownSource(`task "${taskId}" (component "${comp.name}") has no output "${output}"; its outputs are: ${Object.keys(taskOutputPorts(info.node, comp)).join(', ') || '(none)'}`);
  }
  return port;
}

/** The port type a binding delivers when read in `scope`, or why it cannot be read there. */
function bindingPort(ctx: Ctx, scope: string[], binding: Binding, exitHandler: boolean): PortSpec | Unreadable {
  const { spec, index } = ctx;
  if ('const' in binding) return { kind: 'parameter', type: literalType(binding.const) };
  if ('pipelineInput' in binding) {
    const source = own(spec.inputs, binding.pipelineInput);
    if (!source) return unknownSource(`pipeline input "${binding.pipelineInput}" is not declared; declared: ${Object.keys(spec.inputs).join(', ') || '(none)'}`);
    return source;
  }
  if ('task' in binding) return outputPort(ctx, scope, binding.task, binding.output);
  if ('runStatus' in binding) {
    return exitHandler ? { kind: 'parameter', type: 'string' } : badScope(`the run's ${binding.runStatus} is only known to an exit handler`);
  }
  if ('loopItem' in binding) {
    if (!scope.includes(binding.loopItem)) {
      return badScope(`reads the item of loop "${binding.loopItem}", but is not inside that loop's body`);
    }
    const loopInfo = index.nodes.get(binding.loopItem);
    if (!loopInfo || !isLoopNode(loopInfo.node)) return badScope(`"${binding.loopItem}" is not a loop`);
    const items = bindingPort(ctx, loopInfo.scope, loopInfo.node.loop.items, false);
    if (isUnreadable(items) || items.kind !== 'parameter') return badScope(`loop "${binding.loopItem}" has bad items`);
    const m = /^list<(.*)>$/.exec(items.type);
    const itemType = m?.[1] ?? 'json';
    if (binding.field !== undefined) return { kind: 'parameter', type: binding.as ?? 'json' };
    return { kind: 'parameter', type: binding.as ?? itemType };
  }
  if ('collect' in binding) {
    const loopInfo = index.nodes.get(binding.collect.loop);
    if (!loopInfo || !isLoopNode(loopInfo.node)) return badScope(`collect() reads loop "${binding.collect.loop}", which is not a loop of this pipeline`);
    if (scope.includes(binding.collect.loop)) return badScope(`collect() of loop "${binding.collect.loop}" is used inside that loop's own body`);
    if (!loopInfo.scope.every((s, i) => scope[i] === s) || loopInfo.scope.length > scope.length) {
      return badScope(`loop "${binding.collect.loop}" is inside another loop's body and not visible here`);
    }
    const out = own(loopInfo.node.loop.outputs, binding.collect.output);
    if (!out) return badScope(`loop "${binding.collect.loop}" has no output "${binding.collect.output}"; its outputs are: ${Object.keys(loopInfo.node.loop.outputs).join(', ') || '(none)'}`);
    const inner = outputPort(ctx, [...loopInfo.scope, binding.collect.loop], out.task, out.output);
    // Whatever is wrong inside the loop, this binding reads across its scope: a scope problem here.
    if (isUnreadable(inner)) return badScope(inner.why);
    return inner.kind === 'parameter'
      ? { kind: 'parameter', type: `list<${inner.type}>` }
      : { kind: 'artifact', type: inner.type, list: true };
  }
  // oneOf: every option must be readable; the first option's type stands for all (checked below).
  const ports = binding.oneOf.map((b) => bindingPort(ctx, scope, b, exitHandler));
  const bad = ports.find(isUnreadable);
  if (bad !== undefined) return bad;
  const [first, ...rest] = ports as PortSpec[];
  if (!first) return unknownSource('oneOf() needs options');
  for (const other of rest) {
    const why = incompatibility(other, first);
    if (why) return { unreadable: 'type-mismatch', why: `oneOf() options have different types: ${why}` };
  }
  return first;
}


function checkBinding(
  ctx: Ctx,
  info: NodeInfo,
  portName: string,
  port: PortSpec,
  binding: Binding,
  path: (string | number)[],
  exitHandler: boolean,
): void {
  const taskId = info.id;
  const loc = { task: taskId, port: portName, path };
  const add = ctx.add;
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
    else if (port.enum !== undefined && !port.enum.includes(binding.const as string)) {
      add({ code: 'bad-value', message: `${JSON.stringify(binding.const)} is not one of ${port.enum.join(', ')}`, hint: `use one of: ${port.enum.join(', ')}`, ...loc });
    }
    return;
  }
  const source = bindingPort(ctx, info.scope, binding, exitHandler);
  if (isUnreadable(source)) {
    add({ code: source.unreadable, message: source.why, hint: 'connect it to an output that is visible from this task', ...loc });
    return;
  }
  const why = incompatibility(source, port);
  if (why) {
    add({
      code: 'type-mismatch',
      message: `${describeBinding(binding)}: ${why}`,
      hint: `connect an output of type ${port.kind === 'artifact' && port.list ? `list of ${port.type}` : port.type} instead`,
      ...loc,
    });
    return;
  }
  if (isRequired(port) && ('task' in binding || 'pipelineInput' in binding) && !isRequired(source) && !(source.kind === 'parameter' && source.default !== undefined)) {
    add({
      code: 'maybe-absent',
      message: `required input reads ${describeBinding(binding)}, which is optional and may have no value`,
      hint: 'give the source a default, make this input optional, or pass a value that is always set',
      ...loc,
    });
  }
  if ('loopItem' in binding && binding.field !== undefined) {
    const loop = ctx.index.nodes.get(binding.loopItem)?.node;
    const items = loop && isLoopNode(loop) && 'const' in loop.loop.items && Array.isArray(loop.loop.items.const) ? loop.loop.items.const : undefined;
    for (const [i, item] of (items ?? []).entries()) {
      const value = typeof item === 'object' && item !== null && !Array.isArray(item) ? own(item as Record<string, unknown>, binding.field) : undefined;
      const why = value === undefined ? `item ${i} (${JSON.stringify(item)}) has no "${binding.field}"` : binding.as ? safeMismatch(value, binding.as) : undefined;
      if (why) {
        add({ code: 'bad-value', message: `field "${binding.field}" of loop "${binding.loopItem}": ${why}`, hint: `give every item a "${binding.field}" of type ${binding.as ?? 'json'}`, ...loc });
        break;
      }
    }
  }
  if ('task' in binding) {
    const reader = info.node.when;
    const source = ctx.index.nodes.get(binding.task)?.node.when;
    if (reader && source && exclusiveConditions(reader, source)) {
      add({
        code: 'bad-scope',
        message: `reads ${describeBinding(binding)}, which never runs when this task runs (their conditions exclude each other: another branch of the same p.when)`,
        hint: 'read the output inside its own branch, or merge the branches with oneOf() after the p.when',
        ...loc,
      });
    }
  }
  if ('oneOf' in binding) {
    const guards = binding.oneOf.map((o) => ('task' in o ? { o, when: ctx.index.nodes.get(o.task)?.node.when } : undefined));
    for (const [i, a] of guards.entries()) {
      for (const b of guards.slice(i + 1)) {
        if (!a || !b) continue;
        const same = a.when === undefined ? b.when === undefined : b.when !== undefined && canonicalJson(a.when) === canonicalJson(b.when);
        if (same) {
          add({
            code: 'bad-scope',
            message: `oneOf(): ${describeBinding(a.o)} and ${describeBinding(b.o)} ${a.when === undefined ? 'both always run' : 'run under the same condition'}, so the first is always chosen`,
            hint: 'merge outputs of exclusive branches (p.when(…).else(…)); one of them is skipped in each run',
            ...loc,
          });
        }
      }
    }
  }
}

/** The conjuncts of a condition: `and(a, b)` → [a, b]. */
function conjuncts(e: Expr): Expr[] {
  return 'args' in e && e.op === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/** True when the two conditions can never hold together: one has `x`, the other `not(x)` or `not(or(…x…))`. */
export function exclusiveConditions(a: Expr, b: Expr): boolean {
  const key = (e: Expr): string => canonicalJson(e);
  const negated = (e: Expr): string[] => {
    if (e.op !== 'not' || !('arg' in e)) return [];
    const inner = e.arg;
    return 'args' in inner && inner.op === 'or' ? inner.args.map(key) : [key(inner)];
  };
  const as = conjuncts(a);
  const bs = conjuncts(b);
  const aKeys = new Set(as.map(key));
  const bKeys = new Set(bs.map(key));
  return bs.some((e) => negated(e).some((k) => aKeys.has(k))) || as.some((e) => negated(e).some((k) => bKeys.has(k)));
}

function safeMismatch(value: unknown, type: string): string | undefined {
  try {
    return valueMismatch(value, type);
  } catch (e) {
    return (e as Error).message;
  }
}

/** Upstream node ids of a top-level node (kept for callers that only see the top scope). */
export function taskDependencies(spec: PipelineSpec, taskId: string): string[] {
  return nodeDependencies(indexPipeline(spec), taskId);
}

/** Each cycle once, per scope, as a list of node ids (Tarjan's strongly connected components). */
function findCycles(pindex: PipelineIndex, selfEdges: boolean): string[][] {
  const deps = new Map<string, string[]>();
  for (const [id, info] of pindex.nodes) {
    // nodeDependencies leaves a node out of its own dependencies (what it waits for); reading its
    // own output is still a cycle, and without this edge the run skips the task and "succeeds".
    const readsItself = selfEdges && ownBindings(info.node).some((b) => referencedNodes(b).includes(id));
    deps.set(id, readsItself ? [...nodeDependencies(pindex, id), id] : nodeDependencies(pindex, id));
  }
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
    for (const w of deps.get(v) ?? []) {
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
      const selfLoop = scc.length === 1 && (deps.get(v) ?? []).includes(v);
      if (scc.length > 1 || selfLoop) cycles.push(scc.reverse());
    }
  };
  for (const id of pindex.nodes.keys()) if (!index.has(id)) visit(id);
  return cycles;
}
