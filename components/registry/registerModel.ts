/**
 * `register-model`: registers a Model artifact (ONNX or TF.js) in the model registry as the next
 * version of a registered model, and optionally points an alias (`challenger`, …) at it with a
 * note. Through `ctx.models`, whose writes the engine keys by the execution: a retried attempt
 * gets the version and the alias move its first attempt made, never a second one.
 */
import { component, NonRetryableError, t } from 'sluice/dsl';

const MODEL_NAME = /^[A-Za-z0-9][\w.-]{0,99}$/;
const ALIAS_NAME = /^[A-Za-z][\w-]{0,62}$/;

export const registerModel = component({
  name: 'register-model',
  description: 'Registers a Model artifact as a new version of a registered model and optionally points an alias at it.',
  category: 'registry',
  module: 'sluice/components',
  export: 'registerModel',
  inputs: {
    model: t.Model({ description: 'the model file to register (e.g. an export-onnx output)' }),
    name: t.string({ description: 'the registered model, e.g. "iris" (created on first registration)' }),
    alias: t.string({ default: '', description: 'an alias to point at the new version, e.g. "challenger"; empty: none' }),
    note: t.string({ default: 'registered by its pipeline', description: 'why the alias moves (kept in the alias history)' }),
    description: t.string({ default: '', description: 'the version’s description' }),
  },
  outputs: { version: t.int(), aliasMoved: t.bool() },
  run: async ({ model, name, alias, note, description }, ctx) => {
    if (!MODEL_NAME.test(name)) {
      throw new NonRetryableError(`register-model: name "${name}" must start with a letter or digit and hold letters, digits, ".", "-", "_" (max 100)`);
    }
    if (alias !== '' && !ALIAS_NAME.test(alias)) {
      throw new NonRetryableError(`register-model: alias "${alias}" must start with a letter and hold letters, digits, "-", "_" (max 63)`);
    }
    if (alias !== '' && note.trim() === '') throw new NonRetryableError('register-model: an alias move needs a note (say why it moves)');
    const { version, created } = await ctx.models.registerVersion({
      model: name,
      artifact: model,
      ...(description !== '' ? { description } : {}),
      tags: { run: ctx.runId, task: ctx.taskId },
    });
    ctx.log(created ? `registered ${name} version ${version}` : `${name} version ${version} was registered by an earlier attempt`, { model: name, version, artifact: model.id });
    let aliasMoved = false;
    if (alias !== '') {
      const moved = await ctx.models.moveAlias({ model: name, alias, version, note });
      aliasMoved = moved.moved;
      ctx.log(
        moved.moved ? `moved ${alias} of ${name} from ${moved.fromVersion === null ? 'nothing' : `version ${moved.fromVersion}`} to version ${version}` : `${alias} of ${name} already pointed at version ${version}`,
        { alias, version },
      );
    }
    return { version, aliasMoved };
  },
});
