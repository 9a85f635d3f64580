/**
 * The OpenAPI document, generated from the contract's route table (engine/contract) whose schemas
 * validate the requests (routing.ts). The schemas carry their documentation as zod's own `.meta()`,
 * which @asteasolutions/zod-to-openapi reads, so the contract stays plain zod (no `.openapi()`
 * extension) and browser-safe. Served at /api/openapi.json and browsable at /api/docs.
 */
import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV3['generateDocument']>;

export const API_TITLE = 'Sluice API';
export const API_VERSION = '1.0.0';

export function newOpenApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API token (`sluice tokens create --role viewer|editor|admin --name <name>`), sent as `Authorization: Bearer sluice_<id>_<secret>`. ' +
      'Server-sent event streams also accept it as the `access_token` query parameter (EventSource cannot send headers).',
  });
  return registry;
}

export function generateOpenApiDocument(registry: OpenAPIRegistry): OpenApiDocument {
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: API_TITLE,
      version: API_VERSION,
      description:
        'Typed ML pipelines on Temporal: pipelines, runs, task logs, artifacts, lineage, metrics, experiments and the component catalog. ' +
        'Every request is validated against the schemas shown here; errors are `application/problem+json` (RFC 9457) naming each offending field ' +
        'as a JSON Pointer into the request (`/body/...`, `/query/...`, `/params/...`).',
    },
    servers: [{ url: '/' }],
  });
}
