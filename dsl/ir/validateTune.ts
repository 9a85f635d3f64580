/**
 * Checks of a study's `tune` block (dsl/ir/tuneSpec.ts) against its trial component: every
 * searched parameter is a parameter input of the component that no binding also sets, its values
 * fit the input's type, its bounds make sense, and conditions name an earlier `choice`.
 */
import { isLoopNode } from './graph';
import type { ComponentSpec, PipelineSpec, PortSpec } from './schema';
import type { SearchParam } from './tuneSpace';
import type { TuneSpec } from './tuneSpec';
import { TUNE_OUTPUTS } from './tuneSpec';
import { parseParamType, valueMismatch } from './portTypes';

export interface TuneIssue {
  message: string;
  hint: string;
  port?: string;
  /** Relative to the task node. */
  path: (string | number)[];
}

/** Why values of `param` cannot go into an input of type `type` (undefined: they fit). */
export function spaceTypeProblem(param: SearchParam, port: PortSpec): string | undefined {
  if (port.kind !== 'parameter') return `is an artifact input (${port.type}); only parameter inputs can be searched`;
  const type = parseParamType(port.type);
  if (type.kind === 'list') return `goes into a ${port.type} input; a search space draws single values`;
  if (type.name === 'json') return undefined;
  switch (param.type) {
    case 'uniform':
    case 'logUniform':
      if (type.name === 'float') return undefined;
      if (type.name === 'int') return `draws floats (${param.type}) but the input is int; use tune.intRange(low, high) instead`;
      return `draws numbers (${param.type}) but the input is ${type.name}`;
    case 'intRange':
      return type.name === 'int' || type.name === 'float' ? undefined : `draws integers (intRange) but the input is ${type.name}`;
    case 'choice': {
      for (const v of param.values) {
        const why = valueMismatch(v, port.type);
        if (why) return `choice value ${JSON.stringify(v)} does not fit the ${port.type} input: ${why}`;
        if (port.enum && typeof v === 'string' && !port.enum.includes(v)) return `choice value ${JSON.stringify(v)} is not one of the input's values ${port.enum.join(', ')}`;
      }
      return undefined;
    }
  }
}

function boundsProblem(param: SearchParam): string | undefined {
  switch (param.type) {
    case 'choice':
      if (param.values.length === 0) return 'is an empty choice: there is nothing to try';
      if (new Set(param.values.map((v) => JSON.stringify(v))).size !== param.values.length) return 'lists a choice value twice';
      return undefined;
    case 'logUniform':
      if (!(param.low > 0)) return `is logUniform with a non-positive bound (low ${param.low}); a log scale needs low > 0`;
      break;
    case 'intRange':
      if (param.log && !(param.low > 0)) return `is a log-scaled intRange with low ${param.low}; a log scale needs low ≥ 1`;
      break;
    case 'uniform':
      break;
  }
  if (!(param.low < param.high)) return `has low ${param.low} ≥ high ${param.high}; low must be below high`;
  if ('step' in param && param.step !== undefined && param.step > param.high - param.low) return `has a step ${param.step} larger than its range ${param.low}..${param.high}`;
  return undefined;
}

export function checkTuneSpec(tune: TuneSpec, comp: ComponentSpec, boundInputs: Record<string, unknown>): TuneIssue[] {
  const issues: TuneIssue[] = [];
  const names = Object.keys(tune.space);
  if (names.length === 0) issues.push({ message: 'the search space is empty', hint: 'name at least one input to search, e.g. space: { lr: tune.logUniform(1e-4, 1e-1) }', path: ['tune', 'space'] });
  for (const [i, [name, param]] of Object.entries(tune.space).entries()) {
    const path = ['tune', 'space', name];
    const port = Object.hasOwn(comp.inputs, name) ? comp.inputs[name] : undefined;
    if (!port) {
      issues.push({ message: `search parameter "${name}" is not an input of component "${comp.name}"`, hint: `search one of its inputs: ${Object.keys(comp.inputs).join(', ') || '(none)'}`, port: name, path });
      continue;
    }
    if (Object.hasOwn(boundInputs, name)) {
      issues.push({ message: `search parameter "${name}" is also set in the task's inputs`, hint: 'remove it from the inputs (the study sets it per trial) or from the space', port: name, path });
    }
    const bounds = boundsProblem(param);
    if (bounds) issues.push({ message: `search parameter "${name}" ${bounds}`, hint: 'fix the range of this parameter', port: name, path });
    const typeWhy = spaceTypeProblem(param, port);
    if (typeWhy) issues.push({ message: `search parameter "${name}" ${typeWhy}`, hint: `give "${name}" a distribution of the input's type (${port.type})`, port: name, path });
    if (param.when) {
      const j = names.indexOf(param.when.param);
      const cond = j >= 0 ? tune.space[param.when.param] : undefined;
      if (!cond || j >= i || cond.type !== 'choice') {
        issues.push({
          message: `search parameter "${name}" exists only when "${param.when.param}" takes certain values, but "${param.when.param}" is not a choice listed before it`,
          hint: 'condition on a choice parameter that comes earlier in the space',
          port: name,
          path: [...path, 'when'],
        });
      } else {
        const bad = param.when.in.find((v) => !cond.values.some((c) => c === v));
        if (bad !== undefined) issues.push({ message: `search parameter "${name}": condition value ${JSON.stringify(bad)} is not one of "${param.when.param}"'s choices`, hint: `use values of ${JSON.stringify(cond.values)}`, port: name, path: [...path, 'when', 'in'] });
      }
    }
  }
  if (tune.parallelTrials !== undefined && tune.parallelTrials > tune.maxTrials) {
    issues.push({ message: `parallelTrials ${tune.parallelTrials} is more than maxTrials ${tune.maxTrials}`, hint: 'lower parallelTrials or raise maxTrials', path: ['tune', 'parallelTrials'] });
  }
  if (tune.algorithm.name === 'grid' && names.some((n) => tune.space[n]?.type === 'uniform' && tune.space[n].step === undefined || tune.space[n]?.type === 'logUniform')) {
    issues.push({ message: 'grid search needs a finite grid; a continuous uniform or logUniform parameter has none', hint: 'give uniform parameters a step, use choice/intRange, or use random or tpe', path: ['tune', 'algorithm'] });
  }
  if (comp.impl.kind === 'pipeline') issues.push(...objectiveTaskIssues(tune, comp.impl.spec));
  else if (comp.impl.kind !== 'function' && comp.impl.kind !== 'command') {
    issues.push({ message: `a study's trial must be a function or command component or a nested pipeline; "${comp.name}" is a ${comp.impl.kind}`, hint: 'tune a component or a pipeline', path: ['component'] });
  } else if (tune.objective.task !== undefined) {
    issues.push({
      message: `the objective names task "${tune.objective.task}", but the trial is the component "${comp.name}", which reports the metric itself`,
      hint: 'remove objective.task (it is for a nested pipeline as the trial)',
      path: ['tune', 'objective', 'task'],
    });
  }
  for (const out of Object.keys(TUNE_OUTPUTS)) {
    if (Object.hasOwn(comp.outputs, out)) {
      issues.push({ message: `component "${comp.name}" has an output "${out}", a name the study uses for its own output`, hint: `rename the component's output "${out}"`, port: out, path: ['component'] });
    }
  }
  return issues;
}

/**
 * A nested pipeline as the trial: the objective names the inner task that reports the metric, a
 * task of the pipeline's top level that runs a function or command component (its metrics are
 * the trial's values; a loop or nested pipeline records none of its own).
 */
function objectiveTaskIssues(tune: TuneSpec, spec: PipelineSpec): TuneIssue[] {
  const task = tune.objective.task;
  const path = ['tune', 'objective', 'task'];
  const tasks = objectiveTasks(spec);
  const which = `its tasks that can report it: ${tasks.join(', ') || '(none)'}`;
  if (task === undefined) {
    return [{ message: `the trial is the nested pipeline "${spec.name}", but the objective does not say which of its tasks reports the metric "${tune.objective.metric}"`, hint: `add objective.task; ${which}`, path }];
  }
  const node = Object.hasOwn(spec.dag.tasks, task) ? spec.dag.tasks[task] : undefined;
  if (!node) return [{ message: `the objective's task "${task}" is not a task of the nested pipeline "${spec.name}"`, hint: `name one of ${which}`, path }];
  const kind = isLoopNode(node) ? 'a loop' : node.tune ? 'a study' : spec.components[node.component]?.impl.kind;
  if (kind !== 'function' && kind !== 'command') {
    return [{ message: `the objective's task "${task}" of the nested pipeline "${spec.name}" is ${kind === 'pipeline' ? 'a nested pipeline' : kind === 'approval' ? 'an approval gate' : kind ?? 'unknown'}, which reports no metrics of its own`, hint: `name one of ${which}`, path }];
  }
  return [];
}

/** The tasks of a nested pipeline that can report a study's objective (in IR order): its top-level function/command tasks, not studies themselves. */
export function objectiveTasks(spec: PipelineSpec): string[] {
  return Object.entries(spec.dag.tasks)
    .filter(([, n]) => !isLoopNode(n) && !n.tune && ['function', 'command'].includes(spec.components[n.component]?.impl.kind ?? ''))
    .map(([id]) => id);
}
