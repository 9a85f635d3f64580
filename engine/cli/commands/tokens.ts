/**
 * `sluice tokens create|list|revoke`: API tokens for the HTTP API (engine/server/auth.ts). The secret
 * is printed once, at creation; the store keeps only its sha256. Through the server's API when one
 * is reachable (target.ts; an admin token then), else in the metadata store.
 */
import { Option, type Command } from 'commander';
import { API_ROLES, createApiToken } from '../../server/index';
import { apiTokenSchema, type ApiToken } from '../../contract/index';
import { StateDirBusyError } from '../../stack/index';
import { CliError } from '../CliError';
import { withMetadata } from '../metadataAccess';
import { toWire } from '../reader';
import { onTarget } from '../target';

const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

/** Token names as the API accepts them. */
const NAME = /^[\w .@-]{1,100}$/;

async function withTokenStore<T>(fn: Parameters<typeof withMetadata<T>>[0]): Promise<T> {
  try {
    return await withMetadata(fn);
  } catch (e) {
    if (e instanceof StateDirBusyError) {
      throw new CliError(
        `${e.message}\nThe embedded database serves one process at a time: stop that process first, ` +
          'or manage tokens through the running API server (POST/GET/DELETE /api/tokens with an admin token).',
      );
    }
    throw e;
  }
}

const iso = (instant: string): string => new Date(instant).toISOString();

function formatToken(t: ApiToken): string {
  const state = t.revokedAt ? `revoked ${iso(t.revokedAt)}` : t.lastUsedAt ? `last used ${iso(t.lastUsedAt)}` : 'never used';
  return `${t.id}  ${t.role.padEnd(6)}  ${t.name}  (created ${iso(t.createdAt)}, ${state})`;
}

export function registerTokenCommands(program: Command): void {
  const tokens = program.command('tokens').description('API tokens for the HTTP API (roles: viewer, editor, admin)');

  tokens
    .command('create')
    .description('create an API token and print it (the only time it is shown)')
    .addOption(new Option('--role <role>', 'viewer: read; editor: + pipelines, runs and approvals; admin: + tokens').choices(API_ROLES).makeOptionMandatory())
    .requiredOption('--name <name>', 'who or what uses it, e.g. "ci" or "alice"')
    .option('--json', 'print JSON')
    .action(async (opts: { role: (typeof API_ROLES)[number]; name: string; json?: boolean }) => {
      if (!NAME.test(opts.name)) throw new CliError(`--name "${opts.name}": use 1 to 100 letters, digits, " ", ".", "@", "-" or "_"`);
      const input = { name: opts.name, role: opts.role };
      const { record, token } = await onTarget({
        api: async (api) => {
          const created = await api.client.createToken({ body: input });
          return { record: created.token, token: created.secret };
        },
        local: () =>
          withTokenStore(async (m) => {
            const created = await createApiToken(m, input);
            return { record: toWire(apiTokenSchema, created.record), token: created.token };
          }),
      });
      if (opts.json) {
        print(JSON.stringify({ ...record, token }, null, 2));
        return;
      }
      print(token);
      process.stderr.write(
        `created ${record.role} token ${record.id} ("${record.name}"). It is shown only now: store it safely.\n` +
          `Send it as "Authorization: Bearer <token>"; revoke it with: sluice tokens revoke ${record.id}\n`,
      );
    });

  tokens
    .command('list')
    .description('list API tokens (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await onTarget({
        api: async (api) => (await api.client.listTokens()).tokens,
        local: () => withTokenStore(async (m) => (await m.listApiTokens()).map((t) => toWire(apiTokenSchema, t))),
      });
      if (opts.json) print(JSON.stringify(list, null, 2));
      else if (list.length === 0) print('no API tokens (create one with: sluice tokens create --role admin --name <you>)');
      else list.forEach((t) => print(formatToken(t)));
    });

  tokens
    .command('revoke')
    .description('revoke an API token: requests with it are refused from now on')
    .argument('<id>', 'the token id (sluice tokens list)')
    .action(async (id: string) => {
      const unknown = (): CliError => new CliError(`no API token with id "${id}" (sluice tokens list shows them)`, { code: 'not-found' });
      const revoked = await onTarget({
        api: async (api) => {
          // 404: no active token with that id — revoked already, or none at all.
          if (await api.found((c) => c.revokeToken({ params: { tokenId: id } }).then(() => true))) return true;
          if (!(await api.client.listTokens()).tokens.some((t) => t.id === id)) throw unknown();
          return false;
        },
        local: () =>
          withTokenStore(async (m) => {
            if (await m.revokeApiToken(id)) return true;
            if (!(await m.findApiToken(id))) throw unknown();
            return false;
          }),
      });
      print(revoked ? `revoked token ${id}` : `token ${id} was already revoked`);
    });
}
