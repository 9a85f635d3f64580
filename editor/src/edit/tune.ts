/**
 * Making a task a tuning study (its `tune` block, dsl/ir/tuneSpec.ts) and editing it, as pure IR
 * edits. Every tune block the editor writes is parsed with the IR's own `tuneSpecSchema` first, so
 * a field can never store a shape the IR refuses; what the schema cannot know (bounds, types of the
 * input, conditions) the validator reports, and `tuneFieldProblems` puts those at the field.
 */
import {
  isLoopNode,
  objectiveTasks,
  parseParamType,
  tuneSpecSchema,
  type Binding,
  type ComponentSpec,
  type NodeSpec,
  type ParamValue,
  type PipelineSpec,
  type PortSpec,
  type SearchParam,
  type TuneSpec,
  type ValidationIssue,
} from 'sluice/ir';
import type { EditResult } from './connect';
import { updateNode } from './nodeTree';

/** The component inputs a study may search: parameter inputs of a single (not list) type. */
export function searchableInputs(comp: ComponentSpec): string[] {
  return Object.entries(comp.inputs)
    .filter(([, p]) => p.kind === 'parameter' && parseParamType(p.type).kind !== 'list')
    .map(([name]) => name);
}

const constOf = (b: Binding | undefined): unknown => (b && 'const' in b ? b.const : undefined);

/**
 * A first distribution for an input, from its type and its current value: a choice of an enum's
 * values or of true/false, an integer range or a float range around the value. The person edits it.
 */
export function defaultSearchParam(port: PortSpec, current?: unknown): SearchParam {
  const param = port.kind === 'parameter' ? port : undefined;
  if (param?.enum?.length) return { type: 'choice', values: [...param.enum] };
  const type = param ? parseParamType(param.type) : undefined;
  const name = type?.kind === 'list' ? undefined : type?.name;
  const value = typeof current === 'number' && Number.isFinite(current) ? current : typeof param?.default === 'number' ? param.default : undefined;
  if (name === 'bool') return { type: 'choice', values: [true, false] };
  if (name === 'int') {
    const v = value !== undefined ? Math.round(value) : 1;
    return v >= 1 ? { type: 'intRange', low: Math.max(1, Math.floor(v / 2)), high: Math.max(2, v * 2) } : { type: 'intRange', low: v - 5, high: v + 5 };
  }
  if (name === 'float') {
    if (value !== undefined && value > 0) return { type: 'logUniform', low: value / 10, high: value * 10 };
    return { type: 'uniform', low: value !== undefined ? value - 1 : 0, high: value !== undefined ? value + 1 : 1 };
  }
  const v = typeof current === 'string' || typeof current === 'number' || typeof current === 'boolean' ? current : typeof param?.default === 'string' ? param.default : 'a';
  return { type: 'choice', values: [v] };
}

/** A value of the distribution (its low end, its first choice): what an input gets back when the study is undone. */
export function representativeValue(param: SearchParam): ParamValue | undefined {
  return param.type === 'choice' ? param.values[0] : param.low;
}

/** Parses a candidate tune block with the IR's schema: the block, or the first problem with its path ("maxTrials: …"). */
export function parseTune(candidate: unknown): { ok: true; tune: TuneSpec } | { ok: false; reason: string; path: (string | number)[] } {
  const r = tuneSpecSchema.safeParse(candidate);
  if (r.success) return { ok: true, tune: r.data };
  const issue = r.error.issues[0];
  const path = (issue?.path ?? []).filter((p): p is string | number => typeof p !== 'symbol');
  return { ok: false, reason: `${path.length ? `${path.join('.')}: ` : ''}${issue?.message ?? 'not a valid tune block'}`, path };
}

function taskOf(spec: PipelineSpec, taskId: string, node: NodeSpec): { comp: ComponentSpec } | { reason: string } {
  if (isLoopNode(node)) return { reason: `${taskId} is a loop; only a task can be a study` };
  const comp = spec.components[node.component];
  return comp ? { comp } : { reason: `task ${taskId} uses component "${node.component}", which the pipeline does not define` };
}

/**
 * Makes task `taskId` a study: its first searchable input that is not wired to another task is
 * searched (its value becomes the centre of a first range and its binding goes: the study sets it
 * per trial), random search, 10 trials, the objective `loss` to minimize. All of it is then edited in the form.
 */
export function makeStudy(spec: PipelineSpec, taskId: string, objectiveMetric = 'loss'): EditResult {
  let why: string | undefined;
  const next = updateNode(spec, taskId, (node) => {
    const t = taskOf(spec, taskId, node);
    if ('reason' in t) {
      why = t.reason;
      return node;
    }
    if (isLoopNode(node) || node.tune) return node;
    const candidates = searchableInputs(t.comp);
    const name = candidates.find((n) => node.inputs[n] === undefined || 'const' in (node.inputs[n])) ?? candidates[0];
    if (name === undefined) {
      why = `component "${t.comp.name}" has no parameter input to search`;
      return node;
    }
    const space = { [name]: defaultSearchParam(t.comp.inputs[name] as PortSpec, constOf(node.inputs[name])) };
    // A nested pipeline as the trial: its last task that can report the metric is the first guess.
    const objectiveTask = t.comp.impl.kind === 'pipeline' ? objectiveTasks(t.comp.impl.spec).at(-1) : undefined;
    const objective = { metric: objectiveMetric, ...(objectiveTask !== undefined ? { task: objectiveTask } : {}), goal: 'minimize' as const };
    const parsed = parseTune({ space, objective, algorithm: { name: 'random' }, maxTrials: 10 });
    if (!parsed.ok) {
      why = parsed.reason;
      return node;
    }
    const { [name]: _searched, ...inputs } = node.inputs;
    return { ...node, inputs, tune: parsed.tune };
  });
  return why !== undefined ? { ok: false, reason: why } : { ok: true, spec: next };
}

/** Makes a study a plain task again: each searched input gets a value of its distribution back. */
export function unmakeStudy(spec: PipelineSpec, taskId: string): PipelineSpec {
  return updateNode(spec, taskId, (node) => {
    if (isLoopNode(node) || !node.tune) return node;
    const { tune, ...rest } = node;
    const inputs = { ...node.inputs };
    for (const [name, param] of Object.entries(tune.space)) {
      const v = representativeValue(param);
      if (v !== undefined && inputs[name] === undefined) inputs[name] = { const: v };
    }
    return { ...rest, inputs };
  });
}

/**
 * Replaces the study's tune block with `candidate` after parsing it with the IR's schema; a
 * parameter newly in the space loses its input binding (the study sets it), one taken out of the
 * space keeps no binding (the validator then says it needs a value).
 */
export function setTune(spec: PipelineSpec, taskId: string, candidate: unknown): EditResult {
  const parsed = parseTune(candidate);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  let why: string | undefined;
  const next = updateNode(spec, taskId, (node) => {
    if (isLoopNode(node) || !node.tune) {
      why = `${taskId} is not a study`;
      return node;
    }
    const inputs = Object.fromEntries(Object.entries(node.inputs).filter(([port]) => !Object.hasOwn(parsed.tune.space, port)));
    return { ...node, inputs, tune: parsed.tune };
  });
  return why !== undefined ? { ok: false, reason: why } : { ok: true, spec: next };
}

/** The tune block with one search parameter set (added at the end, or replaced in place) or, with undefined, removed. */
export function withSearchParam(tune: TuneSpec, name: string, param: SearchParam | undefined): TuneSpec {
  if (param === undefined) {
    const { [name]: _gone, ...space } = tune.space;
    return { ...tune, space };
  }
  return { ...tune, space: { ...tune.space, [name]: param } };
}

/** The distribution of another type, keeping what carries over (bounds, the values as choices). */
export function changeParamType(param: SearchParam, type: SearchParam['type']): SearchParam {
  const when = param.when ? { when: param.when } : {};
  if (param.type === type) return param;
  if (type === 'choice') return { type, values: param.type === 'choice' ? param.values : [param.low, param.high], ...when };
  const [low, high] = param.type === 'choice' ? numericBounds(param.values) : [param.low, param.high];
  if (type === 'intRange') return { type, low: Math.round(low), high: Math.max(Math.round(high), Math.round(low) + 1), ...when };
  if (type === 'logUniform') return { type, low: low > 0 ? low : 1e-4, high: high > (low > 0 ? low : 1e-4) ? high : 1, ...when };
  return { type, low, high, ...when };
}

function numericBounds(values: readonly ParamValue[]): [number, number] {
  const nums = values.filter((v): v is number => typeof v === 'number');
  return nums.length >= 2 ? [Math.min(...nums), Math.max(...nums)] : [0, 1];
}

/**
 * Choice values from a field: comma-separated, each read as JSON where it is a number, true/false
 * or a quoted string, else as the bare text ("relu, tanh" → ["relu", "tanh"]).
 */
export function parseChoiceValues(text: string): ParamValue[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      try {
        const v: unknown = JSON.parse(s);
        if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
      } catch {
        // bare text: a string
      }
      return s;
    });
}

export const formatChoiceValues = (values: readonly ParamValue[]): string => values.map((v) => (typeof v === 'string' && !/^(true|false|-?[\d.]+(e-?\d+)?|".*")$/i.test(v) ? v : JSON.stringify(v))).join(', ');

/**
 * The validator's problems with this study, by the field they belong to: the key is the path
 * inside the tune block ("space.lr", "space.lr.when", "parallelTrials", "algorithm"; "" for the
 * block as a whole). Problems of the task that are not about its tune block are left out.
 */
export function tuneFieldProblems(issues: readonly ValidationIssue[], taskId: string): Map<string, string[]> {
  const byField = new Map<string, string[]>();
  for (const issue of issues) {
    if (issue.task !== taskId || issue.code !== 'bad-tune') continue;
    // The path is the task's own (…, taskId) then the block's ('tune', …).
    const at = issue.path.findIndex((p, i) => p === 'tune' && issue.path[i - 1] === taskId);
    const key = at === -1 ? '' : issue.path.slice(at + 1).join('.');
    byField.set(key, [...(byField.get(key) ?? []), issue.message]);
  }
  return byField;
}

/** What the canvas says of a study, e.g. "tpe · 40 trials, 4 at once · median stop". */
export function studySummary(tune: TuneSpec): string {
  const parts = [`${tune.algorithm.name} · ${tune.maxTrials} trial${tune.maxTrials === 1 ? '' : 's'}${tune.parallelTrials !== undefined && tune.parallelTrials > 1 ? `, ${tune.parallelTrials} at once` : ''}`];
  if (tune.earlyStopping) parts.push(`${tune.earlyStopping.rule} stop`);
  return parts.join(' · ');
}

/** The canvas badge of a study: its algorithm and trial budget, "tpe ×40". */
export const studyBadge = (tune: TuneSpec): string => `${tune.algorithm.name} ×${tune.maxTrials}`;

/** How a searched input reads on the canvas: "~ logUniform 0.0001..0.1", "~ choice of 3". */
export function searchText(param: SearchParam): string {
  if (param.type === 'choice') return `~ choice of ${param.values.length}`;
  return `~ ${param.type} ${param.low}..${param.high}${'step' in param && param.step !== undefined ? ` step ${param.step}` : ''}`;
}
