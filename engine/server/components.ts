/**
 * The component catalog (the editor's palette): every component this server's registry can run,
 * plus the built-in approval gate, with typed ports, description and category, and the full
 * component spec to put into an IR's `components`.
 */
import { approval } from '../../dsl/index';
import type { ComponentSpec } from '../../dsl/ir/schema';
import type { ApiContext } from './context';
import { implement, type ApiRoute } from './routing';

export function catalogEntry(spec: ComponentSpec) {
  return {
    name: spec.name,
    version: spec.version,
    description: spec.description ?? null,
    category: spec.category ?? 'other',
    kind: spec.impl.kind,
    digest: spec.impl.digest,
    inputs: spec.inputs,
    outputs: spec.outputs,
    spec,
  };
}

export function componentRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    implement('listComponents', {
      handler: async () => {
        const specs = ctx.registry.list().map((c) => c.spec);
        if (!specs.some((s) => s.impl.digest === approval.spec.impl.digest)) specs.push(approval.spec);
        const components = specs
          .map(catalogEntry)
          .sort((a, b) => a.category.localeCompare(b.category) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
        return { body: { components } };
      },
    }),
  ];
}
