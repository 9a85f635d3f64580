/**
 * Building blocks of the wire schemas: JSON values, ids in paths, query numbers and instants.
 * Everything here is plain zod (no Node, no DOM): the editor bundles it, the CLI and the server run it.
 * Documentation for the OpenAPI document goes through zod's own `.meta()` (read by
 * @asteasolutions/zod-to-openapi on the server), so nothing here needs zod extended.
 */
import { z } from 'zod';

/** A JSON value, as `JSON.parse` gives it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Any JSON value. A body or an answer read with `JSON.parse` can only hold JSON, so nothing is checked
 * at run time (and, unlike the recursive z.json(), the OpenAPI generator can describe it); what a value
 * means is checked by the endpoint (parameter types by the pipeline's inputs).
 */
export const jsonValueSchema = z.unknown().meta({ description: 'Any JSON value' }) as unknown as z.ZodType<JsonValue>;
export const jsonObjectSchema = z.record(z.string(), jsonValueSchema);

/** Roles of API tokens: viewer reads; editor also submits and controls runs; admin also manages tokens. */
export const API_ROLES = ['viewer', 'editor', 'admin'] as const;
export const apiRoleSchema = z.enum(API_ROLES);
export type ApiRole = z.infer<typeof apiRoleSchema>;

/** Ids in paths: any printable text of sane length (artifact ids hold "/", "[", "]": percent-encode them). */
export const idSchema = z
  .string()
  .min(1)
  .max(512)
  .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), 'must not contain control characters');

/** A non-negative integer given as query text ("10"). */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a non-negative integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .meta({ type: 'integer', minimum: min, maximum: max });

/** An RFC 3339 instant given as query text. */
export const queryInstant = z
  .string()
  .max(64)
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)),
    'must be an ISO 8601 date or date-time, e.g. 2030-01-31T12:00:00Z',
  )
  .transform((s) => new Date(s))
  .meta({ type: 'string', format: 'date-time' });

/** `true` or `false` as query text. */
export const queryFlag = z.enum(['true', 'false']);

/** An instant in an answer: the server's Dates as JSON writes them (RFC 3339, UTC). */
export const instantSchema = z.iso.datetime({ offset: true });
