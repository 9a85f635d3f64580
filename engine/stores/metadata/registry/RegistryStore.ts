/**
 * The model registry: registered models with numbered versions, each version pointing at a Model
 * artifact (and through it at its lineage: run, execution, parameters, data, metrics); aliases
 * (`champion`, `challenger`, any name) that point at versions, with an append-only audit history
 * of every move. No stage enum: aliases say where a version stands.
 *
 * Writes to one model are serialised in the database (its row is locked for the transaction), so
 * two concurrent alias moves never lose one another: each sees the other's result as its `from`.
 */

/** Free-form key → text, on a model or a version. */
export type RegistryTags = Record<string, string>;

export interface RegisteredModelRecord {
  name: string;
  description: string | null;
  tags: RegistryTags;
  createdAt: Date;
  updatedAt: Date;
  /** Alias → the version it points at now. */
  aliases: Record<string, number>;
  /** The highest version number; null when none was registered yet. */
  latestVersion: number | null;
}

export interface ModelVersionRecord {
  model: string;
  version: number;
  /** A Model artifact (ONNX or TF.js): its lineage is the version's. */
  artifactId: string;
  description: string | null;
  tags: RegistryTags;
  /** Who registered it: a person's token name, or "run <id> task <task>" for the component. */
  createdBy: string;
  /** The execution that registered it (register-model component), if any: its idempotency key. */
  sourceExecutionId: string | null;
  createdAt: Date;
  /** The aliases pointing at it now. */
  aliases: string[];
}

/** One alias move: the audit trail. */
export interface ModelAliasEventRecord {
  id: number;
  model: string;
  alias: string;
  /** Null: the alias was new. */
  fromVersion: number | null;
  /** Null: the alias was removed. */
  toVersion: number | null;
  actor: string;
  /** Why; required. */
  note: string;
  createdAt: Date;
}

export interface RegisterModelVersionInput {
  /** The registered model's name; created on first registration. */
  model: string;
  artifactId: string;
  description?: string | null;
  tags?: RegistryTags;
  createdBy: string;
  /** A retried registration with the same key returns the version it made (created: false). */
  sourceExecutionId?: string;
}

export interface MoveModelAliasInput {
  model: string;
  alias: string;
  /** The version to point at; null removes the alias. */
  version: number | null;
  /**
   * Compare-and-set: the version the caller saw the alias at (null: absent). A different current
   * version refuses the move (MetadataStoreError 'conflict'); undefined moves whatever it was.
   */
  expectedVersion?: number | null;
  actor: string;
  note: string;
  /** A retried move with the same key changes nothing and returns the first move. */
  requestKey?: string;
}

/** Changes of a model's or a version's description and tags; a tag set to null is removed. */
export interface RegistryUpdate {
  description?: string | null;
  tags?: Record<string, string | null>;
}

export interface RegistryStore {
  /**
   * A new version of the model (created if missing) pointing at the artifact. Throws
   * MetadataStoreError 'not_found' for an unknown artifact, 'invalid' for one that is not a Model.
   */
  registerModelVersion(input: RegisterModelVersionInput): Promise<{ version: ModelVersionRecord; created: boolean }>;
  /** By name. */
  listRegisteredModels(): Promise<RegisteredModelRecord[]>;
  getRegisteredModel(name: string): Promise<RegisteredModelRecord | undefined>;
  /** Throws 'not_found' for an unknown model. */
  updateRegisteredModel(name: string, update: RegistryUpdate): Promise<RegisteredModelRecord>;
  /** Newest first. */
  listModelVersions(model: string): Promise<ModelVersionRecord[]>;
  getModelVersion(model: string, version: number): Promise<ModelVersionRecord | undefined>;
  /** Throws 'not_found' for an unknown version. */
  updateModelVersion(model: string, version: number, update: RegistryUpdate): Promise<ModelVersionRecord>;
  /**
   * Moves (or removes) an alias and appends its history row, in one transaction under the model's
   * row lock. A move to where the alias already points changes nothing (`moved: false`, the last
   * move as `event`). Throws 'not_found' (model, version, or an absent alias to remove) and
   * 'conflict' (expectedVersion is not the current one).
   */
  moveModelAlias(input: MoveModelAliasInput): Promise<{ moved: boolean; event: ModelAliasEventRecord }>;
  /** The alias moves of a model, oldest first; only one alias's with `alias`. */
  listModelAliasEvents(model: string, filter?: { alias?: string }): Promise<ModelAliasEventRecord[]>;
}
