/**
 * Tables of the metadata store (drizzle pg-core). drizzle-kit generates the checked-in migrations
 * under ./migrations from this file: after a change, run `npx drizzle-kit generate` and commit both.
 *
 * Ids are text chosen by the engine (deterministic where retries must upsert); JSON is jsonb;
 * times are timestamptz. Statuses are text guarded by CHECK constraints rather than pg enums, so a
 * new status is a one-line migration instead of an ALTER TYPE dance.
 */
import { sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { PipelineSpec } from '../../../dsl/ir/schema';
import type {
  ApiRole,
  EventKind,
  ExecutionStatus,
  Json,
  LoopItemOutputValue,
  LoopItemStatus,
  RolloutAction,
  RolloutMode,
  RolloutState,
  RunStatus,
  TaskLogLevel,
  TaskLogStream,
  TuneTrialState,
} from './MetadataStore';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
/** The run / execution a row belongs to: it goes with them (cascade). */
const runIdColumn = () => text('run_id').notNull().references((): AnyPgColumn => runs.id, { onDelete: 'cascade' });
const executionIdColumn = () => text('execution_id').notNull().references((): AnyPgColumn => executions.id, { onDelete: 'cascade' });
const jsonObject = (name: string) => jsonb(name).$type<Record<string, Json>>();

export const pipelines = pgTable('pipelines', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique('pipelines_name_unique'),
  createdAt: createdAt(),
  // Archived pipelines are left out of listings; their versions and runs stay.
  archivedAt: timestamp('archived_at', { withTimezone: true, mode: 'date' }),
});

export const pipelineVersions = pgTable(
  'pipeline_versions',
  {
    id: text('id').primaryKey(),
    pipelineId: text('pipeline_id')
      .notNull()
      .references(() => pipelines.id, { onDelete: 'cascade' }),
    digest: text('digest').notNull(),
    spec: jsonb('spec').$type<PipelineSpec>().notNull(),
    // A draft's IR has validation problems: stored so work is not lost, never run.
    draft: boolean('draft').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [unique('pipeline_versions_pipeline_digest_unique').on(t.pipelineId, t.digest)],
);

export const runs = pgTable(
  'runs',
  {
    id: text('id').primaryKey(),
    // Insertion order: breaks created_at ties (PGlite's clock can give two runs the same instant).
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    // Denormalised from the version so "runs of pipeline X" is one index scan.
    pipelineId: text('pipeline_id')
      .notNull()
      .references(() => pipelines.id, { onDelete: 'cascade' }),
    pipelineVersionId: text('pipeline_version_id')
      .notNull()
      .references(() => pipelineVersions.id, { onDelete: 'cascade' }),
    status: text('status').$type<RunStatus>().notNull().default('pending'),
    params: jsonObject('params').notNull(),
    trigger: jsonObject('trigger').notNull(),
    workflowId: text('workflow_id').notNull(),
    failedTask: text('failed_task'),
    error: text('error'),
    outputs: jsonObject('outputs'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    check('runs_status_check', sql`${t.status} in ('pending', 'running', 'succeeded', 'failed', 'cancelled')`),
    index('runs_pipeline_created_idx').on(t.pipelineId, t.createdAt.desc()),
    index('runs_status_created_idx').on(t.status, t.createdAt.desc()),
    // The listing's order exactly (created_at desc, seq desc; nulls first as DESC has them), so a
    // filtered page walks it and stops at the limit instead of sorting every match.
    index('runs_created_seq_idx').on(t.createdAt.desc().nullsFirst(), t.seq.desc().nullsFirst()),
    index('runs_workflow_id_idx').on(t.workflowId),
  ],
);

export const executions = pgTable(
  'executions',
  {
    id: text('id').primaryKey(),
    // Insertion order: breaks started_at ties; a retry keeps the row and so its place.
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    runId: runIdColumn(),
    taskId: text('task_id').notNull(),
    componentName: text('component_name').notNull(),
    componentDigest: text('component_digest').notNull(),
    status: text('status').$type<ExecutionStatus>().notNull().default('running'),
    attempt: integer('attempt').notNull().default(1),
    params: jsonObject('params').notNull(),
    outputParams: jsonObject('output_params'),
    error: text('error'),
    cacheKey: text('cache_key'),
    cachedFrom: text('cached_from').references((): AnyPgColumn => executions.id, { onDelete: 'set null' }),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    check(
      'executions_status_check',
      sql`${t.status} in ('running', 'waiting', 'succeeded', 'failed', 'cancelled', 'cached', 'skipped')`,
    ),
    check('executions_attempt_check', sql`${t.attempt} >= 1`),
    index('executions_run_started_idx').on(t.runId, t.startedAt, t.seq),
    // Cache lookups: "a succeeded execution with this key".
    index('executions_cache_key_idx').on(t.cacheKey),
    // Lineage: "the cached executions that reused this one".
    index('executions_cached_from_idx').on(t.cachedFrom),
  ],
);

export const artifacts = pgTable(
  'artifacts',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    name: text('name').notNull(),
    uri: text('uri').notNull(),
    sha256: text('sha256').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    properties: jsonObject('properties').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('artifacts_sha256_idx').on(t.sha256)],
);

/**
 * Lineage is the graph of these rows: artifact → execution (input), execution → artifact (output,
 * exactly one per artifact). A cached execution links the artifacts it handed out with 'reused'
 * (the reuse relation, "reused by run X, task Y"), never with 'output'.
 */
export const events = pgTable(
  'events',
  {
    executionId: executionIdColumn(),
    artifactId: text('artifact_id')
      .notNull()
      .references(() => artifacts.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<EventKind>().notNull(),
    port: text('port').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // The key makes recordEvent idempotent and also serves "events of an execution".
    primaryKey({ name: 'events_pkey', columns: [t.executionId, t.artifactId, t.kind, t.port] }),
    check('events_kind_check', sql`${t.kind} in ('input', 'output', 'reused')`),
    index('events_artifact_kind_idx').on(t.artifactId, t.kind),
    index('events_execution_kind_idx').on(t.executionId, t.kind),
  ],
);

export const metrics = pgTable(
  'metrics',
  {
    runId: runIdColumn(),
    executionId: executionIdColumn(),
    key: text('key').notNull(),
    value: doublePrecision('value').notNull(),
    step: integer('step').notNull().default(0),
    /** What the step counts ("epoch"), as the component said; null: plain steps. */
    stepLabel: text('step_label'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'metrics_pkey', columns: [t.executionId, t.key, t.step] }),
    index('metrics_run_key_idx').on(t.runId, t.key, t.step),
  ],
);

/**
 * Each run's latest value of each metric key (its highest step; at a tie, the last written), kept by
 * a trigger on `metrics` (migration 0010) so every writer keeps it true. The runs list filters and
 * sorts by metrics through it: one row per run and key, with (key, value) indexed, instead of
 * finding each run's highest step among all its points per query (issue 13's 10k-run list).
 */
export const runLatestMetrics = pgTable(
  'run_latest_metrics',
  {
    runId: runIdColumn(),
    key: text('key').notNull(),
    value: doublePrecision('value').notNull(),
    step: integer('step').notNull(),
  },
  (t) => [
    primaryKey({ name: 'run_latest_metrics_pkey', columns: [t.runId, t.key] }),
    // run_id too: filters and metric orders read it from the index alone (index-only scans).
    index('run_latest_metrics_key_value_idx').on(t.key, t.value, t.runId),
  ],
);

/**
 * Task log lines. `seq` numbers the lines of one execution across its attempts (the cursor of
 * "lines after N"); `line` numbers them within one attempt as its writer sent them, so a re-sent
 * batch is recognised and dropped instead of stored twice.
 */
export const taskLogs = pgTable(
  'task_logs',
  {
    runId: runIdColumn(),
    executionId: executionIdColumn(),
    seq: integer('seq').notNull(),
    attempt: integer('attempt').notNull(),
    line: integer('line').notNull(),
    ts: timestamp('ts', { withTimezone: true, mode: 'date' }).notNull(),
    stream: text('stream').$type<TaskLogStream>().notNull(),
    level: text('level').$type<TaskLogLevel>(),
    message: text('message').notNull(),
    fields: jsonObject('fields'),
  },
  (t) => [
    primaryKey({ name: 'task_logs_pkey', columns: [t.executionId, t.seq] }),
    unique('task_logs_attempt_line_unique').on(t.executionId, t.attempt, t.line),
    check('task_logs_stream_check', sql`${t.stream} in ('log', 'stdout', 'stderr', 'system')`),
    index('task_logs_run_ts_idx').on(t.runId, t.ts),
  ],
);

/** Outcomes of loop items, written by the batch workflows that run them; read by fan-in inputs. */
export const loopItems = pgTable(
  'loop_items',
  {
    runId: runIdColumn(),
    /** Loop path within the run, e.g. "sweep" or "outer[2]/inner". */
    loop: text('loop').notNull(),
    idx: integer('idx').notNull(),
    status: text('status').$type<LoopItemStatus>().notNull(),
    outputs: jsonb('outputs').$type<Record<string, LoopItemOutputValue>>().notNull(),
    error: text('error'),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'loop_items_pkey', columns: [t.runId, t.loop, t.idx] }),
    check('loop_items_status_check', sql`${t.status} in ('succeeded', 'failed', 'skipped', 'cancelled')`),
  ],
);

/** Trials of tuning studies (`p.tune`), written by the study workflow's activities. */
export const tuneTrials = pgTable(
  'tune_trials',
  {
    runId: runIdColumn(),
    /** Task path of the study in the run. */
    study: text('study').notNull(),
    number: integer('number').notNull(),
    state: text('state').$type<TuneTrialState>().notNull(),
    params: jsonObject('params').notNull(),
    value: doublePrecision('value'),
    prunedStep: integer('pruned_step'),
    reason: text('reason'),
    executionId: text('execution_id').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    primaryKey({ name: 'tune_trials_pkey', columns: [t.runId, t.study, t.number] }),
    check('tune_trials_state_check', sql`${t.state} in ('running', 'succeeded', 'failed', 'pruned', 'cancelled')`),
  ],
);

// ---- model rollouts (engine/stores/metadata/rollouts/) -----------------------------------------

/**
 * Rollouts of a registered model: the traffic split the model server applies (baseline version,
 * candidate version, the candidate's weight in percent) and its state. At most one running per
 * model (the partial unique index), so the server's read of "the" split is never ambiguous.
 */
export const modelRollouts = pgTable(
  'model_rollouts',
  {
    id: text('id').primaryKey(),
    model: text('model')
      .notNull()
      .references(() => registeredModels.name, { onDelete: 'cascade' }),
    mode: text('mode').$type<RolloutMode>().notNull(),
    baselineVersion: integer('baseline_version').notNull(),
    candidateVersion: integer('candidate_version').notNull(),
    weight: doublePrecision('weight').notNull(),
    step: integer('step').notNull().default(-1),
    state: text('state').$type<RolloutState>().notNull().default('running'),
    plan: jsonObject('plan').notNull(),
    reason: text('reason'),
    workflowId: text('workflow_id'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    check('model_rollouts_mode_check', sql`${t.mode} in ('canary', 'shadow', 'ab')`),
    check('model_rollouts_state_check', sql`${t.state} in ('running', 'promoted', 'rolled-back', 'aborted')`),
    check('model_rollouts_weight_check', sql`${t.weight} >= 0 and ${t.weight} <= 100`),
    foreignKey({ name: 'model_rollouts_baseline_fk', columns: [t.model, t.baselineVersion], foreignColumns: [modelVersions.model, modelVersions.version] }).onDelete('cascade'),
    foreignKey({ name: 'model_rollouts_candidate_fk', columns: [t.model, t.candidateVersion], foreignColumns: [modelVersions.model, modelVersions.version] }).onDelete('cascade'),
    uniqueIndex('model_rollouts_one_running_idx').on(t.model).where(sql`${t.state} = 'running'`),
    index('model_rollouts_model_idx').on(t.model, t.createdAt),
  ],
);

/** Every decision taken on a rollout (weight set, step passed or held, promote, rollback, abort) with its figures. Append-only. */
export const modelRolloutDecisions = pgTable(
  'model_rollout_decisions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    rolloutId: text('rollout_id')
      .notNull()
      .references(() => modelRollouts.id, { onDelete: 'cascade' }),
    step: integer('step').notNull(),
    weight: doublePrecision('weight').notNull(),
    action: text('action').$type<RolloutAction>().notNull(),
    figures: jsonObject('figures').notNull(),
    reason: text('reason').notNull(),
    requestKey: text('request_key'),
    createdAt: createdAt(),
  },
  (t) => [unique('model_rollout_decisions_request_unique').on(t.rolloutId, t.requestKey), index('model_rollout_decisions_rollout_idx').on(t.rolloutId, t.id)],
);

// ---- HTTP API (engine/server/) -----------------------------------------------------------------

/** Named groups of runs (the API's experiments), to compare runs side by side. */
export const experiments = pgTable('experiments', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique('experiments_name_unique'),
  description: text('description'),
  createdAt: createdAt(),
  /** Archived: left out of listings and closed to new runs; its runs stay (null: active). */
  archivedAt: timestamp('archived_at', { withTimezone: true, mode: 'date' }),
});

export const experimentRuns = pgTable(
  'experiment_runs',
  {
    experimentId: text('experiment_id')
      .notNull()
      .references(() => experiments.id, { onDelete: 'cascade' }),
    runId: runIdColumn(),
    addedAt: timestamp('added_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'experiment_runs_pkey', columns: [t.experimentId, t.runId] }),
    // A run belongs to at most one experiment.
    unique('experiment_runs_run_unique').on(t.runId),
  ],
);

/**
 * API tokens. The secret is never stored: only its sha256. A token reads `sluice_<id>_<secret>`;
 * the id (random, public) finds the row and the secret's hash is compared in constant time.
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    role: text('role').$type<ApiRole>().notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [check('api_tokens_role_check', sql`${t.role} in ('viewer', 'editor', 'admin')`)],
);

// ---- tracking (engine/stores/metadata/tracking/: tags, notes, the MLflow API) ------------------

/**
 * Tags of a run: key → text, editable after the fact (MLflow's set-tag, Sluice's own tags). The
 * run's free-text note is the tag `mlflow.note.content` (MLflow's key for a run's description), so
 * a note written by either side is the same note.
 */
export const runTags = pgTable(
  'run_tags',
  {
    runId: runIdColumn(),
    key: text('key').notNull(),
    value: text('value').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  // No index on value: tag values may be long (a note), past what a btree entry holds.
  (t) => [primaryKey({ name: 'run_tags_pkey', columns: [t.runId, t.key] })],
);

// ---- model registry (engine/stores/metadata/registry/) ----------------------------------------

/**
 * Registered models, by name. No stage column: where a version stands is said by aliases
 * (`champion`, `challenger`, any name), as MLflow moved from stages to aliases.
 */
export const registeredModels = pgTable('registered_models', {
  name: text('name').primaryKey(),
  description: text('description'),
  tags: jsonb('tags').$type<Record<string, string>>().notNull().default({}),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/**
 * Versions of a registered model, numbered 1, 2, … per model. Each points at a Model artifact, and
 * through it at its lineage. `source_execution_id` is the execution that registered it (the
 * register-model component): unique per model, so a retried attempt finds its version instead of
 * adding a second.
 */
export const modelVersions = pgTable(
  'model_versions',
  {
    model: text('model')
      .notNull()
      .references(() => registeredModels.name, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    artifactId: text('artifact_id')
      .notNull()
      .references(() => artifacts.id, { onDelete: 'restrict' }),
    description: text('description'),
    tags: jsonb('tags').$type<Record<string, string>>().notNull().default({}),
    createdBy: text('created_by').notNull(),
    sourceExecutionId: text('source_execution_id'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'model_versions_pkey', columns: [t.model, t.version] }),
    check('model_versions_version_check', sql`${t.version} >= 1`),
    unique('model_versions_source_execution_unique').on(t.model, t.sourceExecutionId),
    index('model_versions_artifact_idx').on(t.artifactId),
  ],
);

/** Where each alias of a model points now. Moves go through the history below, in one transaction. */
export const modelAliases = pgTable(
  'model_aliases',
  {
    model: text('model').notNull(),
    alias: text('alias').notNull(),
    version: integer('version').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'model_aliases_pkey', columns: [t.model, t.alias] }),
    foreignKey({ name: 'model_aliases_version_fk', columns: [t.model, t.version], foreignColumns: [modelVersions.model, modelVersions.version] }).onDelete('cascade'),
  ],
);

/**
 * The audit trail of alias moves: who moved which alias from which version to which, when and
 * why. Append-only. `request_key` makes a retried move (the register-model component's, keyed by
 * its execution) a no-op that returns the first move.
 */
export const modelAliasEvents = pgTable(
  'model_alias_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    model: text('model')
      .notNull()
      .references(() => registeredModels.name, { onDelete: 'cascade' }),
    alias: text('alias').notNull(),
    /** Null: the alias was new. */
    fromVersion: integer('from_version'),
    /** Null: the alias was removed. */
    toVersion: integer('to_version'),
    actor: text('actor').notNull(),
    note: text('note').notNull(),
    requestKey: text('request_key'),
    createdAt: createdAt(),
  },
  (t) => [
    check('model_alias_events_note_check', sql`length(${t.note}) > 0`),
    unique('model_alias_events_request_unique').on(t.model, t.alias, t.requestKey),
    index('model_alias_events_model_idx').on(t.model, t.id),
  ],
);
