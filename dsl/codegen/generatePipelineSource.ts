/**
 * IR → TypeScript: writes a pipeline file that `compile()` turns back into the same IR (the same
 * digest, and the same `ui`). The editor shows it as the code of a canvas; `sluice export-ts`
 * writes it to disk. Browser-safe: no Node APIs.
 *
 * Where the IR holds something the DSL cannot write, it throws a `CodegenError` that names the
 * pipeline, the task or component, and what to change — it never drops anything silently.
 */
import { canonicalJson } from '../ir/digest';
import { indexPipeline, isLoopNode, type PipelineIndex } from '../ir/graph';
import { formatIssue, validatePipeline } from '../ir/validate';
import type { SearchParam } from '../ir/tuneSpace';
import type { TuneSpec } from '../ir/tuneSpec';
import type { Binding, ComponentSpec, Expr, LoopNodeSpec, NodeSpec, Operand, PipelineSpec, TaskSpec } from '../ir/schema';
import { CodegenError } from './CodegenError';
import { ModuleScope, type ComponentImport } from './components';
import { planScope, type Container, type PlanChain, type PlanNode, type PlanUnit, type ScopePlan } from './plan';
import { portMapCode, executionOptionEntries } from './ports';
import { arrayCode, callCode, camelCase, INDENT, jsonCode, MAX_LINE, member, NameAllocator, numberLiteral, objectCode, stringLiteral, text, type Code } from './syntax';

export interface GeneratePipelineSourceOptions {
  /**
   * Where the generated file will live, relative to the project root (e.g. `pipelines/iris.ts`).
   * Components recorded with a project-relative module (`./examples/iris.ts`, as `sluice compile`
   * records them) are imported relative to it. Default: a file at the project root.
   */
  fromFile?: string;
  /**
   * Where to import a function component from when its IR lacks `module` or `export` (components
   * defined in a pipeline file record only the file). `sluice export-ts` finds the export by code digest.
   */
  resolveComponent?: (component: ComponentSpec, ref: string) => ComponentImport | undefined;
  /** A comment for the top of the file (one or more lines, without comment markers). */
  header?: string;
  /** The DSL's module specifier (default `sluice/dsl`). */
  dslModule?: string;
}

/** Writes `spec` as a TypeScript pipeline file whose default export compiles back to `spec`. */
export function generatePipelineSource(spec: PipelineSpec, options: GeneratePipelineSourceOptions = {}): string {
  const result = validatePipeline(spec);
  if (!result.ok) {
    const name = typeof (spec as { name?: unknown }).name === 'string' ? spec.name : '<unnamed>';
    throw new CodegenError(
      `pipeline "${name}" is not valid IR, so no code can be written for it; fix these first:\n${result.issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`,
    );
  }
  const scope: ModuleScope = new ModuleScope(
    { fromFile: options.fromFile, resolveComponent: options.resolveComponent, dslModule: options.dslModule ?? 'sluice/dsl' },
    (nested) => new PipelineWriter(nested, scope).code(),
  );
  scope.declareComponents(spec);
  const main = new PipelineWriter(spec, scope).code();
  const head = 'export default ';
  const body = `${head}${main('', head.length)};`;
  const parts: string[] = [];
  if (options.header !== undefined) parts.push(`/**\n${options.header.split('\n').map((l) => ` * ${l}`.trimEnd()).join('\n')}\n */`);
  const imports = scope.importLines();
  if (imports.length > 0) parts.push(imports.join('\n'));
  const declarations = scope.declarations.filter((d) => d !== '');
  if (declarations.length > 0) parts.push(declarations.join('\n\n'));
  parts.push(body);
  return `${parts.join('\n\n')}\n`;
}

/** Code for a `const`-free JSON value that the DSL would take for a reference or loop output. */
function looksLikeRef(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'loopOutput' || ('binding' in value && (kind === 'parameter' || kind === 'artifact'));
}

/** Writes one pipeline (top level or nested): `pipeline({...}, (p) => {...})`. */
class PipelineWriter {
  private readonly index: PipelineIndex;
  private readonly order = new Map<string, number>();
  private readonly names: NameAllocator;
  private readonly handles = new Map<string, string>();
  private readonly items = new Map<string, string>();
  private readonly plan: ScopePlan;
  /** Nodes whose id differs from the one the DSL would give: they get an `id` option. */
  private readonly explicitIds = new Set<string>();
  /** The number `p.when` gives each chain, in the order the generated code calls it. */
  private readonly chainNumbers = new Map<PlanChain, number>();
  private readonly where: string;

  constructor(
    private readonly spec: PipelineSpec,
    private readonly module: ModuleScope,
  ) {
    this.where = `pipeline "${spec.name}"`;
    this.index = indexPipeline(spec);
    this.names = new NameAllocator(module.names.names());
    let i = 0;
    for (const [id, info] of this.index.nodes) {
      this.order.set(id, i++);
      const loop = isLoopNode(info.node);
      this.handles.set(id, this.names.allocate(camelCase(id), loop ? 'Loop' : 'Task'));
      if (loop) this.items.set(id, this.names.allocate(`${camelCase(id)}Item`));
    }
    this.plan = planScope(this.index, Object.keys(spec.dag.tasks), Object.values(spec.outputs).map((o) => o.task), this.order);
    this.simulate();
  }

  private node(id: string): NodeSpec {
    const info = this.index.nodes.get(id);
    if (!info) throw new Error(`internal error: no node "${id}"`);
    return info.node;
  }

  private handle(id: string): string {
    return this.handles.get(id) ?? camelCase(id);
  }

  /**
   * Replays what the DSL will do when the generated code runs — default task ids, component refs,
   * `p.when` numbering — and refuses IR that the DSL would name differently.
   */
  private simulate(): void {
    const ids = new Set<string>();
    const refByKey = new Map<string, string>();
    const refs = new Set<string>();
    let counter = 0;
    const walk = (units: PlanUnit[]): void => {
      for (const u of units) {
        if (u.kind === 'chain') {
          this.chainNumbers.set(u, ++counter);
          for (const b of u.branches) walk(b.units);
          continue;
        }
        const node = this.node(u.id);
        const comp = isLoopNode(node) ? undefined : this.spec.components[node.component];
        const base = comp ? (!isLoopNode(node) && node.tune ? `tune-${comp.name}` : comp.name) : 'for-each';
        let auto = base;
        for (let n = 2; ids.has(auto); n++) auto = `${base}-${n}`;
        if (auto !== u.id) this.explicitIds.add(u.id);
        ids.add(u.id);
        if (comp && !isLoopNode(node)) {
          const key = `${comp.name}@${comp.version}:${comp.impl.digest}`;
          let ref = refByKey.get(key);
          if (ref === undefined) {
            ref = comp.name;
            for (let n = 2; refs.has(ref); n++) ref = `${comp.name}-${n}`;
            refByKey.set(key, ref);
            refs.add(ref);
          }
          if (ref !== node.component) {
            throw new CodegenError(
              `${this.where}, task "${u.id}": its component is keyed "${node.component}" in the IR, but the DSL keys it "${ref}" ` +
                '(after the component name, with -2, -3, … for different components of one name, in the order tasks use them); rename the key in "components" and in the tasks that use it',
            );
          }
        }
        if (u.body) walk(u.body.root.units);
      }
    };
    walk(this.plan.root.units);
    for (const ref of Object.keys(this.spec.components)) {
      if (!refs.has(ref)) {
        throw new CodegenError(`${this.where}, component "${ref}": no task uses it, and the DSL only records components that tasks use; remove it from "components"`);
      }
    }
  }

  code(): Code {
    const spec = this.spec;
    const options = objectCode([
      ['name', text(stringLiteral(spec.name))],
      ['description', spec.description === undefined ? undefined : text(stringLiteral(spec.description))],
      ['inputs', portMapCode(spec.inputs, `${this.where}, input`)],
      ['ui', spec.ui === undefined ? undefined : jsonCode(spec.ui)],
    ]);
    const pipelineFn = this.module.useDsl('pipeline');
    if (Object.keys(spec.inputs).length > 0) this.module.useDsl('t');
    const body = (bodyIndent: string): string => {
      const lines = this.units(this.plan.root.units, bodyIndent);
      const outputs = Object.entries(spec.outputs);
      if (outputs.length > 0) {
        const ret = objectCode(outputs.map(([name, b]) => [name, text(this.taskOutput(b.task, b.output))]));
        lines.push(`${bodyIndent}return ${ret(bodyIndent, bodyIndent.length + 7)};`);
      }
      return lines.join('\n');
    };
    return (indent, col) => {
      // Short options stay on the first line, as people write it: pipeline({ name: 'x' }, (p) => {
      const inline = options(indent, col + pipelineFn.length + 1);
      if (!inline.includes('\n') && col + pipelineFn.length + inline.length + 12 <= MAX_LINE) {
        return `${pipelineFn}(${inline}, (p) => {\n${body(indent + INDENT)}\n${indent}})`;
      }
      const inner = indent + INDENT;
      const opts = options(inner, inner.length);
      return `${pipelineFn}(\n${inner}${opts},\n${inner}(p) => {\n${body(inner + INDENT)}\n${inner}},\n${indent})`;
    };
  }

  /**
   * A task output as an input: wrapped in `ifRan()` when the source runs under a condition the
   * reader does not (a branch output read outside its branch: the reader is skipped with it). The
   * types ask for that; the IR is the same either way.
   */
  private taskInput(task: string, output: string, readerWhen: Expr | undefined): Code {
    const source = this.node(task).when;
    const ref = this.taskOutput(task, output);
    if (source === undefined) return text(ref);
    const have = new Set((readerWhen ? conjunctsOf(readerWhen) : []).map((e) => canonicalJson(e)));
    if (conjunctsOf(source).every((e) => have.has(canonicalJson(e)))) return text(ref);
    return text(`${this.module.useDsl('ifRan')}(${ref})`);
  }

  private taskOutput(task: string, output: string): string {
    // A study's best value of a search parameter: `study.best.<name>`.
    const node = this.node(task);
    if (!isLoopNode(node) && node.tune && output.startsWith('best.') && Object.hasOwn(node.tune.space, output.slice(5))) return member(`${this.handle(task)}.best`, output.slice(5));
    return member(`${this.handle(task)}.outputs`, output);
  }

  /** Statements for `units`, each line starting with `indent`. */
  private units(units: PlanUnit[], indent: string): string[] {
    return units.map((u) => (u.kind === 'chain' ? this.chain(u, indent) : this.nodeStatement(u, indent)));
  }

  private declared(id: string): string {
    return this.plan.used.has(id) || this.usedInBodies(id) ? `const ${this.handle(id)} = ` : '';
  }

  /** Handles read only from inside loop bodies are recorded in the plans of those bodies' scopes. */
  private usedInBodies(id: string): boolean {
    const info = this.index.nodes.get(id);
    if (!info || info.scope.length === 0) return false;
    return this.bodyUsed(this.plan.root.units, id);
  }

  private bodyUsed(units: PlanUnit[], id: string): boolean {
    for (const u of units) {
      if (u.kind === 'chain') {
        if (u.branches.some((b) => this.bodyUsed(b.units, id))) return true;
      } else if (u.body && (u.body.used.has(id) || this.bodyUsed(u.body.root.units, id))) return true;
    }
    return false;
  }

  private nodeStatement(u: PlanNode, indent: string): string {
    const node = this.node(u.id);
    const head = `${indent}${this.declared(u.id)}`;
    const call = isLoopNode(node) ? this.loopCall(u, node, indent) : this.taskCall(u, node);
    return `${head}${call(indent, head.length)};`;
  }

  private taskCall(u: PlanNode, task: TaskSpec): Code {
    const where = `${this.where}, task "${u.id}"`;
    if (task.exitHandler === false) throw new CodegenError(`${where}: "exitHandler": false cannot be written in the DSL (it is the default); remove the field`);
    const comp = this.module.componentVar(this.spec, task.component);
    const inputs = objectCode(
      Object.entries(task.inputs).map(([port, b]) => [port, 'task' in b ? this.taskInput(b.task, b.output, task.when) : this.binding(b, `${where}, input "${port}"`)]),
    );
    if (task.tune) return this.tuneCall(u, task, task.tune, comp, inputs, where);
    const options = this.nodeOptions(u, task, where, executionOptionEntries(task, where));
    const args: Code[] = [text(comp), inputs];
    if (options) args.push(options);
    return callCode(task.exitHandler ? 'p.onExit' : 'p.task', args);
  }

  /** `p.tune(component, { inputs, space, objective, …, <node options> })`: the settings first, then the options of any task. */
  private tuneCall(u: PlanNode, task: TaskSpec, spec: TuneSpec, comp: string, inputs: Code, where: string): Code {
    const tuneFn = this.module.useDsl('tune');
    const space = objectCode(Object.entries(spec.space).map(([name, p]) => [name, this.spaceParam(tuneFn, p)]));
    const algorithm = Object.keys(spec.algorithm).length === 1 ? text(stringLiteral(spec.algorithm.name)) : jsonCode(spec.algorithm);
    const num = (n: number | undefined): Code | undefined => (n === undefined ? undefined : text(numberLiteral(n)));
    const entries: [string, Code | undefined][] = [
      ['inputs', Object.keys(task.inputs).length > 0 ? inputs : undefined],
      ['space', space],
      ['objective', jsonCode(spec.objective)],
      ['algorithm', algorithm],
      ['maxTrials', num(spec.maxTrials)],
      ['parallelTrials', num(spec.parallelTrials)],
      ['maxFailedTrials', num(spec.maxFailedTrials)],
      ['earlyStopping', spec.earlyStopping === undefined ? undefined : jsonCode(spec.earlyStopping)],
      ['seed', num(spec.seed)],
      ...this.nodeOptionEntries(u, task, where, executionOptionEntries(task, where)),
    ];
    return callCode('p.tune', [text(comp), objectCode(entries)]);
  }

  private spaceParam(tuneFn: string, p: SearchParam): Code {
    const when: [string, Code | undefined] = ['when', p.when === undefined ? undefined : jsonCode(p.when)];
    const opts = (entries: [string, Code | undefined][]): Code[] => {
      const all = [...entries, when];
      return all.some(([, v]) => v !== undefined) ? [objectCode(all)] : [];
    };
    const n = (v: number): Code => text(numberLiteral(v));
    switch (p.type) {
      case 'uniform':
        return callCode(`${tuneFn}.uniform`, [n(p.low), n(p.high), ...opts([['step', p.step === undefined ? undefined : n(p.step)]])]);
      case 'logUniform':
        return callCode(`${tuneFn}.logUniform`, [n(p.low), n(p.high), ...opts([])]);
      case 'intRange':
        return callCode(`${tuneFn}.intRange`, [n(p.low), n(p.high), ...opts([['step', p.step === undefined ? undefined : n(p.step)], ['log', p.log === undefined ? undefined : text(String(p.log))]])]);
      case 'choice':
        return callCode(`${tuneFn}.choice`, [jsonCode(p.values), ...opts([])]);
    }
  }

  private loopCall(u: PlanNode, node: LoopNodeSpec, indent: string): Code {
    const where = `${this.where}, loop "${u.id}"`;
    const loop = node.loop;
    const items = this.binding(loop.items, `${where}, items`);
    const options = this.nodeOptions(u, node, where, [
      ['parallelism', loop.parallelism === undefined ? undefined : text(String(loop.parallelism))],
      ['minSuccessRatio', loop.minSuccessRatio === undefined ? undefined : text(numberLiteral(loop.minSuccessRatio))],
    ]);
    const item = this.items.get(u.id) ?? 'item';
    const body = u.body;
    return () => {
      const inner = indent + INDENT;
      const bodyIndent = inner + INDENT;
      const lines = body ? this.units(body.root.units, bodyIndent) : [];
      const outs = Object.entries(loop.outputs);
      if (outs.length > 0) {
        const ret = objectCode(outs.map(([name, b]) => [name, text(this.taskOutput(b.task, b.output))]));
        lines.push(`${bodyIndent}return ${ret(bodyIndent, bodyIndent.length + 7)};`);
      }
      const args = [`${inner}${items(inner, inner.length)},`, `${inner}(${item}) => {\n${lines.join('\n')}\n${inner}},`];
      if (options) args.push(`${inner}${options(inner, inner.length)},`);
      return `p.forEach(\n${args.join('\n')}\n${indent})`;
    };
  }

  /** Options common to tasks and loops: id, after, when, label, ui (+ `extra`). */
  private nodeOptions(u: PlanNode, node: NodeSpec, where: string, extra: [string, Code | undefined][]): Code | undefined {
    const entries = this.nodeOptionEntries(u, node, where, extra);
    if (entries.every(([, v]) => v === undefined)) return undefined;
    return objectCode(entries);
  }

  private nodeOptionEntries(u: PlanNode, node: NodeSpec, where: string, extra: [string, Code | undefined][]): [string, Code | undefined][] {
    if (node.after !== undefined && node.after.length === 0) {
      throw new CodegenError(`${where}: an empty "after" list cannot be written in the DSL (it leaves "after" out); remove the field`);
    }
    const inChain = u.container.chain !== undefined;
    const derivedGroup = this.derivedGroup(u.container);
    const ui = node.ui;
    const uiEntries: [string, Code | undefined][] = [
      ['x', ui?.x === undefined ? undefined : text(numberLiteral(ui.x))],
      ['y', ui?.y === undefined ? undefined : text(numberLiteral(ui.y))],
      ['group', ui?.group !== derivedGroup && ui?.group !== undefined ? text(stringLiteral(ui.group)) : undefined],
      ['collapsed', ui?.collapsed === undefined ? undefined : text(String(ui.collapsed))],
    ];
    // `ui: {}` is kept as written; a ui holding only what the DSL derives (label, group) needs no option.
    const uiNeeded = uiEntries.some(([, v]) => v !== undefined) || (ui !== undefined && Object.keys(ui).length === 0);
    const entries: [string, Code | undefined][] = [
      ['id', this.explicitIds.has(u.id) ? text(stringLiteral(u.id)) : undefined],
      ...extra.filter(([k]) => k === 'parallelism' || k === 'minSuccessRatio'),
      ['after', node.after === undefined ? undefined : arrayCode(node.after.map((a) => text(this.handle(a))))],
      ['when', !inChain && node.when !== undefined ? this.condition(node.when, where) : undefined],
      ['label', ui?.label === undefined ? undefined : text(stringLiteral(ui.label))],
      ['ui', uiNeeded ? objectCode(uiEntries) : undefined],
      ...extra.filter(([k]) => k !== 'parallelism' && k !== 'minSuccessRatio'),
    ];
    return entries;
  }

  /** The `ui.group` that `p.when` gives nodes of this container. */
  private derivedGroup(c: Container): string | undefined {
    if (!c.chain) return undefined;
    return `when-${this.chainNumbers.get(c.chain) ?? c.chain.group}.${c.key}`;
  }

  private chain(chain: PlanChain, indent: string): string {
    const patterns = chain.branches.map((b) => this.branchPattern(b));
    while (patterns.length > 0 && patterns[patterns.length - 1] === '') patterns.pop();
    const pattern = patterns.length > 0 ? `[${patterns.join(', ')}]` : undefined;
    const head = `${indent}${pattern ? `const ${pattern} = ` : ''}p`;
    const tail = pattern ? '.branches;' : ';';
    const calls = chain.branches.map((b, i) => {
      const method = i === 0 ? 'when' : b.cond ? 'elseIf' : 'else';
      return { method, b };
    });
    const single = calls.length === 1;
    const callIndent = single ? indent : indent + INDENT;
    const rendered = calls.map(({ method, b }) => {
      const fn = this.branchFunction(b, callIndent);
      const args: Code[] = b.cond ? [this.condition(b.cond, `${this.where}, condition of ${method}()`), fn] : [fn];
      const prefix = single ? head : callIndent;
      return `${single ? '' : callIndent}.${callCode(method, args)(callIndent, prefix.length + 1)}`;
    });
    if (single) return `${head}${rendered[0] ?? ''}${tail}`;
    return `${head}\n${rendered.join('\n')}${tail}`;
  }

  private isExpressionBranch(b: Container): boolean {
    const [only] = b.units;
    if (b.units.length !== 1 || !only || only.kind !== 'node' || isLoopNode(this.node(only.id))) return false;
    return [...b.exports].every((id) => id === only.id);
  }

  private branchPattern(b: Container): string {
    if (b.exports.size === 0) return '';
    const ids = [...b.exports].sort((x, y) => (this.order.get(x) ?? 0) - (this.order.get(y) ?? 0));
    if (this.isExpressionBranch(b)) return this.handle(ids[0] ?? '');
    return `{ ${ids.map((id) => this.handle(id)).join(', ')} }`;
  }

  private branchFunction(b: Container, indent: string): Code {
    return (_i, col) => {
      const [only] = b.units;
      if (this.isExpressionBranch(b) && only?.kind === 'node') {
        const task = this.node(only.id);
        if (!isLoopNode(task)) return `() => ${this.taskCall(only, task)(indent, col + 6)}`;
      }
      const inner = indent + INDENT;
      const lines = this.units(b.units, inner);
      if (b.exports.size > 0) {
        const ids = [...b.exports].sort((x, y) => (this.order.get(x) ?? 0) - (this.order.get(y) ?? 0));
        lines.push(`${inner}return { ${ids.map((id) => this.handle(id)).join(', ')} };`);
      }
      return lines.length === 0 ? '() => {}' : `() => {\n${lines.join('\n')}\n${indent}}`;
    };
  }

  private condition(e: Expr, where: string): Code {
    if ('left' in e) return callCode(this.module.useDsl(e.op), [this.operand(e.left, where), this.operand(e.right, where)]);
    if ('args' in e) return callCode(this.module.useDsl(e.op), e.args.map((a) => this.condition(a, where)));
    return callCode(this.module.useDsl('not'), [this.condition(e.arg, where)]);
  }

  private operand(o: Operand, where: string): Code {
    return this.binding(o, `${where}, condition operand`);
  }

  private binding(b: Binding, where: string): Code {
    if ('const' in b) {
      if (looksLikeRef(b.const)) {
        throw new CodegenError(`${where}: the literal ${JSON.stringify(b.const)} looks like a reference to the DSL (an object with "kind" and "binding"), so it cannot be written as a literal; change its shape`);
      }
      return jsonCode(b.const);
    }
    if ('pipelineInput' in b) return text(member('p.inputs', b.pipelineInput));
    if ('task' in b) return text(this.taskOutput(b.task, b.output));
    if ('loopItem' in b) {
      const item = this.items.get(b.loopItem);
      if (!item) throw new CodegenError(`${where}: reads the item of "${b.loopItem}", which is not a loop`);
      if (b.field === undefined) {
        if (b.as !== undefined) throw new CodegenError(`${where}: a loop item with a type ("as": "${b.as}") but no field cannot be written in the DSL; drop "as" or read a field`);
        return text(item);
      }
      if (b.as === undefined) throw new CodegenError(`${where}: a loop item field ("${b.field}") needs a type in the DSL (item.field(key, type)); add "as"`);
      return text(`${item}.field(${stringLiteral(b.field)}, ${stringLiteral(b.as)})`);
    }
    if ('collect' in b) return text(`${this.module.useDsl('collect')}(${member(`${this.handle(b.collect.loop)}.outputs`, b.collect.output)})`);
    if ('runStatus' in b) return text(`p.run.${b.runStatus}`);
    const options = b.oneOf.map((o) => {
      if ('const' in o) throw new CodegenError(`${where}: oneOf() takes task outputs and pipeline inputs in the DSL, not the literal ${JSON.stringify(o.const)}; pass the literal through a task or a pipeline input`);
      return this.binding(o, where);
    });
    return callCode(this.module.useDsl('oneOf'), options);
  }
}

/** `and(a, b)` → [a, b]; anything else → [itself]. */
function conjunctsOf(e: Expr): Expr[] {
  return 'args' in e && e.op === 'and' ? e.args.flatMap(conjunctsOf) : [e];
}
