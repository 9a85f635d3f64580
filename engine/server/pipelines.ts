/**
 * Pipelines and their versions. A version is an IR, identified by its content digest: creating the
 * same IR twice gives the same version. Every IR goes through dsl's one validator first; an invalid
 * one is a 422 listing every issue with its JSON path, and nothing is written.
 */
import { canonicalJson, pipelineDigest, validatePipeline, type PipelineSpec, type ValidationIssue } from '../../dsl/ir/index';
import type { PipelineRecord, PipelineVersionSummary } from '../stores/metadata/index';
import type { ApiContext } from './context';
import { z } from './openapi';
import { ApiProblem, jsonPointer, notFound } from './problem';
import { defineRoute, type ApiRoute } from './routing';
import { idSchema, pipelineVersionSummarySchema } from './schemas';

/** The IR in request bodies: an object here; what it means is the IR validator's job. */
export const pipelineSpecBodySchema = z
  .record(z.string(), z.unknown())
  .openapi('PipelineSpec', {
    description: 'Pipeline IR (`apiVersion: "sluice/v1"`, see docs/IR.md), as `sluice compile` or the editor produce it',
  });

/** Validates an IR from a request; a 422 problem listing every issue (paths under `pointerBase`). */
export function checkPipelineSpec(spec: unknown, pointerBase: string[]): PipelineSpec {
  const checked = validatePipeline(spec);
  if (checked.ok) return checked.spec;
  throw pipelineProblem(checked.issues, pointerBase);
}

/** A 422 listing IR issues, each located by a JSON Pointer under `pointerBase`. */
export function pipelineProblem(issues: ValidationIssue[], pointerBase: string[]): ApiProblem {
  const errors = issues.map((issue) => ({
    path: jsonPointer([...pointerBase, ...issue.path]),
    message: issue.message,
    code: issue.code,
    hint: issue.hint,
  }));
  return new ApiProblem(
    'invalid-pipeline',
    `the pipeline IR has ${errors.length} problem${errors.length === 1 ? '' : 's'}: ${errors
      .slice(0, 5)
      .map((e) => `${e.path}: ${e.message}`)
      .join('; ')}${errors.length > 5 ? '; …' : ''}`,
    { errors },
  );
}

const pipelineSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string().openapi({ format: 'date-time' }) }).openapi('Pipeline');
const pipelineListItemSchema = pipelineSchema
  .extend({ versionCount: z.number().int(), latestVersion: pipelineVersionSummarySchema.nullable() })
  .openapi('PipelineListItem');
const pipelineVersionSchema = pipelineVersionSummarySchema.extend({ spec: pipelineSpecBodySchema }).openapi('PipelineVersion');

const pipelineParams = z.strictObject({ pipeline: idSchema.openapi({ description: 'Pipeline id or name', example: 'iris' }) });

async function requirePipeline(ctx: ApiContext, idOrName: string): Promise<PipelineRecord> {
  const all = await ctx.metadata.listPipelines();
  const found = all.find((p) => p.id === idOrName) ?? all.find((p) => p.name === idOrName);
  if (!found) throw notFound(`no pipeline with id or name "${idOrName}" (GET /api/pipelines lists them)`, '/params/pipeline');
  return found;
}

export function pipelineRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/pipelines',
      access: 'editor',
      operationId: 'createPipelineVersion',
      summary: 'Create a pipeline (or a new version of one) from IR',
      description:
        'The pipeline is named by the IR. The same IR (same digest) gives the existing version back with 200; editor-only `ui` fields (positions) that differ replace the stored ones.',
      tags: ['pipelines'],
      body: z.strictObject({ spec: pipelineSpecBodySchema }),
      responses: {
        201: { description: 'A new version', schema: z.object({ pipeline: pipelineSchema, version: pipelineVersionSummarySchema, created: z.literal(true) }) },
        200: { description: 'This IR was already a version', schema: z.object({ pipeline: pipelineSchema, version: pipelineVersionSummarySchema, created: z.literal(false) }) },
        422: { description: 'The IR is invalid: `errors` lists every issue with its JSON path' },
      },
      handler: async ({ body }) => {
        const spec = checkPipelineSpec(body.spec, ['body', 'spec']);
        const digest = pipelineDigest(spec);
        const known = (await ctx.metadata.listPipelines()).find((p) => p.name === spec.name);
        const existed = known !== undefined && (await ctx.metadata.listPipelineVersions({ pipelineId: known.id })).some((v) => v.digest === digest);
        let record = await ctx.metadata.registerPipelineVersion(spec, digest);
        // Same digest, other positions: the editor moved nodes. Keep the layout, not a new version.
        if (existed && canonicalJson(record.spec) !== canonicalJson(spec)) record = await ctx.metadata.updatePipelineVersionLayout(record.id, spec);
        const { spec: _spec, ...version } = record;
        const pipeline = known ?? (await requirePipeline(ctx, version.pipelineId));
        return {
          status: existed ? 200 : 201,
          headers: { Location: `/api/pipelines/${encodeURIComponent(pipeline.id)}/versions/${encodeURIComponent(version.id)}` },
          body: { pipeline, version, created: !existed },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/pipelines',
      access: 'viewer',
      operationId: 'listPipelines',
      summary: 'Pipelines, by name, with their latest version',
      tags: ['pipelines'],
      responses: { 200: { description: 'Pipelines', schema: z.object({ pipelines: z.array(pipelineListItemSchema) }) } },
      handler: async () => {
        const [pipelines, versions] = await Promise.all([ctx.metadata.listPipelines(), ctx.metadata.listPipelineVersions()]);
        const byPipeline = new Map<string, PipelineVersionSummary[]>();
        for (const v of versions) byPipeline.set(v.pipelineId, [...(byPipeline.get(v.pipelineId) ?? []), v]);
        return {
          body: {
            pipelines: pipelines.map((p) => ({ ...p, versionCount: byPipeline.get(p.id)?.length ?? 0, latestVersion: byPipeline.get(p.id)?.[0] ?? null })),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/pipelines/:pipeline',
      access: 'viewer',
      operationId: 'getPipeline',
      summary: 'A pipeline and its versions, newest first',
      tags: ['pipelines'],
      params: pipelineParams,
      responses: { 200: { description: 'The pipeline', schema: z.object({ pipeline: pipelineSchema, versions: z.array(pipelineVersionSummarySchema) }) } },
      handler: async ({ params }) => {
        const pipeline = await requirePipeline(ctx, params.pipeline);
        return { body: { pipeline, versions: await ctx.metadata.listPipelineVersions({ pipelineId: pipeline.id }) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/pipelines/:pipeline/versions/:version',
      access: 'viewer',
      operationId: 'getPipelineVersion',
      summary: 'One version of a pipeline, with its IR',
      tags: ['pipelines'],
      params: pipelineParams.extend({ version: idSchema.openapi({ description: 'Version id' }) }),
      responses: { 200: { description: 'The version', schema: z.object({ version: pipelineVersionSchema }) } },
      handler: async ({ params }) => {
        const pipeline = await requirePipeline(ctx, params.pipeline);
        const version = await ctx.metadata.getPipelineVersion(params.version);
        if (!version || version.pipelineId !== pipeline.id) {
          throw notFound(`pipeline "${pipeline.name}" has no version "${params.version}" (GET /api/pipelines/${pipeline.name} lists them)`, '/params/version');
        }
        return { body: { version } };
      },
    }),
  ];
}
