/**
 * The HTTP API's contract (`sluice/api`): the zod schema of every request, answer, preview and
 * server-sent event of the API server (engine/server/), the route table, and a typed client. One
 * source for the server (which validates with these schemas and generates /api/openapi.json from
 * them), the CLI and the editor, so no side keeps a copy of a wire type.
 *
 * Browser-safe: zod and nothing else (no Node built-ins, no DOM types, no server packages).
 */
export * from './common';
export * from './problem';
export * from './records';
export * from './events';
export * from './route';
export * from './routes';
export * from './client';
