/**
 * The commands of issue 13 (experiments, runs compare, pipelines diff) call a reachable server
 * through the contract's typed client (sluice/api), found by target.ts's one rule; its ApiErrors
 * become CliErrors with the code the exit status and advice follow from.
 */
import { ApiError, createApiClient, type ApiClient } from '../../contract/index';
import { StateDirBusyError } from '../../stack/index';
import type { MetadataStore } from '../../stores/metadata/index';
import { CliError, type CliErrorCode } from '../CliError';
import { withMetadata } from '../metadataAccess';
import { onTarget } from '../target';

function cliErrorOf(e: ApiError, url: string, via: string): CliError {
  const code: CliErrorCode =
    e.code === 'unreachable' ? 'server-unreachable' : e.status >= 500 ? 'server-error' : e.status === 404 ? 'not-found' : e.status === 401 || e.status === 403 ? 'unauthorized' : 'refused';
  const fields = e.errors.length ? ` (${e.errors.map((f) => f.path).join(', ')})` : '';
  return new CliError(`${e.message}${fields}`, { code, details: { url, via }, cause: e });
}

/** Runs `fn` on the server's typed client when one is reachable, else `local` on the metadata store. */
export async function onTypedTarget<T>(handlers: { api: (api: ApiClient) => Promise<T>; local: (m: MetadataStore) => Promise<T> }): Promise<T> {
  return onTarget({
    api: async (served) => {
      const api = createApiClient({ baseUrl: served.url, token: process.env.SLUICE_TOKEN });
      try {
        return await handlers.api(api);
      } catch (e) {
        if (e instanceof ApiError) throw cliErrorOf(e, served.url, served.via);
        throw e;
      }
    },
    local: async () => {
      try {
        return await withMetadata((m) => handlers.local(m));
      } catch (e) {
        if (e instanceof StateDirBusyError) {
          throw new CliError(`${e.message}\nThe embedded database serves one process at a time: stop that process, or run this command through its API (SLUICE_URL).`);
        }
        throw e;
      }
    },
  });
}

export const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};
