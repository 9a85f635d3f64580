/**
 * Artifacts: metadata (with who produced and who consumed it), the content as a download (a file
 * as itself; a directory as a tar archive, built while streaming), and a preview.
 *
 * Downloads are always `Content-Disposition: attachment` with `nosniff` and a sandboxing CSP: an
 * HTML artifact written by a component must never run as a page of the API's origin.
 */
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArtifactRecord } from '../stores/metadata/index';
import type { ApiContext } from './context';
import { ApiProblem, notFound } from './problem';
import { previewArtifact } from './preview';
import { implement, type ApiRoute } from './routing';
import { tarDirectory } from './tar';

const MEDIA_TYPES: Record<string, string> = {
  Markdown: 'text/markdown; charset=utf-8',
  HTML: 'text/html; charset=utf-8',
};

/** A safe download name: the artifact's name with characters that confuse file systems replaced. */
function fileName(artifact: ArtifactRecord, directory: boolean): string {
  const base = artifact.name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '') || 'artifact';
  if (directory) return `${base}.tar`;
  if (/\.[A-Za-z0-9]{1,8}$/.test(base)) return base;
  const ext: Record<string, string> = { Markdown: '.md', HTML: '.html' };
  return base + (ext[artifact.type] ?? '');
}

export function artifactRoutes(ctx: ApiContext): ApiRoute[] {
  const requireArtifact = async (id: string): Promise<ArtifactRecord> => {
    const artifact = await ctx.metadata.getArtifact(id);
    if (!artifact) throw notFound(`no artifact with id "${id}" (GET /api/runs/{runId} lists a run's artifacts)`, '/params/artifactId');
    return artifact;
  };
  /** The content as a local path; a store that lost it is a 404 that says so. */
  const localPath = async (artifact: ArtifactRecord): Promise<string> => {
    try {
      return await ctx.artifacts.materialize(artifact.uri);
    } catch (e) {
      throw new ApiProblem('not-found', `the content of artifact ${artifact.id} is not in the artifact store (${e instanceof Error ? e.message : String(e)})`);
    }
  };

  return [
    implement('getArtifact', {
      handler: async ({ params }) => {
        const artifact = await requireArtifact(params.artifactId);
        const events = await ctx.metadata.listEvents({ artifactId: artifact.id });
        const refs = await Promise.all(
          events.map(async (e) => {
            const execution = await ctx.metadata.getExecution(e.executionId);
            return { kind: e.kind, ref: { executionId: e.executionId, runId: execution?.runId ?? null, taskId: execution?.taskId ?? null, port: e.port } };
          }),
        );
        return {
          body: {
            artifact,
            producedBy: refs.filter((r) => r.kind === 'output').map((r) => r.ref),
            consumedBy: refs.filter((r) => r.kind === 'input').map((r) => r.ref),
            reusedBy: refs.filter((r) => r.kind === 'reused').map((r) => r.ref),
          },
        };
      },
    }),
    implement('downloadArtifact', {
      handler: async ({ params, res }) => {
        const artifact = await requireArtifact(params.artifactId);
        const file = await localPath(artifact);
        const directory = (await stat(file)).isDirectory();
        res.attachment(fileName(artifact, directory));
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
        res.setHeader('X-Artifact-Sha256', artifact.sha256);
        if (directory) {
          res.setHeader('Content-Type', 'application/x-tar');
          res.status(200);
          const top = fileName(artifact, false).replace(/\.[^.]*$/, '') || 'artifact';
          await pipeline(Readable.from(tarDirectory(file, top)), res).catch((err: unknown) => {
            // The client went away mid-download, or a file vanished: nothing more can be said to it.
            ctx.logger.warn({ err, artifactId: artifact.id }, 'a directory download ended early');
            res.destroy();
          });
          return undefined;
        }
        const type = MEDIA_TYPES[artifact.type] ?? (/\.json$/i.test(artifact.name) ? 'application/json' : 'application/octet-stream');
        await new Promise<void>((resolve, reject) => {
          res.sendFile(file, { headers: { 'Content-Type': type }, dotfiles: 'allow', lastModified: true }, (err) => {
            if (!err) return resolve();
            if (res.headersSent) {
              ctx.logger.warn({ err, artifactId: artifact.id }, 'an artifact download ended early');
              return resolve();
            }
            reject(err instanceof Error ? err : new Error(String(err)));
          });
        });
        return undefined;
      },
    }),
    implement('previewArtifact', {
      handler: async ({ params, query }) => {
        const artifact = await requireArtifact(params.artifactId);
        const preview = await previewArtifact(artifact, await localPath(artifact), query.rows ?? 20);
        return { body: { artifact, preview } };
      },
    }),
  ];
}
