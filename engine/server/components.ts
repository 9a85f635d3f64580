/**
 * The component catalog (the editor's palette): every component this server's registry can run,
 * plus the built-in approval gate, with typed ports, description and category, and the full
 * component spec to put into an IR's `components`.
 */
import { approval } from '../../dsl/index';
import type { ComponentSpec } from '../../dsl/ir/schema';
import type { ApiContext } from './context';
import { z } from './openapi';
import { defineRoute, type ApiRoute } from './routing';
import { portSpecDocSchema } from './schemas';

const catalogEntrySchema = z
  .object({
    name: z.string(),
    version: z.string(),
    description: z.string().nullable(),
    category: z.string().openapi({ description: 'Palette group ("other" when the component names none)' }),
    kind: z.enum(['function', 'command', 'approval', 'pipeline']),
    digest: z.string(),
    inputs: z.record(z.string(), portSpecDocSchema),
    outputs: z.record(z.string(), portSpecDocSchema),
    spec: z.record(z.string(), z.unknown()).openapi({ description: 'The ComponentSpec, as it goes into an IR' }),
  })
  .openapi('CatalogComponent');

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
    defineRoute({
      method: 'get',
      path: '/api/components',
      access: 'viewer',
      operationId: 'listComponents',
      summary: 'The component catalog: every component the workers of this server can run',
      tags: ['components'],
      responses: { 200: { description: 'Components by category and name', schema: z.object({ components: z.array(catalogEntrySchema) }) } },
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
