/**
 * `sluice models list|show|register|alias|history`: the model registry. Through the server's API
 * (the contract's typed client) when one is reachable (target.ts), else on the metadata store.
 * Alias moves need a note (why), kept in the alias history with who moved it; `--expect` makes a
 * move a compare-and-set against the version you saw.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { ApiError, createApiClient, modelAliasNameSchema, modelNameSchema, type ApiClient } from '../../contract/index';
import type { ModelAliasEvent, ModelVersionDetail, RegisteredModel } from '../../contract/index';
import { modelVersionDetail } from '../../server/index';
import { MetadataStoreError, type MetadataStore } from '../../stores/metadata/index';
import { CliError, type CliErrorCode } from '../CliError';
import { withMetadata } from '../metadataAccess';
import { servedApi } from '../target';

const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

/** Records as the API sends them (dates as text), whichever way they came. */
const wire = <T>(value: unknown): T => JSON.parse(JSON.stringify(value)) as T;

/** The API's typed client when a server is reachable, else the local store: one call per command. */
async function onRegistry<T>(handlers: { api: (api: ApiClient) => Promise<T>; local: (m: MetadataStore) => Promise<T> }): Promise<T> {
  const served = await servedApi();
  try {
    if (served) return await handlers.api(createApiClient({ baseUrl: served.url, token: process.env.SLUICE_TOKEN }));
    return await withMetadata((m) => handlers.local(m));
  } catch (e) {
    throw cliErrorOf(e, served?.url);
  }
}

function cliErrorOf(e: unknown, url: string | undefined): unknown {
  if (e instanceof ApiError) {
    const fields = e.errors.length ? ` (${e.errors.map((f) => `${f.path}: ${f.message}`).join('; ')})` : '';
    const code: CliErrorCode =
      e.status === 0 ? 'server-unreachable' : e.status === 401 || e.status === 403 ? 'unauthorized' : e.status === 404 ? 'not-found' : e.status === 409 ? 'refused' : e.status >= 500 ? 'server-error' : 'invalid';
    return new CliError(`${e.message}${fields}`, { code, details: url ? { url } : {}, cause: e });
  }
  if (e instanceof MetadataStoreError) {
    const code: CliErrorCode = e.code === 'not_found' ? 'not-found' : e.code === 'conflict' ? 'refused' : e.code === 'invalid' ? 'invalid' : 'server-error';
    return new CliError(e.message, { code, cause: e });
  }
  return e;
}

function checked(what: string, schema: typeof modelNameSchema, value: string): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CliError(`${what} "${value}": ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** "3" → 3; "none" → null (an absent alias). */
function versionArg(what: string, value: string): number | null {
  if (value === 'none') return null;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw new CliError(`${what} "${value}": give a version number (1, 2, …) or "none"`);
  return Number(value);
}

function localActor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No user name on this system (a container without a passwd entry): the fallback says so.
  }
  return `${user} (cli)`;
}

const aliasList = (aliases: Record<string, number>): string =>
  Object.entries(aliases)
    .map(([a, v]) => `${a}→v${v}`)
    .join(', ') || '-';

function formatEvent(e: ModelAliasEvent): string {
  const from = e.fromVersion === null ? '(new)' : `v${e.fromVersion}`;
  const to = e.toVersion === null ? '(removed)' : `v${e.toVersion}`;
  return `${e.createdAt}  ${e.alias}: ${from} → ${to}  by ${e.actor}: ${e.note}`;
}

function formatVersion(v: ModelVersionDetail): string {
  const metrics = Object.entries(v.metrics)
    .slice(0, 6)
    .map(([k, x]) => `${k}=${Number(x.toPrecision(4))}`)
    .join(' ');
  const from = v.producer ? `run ${v.producer.runId} task ${v.producer.taskId}` : 'no producing run';
  return `v${v.version}${v.aliases.length ? ` [${v.aliases.join(', ')}]` : ''}  artifact ${v.artifactId}  (${from})  ${metrics}  by ${v.createdBy} ${v.createdAt}${v.description ? `\n    ${v.description}` : ''}`;
}

/** `--tag k=v` collected into an object. */
function collectTag(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq < 1) throw new CliError(`--tag "${value}": write key=value`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function registerModelCommands(program: Command): void {
  const models = program.command('models').description('the model registry: registered models, versions, aliases and their history');

  models
    .command('list')
    .description('list registered models with their aliases')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await onRegistry<RegisteredModel[]>({
        api: async (api) => (await api.listModels()).models,
        local: async (m) => wire(await m.listRegisteredModels()),
      });
      if (opts.json) print(JSON.stringify(list, null, 2));
      else if (list.length === 0) print('no registered models (register one with: sluice models register <name> --artifact <model artifact id>)');
      else for (const m of list) print(`${m.name}  latest v${m.latestVersion ?? '-'}  aliases ${aliasList(m.aliases)}${m.description ? `  ${m.description}` : ''}`);
    });

  models
    .command('show')
    .argument('<model>', 'registered model name')
    .description("a model's aliases and versions, each with its artifact, producing run and that run's metrics")
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      const model = checked('model', modelNameSchema, name);
      const shown = await onRegistry<{ model: RegisteredModel; versions: ModelVersionDetail[] }>({
        api: (api) => api.getModel({ params: { model } }),
        local: async (m) => {
          const found = await m.getRegisteredModel(model);
          if (!found) throw new CliError(`no registered model named "${model}" (list them with: sluice models list)`, { code: 'not-found' });
          const versions = await Promise.all((await m.listModelVersions(model)).map((v) => modelVersionDetail(m, v)));
          return { model: wire(found), versions };
        },
      });
      if (opts.json) {
        print(JSON.stringify(shown, null, 2));
        return;
      }
      const m = shown.model;
      print(`model ${m.name}  aliases ${aliasList(m.aliases)}${m.description ? `\n  ${m.description}` : ''}`);
      if (Object.keys(m.tags).length) print(`  tags ${Object.entries(m.tags).map(([k, v]) => `${k}=${v}`).join(' ')}`);
      for (const v of shown.versions) print(`  ${formatVersion(v)}`);
    });

  models
    .command('register')
    .argument('<model>', 'registered model name (created on first registration)')
    .requiredOption('--artifact <id>', 'a Model artifact id (e.g. from sluice runs show)')
    .option('--description <text>', "the version's description")
    .option('--tag <key=value>', 'a tag of the version (repeatable)', collectTag, {})
    .option('--json', 'print JSON')
    .description('register a Model artifact as the next version of a model')
    .action(async (name: string, opts: { artifact: string; description?: string; tag: Record<string, string>; json?: boolean }) => {
      const model = checked('model', modelNameSchema, name);
      const input = { artifactId: opts.artifact, ...(opts.description !== undefined ? { description: opts.description } : {}), ...(Object.keys(opts.tag).length ? { tags: opts.tag } : {}) };
      const version = await onRegistry({
        api: async (api) => (await api.registerModelVersion({ params: { model }, body: input })).version,
        local: async (m) => wire<{ version: number }>((await m.registerModelVersion({ model, ...input, createdBy: localActor() })).version),
      });
      if (opts.json) print(JSON.stringify(version, null, 2));
      else print(`registered ${model} version ${version.version} (artifact ${opts.artifact})`);
    });

  models
    .command('alias')
    .argument('<model>', 'registered model name')
    .argument('<alias>', 'alias, e.g. champion or challenger')
    .argument('<version>', 'the version to point at, or "none" to remove the alias')
    .requiredOption('--note <text>', 'why the alias moves (kept in its history)')
    .option('--expect <version>', 'move only if the alias points at this version now ("none": absent)')
    .option('--json', 'print JSON')
    .description('point an alias at a version (or remove it), with a note; recorded in the alias history')
    .action(async (name: string, aliasArg: string, versionText: string, opts: { note: string; expect?: string; json?: boolean }) => {
      const model = checked('model', modelNameSchema, name);
      const alias = checked('alias', modelAliasNameSchema, aliasArg);
      const version = versionArg('version', versionText);
      if (opts.note.trim() === '') throw new CliError('--note: say why the alias moves');
      const expectedVersion = opts.expect === undefined ? undefined : versionArg('--expect', opts.expect);
      const body = { version, note: opts.note, ...(expectedVersion !== undefined ? { expectedVersion } : {}) };
      const result = await onRegistry<{ moved: boolean; event: ModelAliasEvent }>({
        api: (api) => api.moveModelAlias({ params: { model, alias }, body }),
        local: async (m) => {
          if (!(await m.getRegisteredModel(model))) throw new CliError(`no registered model named "${model}" (list them with: sluice models list)`, { code: 'not-found' });
          return wire(await m.moveModelAlias({ model, alias, ...body, actor: localActor() }));
        },
      });
      if (opts.json) print(JSON.stringify(result, null, 2));
      else if (!result.moved) print(`${alias} of ${model} already points at ${version === null ? 'nothing' : `version ${version}`}: nothing changed`);
      else print(`moved ${formatEvent(result.event).replace(/^\S+\s+/, '')}`);
    });

  models
    .command('history')
    .argument('<model>', 'registered model name')
    .option('--alias <alias>', 'only this alias')
    .option('--json', 'print JSON')
    .description("the audit history of a model's aliases, oldest first: who moved which alias from which version to which, when and why")
    .action(async (name: string, opts: { alias?: string; json?: boolean }) => {
      const model = checked('model', modelNameSchema, name);
      const alias = opts.alias === undefined ? undefined : checked('--alias', modelAliasNameSchema, opts.alias);
      const events = await onRegistry<ModelAliasEvent[]>({
        api: async (api) => (await api.getModelAliasHistory({ params: { model }, query: alias !== undefined ? { alias } : {} })).events,
        local: async (m) => {
          if (!(await m.getRegisteredModel(model))) throw new CliError(`no registered model named "${model}" (list them with: sluice models list)`, { code: 'not-found' });
          return wire(await m.listModelAliasEvents(model, alias !== undefined ? { alias } : {}));
        },
      });
      if (opts.json) print(JSON.stringify(events, null, 2));
      else if (events.length === 0) print(`no alias of ${model} was ever set (set one with: sluice models alias ${model} champion <version> --note "<why>")`);
      else events.forEach((e) => print(formatEvent(e)));
    });
}
