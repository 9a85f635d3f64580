/**
 * `sluice triggers create webhook|artifact|completion|notification`, `list`, `delete`. Triggers are
 * workflows on the Temporal server; they fire while a Sluice stack runs (sluice dev, or workers).
 * Through the server's API when one is reachable (target.ts), else on an embedded stack started
 * for the command.
 */
import { Argument, type Command } from 'commander';
import { resolveRunParams } from '../../runs/index';
import type { Json } from '../../stores/metadata/index';
import { stateDir } from '../../paths';
import { readStateOwner } from '../../stack/index';
import { createTrigger, deleteTrigger, listTriggers, TriggerError, type TriggerInput } from '../../automation/index';
import type { Trigger } from '../../contract/index';
import { CliError } from '../CliError';
import { collect, nameValuePairs } from '../flags';
import { withCliStack } from '../follow';
import { loadPipeline } from '../loadPipeline';
import { onTarget } from '../target';

const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

async function withTriggers<T>(fn: Parameters<typeof withCliStack<T>>[1]): Promise<T> {
  const owner = await readStateOwner(stateDir());
  if (owner) throw new CliError(`the state directory is in use by process ${owner.pid} (${owner.purpose}); manage triggers when it ends`, { code: 'refused' });
  try {
    return await withCliStack({ log: () => undefined }, fn);
  } catch (e) {
    if (e instanceof TriggerError) throw new CliError(e.message, { code: e.code === 'not-found' || e.code === 'gone' ? 'not-found' : 'refused' });
    throw e;
  }
}

/**
 * A field of a trigger's definition. The contract describes a trigger loosely (its id and kind; the
 * fields of each kind are the automation module's), so the rest is read as what it is: unknown JSON.
 */
function field(t: Trigger, ...path: string[]): unknown {
  return path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), t);
}
const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? 'undefined' : JSON.stringify(v));
const statusList = (t: Trigger): string => {
  const statuses = field(t, 'after', 'statuses');
  return Array.isArray(statuses) ? statuses.map(text).join('|') : text(statuses);
};

function format(t: Trigger): string {
  const version = text(field(t, 'pipelineVersionId'));
  switch (t.kind) {
    case 'webhook':
      return `${t.id}  webhook → pipeline version ${version}  POST /api/triggers/${t.id}/webhook  mapping ${JSON.stringify(field(t, 'mapping'))}`;
    case 'artifact': {
      const name = field(t, 'match', 'name');
      return `${t.id}  on new ${text(field(t, 'match', 'type'))}${name ? ` named ${text(name)}` : ''} → input "${text(field(t, 'input'))}" of pipeline version ${version}`;
    }
    case 'completion':
      return `${t.id}  after ${text(field(t, 'after', 'pipeline'))} ${statusList(t)} → pipeline version ${version}  mapping ${JSON.stringify(field(t, 'mapping'))}`;
    case 'notification': {
      const pipeline = field(t, 'after', 'pipeline');
      return `${t.id}  notify ${text(field(t, 'url'))} when ${pipeline === undefined ? 'any pipeline' : text(pipeline)} ${statusList(t)}`;
    }
  }
}

export function registerTriggerCommands(program: Command): void {
  const triggers = program.command('triggers').description('start runs from webhooks, new artifacts or other runs; notify on run outcomes');

  triggers
    .command('create')
    .description('create a trigger')
    .addArgument(new Argument('<kind>', 'webhook, artifact, completion or notification').choices(['webhook', 'artifact', 'completion', 'notification']))
    .argument('[file]', 'the pipeline to start (not for notifications)')
    .requiredOption('--id <id>', 'trigger id')
    .option('--pipeline <name>', 'which pipeline, when the module exports several')
    .option('-p, --param <name=value>', 'fixed pipeline parameter (repeatable)', collect, [])
    .option('--map <input=path>', 'webhook: input ← JSON path in the payload; completion: input ← output of the finished run (repeatable)', collect, [])
    .option('--type <ArtifactType>', 'artifact: the artifact type to watch')
    .option('--name <name>', 'artifact: only artifacts with this name (e.g. split.train)')
    .option('--input <name>', 'artifact: the pipeline input that receives the artifact')
    .option('--after <pipeline>', 'completion/notification: the pipeline whose runs are watched')
    .option('--on <status>', 'completion/notification: succeeded, failed or cancelled (repeatable)', collect, [])
    .option('--url <url>', 'notification: where to POST the run summary')
    .option('--poll <ms>', 'how often sensors look for events', '5000')
    .action(async (kind: TriggerInput['kind'], file: string | undefined, o: { id: string; pipeline?: string; param: string[]; map: string[]; type?: string; name?: string; input?: string; after?: string; on: string[]; url?: string; poll: string }) => {
      const pollMs = Number(o.poll);
      let spec: unknown;
      let params: Record<string, Json> = {};
      if (kind !== 'notification') {
        if (!file) throw new CliError(`a ${kind} trigger starts a pipeline: give its file`);
        const loaded = await loadPipeline(file, o);
        spec = loaded.spec;
        const given = nameValuePairs(o.param, '--param');
        // Parameters are parsed by type now; the trigger fills in the rest when it fires.
        params = Object.keys(given).length ? resolveRunParams(loaded.spec, given, { fromText: true }) : {};
      }
      const statuses = (o.on.length ? o.on : [kind === 'notification' ? 'failed' : 'succeeded']) as ('succeeded' | 'failed' | 'cancelled')[];
      const input: TriggerInput =
        kind === 'webhook'
          ? { kind, id: o.id, spec, params, mapping: nameValuePairs(o.map, '--map') }
          : kind === 'artifact'
            ? { kind, id: o.id, spec, params, input: o.input ?? '', match: { type: o.type ?? '', ...(o.name ? { name: o.name } : {}) }, pollMs }
            : kind === 'completion'
              ? { kind, id: o.id, spec, params, after: { pipeline: o.after ?? '', statuses }, mapping: nameValuePairs(o.map, '--map'), pollMs }
              : { kind, id: o.id, after: { ...(o.after ? { pipeline: o.after } : {}), statuses }, url: o.url ?? '', pollMs };
      const created = await onTarget({
        api: async (api) => {
          const answer = await api.client.createTrigger({ body: input });
          return { definition: answer.trigger, ...(answer.secret !== undefined ? { secret: answer.secret } : {}) };
        },
        local: () => withTriggers((stack) => createTrigger({ client: stack.client, metadata: stack.metadata, taskQueuePrefix: stack.taskQueuePrefix }, input)),
      });
      print(format(created.definition));
      if (created.secret) print(`secret (shown once; sign each delivery with HMAC-SHA256 over "v1:<timestamp>:<delivery id>:<body>"): ${created.secret}`);
    });

  triggers
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const list: Trigger[] = await onTarget({ api: async (api) => (await api.client.listTriggers()).triggers, local: () => withTriggers((stack) => listTriggers(stack.client)) });
      print(o.json ? JSON.stringify(list, null, 2) : list.length ? list.map(format).join('\n') : 'no triggers');
    });

  triggers
    .command('delete')
    .argument('<id>')
    .action(async (id: string) => {
      await onTarget({ api: (api) => api.client.deleteTrigger({ params: { trigger: id } }), local: () => withTriggers((stack) => deleteTrigger(stack.client, id)) });
      print(`deleted trigger ${id}`);
    });
}
