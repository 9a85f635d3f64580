/**
 * Maps component specs in the IR to their implementations in this worker. Implementations are
 * found by the digest of their code, from modules the worker loaded (the pipeline file, the
 * built-in library) or, on a miss, by importing the module the IR names.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isComponent, isNestedPipelineComponent, isPipeline, NonRetryableError, type AnyComponent } from '../../../dsl/index';
import type { ComponentSpec } from '../../../dsl/ir/index';
import { importUserModule } from '../../userModules';

export class ComponentNotFoundError extends NonRetryableError {
  override readonly name = 'ComponentNotFoundError';
  override readonly code: string = 'component-not-found';
}

export class ComponentRegistry {
  private readonly byDigest = new Map<string, AnyComponent>();
  /** One import per module: tasks that start together wait for the same one (not for none). */
  private readonly imports = new Map<string, Promise<number>>();

  constructor(private readonly projectRoot: string = process.cwd()) {}

  /** Registers every component reachable from a module's exports (directly or through pipelines). */
  addModule(moduleExports: Record<string, unknown>): number {
    let added = 0;
    for (const value of Object.values(moduleExports)) {
      if (isComponent(value)) added += this.add(value);
      else if (isPipeline(value)) for (const c of value.components.values()) added += this.add(c);
    }
    return added;
  }

  add(component: AnyComponent): number {
    // A nested pipeline runs as a child workflow; its own components are what workers need.
    if (isNestedPipelineComponent(component)) return this.addModule({ nested: component.nested });
    if (this.byDigest.has(component.spec.impl.digest)) return 0;
    this.byDigest.set(component.spec.impl.digest, component);
    return 1;
  }

  get size(): number {
    return this.byDigest.size;
  }

  list(): AnyComponent[] {
    return [...this.byDigest.values()];
  }

  /** Imports a module (package specifier or project-relative path) and registers its components. */
  async importModule(specifier: string): Promise<number> {
    const target = /^[./]/.test(specifier) || specifier.endsWith('.ts') || specifier.endsWith('.js')
      ? pathToFileURL(path.resolve(this.projectRoot, specifier)).href
      : specifier;
    const pending = this.imports.get(target);
    if (pending) return pending.then(() => 0);
    const imported = importUserModule(target).then((mod) => this.addModule(mod));
    this.imports.set(target, imported);
    return imported;
  }

  async resolve(spec: ComponentSpec, where: string): Promise<AnyComponent> {
    let found = this.byDigest.get(spec.impl.digest);
    const module = spec.impl.kind === 'function' ? spec.impl.module : undefined;
    if (!found && module) {
      try {
        await this.importModule(module);
      } catch (e) {
        throw new ComponentNotFoundError(
          `${where}: component "${spec.name}" lives in module "${module}", which this worker could not import: ${(e as Error).message}`,
        );
      }
      found = this.byDigest.get(spec.impl.digest);
    }
    if (!found) {
      const sameName = this.list().find((c) => c.spec.name === spec.name);
      throw new ComponentNotFoundError(
        `${where}: this worker has no implementation of component "${spec.name}" with code digest ${spec.impl.digest.slice(0, 12)}` +
          (sameName
            ? ` (it has "${spec.name}" with digest ${sameName.spec.impl.digest.slice(0, 12)}: the worker runs different code than the pipeline was compiled from; restart the worker or recompile)`
            : `; start the worker with the module that defines it (sluice worker --module <file>)`),
      );
    }
    return found;
  }
}
