/**
 * A seeded generator of random *valid* pipeline IR for the code generator's round-trip test: tasks
 * of library components (sluice/components), of fixture components (recorded as `sluice compile`
 * records them: module only), of random command components, approval gates, nested pipelines;
 * loops (nested, with item fields and collect), `p.when` chains exactly as the DSL records them
 * (nested, elseIf, else), bare conditions as the editor would write them, oneOf, after, exit
 * handlers, execution-option overrides, editor positions, and awkward names and literals.
 */
import { mulberry32 } from '../../components/random';
import { evaluateClassifier, loadIris, selectBest, split, trainClassifier } from '../../components/index';
import { approval, command, type AnyComponent, type ExecutionOptionsInput, type PortMap } from '../../dsl/index';
import { API_VERSION, exclusiveConditions, isAssignable, pipelineDigest, type Binding, type LoopNodeSpec, type ComponentSpec, type Expr, type NodeSpec, type Operand, type PipelineSpec, type PortSpec, type TaskSpec } from '../../dsl/ir/index';
import * as controlFlow from '../fixtures/controlFlow';

export const FIXTURE_MODULE = './test/fixtures/controlFlow.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface Source {
  binding: Binding;
  port: PortSpec;
  /** The condition its task runs under (oneOf() merges outputs of tasks under different ones). */
  when?: Expr;
}

/** A source a required input cannot read: an optional output or pipeline input without a default. */
const maybeAbsent = (s: Source): boolean => s.port.optional === true && !(s.port.kind === 'parameter' && s.port.default !== undefined);

interface Scope {
  tasks: Record<string, NodeSpec>;
  /** Values visible here (copied into inner loop bodies, shared by branches of one scope). */
  sources: Source[];
  guards: Expr[];
  group?: string;
  loopDepth: number;
  chainDepth: number;
  top: boolean;
}

// (constructor, prototype and __proto__ are refused as names since issue 11; toString stays a legal, tricky id.)
const WEIRD_IDS = ['class', 'p', 't', 'pipeline', 'collect', 'toString', 'default', 'await', 'yield', 'let', 'eval', 'arguments', 'x-1', 'x_1', 'X1', 'item', 'ph', 'loadIris', 'split', 'Infinity'];
const WEIRD_STRINGS = ["it's", 'say "hi"', 'back\\slash', 'new\nline', 'tab\there', '`tick`', '${notATemplate}', 'ünïcödé ✓', '', ' ', '{{notAPlaceholder}}', '\u2028'];
const PORT_NAMES = ['data', 'class', 'my-port', 'x_1', 'in', 'new', 'value', 'n', 'Big'];

export class RandomPipelines {
  private readonly random: () => number;
  private commandCount = 0;
  private subCount = 0;

  constructor(seed: number) {
    this.random = mulberry32(seed);
  }

  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }

  // ---- literals -------------------------------------------------------------------------

  private literal(type: string): Json {
    const m = /^list<(.*)>$/.exec(type);
    if (m?.[1]) return Array.from({ length: this.int(4) }, () => this.literal(m[1] as string));
    switch (type) {
      case 'int':
        return this.int(200) - 50;
      case 'float':
        return this.chance(0.3) ? this.int(10) : Math.round(this.random() * 1000) / 100;
      case 'bool':
        return this.chance(0.5);
      case 'string':
        return this.chance(0.5) ? this.pick(WEIRD_STRINGS) : `s${this.int(100)}`;
      default:
        return this.json(2);
    }
  }

  private json(depth: number): Json {
    const k = this.int(depth > 0 ? 6 : 4);
    if (k === 0) return null;
    if (k === 1) return this.pick(WEIRD_STRINGS);
    if (k === 2) return this.int(1000) / (this.chance(0.5) ? 1 : 8);
    if (k === 3) return this.chance(0.5);
    if (k === 4) return Array.from({ length: this.int(3) }, () => this.json(depth - 1));
    const o: Record<string, Json> = {};
    for (let i = this.int(3); i > 0; i--) o[this.pick(['a', 'my-key', 'class', 'x y', "q'uote", '0', 'kind'])] = this.json(depth - 1);
    return o;
  }

  private paramType(): string {
    return this.pick(['int', 'float', 'string', 'bool', 'json', 'list<float>', 'list<int>', 'list<json>', 'list<list<int>>']);
  }

  private paramPort(type = this.paramType()): PortSpec {
    const port: PortSpec = { kind: 'parameter', type };
    if (this.chance(0.3)) port.default = this.literal(type);
    else if (this.chance(0.2)) port.optional = true;
    if (this.chance(0.2)) port.description = this.pick(WEIRD_STRINGS);
    return port;
  }

  private artifactPort(input: boolean): PortSpec {
    const port: PortSpec = { kind: 'artifact', type: this.pick(['Dataset', 'Model', 'Metrics', 'Markdown', 'Tokenizer', 'Artifact']) };
    if (input && this.chance(0.2)) port.optional = true;
    if (this.chance(0.2)) port.description = 'an artifact';
    return port;
  }

  // ---- components -----------------------------------------------------------------------

  private randomCommand(): ComponentSpec {
    const n = ++this.commandCount;
    const names = [...PORT_NAMES].sort(() => this.random() - 0.5);
    const inputs: PortMap = {};
    const outputs: PortMap = {};
    for (let i = this.int(3); i > 0; i--) {
      const name = names.pop() as string;
      inputs[name] = { spec: this.chance(0.6) ? this.paramPort() : this.artifactPort(true) } as PortMap[string];
    }
    for (let i = 1 + this.int(2); i > 0; i--) {
      const name = names.pop() as string;
      const spec: PortSpec = this.chance(0.5) ? { kind: 'parameter', type: this.pick(['int', 'float', 'string', 'list<float>', 'bool']) } : this.artifactPort(false);
      outputs[name] = { spec } as PortMap[string];
    }
    const argv = ['python3', this.pick(['train.py', 'scripts/x y.py', "it's.py"])];
    for (const [name, p] of Object.entries(inputs)) {
      if (this.chance(0.7)) argv.push(p.spec.kind === 'artifact' ? `{{inputPath:${name}}}` : this.chance(0.5) ? `--${name}={{inputValue:${name}}}` : `{{inputValue:${name}}}`);
    }
    for (const [name, p] of Object.entries(outputs)) {
      argv.push(p.spec.kind === 'artifact' ? `{{outputPath:${name}}}` : `--out=\`{{outputFile:${name}}}\`\${x}`);
    }
    if (this.chance(0.3)) argv.push(this.pick(WEIRD_STRINGS));
    const name = this.chance(0.1) ? 'label' : `cmd-${n}`;
    return command({
      name,
      ...(this.chance(0.2) ? { version: '2' } : {}),
      ...(this.chance(0.3) ? { description: this.pick(WEIRD_STRINGS) } : {}),
      ...(this.chance(0.2) ? { category: 'tools' } : {}),
      inputs,
      outputs,
      command: () => argv,
      ...(this.chance(0.3) ? { env: { A: 'x', 'MY-VAR': "it's" } } : {}),
      ...(this.chance(0.2) ? { workingDir: 'sub/dir' } : {}),
      ...(this.chance(0.3) ? { sources: ['train.py'] } : {}),
      ...this.executionOptions(),
    }).spec;
  }

  /** Component-level options as written in the DSL (durations as text, `cache: false`). */
  private executionOptions(): ExecutionOptionsInput {
    const o: ExecutionOptionsInput = {};
    if (this.chance(0.2)) o.resources = { cpu: 1, memory: 256 };
    if (this.chance(0.2)) o.retry = { maxAttempts: 2, initialInterval: '1s', maxInterval: '90s' };
    if (this.chance(0.2)) o.timeout = { attempt: '2h', heartbeat: 1500, queue: '5m' };
    if (this.chance(0.2)) o.cache = this.pick<ExecutionOptionsInput['cache']>([false, { maxAge: '1d' }, { enabled: true }]);
    return o;
  }

  private taskExecutionOptions(): Pick<TaskSpec, 'resources' | 'retry' | 'timeout' | 'cache'> {
    const o: Pick<TaskSpec, 'resources' | 'retry' | 'timeout' | 'cache'> = {};
    if (this.chance(0.15)) o.resources = this.pick([{ cpu: 2 }, { cpu: 0.5, memory: 512, gpu: 1, accelerator: 'nvidia-h100' }, {}]);
    if (this.chance(0.15)) o.retry = this.pick([{ maxAttempts: 1 }, { maxAttempts: 3, initialIntervalMs: 1500, backoffCoefficient: 1.5, maxIntervalMs: 60_000 }]);
    if (this.chance(0.15)) o.timeout = this.pick([{}, { attemptMs: 3_600_000 }, { attemptMs: 90_000, totalMs: 86_400_000, heartbeatMs: 250 }, { queueMs: 30_000 }]);
    if (this.chance(0.15)) o.cache = this.pick([{ enabled: false }, { maxAgeMs: 7_200_000 }, { enabled: true, maxAgeMs: 1000 }, {}, { enabled: false, maxAgeMs: 5 }]);
    return o;
  }

  private fixture(c: AnyComponent): ComponentSpec {
    // What `sluice compile` records for a component of the compiled file: the file, no export name.
    const spec = structuredClone(c.spec);
    if (spec.impl.kind === 'function') spec.impl.module = FIXTURE_MODULE;
    return spec;
  }

  // ---- pipelines ------------------------------------------------------------------------

  pipeline(nested = false): PipelineSpec {
    return new PipelineBuilder(this, nested).build();
  }

  /** A nested pipeline's component, as `p.task(subPipeline, …)` records it. */
  nestedComponent(): ComponentSpec {
    const sub = this.pipeline(true);
    sub.name = `sub-${++this.subCount}`;
    const outputs: Record<string, PortSpec> = {};
    for (const [name, b] of Object.entries(sub.outputs)) {
      const task = sub.dag.tasks[b.task] as TaskSpec;
      const port = sub.components[task.component]?.outputs[b.output] as PortSpec;
      outputs[name] = port.kind === 'parameter' ? { kind: 'parameter', type: port.type } : { kind: 'artifact', type: port.type };
    }
    // The DSL hashes the nested pipeline before compile() fills in the file's module.
    const unfilled = structuredClone(sub);
    for (const c of Object.values(unfilled.components)) if (c.impl.kind === 'function' && c.impl.module === FIXTURE_MODULE) delete c.impl.module;
    const spec: ComponentSpec = { name: sub.name, version: '1', category: 'pipeline', inputs: { ...sub.inputs }, outputs, impl: { kind: 'pipeline', spec: sub, digest: pipelineDigest(unfilled) } };
    if (sub.description !== undefined) spec.description = sub.description;
    return spec;
  }

  componentPool(top: boolean, nested: boolean): (() => ComponentSpec)[] {
    const pool: (() => ComponentSpec)[] = [
      () => loadIris.spec,
      () => split.spec,
      () => trainClassifier.spec,
      () => evaluateClassifier.spec,
      () => selectBest.spec,
      () => this.fixture(controlFlow.label),
      () => this.fixture(controlFlow.square),
      () => this.fixture(controlFlow.sum),
      () => this.fixture(controlFlow.writeText),
      () => this.fixture(controlFlow.concat),
      () => this.fixture(controlFlow.countChars),
      () => this.randomCommand(),
      () => this.randomCommand(),
    ];
    if (top && !nested) pool.push(() => approval.spec);
    if (!nested && this.chance(0.5)) pool.push(() => this.nestedComponent());
    return pool;
  }

  // Re-exported helpers for the builder.
  literalOf(type: string): Json {
    return this.literal(type);
  }
  newParamPort(): PortSpec {
    return this.paramPort();
  }
  newArtifactPort(): PortSpec {
    return this.artifactPort(true);
  }
  options(): Pick<TaskSpec, 'resources' | 'retry' | 'timeout' | 'cache'> {
    return this.taskExecutionOptions();
  }
  jsonValue(): Json {
    return this.json(2);
  }
}

/** Builds one pipeline: ids, components (keyed as the DSL keys them), scopes. */
class PipelineBuilder {
  private readonly ids = new Set<string>();
  private readonly components: Record<string, ComponentSpec> = {};
  private readonly refByKey = new Map<string, string>();
  private groupCounter = 0;
  private readonly inputs: Record<string, PortSpec> = {};
  private readonly pool: (() => ComponentSpec)[];
  private nodes = 0;

  constructor(
    private readonly r: RandomPipelines,
    private readonly nested: boolean,
  ) {
    this.pool = r.componentPool(true, nested);
  }

  private newId(base: string): string {
    const weird = this.r.chance(0.25) ? this.r.pick(WEIRD_IDS) : undefined;
    if (weird && !this.ids.has(weird)) {
      this.ids.add(weird);
      return weird;
    }
    if (this.r.chance(0.5)) {
      // The id the DSL would pick by itself.
      let id = base;
      for (let n = 2; this.ids.has(id); n++) id = `${base}-${n}`;
      this.ids.add(id);
      return id;
    }
    let id = `n${this.ids.size}`;
    for (let n = 2; this.ids.has(id); n++) id = `n${this.ids.size}-${n}`;
    this.ids.add(id);
    return id;
  }

  /** The ref the DSL gives a component the first time a task uses it. */
  private refFor(c: ComponentSpec): string {
    const key = `${c.name}@${c.version}:${c.impl.digest}`;
    const existing = this.refByKey.get(key);
    if (existing) return existing;
    let ref = c.name;
    for (let n = 2; ref in this.components; n++) ref = `${c.name}-${n}`;
    this.refByKey.set(key, ref);
    this.components[ref] = c;
    return ref;
  }

  build(): PipelineSpec {
    const r = this.r;
    for (let i = r.int(4); i > 0; i--) {
      const name = r.pick(['epochs', 'lr', 'my-input', 'class', 'mode', 'xs', 'doc', 'grid']);
      this.inputs[name] = r.chance(0.15) ? { kind: 'artifact', type: r.pick(['Dataset', 'Markdown']) } : r.newParamPort();
    }
    const sources: Source[] = Object.entries(this.inputs).map(([k, port]) => ({ binding: { pipelineInput: k }, port }));
    const top: Scope = { tasks: {}, sources, guards: [], loopDepth: 0, chainDepth: 0, top: true };
    for (let i = 1 + r.int(5); i > 0; i--) this.node(top);
    if (this.nodes === 0) this.task(top, true);
    if (!this.nested && r.chance(0.3)) this.exitHandler(top);
    const outputs: PipelineSpec['outputs'] = {};
    const candidates = Object.entries(top.tasks).filter((e): e is [string, TaskSpec] => 'component' in e[1] && !e[1].exitHandler);
    for (let i = r.int(3); i > 0 && candidates.length > 0; i--) {
      const [id, task] = r.pick(candidates);
      const outs = Object.keys(this.components[task.component]?.outputs ?? {});
      if (outs.length > 0) outputs[r.pick(['model', 'result', 'my-output', 'class'])] = { task: id, output: r.pick(outs) };
    }
    const spec: PipelineSpec = {
      apiVersion: API_VERSION,
      name: r.pick(['random', 'rand-om', 'R_1']),
      inputs: this.inputs,
      outputs,
      components: this.components,
      dag: { tasks: top.tasks },
    };
    if (r.chance(0.3)) spec.description = r.pick(WEIRD_STRINGS);
    if (r.chance(0.2)) spec.ui = r.chance(0.8) ? { viewport: { x: r.int(100), y: -r.int(100), zoom: 1.25 } } : {};
    return spec;
  }

  private node(scope: Scope): void {
    const r = this.r;
    const k = r.int(10);
    if (k < 6) this.task(scope, false);
    else if (k < 8 && scope.loopDepth < 2) this.loop(scope);
    else if (k < 9 && scope.chainDepth < 2) this.chain(scope);
    // Bare conditions (as the editor writes them) outside p.when blocks.
    else this.task(scope, false, scope.group === undefined);
  }

  private decorate(scope: Scope, node: NodeSpec, editorWhen: boolean): void {
    const r = this.r;
    if (scope.guards.length > 0) node.when = scope.guards.length === 1 ? scope.guards[0] : { op: 'and', args: [...scope.guards] };
    if (editorWhen) {
      const cond = this.condition(scope);
      if (cond) node.when = cond;
    }
    const siblings = Object.keys(scope.tasks).filter((id) => !('exitHandler' in (scope.tasks[id] as NodeSpec)));
    if (siblings.length > 0 && r.chance(0.2)) node.after = [...new Set([r.pick(siblings), r.pick(siblings)])];
    const ui: NonNullable<NodeSpec['ui']> = {};
    if (r.chance(0.5)) {
      ui.x = r.int(1000) - 100;
      ui.y = r.chance(0.5) ? r.int(800) : r.int(800) + 0.5;
    }
    if (r.chance(0.2)) ui.label = r.pick(WEIRD_STRINGS);
    if (r.chance(0.1)) ui.collapsed = r.chance(0.5);
    if (scope.group !== undefined) ui.group = scope.group;
    else if (editorWhen && r.chance(0.3)) ui.group = `when-${50 + r.int(5)}.${r.pick(['0', '1', 'else'])}`;
    if (Object.keys(ui).length > 0 || r.chance(0.05)) node.ui = ui;
  }

  /** A random comparison (or combination) over the parameters visible in `scope`. */
  private condition(scope: Scope, depth = 0): Expr | undefined {
    const r = this.r;
    if (depth < 2 && r.chance(0.25)) {
      const a = this.condition(scope, depth + 1);
      const b = this.condition(scope, depth + 1);
      if (!a || !b) return a ?? b;
      return r.pick<Expr>([{ op: 'and', args: [a, b] }, { op: 'or', args: [a] }, { op: 'not', arg: a }, { op: 'or', args: [a, b, a] }]);
    }
    const operands = scope.sources.filter(
      (s): s is Source & { binding: Operand } =>
        s.port.kind === 'parameter' && ('pipelineInput' in s.binding || 'task' in s.binding || 'loopItem' in s.binding) && /^(int|float|string|bool|json)$/.test(s.port.type),
    );
    if (operands.length === 0) return r.chance(0.5) ? { op: 'eq', left: { const: 1 }, right: { const: 1 } } : undefined;
    const left = r.pick(operands);
    const type = left.port.kind === 'parameter' ? left.port.type : 'json';
    const ordered = type === 'int' || type === 'float' || type === 'string';
    const op = ordered ? r.pick(['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) : r.pick(['eq', 'ne'] as const);
    const right: Operand = { const: type === 'json' ? r.jsonValue() : r.literalOf(type === 'int' ? 'int' : type) };
    return r.chance(0.5) ? { op, left: left.binding, right } : { op, left: right, right: left.binding };
  }

  /** A binding for `port` from the sources (or a literal), or undefined when nothing fits. */
  private bindingFor(scope: Scope, port: PortSpec, exitHandler: boolean): Binding | undefined {
    const r = this.r;
    const required = !port.optional && !(port.kind === 'parameter' && port.default !== undefined);
    const guard: Expr | undefined = scope.guards.length > 0 ? { op: 'and', args: scope.guards } : undefined;
    const fits = scope.sources.filter(
      (s) =>
        isAssignable(s.port, port) &&
        !(exitHandler && ('task' in s.binding || 'collect' in s.binding)) &&
        !(required && maybeAbsent(s)) &&
        !(guard && s.when && exclusiveConditions(guard, s.when)),
    );
    if (port.kind === 'parameter' && (fits.length === 0 || r.chance(0.3))) return { const: r.literalOf(port.type) };
    if (fits.length === 0) return undefined;
    const same = fits.filter((s) => ('task' in s.binding || 'pipelineInput' in s.binding) && JSON.stringify(s.port) === JSON.stringify(fits[0]?.port));
    const first = same[0];
    // oneOf() over two tasks that run under the same condition (or none) always picks the first.
    const second = same.find((s) => s !== first && JSON.stringify(s.when ?? null) !== JSON.stringify(first?.when ?? null));
    if (!exitHandler && first && second && r.chance(0.15)) {
      return { oneOf: [first.binding, second.binding] as { task: string; output: string }[] };
    }
    return r.pick(fits).binding;
  }

  private task(scope: Scope, force: boolean, editorWhen = false): void {
    const r = this.r;
    for (let attempt = 0; attempt < 10; attempt++) {
      let comp = r.pick(this.pool)();
      if (comp.impl.kind === 'approval' && !scope.top) comp = r.pick(this.pool)();
      if (comp.impl.kind === 'approval' && !scope.top) continue;
      const inputs: Record<string, Binding> = {};
      let ok = true;
      for (const [name, port] of Object.entries(comp.inputs)) {
        const required = !port.optional && !(port.kind === 'parameter' && port.default !== undefined);
        if (!required && r.chance(0.5)) continue;
        const b = this.bindingFor(scope, port, false);
        if (b) inputs[name] = b;
        else if (required) ok = false;
      }
      if (!ok) continue;
      // The validator checks an approval's literal deadline: give it a real duration.
      if (comp.impl.kind === 'approval' && inputs.deadline && 'const' in inputs.deadline) inputs.deadline = { const: r.pick(['30m', '2h', '1d']) };
      this.add(scope, comp, inputs, editorWhen, false);
      return;
    }
    if (force) this.add(scope, loadIris.spec, {}, false, false);
  }

  private add(scope: Scope, comp: ComponentSpec, inputs: Record<string, Binding>, editorWhen: boolean, exitHandler: boolean): string {
    const id = this.newId(comp.name);
    const task: TaskSpec = { component: this.refFor(comp), inputs, ...this.r.options() };
    if (exitHandler) task.exitHandler = true;
    this.decorate(scope, task, editorWhen);
    scope.tasks[id] = task;
    this.nodes++;
    if (!exitHandler) for (const [name, port] of Object.entries(comp.outputs)) scope.sources.push({ binding: { task: id, output: name }, port, ...(task.when ? { when: task.when } : {}) });
    return id;
  }

  private exitHandler(scope: Scope): void {
    const report = this.r.chance(0.5) ? this.r.pick(this.pool)() : this.fixtureReport();
    if (report.impl.kind === 'approval') return;
    const inputs: Record<string, Binding> = {};
    for (const [name, port] of Object.entries(report.inputs)) {
      const required = !port.optional && !(port.kind === 'parameter' && port.default !== undefined);
      if (port.kind === 'parameter' && port.type === 'string' && this.r.chance(0.7)) {
        inputs[name] = { runStatus: this.r.pick(['status', 'error', 'failedTask'] as const) };
        continue;
      }
      if (!required && this.r.chance(0.5)) {
        // Optional inputs of an exit handler may read task outputs (missing when the task failed).
        const b = this.bindingFor(scope, port, false);
        if (b && !('oneOf' in b)) inputs[name] = b;
        continue;
      }
      const b = this.bindingFor(scope, port, true);
      if (!b) return;
      if (required || this.r.chance(0.5)) inputs[name] = b;
    }
    this.add({ ...scope, guards: [] }, report, inputs, this.r.chance(0.3), true);
  }

  private fixtureReport(): ComponentSpec {
    const spec = structuredClone(controlFlow.report.spec);
    if (spec.impl.kind === 'function') spec.impl.module = FIXTURE_MODULE;
    return spec;
  }

  private loop(scope: Scope): void {
    const r = this.r;
    const lists = scope.sources.filter((s) => s.port.kind === 'parameter' && s.port.type.startsWith('list<') && !('collect' in s.binding) && !('oneOf' in s.binding));
    let items: Source;
    if (lists.length > 0 && r.chance(0.6)) items = r.pick(lists);
    else if (r.chance(0.5)) items = { binding: { const: [1, 2, 3].slice(0, 1 + r.int(3)) }, port: { kind: 'parameter', type: 'list<int>' } };
    else items = { binding: { const: [{ lr: 0.1, units: 4, xs: [1.5] }, { lr: 0.2, units: 8, xs: [] }] }, port: { kind: 'parameter', type: 'list<json>' } };
    const id = this.newId('for-each');
    const body: Record<string, NodeSpec> = {};
    const node: LoopNodeSpec = { loop: { items: items.binding as LoopNodeSpec['loop']['items'], tasks: body, outputs: {} } };
    if (r.chance(0.3)) node.loop.parallelism = 1 + r.int(4);
    if (r.chance(0.2)) node.loop.minSuccessRatio = r.pick([0, 0.5, 0.75, 1]);
    this.decorate(scope, node, false);
    scope.tasks[id] = node;
    this.nodes++;
    const itemType = items.port.kind === 'parameter' ? (/^list<(.*)>$/.exec(items.port.type)?.[1] ?? 'json') : 'json';
    const inner: Scope = {
      tasks: body,
      sources: [
        ...scope.sources,
        { binding: { loopItem: id }, port: { kind: 'parameter', type: itemType } },
        // Fields of json items only (the validator checks them against a literal list's values).
        ...(itemType === 'json'
          ? ([
              { binding: { loopItem: id, field: 'lr', as: 'float' }, port: { kind: 'parameter', type: 'float' } },
              { binding: { loopItem: id, field: 'units', as: 'int' }, port: { kind: 'parameter', type: 'int' } },
              { binding: { loopItem: id, field: 'xs', as: 'list<float>' }, port: { kind: 'parameter', type: 'list<float>' } },
            ] satisfies Source[])
          : []),
      ],
      guards: [],
      loopDepth: scope.loopDepth + 1,
      chainDepth: 0,
      top: false,
    };
    const before = this.nodes;
    for (let i = 1 + r.int(3); i > 0; i--) this.node(inner);
    if (this.nodes === before || !Object.values(body).some((n) => 'component' in n)) this.task(inner, true);
    const bodyTasks = Object.entries(body).filter((e): e is [string, TaskSpec] => 'component' in e[1]);
    for (let i = r.int(3); i > 0; i--) {
      const [taskId, task] = r.pick(bodyTasks);
      const outs = Object.entries(this.components[task.component]?.outputs ?? {});
      if (outs.length === 0) continue;
      const [output, port] = r.pick(outs);
      const name = r.pick(['y', 'model', 'my-out', 'score']);
      if (name in node.loop.outputs) continue;
      node.loop.outputs[name] = { task: taskId, output };
      scope.sources.push({
        binding: { collect: { loop: id, output: name } },
        port: port.kind === 'parameter' ? { kind: 'parameter', type: `list<${port.type}>` } : { kind: 'artifact', type: port.type, list: true },
      });
    }
  }

  /** p.when(c0, …).elseIf(c1, …).else(…) as the DSL records it: guards and `ui.group`. */
  private chain(scope: Scope): void {
    const r = this.r;
    const n = ++this.groupCounter;
    const conds: Expr[] = [];
    const count = 1 + r.int(2);
    // A branch reads nothing made in its sibling branches (those never run together: the validator refuses it).
    const added: Source[] = [];
    const branch = (guard: Expr, key: string): void => {
      const sources = [...scope.sources];
      const inner: Scope = { ...scope, sources, guards: [...scope.guards, guard], group: `when-${n}.${key}`, chainDepth: scope.chainDepth + 1 };
      const before = sources.length;
      for (let i = 1 + r.int(2); i > 0; i--) this.node(inner);
      if (sources !== scope.sources) added.push(...sources.slice(before));
    };
    for (let i = 0; i < count; i++) {
      const c = this.condition(scope) ?? { op: 'eq', left: { const: 'a' }, right: { const: 'b' } };
      const guard: Expr = i === 0 ? c : { op: 'and', args: [...conds.map((e): Expr => ({ op: 'not', arg: e })), c] };
      branch(guard, String(i));
      conds.push(c);
    }
    if (r.chance(0.5)) {
      const guard: Expr = conds.length === 1 ? { op: 'not', arg: conds[0] as Expr } : { op: 'not', arg: { op: 'or', args: conds } };
      branch(guard, 'else');
    }
    scope.sources.push(...added);
  }
}
