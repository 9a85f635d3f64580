/**
 * Which version a request reaches, and the loaded versions. Registered models are read from the
 * metadata store (the registry) and cached; every `pollMs` the cached ones are read again, and a
 * version an alias now points at is loaded BEFORE the alias switches to it here, so a move of
 * `champion` costs no request a model load. A request resolves its version once, on arrival, and
 * keeps that version's session until it is answered: a move never drops an in-flight request.
 * Versions stay loaded (several at once) as long as the server runs. The running rollout of each
 * cached model is read with the same poll (its versions loaded before the split takes them), and
 * splits requests to the default alias while that alias still points at the rollout's baseline.
 */
import type { ArtifactStore } from '../stores/artifacts/index';
import type { MetadataStore, ModelRolloutRecord, RegisteredModelRecord } from '../stores/metadata/index';
import { readFile } from 'node:fs/promises';
import type { Logger } from '../logging';
import type { BatchingOptions } from './batcher';
import { notFound, ServingError } from './errors';
import { LoadedVersion, type SessionOptions } from './loadedVersion';
import type { ModelRef } from './modelRef';
import { chooseArm, routeKeyHeaderOf, type RolloutArm } from './routing';

/** What the server reads of the metadata store: the registry and artifact records. */
export type RegistrySource = Pick<
  MetadataStore,
  'getRegisteredModel' | 'getModelVersion' | 'getArtifact' | 'listModelVersions' | 'listRegisteredModels' | 'getActiveModelRollout'
>;

export interface CatalogOptions {
  session: SessionOptions;
  batching: BatchingOptions;
  /** How often cached registry entries are read again (alias moves are seen within this). */
  pollMs: number;
  /** The alias a bare model name means, when the model has it; else the latest version. */
  defaultAlias: string;
  /** How long a failed load is remembered (its error given again at no cost) before a request tries it again. */
  loadRetryMs: number;
}

/** A request's resolved target. */
export interface Resolved {
  loaded: LoadedVersion;
  /** The alias it was reached through, if any. */
  alias: string | null;
  /** The running rollout that chose the version, and as which arm; null when none applied. */
  rollout: { record: ModelRolloutRecord; arm: RolloutArm } | null;
}

/** What a request brings besides its model reference: its headers, for the rollout's route key. */
export interface RouteHints {
  /** A request header's value by (lowercase) name; undefined when absent. */
  header?: (name: string) => string | undefined;
}

export class ModelCatalog {
  private readonly models = new Map<string, RegisteredModelRecord>();
  /** The running rollout of each cached model (null: none), refreshed with the registry poll. */
  private readonly rollouts = new Map<string, ModelRolloutRecord | null>();
  private readonly versions = new Map<string, Promise<LoadedVersion>>();
  /** A model's first read from the registry while it is under way. */
  private readonly firstReads = new Map<string, Promise<RegisteredModelRecord>>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  /** False after a poll that could not read the registry (server readiness). */
  registryReachable = true;

  constructor(
    private readonly source: RegistrySource,
    private readonly artifacts: ArtifactStore,
    private readonly options: CatalogOptions,
    private readonly logger: Logger,
    private readonly onBatch: (model: string, version: number, rows: number, requests: number) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.polling ??= this.poll().finally(() => (this.polling = undefined));
    }, this.options.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
    for (const v of this.versions.values()) await v.then((l) => l.release()).catch(() => undefined);
    this.versions.clear();
  }

  /** The registered model (cached), or a 404. */
  async model(name: string): Promise<RegisteredModelRecord> {
    const cached = this.models.get(name);
    if (cached) return cached;
    // Concurrent first requests share one read: separate reads finishing out of order would let
    // one from before a rollout started overwrite a newer one until the next poll.
    let reading = this.firstReads.get(name);
    if (!reading) {
      reading = this.readModel(name).finally(() => this.firstReads.delete(name));
      this.firstReads.set(name, reading);
    }
    return reading;
  }

  private async readModel(name: string): Promise<RegisteredModelRecord> {
    // The rollout first, then the model, as poll() reads them.
    const rollout = await this.source.getActiveModelRollout(name);
    const found = await this.source.getRegisteredModel(name);
    if (!found) throw notFound(`no registered model named "${name}" (sluice models list shows them)`);
    this.rollouts.set(name, rollout ?? null);
    this.models.set(name, found);
    return found;
  }

  /** The running rollout of a model (as of the last poll), or null. */
  rolloutOf(name: string): ModelRolloutRecord | null {
    return this.rollouts.get(name) ?? null;
  }

  /**
   * The version a reference means now (no load). A reference to the model's default alias (the
   * bare name or `@champion`) goes through the running rollout's split while the alias still
   * points at the rollout's baseline; a version or any other alias is never split.
   */
  async versionOf(ref: ModelRef, hints: RouteHints = {}): Promise<{ version: number; alias: string | null; rollout: Resolved['rollout'] }> {
    const m = await this.model(ref.model);
    if (ref.version !== undefined) {
      if (m.latestVersion === null || ref.version > m.latestVersion) {
        // Registered since the last poll? Ask the store before refusing.
        const fresh = await this.source.getModelVersion(ref.model, ref.version);
        if (!fresh) throw notFound(`model "${ref.model}" has no version ${ref.version} (latest: ${m.latestVersion ?? 'none'})`);
      }
      return { version: ref.version, alias: null, rollout: null };
    }
    if (ref.alias !== undefined && ref.alias !== this.options.defaultAlias) {
      const v = m.aliases[ref.alias];
      if (v === undefined) {
        const known = Object.keys(m.aliases);
        throw notFound(`model "${ref.model}" has no alias "${ref.alias}" (${known.length ? `aliases: ${known.join(', ')}` : 'it has no aliases'}; sluice models alias sets one)`);
      }
      return { version: v, alias: ref.alias, rollout: null };
    }
    const byDefault = m.aliases[this.options.defaultAlias];
    if (byDefault === undefined && ref.alias !== undefined) {
      const known = Object.keys(m.aliases);
      throw notFound(`model "${ref.model}" has no alias "${ref.alias}" (${known.length ? `aliases: ${known.join(', ')}` : 'it has no aliases'}; sluice models alias sets one)`);
    }
    if (byDefault !== undefined) {
      const rollout = this.rollouts.get(ref.model) ?? null;
      if (rollout && rollout.baselineVersion === byDefault) {
        const arm = chooseArm(rollout, hints.header?.(routeKeyHeaderOf(rollout)));
        return { version: arm === 'candidate' ? rollout.candidateVersion : byDefault, alias: this.options.defaultAlias, rollout: { record: rollout, arm } };
      }
      return { version: byDefault, alias: this.options.defaultAlias, rollout: null };
    }
    if (m.latestVersion === null) throw notFound(`model "${ref.model}" has no versions yet`);
    return { version: m.latestVersion, alias: null, rollout: null };
  }

  /** The loaded version a reference means now (loading it on first use). */
  async resolve(ref: ModelRef, hints: RouteHints = {}): Promise<Resolved> {
    const { version, alias, rollout } = await this.versionOf(ref, hints);
    return { loaded: await this.load(ref.model, version), alias, rollout };
  }

  /** Whether a version is loaded already (without loading it). */
  async isLoaded(model: string, version: number): Promise<boolean> {
    const p = this.versions.get(`${model}/${version}`);
    if (!p) return false;
    return p.then(
      () => true,
      () => false,
    );
  }

  load(model: string, version: number): Promise<LoadedVersion> {
    const key = `${model}/${version}`;
    let p = this.versions.get(key);
    if (!p) {
      p = this.loadVersion(model, version);
      this.versions.set(key, p);
      // A failed load is remembered for loadRetryMs, so a shadow candidate that cannot load is not
      // loaded again for every mirrored request (nor a broken version for every request to it);
      // then the next request tries again (the artifact may have been a transient miss).
      const failed = p;
      failed.catch(() => {
        const forget = setTimeout(() => {
          if (this.versions.get(key) === failed) this.versions.delete(key);
        }, this.options.loadRetryMs);
        forget.unref();
      });
    }
    return p;
  }

  private async loadVersion(model: string, version: number): Promise<LoadedVersion> {
    const v = await this.source.getModelVersion(model, version);
    if (!v) throw notFound(`model "${model}" has no version ${version}`);
    const artifact = await this.source.getArtifact(v.artifactId);
    if (!artifact) throw new ServingError('model_invalid', `version ${version} of model "${model}" points at artifact ${v.artifactId}, which the metadata store does not have`);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(await this.artifacts.materialize(artifact.uri)));
    } catch (e) {
      throw new ServingError('model_invalid', `version ${version} of model "${model}": artifact ${artifact.id} (${artifact.uri}) cannot be read as one ONNX file: ${e instanceof Error ? e.message : String(e)}`);
    }
    const started = performance.now();
    const loaded = await LoadedVersion.load({
      model,
      version,
      bytes,
      session: this.options.session,
      batching: this.options.batching,
      onBatch: (rows, requests) => this.onBatch(model, version, rows, requests),
    });
    this.logger.info({ model, version, provider: loaded.provider, cpuReason: loaded.cpuReason, ms: Math.round(performance.now() - started) }, 'model version loaded');
    return loaded;
  }

  /** Reads every cached model again; versions that aliases moved to are loaded before the switch. */
  async poll(): Promise<void> {
    for (const [name, before] of [...this.models]) {
      let now: RegisteredModelRecord | undefined;
      let rollout: ModelRolloutRecord | undefined;
      try {
        // The rollout before the model: a promotion moves champion, then ends the rollout. Read
        // the other way round, a promotion between the reads gives the old champion and no split,
        // and the candidate's traffic would go back to the old version until the next poll.
        rollout = await this.source.getActiveModelRollout(name);
        now = await this.source.getRegisteredModel(name);
        this.registryReachable = true;
      } catch (err) {
        this.registryReachable = false;
        this.logger.warn({ err, model: name }, 'could not read the registry; serving the versions known so far');
        return;
      }
      if (!now) {
        this.models.delete(name);
        this.rollouts.delete(name);
        continue;
      }
      const moved = Object.entries(now.aliases).filter(([a, v]) => before.aliases[a] !== v);
      for (const [alias, v] of moved) {
        // Only aliases that were in use, or the default: others load on their first request.
        const wasLoaded = before.aliases[alias] !== undefined && (await this.isLoaded(name, before.aliases[alias]));
        if (!wasLoaded && alias !== this.options.defaultAlias) continue;
        await this.load(name, v).catch((err: unknown) => this.logger.error({ err, model: name, alias, version: v }, 'the version an alias moved to does not load'));
        this.logger.info({ model: name, alias, from: before.aliases[alias] ?? null, to: v }, 'alias moved');
      }
      await this.switchRollout(name, rollout ?? null);
      this.models.set(name, now);
    }
  }

  /** Takes a rollout's new state, loading its versions BEFORE requests are split onto them. */
  private async switchRollout(name: string, next: ModelRolloutRecord | null): Promise<void> {
    const before = this.rollouts.get(name) ?? null;
    if (next && (before?.id !== next.id || before.candidateVersion !== next.candidateVersion)) {
      for (const v of [next.baselineVersion, next.candidateVersion]) {
        await this.load(name, v).catch((err: unknown) => this.logger.error({ err, model: name, rollout: next.id, version: v }, 'a version of a rollout does not load'));
      }
    }
    if (before?.id !== next?.id || before?.weight !== next?.weight || before?.mode !== next?.mode) {
      this.logger.info({ model: name, rollout: next?.id ?? before?.id, weight: next?.weight ?? 0, candidate: next?.candidateVersion ?? null, ended: next === null }, 'rollout split changed');
    }
    this.rollouts.set(name, next);
  }
}
