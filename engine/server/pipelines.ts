/**
 * Pipelines and their versions. A version is an IR, identified by its content digest: creating the
 * same IR twice gives the same version. Every IR goes through dsl's one validator first; an invalid
 * one is a 422 listing every issue with its JSON path, and nothing is written, unless the client
 * asks for a draft: then an IR that has a pipeline's shape is stored, marked `draft`, and every
 * way of running it (runs, schedules, triggers) refuses it (`requireRunnable`).
 */
import { canonicalJson, pipelineDigest, validatePipeline, type PipelineSpec, type ValidationIssue } from '../../dsl/ir/index';
import type { PipelineRecord, PipelineVersionSummary } from '../stores/metadata/index';
import type { ApiContext } from './context';
import { ApiProblem, jsonPointer, notFound } from './problem';
import { implement, type ApiRoute } from './routing';

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

/** A stored version may run only when it is not a draft: a 409 naming the version otherwise. */
export function requireRunnable(version: { id: string; pipelineName: string; draft: boolean }, pointer: string): void {
  if (!version.draft) return;
  throw new ApiProblem(
    'draft-pipeline',
    `pipeline "${version.pipelineName}" version ${version.id} is a draft: its IR has validation problems, so it cannot run. Open it in the editor, fix what the Problems tab lists, and save it`,
    { errors: [{ path: pointer, message: 'this version is a draft', code: 'draft-pipeline' }] },
  );
}

async function requirePipeline(ctx: ApiContext, idOrName: string): Promise<PipelineRecord> {
  const all = await ctx.metadata.listPipelines();
  const found = all.find((p) => p.id === idOrName) ?? all.find((p) => p.name === idOrName);
  if (!found) throw notFound(`no pipeline with id or name "${idOrName}" (GET /api/pipelines lists them)`, '/params/pipeline');
  return found;
}

export function pipelineRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    implement('createPipelineVersion', {
      handler: async ({ body }) => {
        const checked = validatePipeline(body.spec);
        // A draft keeps work with problems; an IR without even a pipeline's shape is never stored.
        const draft = !checked.ok && body.draft === true && checked.spec !== undefined;
        if (!checked.ok && !draft) throw pipelineProblem(checked.issues, ['body', 'spec']);
        const spec = checked.spec as PipelineSpec;
        const digest = pipelineDigest(spec);
        const known = (await ctx.metadata.listPipelines()).find((p) => p.name === spec.name);
        const existed = known !== undefined && (await ctx.metadata.listPipelineVersions({ pipelineId: known.id })).some((v) => v.digest === digest);
        let record = await ctx.metadata.registerPipelineVersion(spec, digest, { draft });
        // Same digest, other positions: the editor moved nodes. Keep the layout, not a new version.
        if (existed && canonicalJson(record.spec) !== canonicalJson(spec)) record = await ctx.metadata.updatePipelineVersionLayout(record.id, spec);
        const { spec: _spec, ...version } = record;
        const pipeline = known ?? (await requirePipeline(ctx, version.pipelineId));
        const headers = { Location: `/api/pipelines/${encodeURIComponent(pipeline.id)}/versions/${encodeURIComponent(version.id)}` };
        return existed ? { status: 200, headers, body: { pipeline, version, created: false } } : { status: 201, headers, body: { pipeline, version, created: true } };
      },
    }),
    implement('listPipelines', {
      handler: async ({ query }) => {
        const [all, versions] = await Promise.all([ctx.metadata.listPipelines(), ctx.metadata.listPipelineVersions()]);
        const pipelines = query.archived === 'true' ? all : all.filter((p) => p.archivedAt === null);
        const byPipeline = new Map<string, PipelineVersionSummary[]>();
        for (const v of versions) byPipeline.set(v.pipelineId, [...(byPipeline.get(v.pipelineId) ?? []), v]);
        return {
          body: {
            pipelines: pipelines.map((p) => ({ ...p, versionCount: byPipeline.get(p.id)?.length ?? 0, latestVersion: byPipeline.get(p.id)?.[0] ?? null })),
          },
        };
      },
    }),
    implement('updatePipeline', {
      handler: async ({ params, body }) => {
        const pipeline = await requirePipeline(ctx, params.pipeline);
        const updated = await ctx.metadata.setPipelineArchived(pipeline.id, body.archived);
        if (!updated) throw notFound(`pipeline "${pipeline.name}" was deleted meanwhile`, '/params/pipeline');
        return { body: { pipeline: updated } };
      },
    }),
    implement('getPipeline', {
      handler: async ({ params }) => {
        const pipeline = await requirePipeline(ctx, params.pipeline);
        return { body: { pipeline, versions: await ctx.metadata.listPipelineVersions({ pipelineId: pipeline.id }) } };
      },
    }),
    implement('getPipelineVersion', {
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
