/** RegistryStore over drizzle: `registered_models`, `model_versions`, `model_aliases`, `model_alias_events`. */
import { and, asc, desc, eq, max, sql } from 'drizzle-orm';
import { getArtifactIn } from '../artifacts/DrizzleArtifactRecordStore';
import type { MetadataDatabase } from '../database';
import { MetadataStoreError } from '../errors';
import { modelAliasEvents, modelAliases, modelVersions, registeredModels } from '../schema';
import type {
  ModelAliasEventRecord,
  ModelVersionRecord,
  MoveModelAliasInput,
  RegisteredModelRecord,
  RegisterModelVersionInput,
  RegistryStore,
  RegistryTags,
  RegistryUpdate,
} from './RegistryStore';

/** The artifact type a version must point at (dsl/ir BUILTIN_ARTIFACT_TYPES). */
const MODEL_TYPE = 'Model';

const EVENT_COLUMNS = {
  id: modelAliasEvents.id,
  model: modelAliasEvents.model,
  alias: modelAliasEvents.alias,
  fromVersion: modelAliasEvents.fromVersion,
  toVersion: modelAliasEvents.toVersion,
  actor: modelAliasEvents.actor,
  note: modelAliasEvents.note,
  createdAt: modelAliasEvents.createdAt,
};

const VERSION_COLUMNS = {
  model: modelVersions.model,
  version: modelVersions.version,
  artifactId: modelVersions.artifactId,
  description: modelVersions.description,
  tags: modelVersions.tags,
  createdBy: modelVersions.createdBy,
  sourceExecutionId: modelVersions.sourceExecutionId,
  createdAt: modelVersions.createdAt,
};

export class DrizzleRegistryStore implements RegistryStore {
  constructor(private readonly db: MetadataDatabase) {}

  async registerModelVersion(input: RegisterModelVersionInput): Promise<{ version: ModelVersionRecord; created: boolean }> {
    const artifact = await getArtifactIn(this.db, input.artifactId);
    if (!artifact) throw new MetadataStoreError('not_found', `no artifact with id "${input.artifactId}": a model version points at a recorded Model artifact`);
    if (artifact.type !== MODEL_TYPE) {
      throw new MetadataStoreError('invalid', `artifact "${input.artifactId}" is a ${artifact.type}, not a Model: only Model artifacts (ONNX or TF.js) can be registered`);
    }
    const { model, number, created } = await this.db.transaction(async (tx) => {
      await tx.insert(registeredModels).values({ name: input.model }).onConflictDoNothing();
      await lockModel(tx, input.model);
      if (input.sourceExecutionId !== undefined) {
        const [earlier] = await tx
          .select({ version: modelVersions.version })
          .from(modelVersions)
          .where(and(eq(modelVersions.model, input.model), eq(modelVersions.sourceExecutionId, input.sourceExecutionId)));
        if (earlier) return { model: input.model, number: earlier.version, created: false };
      }
      const [last] = await tx.select({ n: max(modelVersions.version) }).from(modelVersions).where(eq(modelVersions.model, input.model));
      const next = (last?.n ?? 0) + 1;
      await tx.insert(modelVersions).values({
        model: input.model,
        version: next,
        artifactId: input.artifactId,
        description: input.description ?? null,
        tags: input.tags ?? {},
        createdBy: input.createdBy,
        sourceExecutionId: input.sourceExecutionId ?? null,
      });
      await tx.update(registeredModels).set({ updatedAt: sql`now()` }).where(eq(registeredModels.name, input.model));
      return { model: input.model, number: next, created: true };
    });
    const version = await this.getModelVersion(model, number);
    if (!version) throw new Error(`model ${model} version ${number} vanished right after it was written`);
    return { version, created };
  }

  async listRegisteredModels(): Promise<RegisteredModelRecord[]> {
    return this.#models();
  }

  async getRegisteredModel(name: string): Promise<RegisteredModelRecord | undefined> {
    const [found] = await this.#models(name);
    return found;
  }

  async updateRegisteredModel(name: string, update: RegistryUpdate): Promise<RegisteredModelRecord> {
    await this.db.transaction(async (tx) => {
      const [row] = await tx.select({ tags: registeredModels.tags }).from(registeredModels).where(eq(registeredModels.name, name)).for('update');
      if (!row) throw unknownModel(name);
      await tx
        .update(registeredModels)
        .set({
          ...(update.description !== undefined ? { description: update.description } : {}),
          tags: mergeTags(row.tags, update.tags),
          updatedAt: sql`now()`,
        })
        .where(eq(registeredModels.name, name));
    });
    const model = await this.getRegisteredModel(name);
    if (!model) throw unknownModel(name);
    return model;
  }

  async listModelVersions(model: string): Promise<ModelVersionRecord[]> {
    return this.#versions(model);
  }

  async getModelVersion(model: string, version: number): Promise<ModelVersionRecord | undefined> {
    const [found] = await this.#versions(model, version);
    return found;
  }

  async updateModelVersion(model: string, version: number, update: RegistryUpdate): Promise<ModelVersionRecord> {
    await this.db.transaction(async (tx) => {
      const where = and(eq(modelVersions.model, model), eq(modelVersions.version, version));
      const [row] = await tx.select({ tags: modelVersions.tags }).from(modelVersions).where(where).for('update');
      if (!row) throw unknownVersion(model, version);
      await tx
        .update(modelVersions)
        .set({ ...(update.description !== undefined ? { description: update.description } : {}), tags: mergeTags(row.tags, update.tags) })
        .where(where);
    });
    const found = await this.getModelVersion(model, version);
    if (!found) throw unknownVersion(model, version);
    return found;
  }

  async moveModelAlias(input: MoveModelAliasInput): Promise<{ moved: boolean; event: ModelAliasEventRecord }> {
    return this.db.transaction(async (tx) => {
      // The model's row lock serialises every move of its aliases: the second of two concurrent
      // moves waits here, then reads the alias as the first left it (no lost update).
      if (!(await lockModel(tx, input.model))) throw unknownModel(input.model);
      const aliasWhere = and(eq(modelAliases.model, input.model), eq(modelAliases.alias, input.alias));
      const eventsOfAlias = and(eq(modelAliasEvents.model, input.model), eq(modelAliasEvents.alias, input.alias));
      if (input.requestKey !== undefined) {
        const [earlier] = await tx.select(EVENT_COLUMNS).from(modelAliasEvents).where(and(eventsOfAlias, eq(modelAliasEvents.requestKey, input.requestKey)));
        if (earlier) return { moved: false, event: earlier };
      }
      const [current] = await tx.select({ version: modelAliases.version }).from(modelAliases).where(aliasWhere);
      const from = current?.version ?? null;
      if (input.expectedVersion !== undefined && input.expectedVersion !== from) {
        throw new MetadataStoreError(
          'conflict',
          `alias "${input.alias}" of model "${input.model}" points at ${from === null ? 'no version' : `version ${from}`}, not ` +
            `${input.expectedVersion === null ? 'no version' : `version ${input.expectedVersion}`} as expected: someone moved it meanwhile; look at its history and try again`,
        );
      }
      if (input.version === null && from === null) {
        throw new MetadataStoreError('not_found', `model "${input.model}" has no alias "${input.alias}" to remove`);
      }
      if (input.version === from) {
        const [last] = await tx.select(EVENT_COLUMNS).from(modelAliasEvents).where(eventsOfAlias).orderBy(desc(modelAliasEvents.id)).limit(1);
        if (last) return { moved: false, event: last };
      }
      if (input.version === null) {
        await tx.delete(modelAliases).where(aliasWhere);
      } else {
        const [target] = await tx
          .select({ version: modelVersions.version })
          .from(modelVersions)
          .where(and(eq(modelVersions.model, input.model), eq(modelVersions.version, input.version)));
        if (!target) throw unknownVersion(input.model, input.version);
        await tx
          .insert(modelAliases)
          .values({ model: input.model, alias: input.alias, version: input.version })
          .onConflictDoUpdate({ target: [modelAliases.model, modelAliases.alias], set: { version: input.version, updatedAt: sql`now()` } });
      }
      const [event] = await tx
        .insert(modelAliasEvents)
        .values({
          model: input.model,
          alias: input.alias,
          fromVersion: from,
          toVersion: input.version,
          actor: input.actor,
          note: input.note,
          requestKey: input.requestKey ?? null,
        })
        .returning(EVENT_COLUMNS);
      await tx.update(registeredModels).set({ updatedAt: sql`now()` }).where(eq(registeredModels.name, input.model));
      if (!event) throw new Error(`the move of alias ${input.alias} of ${input.model} returned no row`);
      return { moved: true, event };
    });
  }

  async listModelAliasEvents(model: string, filter: { alias?: string } = {}): Promise<ModelAliasEventRecord[]> {
    return this.db
      .select(EVENT_COLUMNS)
      .from(modelAliasEvents)
      .where(and(eq(modelAliasEvents.model, model), filter.alias !== undefined ? eq(modelAliasEvents.alias, filter.alias) : undefined))
      .orderBy(asc(modelAliasEvents.id));
  }

  async #models(name?: string): Promise<RegisteredModelRecord[]> {
    const rows = await this.db
      .select({
        name: registeredModels.name,
        description: registeredModels.description,
        tags: registeredModels.tags,
        createdAt: registeredModels.createdAt,
        updatedAt: registeredModels.updatedAt,
        latestVersion: sql<number | null>`(select max(${modelVersions.version}) from ${modelVersions} where ${modelVersions.model} = ${registeredModels.name})`,
      })
      .from(registeredModels)
      .where(name !== undefined ? eq(registeredModels.name, name) : undefined)
      .orderBy(asc(registeredModels.name));
    if (rows.length === 0) return [];
    const aliases = await this.db
      .select({ model: modelAliases.model, alias: modelAliases.alias, version: modelAliases.version })
      .from(modelAliases)
      .where(name !== undefined ? eq(modelAliases.model, name) : undefined)
      .orderBy(asc(modelAliases.alias));
    return rows.map((r) => ({
      ...r,
      latestVersion: r.latestVersion === null ? null : Number(r.latestVersion),
      aliases: Object.fromEntries(aliases.filter((a) => a.model === r.name).map((a) => [a.alias, a.version])),
    }));
  }

  async #versions(model: string, version?: number): Promise<ModelVersionRecord[]> {
    const rows = await this.db
      .select(VERSION_COLUMNS)
      .from(modelVersions)
      .where(and(eq(modelVersions.model, model), version !== undefined ? eq(modelVersions.version, version) : undefined))
      .orderBy(desc(modelVersions.version));
    if (rows.length === 0) return [];
    const aliases = await this.db
      .select({ alias: modelAliases.alias, version: modelAliases.version })
      .from(modelAliases)
      .where(eq(modelAliases.model, model))
      .orderBy(asc(modelAliases.alias));
    return rows.map((r) => ({ ...r, aliases: aliases.filter((a) => a.version === r.version).map((a) => a.alias) }));
  }
}

/** Locks the model's row for the rest of the transaction; false when there is no such model. */
async function lockModel(tx: MetadataDatabase, name: string): Promise<boolean> {
  const locked = await tx.select({ name: registeredModels.name }).from(registeredModels).where(eq(registeredModels.name, name)).for('update');
  return locked.length > 0;
}

function mergeTags(current: RegistryTags, changes: Record<string, string | null> | undefined): RegistryTags {
  const next = { ...current };
  for (const [key, value] of Object.entries(changes ?? {})) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

const unknownModel = (name: string) => new MetadataStoreError('not_found', `no registered model named "${name}" (sluice models list shows them)`);
const unknownVersion = (model: string, version: number) =>
  new MetadataStoreError('not_found', `model "${model}" has no version ${version} (sluice models show ${model} lists its versions)`);
