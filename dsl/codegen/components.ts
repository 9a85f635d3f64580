/**
 * Module-level names of the generated file: imports of function components, `command({...})`
 * re-declarations, the approval gate, nested pipelines (generated as `const` pipelines). Each IR
 * component that the DSL cannot rebuild exactly is refused with a `CodegenError`.
 */
import { approval } from '../approval';
import { command } from '../command';
import { canonicalJson } from '../ir/digest';
import { parseArg } from '../ir/placeholders';
import type { ComponentSpec, PipelineSpec, PortSpec } from '../ir/schema';
import { taskOutputPort } from '../ir/tuneSpec';
import { CodegenError } from './CodegenError';
import { importSpecifier } from './modulePaths';
import { executionOptionEntries, executionOptionsInput, portMap, portMapCode } from './ports';
import { arrayCode, callCode, camelCase, INDENT, isIdentifier, jsonCode, NameAllocator, objectCode, stringLiteral, templateText, text, type Code } from './syntax';

/** Where a function component is imported from. */
export interface ComponentImport {
  module: string;
  export: string;
}

export interface ModuleContext {
  fromFile: string | undefined;
  resolveComponent: ((component: ComponentSpec, ref: string) => ComponentImport | undefined) | undefined;
  dslModule: string;
}

/** Everything the DSL exports that generated code may use: reserved so nothing else takes the names. */
export const DSL_NAMES = ['pipeline', 't', 'collect', 'oneOf', 'ifRan', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or', 'not', 'command', 'approval', 'tune'] as const;

/** A component as it appears in the IR of one pipeline, for messages. */
function describeUse(spec: PipelineSpec, ref: string): string {
  const users = Object.entries(spec.dag.tasks)
    .filter(([, n]) => 'component' in n && n.component === ref)
    .map(([id]) => `"${id}"`);
  const tasks = users.length > 0 ? `, used by task ${users.join(', ')}` : '';
  return `pipeline "${spec.name}", component "${ref}"${tasks}`;
}

/** The pipeline component the DSL builds around a nested pipeline (mirrors `nestedComponent` in pipeline.ts). */
function nestedComponentShape(inner: PipelineSpec, where: string): Omit<ComponentSpec, 'impl'> {
  const outputs: Record<string, PortSpec> = {};
  for (const [name, b] of Object.entries(inner.outputs)) {
    const task = inner.dag.tasks[b.task];
    const comp = task && 'component' in task ? inner.components[task.component] : undefined;
    const port = task && 'component' in task && comp ? taskOutputPort(task, comp, b.output) : undefined;
    if (!port) throw new CodegenError(`${where}: nested pipeline output "${name}" points at a missing task output`);
    outputs[name] = port.kind === 'parameter' ? { kind: 'parameter', type: port.type } : { kind: 'artifact', type: port.type };
  }
  const shape: Omit<ComponentSpec, 'impl'> = { name: inner.name, version: '1', category: 'pipeline', inputs: { ...inner.inputs }, outputs };
  if (inner.description !== undefined) shape.description = inner.description;
  return shape;
}

/** One argv element: a string, a placeholder call, or a template mixing both. */
function argCode(arg: string): string {
  const parts = parseArg(arg);
  const call = (p: { kind: string; name: string }): string => `ph.${p.kind}(${stringLiteral(p.name)})`;
  const [only] = parts;
  if (parts.length === 0) return "''";
  if (parts.length === 1 && only) return 'kind' in only ? call(only) : stringLiteral(only.text);
  return `\`${parts.map((p) => ('kind' in p ? `\${${call(p)}}` : templateText(p.text))).join('')}\``;
}

export class ModuleScope {
  readonly names: NameAllocator;
  /** specifier → export name → local name ('default' for a default import). */
  private readonly imports = new Map<string, Map<string, string>>();
  private readonly importSpecs = new Map<string, { spec: string; where: string }>();
  private readonly dslUsed = new Set<string>();
  private readonly vars = new Map<string, string>();
  /** Module-level statements (command components, nested pipelines), dependencies first. */
  readonly declarations: string[] = [];

  constructor(
    private readonly ctx: ModuleContext,
    /** Writes a nested pipeline's `pipeline(...)` call (the generator's entry point, for recursion). */
    private readonly pipelineCode: (spec: PipelineSpec) => Code,
  ) {
    this.names = new NameAllocator([...DSL_NAMES, 'p', 'ph']);
  }

  useDsl(name: (typeof DSL_NAMES)[number]): string {
    this.dslUsed.add(name);
    return name;
  }

  /** Declares (once) every component of `spec`, nested pipelines' components first. */
  declareComponents(spec: PipelineSpec): void {
    for (const ref of Object.keys(spec.components)) this.componentVar(spec, ref);
  }

  /** The identifier that stands for component `ref` of `spec`. */
  componentVar(spec: PipelineSpec, ref: string): string {
    const comp = spec.components[ref];
    const where = describeUse(spec, ref);
    if (!comp) throw new CodegenError(`${where}: the component is not in the pipeline's components`);
    const impl = comp.impl;
    switch (impl.kind) {
      case 'function':
        return this.importComponent(spec, ref, comp, where);
      case 'approval': {
        if (canonicalJson(comp) !== canonicalJson(approval.spec)) {
          throw new CodegenError(
            `${where}: an approval gate that differs from the built-in one (its ports or options were changed); the DSL only has \`approval\` as it is — use it unchanged`,
          );
        }
        return this.useDsl('approval');
      }
      case 'command':
        return this.declare(`command:${canonicalJson(comp)}`, camelCase(comp.name), 'Command', (name) => this.commandCode(comp, where)(name));
      case 'pipeline': {
        const expected = { ...nestedComponentShape(impl.spec, where), impl: { kind: 'pipeline', spec: impl.spec } };
        const { digest: _d, ...implRest } = impl;
        // The digest is left out: compile() fills function modules into the nested IR after the DSL hashed it.
        if (canonicalJson({ ...comp, impl: implRest }) !== canonicalJson(expected)) {
          throw new CodegenError(
            `${where}: a nested pipeline component must mirror its pipeline (same name and inputs, outputs from its tasks, category "pipeline", version "1", no retry/timeout/cache/resources); the DSL cannot write other settings — set them on the nested pipeline's tasks instead`,
          );
        }
        this.declareComponents(impl.spec);
        return this.declare(`pipeline:${canonicalJson(comp)}`, camelCase(impl.spec.name), 'Pipeline', (name) => {
          const call = this.pipelineCode(impl.spec);
          const head = `const ${name} = `;
          return `${head}${call('', head.length)};`;
        });
      }
    }
  }

  private declare(key: string, preferred: string, suffix: string, write: (name: string) => string): string {
    const existing = this.vars.get(key);
    if (existing) return existing;
    const name = this.names.allocate(preferred, suffix);
    this.vars.set(key, name);
    this.declarations.push(write(name));
    return name;
  }

  private importComponent(spec: PipelineSpec, ref: string, comp: ComponentSpec, where: string): string {
    if (comp.impl.kind !== 'function') throw new Error('unreachable');
    const recorded = comp.impl.module !== undefined && comp.impl.export !== undefined ? { module: comp.impl.module, export: comp.impl.export } : undefined;
    const source = recorded ?? this.ctx.resolveComponent?.(comp, ref);
    if (!source) {
      throw new CodegenError(
        `${where}: a function component can only be imported, and its IR records ${comp.impl.module === undefined ? 'no module' : `module "${comp.impl.module}" but no export name`}; ` +
          'give the component `module` and `export` (component({ module, export, ... })) and recompile, or pass resolveComponent (sluice export-ts looks exports up by code digest)',
      );
    }
    const specifier = importSpecifier(source.module, this.ctx.fromFile);
    const key = `${specifier}#${source.export}`;
    // One import stands for one component: two different specs cannot both come from it.
    const seen = this.importSpecs.get(key);
    const specText = canonicalJson({ ...comp, impl: { ...comp.impl, module: undefined } });
    if (seen && seen.spec !== specText) {
      throw new CodegenError(`${where}: it is imported from ${source.module} (${source.export}) like ${seen.where}, but their specs differ; one import cannot produce both`);
    }
    if (!seen) this.importSpecs.set(key, { spec: specText, where });
    return this.declare(`import:${key}`, source.export === 'default' || !isIdentifier(source.export) ? camelCase(comp.name) : source.export, '', (name) => {
      if (source.export !== 'default' && !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(source.export)) {
        throw new CodegenError(`${where}: export name "${source.export}" is not an identifier; export the component under an identifier`);
      }
      let names = this.imports.get(specifier);
      if (!names) this.imports.set(specifier, (names = new Map<string, string>()));
      names.set(source.export, name);
      return '';
    });
  }

  private commandCode(comp: ComponentSpec, where: string): (name: string) => string {
    const impl = comp.impl;
    if (impl.kind !== 'command') throw new Error('unreachable');
    // Rebuild it with command() itself: what it refuses or computes differently cannot round-trip.
    let rebuilt: ComponentSpec;
    try {
      rebuilt = command({
        name: comp.name,
        ...(comp.version !== '1' ? { version: comp.version } : {}),
        ...(comp.description !== undefined ? { description: comp.description } : {}),
        ...(comp.category !== undefined ? { category: comp.category } : {}),
        inputs: portMap(comp.inputs),
        outputs: portMap(comp.outputs),
        command: () => impl.command,
        ...(impl.env !== undefined ? { env: impl.env } : {}),
        ...(impl.workingDir !== undefined ? { workingDir: impl.workingDir } : {}),
        ...(impl.sources !== undefined ? { sources: impl.sources } : {}),
        ...executionOptionsInput(comp),
      }).spec;
    } catch (e) {
      throw new CodegenError(`${where}: command() refuses this component: ${(e as Error).message}`);
    }
    if (canonicalJson(rebuilt) !== canonicalJson(comp)) {
      const why = rebuilt.impl.digest !== impl.digest ? 'its digest does not match its command, env, working directory and sources (was the IR edited by hand?)' : 'command() builds a different spec from it';
      throw new CodegenError(`${where}: ${why}; recompile the component from its source`);
    }
    if (Object.keys(comp.inputs).length + Object.keys(comp.outputs).length > 0) this.useDsl('t');
    const usesPh = impl.command.some((a) => parseArg(a).some((p) => 'kind' in p));
    const argv = arrayCode(impl.command.map((a) => text(argCode(a))));
    const options = objectCode([
      ['name', text(stringLiteral(comp.name))],
      ['version', comp.version !== '1' ? text(stringLiteral(comp.version)) : undefined],
      ['description', comp.description !== undefined ? text(stringLiteral(comp.description)) : undefined],
      ['category', comp.category !== undefined ? text(stringLiteral(comp.category)) : undefined],
      ['inputs', portMapCode(comp.inputs, `${where}, input`)],
      ['outputs', portMapCode(comp.outputs, `${where}, output`)],
      ['command', (indent, col) => `${usesPh ? '(ph)' : '()'} => ${argv(indent, col + 10)}`],
      ['env', impl.env !== undefined ? jsonCode(impl.env) : undefined],
      ['workingDir', impl.workingDir !== undefined ? text(stringLiteral(impl.workingDir)) : undefined],
      ['sources', impl.sources !== undefined ? jsonCode(impl.sources) : undefined],
      ...executionOptionEntries(comp, where),
    ]);
    return (name) => {
      const head = `const ${name} = `;
      return `${head}${callCode(this.useDsl('command'), [options])('', head.length)};`;
    };
  }

  /** The import lines: the DSL first, then packages, then files. */
  importLines(): string[] {
    const lines: string[] = [];
    const dsl = [...this.dslUsed].sort();
    if (dsl.length > 0) lines.push(`import { ${dsl.join(', ')} } from ${stringLiteral(this.ctx.dslModule)};`);
    const specifiers = [...this.imports.keys()].sort((a, b) => Number(a.startsWith('.')) - Number(b.startsWith('.')) || (a < b ? -1 : a > b ? 1 : 0));
    for (const specifier of specifiers) {
      const names = this.imports.get(specifier) ?? new Map<string, string>();
      const def = names.get('default');
      const named = [...names.entries()]
        .filter(([exp]) => exp !== 'default')
        .map(([exp, local]) => (exp === local ? exp : `${exp} as ${local}`))
        .sort();
      const parts = [def, named.length > 0 ? `{ ${named.join(', ')} }` : undefined].filter((p): p is string => p !== undefined);
      const line = `import ${parts.join(', ')} from ${stringLiteral(specifier)};`;
      lines.push(line.length <= 120 || named.length < 2 ? line : `import ${def ? `${def}, ` : ''}{\n${named.map((n) => `${INDENT}${n},`).join('\n')}\n} from ${stringLiteral(specifier)};`);
    }
    return lines;
  }
}
