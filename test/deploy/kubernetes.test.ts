/**
 * deploy/kubernetes, checked without a cluster (none runs here or in CI; nothing is downloaded):
 *  - every YAML file parses and belongs to a kustomization (`deploy/kubernetes`, `…/gpu`);
 *  - every object validates against its Kubernetes OpenAPI schema, from the copy the
 *    kubernetes-models package ships, and has no field the schema does not know (the shipped
 *    validators ignore unknown fields; the API server would refuse or drop them);
 *  - our rules: no namespace in any object, pinned images, no literal credentials (the Secret is the
 *    operator's, its keys documented), settings the code reads and docs/OPERATIONS.md documents,
 *    references that resolve (ConfigMap keys, selectors, probe and Service ports), resources,
 *    non-root pods with read-only roots where the image allows, a GPU for the gpu queue;
 *  - its commands and settings agree with the code and with docker-compose.yml: each command parses
 *    with the real `sluice` definitions, workers pass the worker's and the S3 store's settings
 *    checks, the API probes its real health routes, the queues are the compose file's;
 *  - where kubectl is installed (not in CI), `kubectl kustomize` builds both kustomizations.
 * Each rule is also shown to catch a broken copy, so none passes vacuously.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { apiRoutes } from '../../engine/contract/index';
import { projectRoot } from '../../engine/paths';
import { s3OptionsFromEnv } from '../../engine/stores/artifacts/openArtifactStore';
import { resolveWorkerSettings, type WorkerFlags } from '../../workers/settings';
import { imagePinProblem, parseSluiceCommand, settingProblems } from '../support/deployment';

// --- loading ----------------------------------------------------------------------------------

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}
interface Loaded {
  /** Path relative to the repository root. */
  file: string;
  doc: KubeObject;
}

const DEPLOY_DIR = path.join(projectRoot, 'deploy', 'kubernetes');
const BUILDS = ['deploy/kubernetes', 'deploy/kubernetes/gpu'] as const;

/** The objects a kustomization builds (its resources, files and kustomization directories, in order). */
function loadKustomization(dir: string, files: Set<string> = new Set()): Loaded[] {
  const kfile = path.join(projectRoot, dir, 'kustomization.yaml');
  files.add(path.relative(projectRoot, kfile));
  const k = parse(readFileSync(kfile, 'utf8')) as { resources?: string[] };
  const out: Loaded[] = [];
  for (const r of k.resources ?? []) {
    const p = path.join(projectRoot, dir, r);
    if (!existsSync(p)) throw new Error(`${dir}/kustomization.yaml lists ${r}, which does not exist`);
    if (statSync(p).isDirectory()) {
      out.push(...loadKustomization(path.relative(projectRoot, p), files));
      continue;
    }
    const file = path.relative(projectRoot, p);
    files.add(file);
    for (const d of parseAllDocuments(readFileSync(p, 'utf8'))) {
      if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
      const doc = d.toJS() as KubeObject | null;
      if (doc !== null) out.push({ file, doc });
    }
  }
  return out;
}

const builds = Object.fromEntries(BUILDS.map((b) => [b, loadKustomization(b)])) as Record<(typeof BUILDS)[number], Loaded[]>;
/** A fresh copy of a build, for the tests that break it on purpose. */
const fresh = (build: (typeof BUILDS)[number] = 'deploy/kubernetes/gpu'): Loaded[] => loadKustomization(build).map((l) => ({ ...l, doc: structuredClone(l.doc) }));

// --- the Kubernetes schemas -------------------------------------------------------------------

/** The models of the kinds the manifests may hold; anything else has no schema here and is refused. */
const MODELS: Record<string, { prototype: { validate(): void }; new (data: never): { validate(): void } }> = {
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
};

/**
 * The fields of `doc` its schema does not know. The validators kubernetes-models ships are
 * compiled from the OpenAPI schemas and read exactly the properties the schema declares (all of a
 * map's), so a property the validator never reads is one the schema lacks.
 */
function unknownFields(validate: (data: unknown) => void, doc: object): string[] {
  const seen = new Map<object, { where: string; read: Set<string> }>();
  const track = (value: unknown, where: string): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const record = { where, read: new Set<string>() };
    if (!Array.isArray(value)) seen.set(value, record);
    return new Proxy(value, {
      get(target, key, receiver) {
        const v: unknown = Reflect.get(target, key, receiver);
        if (typeof key !== 'string' || !Object.prototype.hasOwnProperty.call(target, key)) return v;
        record.read.add(key);
        return track(v, `${where}.${key}`);
      },
    });
  };
  try {
    validate(track(doc, ''));
  } catch {
    // Schema errors are reported by schemaProblems; here only the fields it read count.
  }
  const unknown: string[] = [];
  for (const [object, { where, read }] of seen) for (const key of Object.keys(object)) if (!read.has(key)) unknown.push(`${where}.${key}`.slice(1));
  return unknown;
}

/** Where each object breaks its Kubernetes schema (empty when none does). */
function schemaProblems(objects: Loaded[]): string[] {
  const problems: string[] = [];
  for (const { file, doc } of objects) {
    const id = `${file}: ${doc.kind} ${doc.metadata?.name}`;
    const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
    if (!Model) {
      problems.push(`${id}: no schema for ${doc.apiVersion} ${doc.kind} (kinds known here: ${Object.keys(MODELS).join(', ')})`);
      continue;
    }
    try {
      new Model(doc as never).validate();
    } catch (e) {
      problems.push(`${id}: ${(e as Error).message}`);
    }
    for (const f of unknownFields((d) => Model.prototype.validate.call(d), doc)) problems.push(`${id}: unknown field ${f}`);
  }
  return problems;
}

// --- our rules --------------------------------------------------------------------------------

/** Settings that are credentials: only ever from a Secret. */
const SECRET_SETTINGS = ['DATABASE_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
/** The Secret the operator creates (docs/OPERATIONS.md, "Kubernetes"); the manifests never hold one. */
const SECRET_NAME = 'sluice-secrets';
/** Containers whose root file system stays writable, and why (the manifest says so too). */
const WRITABLE_ROOT: Record<string, string> = {
  'sluice-worker-gpu/worker': 'the NVIDIA container runtime writes the driver libraries and linker cache into it',
};

interface Workload {
  id: string;
  kind: string;
  name: string;
  labels: Record<string, string>;
  pod: IPodSpec;
  podLabels: Record<string, string>;
}

function workloads(objects: Loaded[]): Workload[] {
  const out: Workload[] = [];
  for (const { file, doc } of objects) {
    if (doc.kind !== 'Deployment' && doc.kind !== 'Job') continue;
    const spec = (doc as unknown as IDeployment | IJob).spec;
    const template = spec?.template;
    out.push({
      id: `${file}: ${doc.kind} ${doc.metadata.name}`,
      kind: doc.kind,
      name: doc.metadata.name,
      labels: doc.metadata.labels ?? {},
      pod: template?.spec ?? { containers: [] },
      podLabels: template?.metadata?.labels ?? {},
    });
  }
  return out;
}

const isSluiceImage = (image: string | undefined): boolean => /^sluice(-gpu)?:/.test(image ?? '');

/** A container's environment as the process sees it; values from Secrets are `<secret NAME/KEY>`. */
function environmentOf(c: IContainer, objects: Loaded[], problems: string[], id: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const name = from.configMapRef?.name;
    if (from.secretRef) problems.push(`${id}: envFrom a whole Secret (${from.secretRef.name}): name each key with secretKeyRef, so every one is documented`);
    if (name === undefined) continue;
    const cm = objects.find((o) => o.doc.kind === 'ConfigMap' && o.doc.metadata.name === name)?.doc as IConfigMap | undefined;
    if (!cm) problems.push(`${id}: envFrom ConfigMap "${name}", which the manifests do not define`);
    else Object.assign(env, cm.data ?? {});
  }
  for (const e of c.env ?? []) {
    const ref = e.valueFrom;
    if (ref?.secretKeyRef) {
      if (ref.secretKeyRef.name !== SECRET_NAME) problems.push(`${id}: ${e.name} comes from Secret "${ref.secretKeyRef.name}"; the documented Secret is "${SECRET_NAME}"`);
      env[e.name] = `<secret ${ref.secretKeyRef.name}/${ref.secretKeyRef.key}>`;
    } else if (ref?.configMapKeyRef) {
      const { name, key } = ref.configMapKeyRef;
      const cm = objects.find((o) => o.doc.kind === 'ConfigMap' && o.doc.metadata.name === name)?.doc as IConfigMap | undefined;
      const value = cm?.data?.[key];
      if (value === undefined) problems.push(`${id}: ${e.name} comes from ConfigMap ${name} key ${key}, which the manifests do not define`);
      else env[e.name] = value;
    } else if (ref) {
      problems.push(`${id}: ${e.name} comes from ${Object.keys(ref).join(', ')}; only ConfigMap and Secret keys are checked here`);
    } else {
      env[e.name] = e.value ?? '';
    }
  }
  return env;
}

/** The Secret keys the manifests reference. */
function secretKeys(objects: Loaded[]): Set<string> {
  const keys = new Set<string>();
  for (const w of workloads(objects)) for (const c of w.pod.containers) for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) keys.add(e.valueFrom.secretKeyRef.key);
  return keys;
}

const operationsText = (): string => readFileSync(path.join(projectRoot, 'docs', 'OPERATIONS.md'), 'utf8');
/** The docs' Kubernetes section: where the operator is told what to provide. */
function kubernetesDocs(text = operationsText()): string {
  const start = text.indexOf('## Kubernetes');
  if (start < 0) return '';
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

const portNumber = (c: IContainer, port: string | number | undefined): number | undefined =>
  typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;
const subset = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Every rule of ours the objects of one build break (empty when they keep them all). */
function kubernetesProblems(objects: Loaded[], docs = kubernetesDocs()): string[] {
  const problems: string[] = [];
  const version = (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
  for (const { file, doc } of objects) {
    const id = `${file}: ${doc.kind} ${doc.metadata?.name}`;
    if (doc.metadata?.namespace !== undefined) problems.push(`${id} names the namespace "${doc.metadata.namespace}": leave it to kubectl -n or an overlay`);
    if (doc.kind === 'Secret') problems.push(`${id}: the manifests hold a Secret; credentials are the operator's (documented, never committed)`);
    if (doc.kind === 'ConfigMap') {
      for (const key of Object.keys((doc as IConfigMap).data ?? {})) if (SECRET_SETTINGS.includes(key)) problems.push(`${id} holds ${key}, a credential: reference it from the Secret ${SECRET_NAME}`);
      problems.push(...settingProblems(id, Object.keys((doc as IConfigMap).data ?? {})));
    }
    if (doc.kind === 'Deployment') {
      const d = doc as unknown as IDeployment;
      if (!subset(d.spec?.selector?.matchLabels ?? {}, d.spec?.template.metadata?.labels ?? {})) problems.push(`${id}: its selector does not match its pod labels`);
    }
    if (doc.kind === 'Service') {
      const s = doc as IService;
      const selector = s.spec?.selector ?? {};
      const target = workloads(objects).find((w) => subset(selector, w.podLabels));
      if (!target) problems.push(`${id}: its selector ${JSON.stringify(selector)} matches no pods of the manifests`);
      for (const p of s.spec?.ports ?? []) {
        const c = target?.pod.containers.find((c) => portNumber(c, p.targetPort ?? p.port) !== undefined);
        if (target && !c) problems.push(`${id}: port ${p.port} targets ${String(p.targetPort)}, which no container of ${target.name} declares`);
      }
    }
  }

  for (const w of workloads(objects)) {
    const sc = w.pod.securityContext;
    if (sc?.runAsNonRoot !== true || !sc.runAsUser) problems.push(`${w.id}: the pod must run as a non-root user (securityContext.runAsNonRoot, runAsUser)`);
    if (w.pod.automountServiceAccountToken !== false) problems.push(`${w.id}: Sluice does not call the Kubernetes API; set automountServiceAccountToken: false`);
    for (const c of w.pod.containers) {
      const id = `${w.id} container ${c.name}`;
      const image = c.image ?? '';
      const pin = imagePinProblem(image);
      if (pin) problems.push(`${id}: ${pin}`);
      if (isSluiceImage(image) && !image.endsWith(`:${version}`)) problems.push(`${id}: image ${image} is not this version (${version}, package.json)`);
      for (const what of ['cpu', 'memory']) {
        if (c.resources?.requests?.[what] === undefined) problems.push(`${id} requests no ${what}`);
        if (c.resources?.limits?.[what] === undefined) problems.push(`${id} has no ${what} limit`);
      }
      const csc = c.securityContext;
      if (csc?.allowPrivilegeEscalation !== false) problems.push(`${id}: set securityContext.allowPrivilegeEscalation: false`);
      if (!(csc?.capabilities?.drop ?? []).includes('ALL')) problems.push(`${id}: drop all capabilities (securityContext.capabilities.drop: [ALL])`);
      const writable = WRITABLE_ROOT[`${w.name}/${c.name}`];
      if (csc?.readOnlyRootFilesystem !== true && writable === undefined) problems.push(`${id}: its root file system is writable; set readOnlyRootFilesystem: true (or list why not in WRITABLE_ROOT)`);
      if (csc?.readOnlyRootFilesystem === true && writable !== undefined) problems.push(`${id}: its root is read-only, but WRITABLE_ROOT says it cannot be (${writable})`);
      for (const p of c.ports ?? []) if (p.hostPort !== undefined) problems.push(`${id}: hostPort ${p.hostPort}: replicas would collide`);

      if (!isSluiceImage(image)) continue;
      const env = environmentOf(c, objects, problems, id);
      problems.push(...settingProblems(id, (c.env ?? []).map((e) => e.name)));
      for (const key of SECRET_SETTINGS) {
        if (env[key] !== undefined && !env[key].startsWith('<secret ')) problems.push(`${id}: ${key} is a literal value; take it from the Secret ${SECRET_NAME} (secretKeyRef)`);
      }
      const mounts = new Set((c.volumeMounts ?? []).map((m) => m.mountPath));
      const mustWrite = csc?.readOnlyRootFilesystem === true ? ['/tmp', env.SLUICE_HOME, env.SLUICE_ARTIFACT_CACHE] : [env.SLUICE_HOME, env.SLUICE_ARTIFACT_CACHE];
      for (const dir of mustWrite) if (dir !== undefined && !mounts.has(dir)) problems.push(`${id}: ${dir} must be writable, and no volume is mounted there`);

      let parsed: ReturnType<typeof parseSluiceCommand>;
      try {
        parsed = parseSluiceCommand([...(c.command ?? []), ...(c.args ?? [])]);
      } catch (e) {
        problems.push(`${id}: ${(e as Error).message}`);
        continue;
      }
      if (!env.DATABASE_URL) problems.push(`${id}: sluice ${parsed.command} needs DATABASE_URL`);
      if (parsed.command === 'migrate') {
        if (w.kind !== 'Job') problems.push(`${id}: sluice migrate exits when done; run it as a Job`);
        continue;
      }
      if (w.kind !== 'Deployment') problems.push(`${id}: sluice ${parsed.command} runs until stopped; run it as a Deployment`);
      if (!env.TEMPORAL_ADDRESS) problems.push(`${id}: sluice ${parsed.command} needs TEMPORAL_ADDRESS`);
      try {
        if (env.SLUICE_ARTIFACTS?.startsWith('s3://')) s3OptionsFromEnv(env.SLUICE_ARTIFACTS, env);
      } catch (e) {
        problems.push(`${id}: the S3 settings: ${(e as Error).message}`);
      }
      if (parsed.command === 'serve') {
        const port = Number(parsed.opts.port);
        if (!c.ports?.some((p) => p.containerPort === port)) problems.push(`${id}: serves on port ${port}, which the container does not declare`);
        const probe = (which: 'livenessProbe' | 'readinessProbe' | 'startupProbe', route: { path: string }): void => {
          const get = c[which]?.httpGet;
          if (get?.path !== route.path) problems.push(`${id}: ${which} must GET ${route.path}, got ${get?.path ?? 'none'}`);
          else if (portNumber(c, get.port) !== port) problems.push(`${id}: ${which} probes port ${String(get.port)}, not the API's ${port}`);
        };
        probe('livenessProbe', apiRoutes.health);
        probe('readinessProbe', apiRoutes.ready);
        if (c.startupProbe) probe('startupProbe', apiRoutes.health);
        if (!objects.some((o) => o.doc.kind === 'Service' && subset((o.doc as IService).spec?.selector ?? {}, w.podLabels))) problems.push(`${id}: no Service selects the API's pods`);
      }
      if (parsed.command === 'model-server') {
        const port = Number(parsed.opts.port);
        if (!c.ports?.some((p) => p.containerPort === port)) problems.push(`${id}: serves on port ${port}, which the container does not declare`);
        const paths = { livenessProbe: '/v2/health/live', readinessProbe: '/v2/health/ready', startupProbe: '/v2/health/live' } as const;
        for (const [which, want] of Object.entries(paths) as Array<[keyof typeof paths, string]>) {
          const get = c[which]?.httpGet;
          if (!get && which === 'startupProbe') continue;
          if (get?.path !== want) problems.push(`${id}: ${which} must GET ${want} (Open Inference Protocol health), got ${get?.path ?? 'none'}`);
          else if (portNumber(c, get.port) !== port) problems.push(`${id}: ${which} probes port ${String(get.port)}, not the model server's ${port}`);
        }
        if (!objects.some((o) => o.doc.kind === 'Service' && subset((o.doc as IService).spec?.selector ?? {}, w.podLabels))) problems.push(`${id}: no Service selects the model server's pods`);
      }
      if (parsed.command === 'worker') {
        let queues: string[] = [];
        try {
          queues = resolveWorkerSettings(parsed.opts as unknown as WorkerFlags, env).queues;
        } catch (e) {
          problems.push(`${id}: ${(e as Error).message}`);
        }
        if ((w.pod.terminationGracePeriodSeconds ?? 30) < 60) problems.push(`${id}: a worker needs time to hand its tasks back: terminationGracePeriodSeconds ≥ 60 (compose: stop_grace_period 60s)`);
        if ((c.ports ?? []).length > 0) problems.push(`${id}: a worker serves no port`);
        const gpus = Number(c.resources?.limits?.['nvidia.com/gpu'] ?? 0);
        if (queues.includes('gpu')) {
          if (!(gpus >= 1)) problems.push(`${id} serves the gpu queue but requests no NVIDIA GPU (resources.limits nvidia.com/gpu)`);
          if (!w.pod.nodeSelector && !w.pod.affinity?.nodeAffinity) problems.push(`${id} serves the gpu queue but picks no GPU nodes (nodeSelector or node affinity)`);
          if (!(w.pod.tolerations ?? []).some((t) => t.key === 'nvidia.com/gpu')) problems.push(`${id} serves the gpu queue but tolerates no nvidia.com/gpu taint`);
        } else if (gpus > 0) {
          problems.push(`${id} requests ${gpus} GPUs but serves no gpu queue`);
        }
      }
    }
  }

  for (const key of secretKeys(objects)) {
    if (!new RegExp(`--from-literal=${key}=`).test(docs)) problems.push(`the manifests read ${key} from Secret ${SECRET_NAME}, which docs/OPERATIONS.md ("## Kubernetes") does not tell the operator to provide (--from-literal=${key}=…)`);
  }
  return problems;
}

/** The Sluice processes of a build: command line and, for workers, the queues they serve. */
function processes(objects: Loaded[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const w of workloads(objects)) {
    for (const c of w.pod.containers) {
      const argv = [...(c.command ?? []), ...(c.args ?? [])];
      const parsed = parseSluiceCommand(argv);
      out[w.name] = parsed.command === 'worker' ? (parsed.opts.queue as string[]) : argv.slice(2);
    }
  }
  return out;
}

/** The compose file's Sluice processes, in the same shape. */
function composeProcesses(withGpu: boolean): Record<string, string[]> {
  const compose = parse(readFileSync(path.join(projectRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { command?: string[]; profiles?: string[] }>;
  };
  const out: Record<string, string[]> = {};
  for (const [name, s] of Object.entries(compose.services)) {
    if (s.command?.[1] !== 'bin/sluice.js' || (!withGpu && s.profiles?.includes('gpu'))) continue;
    const parsed = parseSluiceCommand(s.command);
    out[name] = parsed.command === 'worker' ? (parsed.opts.queue as string[]) : s.command.slice(2);
  }
  return out;
}

// --- the tests --------------------------------------------------------------------------------

describe('deploy/kubernetes', () => {
  it('parses, every YAML file belonging to a kustomization', () => {
    const listed = new Set<string>();
    for (const b of BUILDS) loadKustomization(b, listed);
    const all: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(e.name)) all.push(path.relative(projectRoot, p));
      }
    };
    walk(DEPLOY_DIR);
    expect(all.filter((f) => !listed.has(f))).toEqual([]);
    expect(builds['deploy/kubernetes'].map((l) => `${l.doc.kind} ${l.doc.metadata.name}`)).toEqual([
      'ConfigMap sluice-settings',
      'Job sluice-migrate',
      'Deployment sluice-api',
      'Service sluice-api',
      'Deployment sluice-worker-cpu',
      'Deployment sluice-model-server',
      'Service sluice-model-server',
    ]);
    expect(builds['deploy/kubernetes/gpu'].map((l) => `${l.doc.kind} ${l.doc.metadata.name}`)).toContain('Deployment sluice-worker-gpu');
  });

  it('validates against the Kubernetes schemas (kubernetes-models), with no unknown fields', () => {
    expect(schemaProblems(builds['deploy/kubernetes/gpu'])).toEqual([]);
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
  it.skipIf(!kubectl)('builds with `kubectl kustomize`, into the objects read here', () => {
    for (const b of BUILDS) {
      const res = spawnSync('kubectl', ['kustomize', path.join(projectRoot, b)], { encoding: 'utf8', timeout: 60_000 });
      expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
      const built = parseAllDocuments(res.stdout).map((d) => d.toJS() as KubeObject);
      const names = (objs: KubeObject[]): string[] => objs.map((o) => `${o.kind} ${o.metadata.name}`).sort();
      expect(names(built)).toEqual(names(builds[b].map((l) => l.doc)));
      for (const o of built) expect(o.metadata.labels?.['app.kubernetes.io/part-of']).toBe('sluice');
    }
  });

  it('keeps our rules: no namespace, pinned images, Secrets only by reference, settings, probes, resources, security, GPUs', () => {
    for (const b of BUILDS) expect(kubernetesProblems(builds[b])).toEqual([]);
  });

  it('runs the Sluice processes of docker-compose.yml, the GPU worker only in gpu/', () => {
    const rename = (p: Record<string, string[]>): Record<string, string[]> =>
      Object.fromEntries(Object.entries(p).map(([k, v]) => [k.replace(/^sluice-/, ''), v]));
    const { migrate, ...base } = rename(processes(builds['deploy/kubernetes']));
    expect(migrate).toEqual(['migrate']);
    expect(base).toEqual(composeProcesses(false));
    const { migrate: _, ...gpu } = rename(processes(builds['deploy/kubernetes/gpu']));
    expect(gpu).toEqual(composeProcesses(true));
    expect(gpu['worker-gpu']).toEqual(['gpu']);
    expect(gpu['worker-cpu']).toEqual(['control', 'cpu']);
  });

  it('tells the operator how to apply them and what to provide', () => {
    const docs = kubernetesDocs();
    expect(docs).toContain('kubectl apply -k deploy/kubernetes');
    expect(docs).toContain('kubectl apply -k deploy/kubernetes/gpu');
    expect(docs).toContain(`kubectl create secret generic ${SECRET_NAME}`);
    expect([...secretKeys(builds['deploy/kubernetes/gpu'])].sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'DATABASE_URL']);
  });

  it('catches manifests that break a rule', () => {
    const find = (objs: Loaded[], kind: string, name: string): KubeObject => {
      const o = objs.find((l) => l.doc.kind === kind && l.doc.metadata.name === name)?.doc;
      if (!o) throw new Error(`no ${kind} ${name}`);
      return o;
    };
    const pod = (objs: Loaded[], name: string): IPodSpec => (find(objs, name === 'sluice-migrate' ? 'Job' : 'Deployment', name) as unknown as IDeployment).spec?.template.spec as IPodSpec;
    const container = (objs: Loaded[], name: string): IContainer => pod(objs, name).containers[0] as IContainer;
    const broken = (edit: (o: Loaded[]) => void, docs?: string): string[] => {
      const o = fresh();
      edit(o);
      return kubernetesProblems(o, docs);
    };
    const schemaBroken = (edit: (o: Loaded[]) => void): string[] => {
      const o = fresh();
      edit(o);
      return schemaProblems(o);
    };

    // The schemas: a wrong type, a misspelt field, an unknown kind.
    expect(schemaBroken((o) => ((container(o, 'sluice-api').ports as { containerPort: unknown }[])[0]!.containerPort = 'http'))).toEqual([
      expect.stringMatching(/Deployment sluice-api: .*containerPort.*must be integer/s),
    ]);
    expect(schemaBroken((o) => Object.assign(container(o, 'sluice-api'), { readinesProbe: {} }))).toEqual([expect.stringMatching(/unknown field spec\.template\.spec\.containers\.0\.readinesProbe$/)]);
    expect(schemaBroken((o) => Object.assign(pod(o, 'sluice-worker-gpu'), { nodeSelectors: {} }))).toEqual([expect.stringMatching(/unknown field spec\.template\.spec\.nodeSelectors$/)]);
    expect(schemaBroken((o) => o.push({ file: 'x.yaml', doc: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } } }))).toEqual([expect.stringMatching(/no schema for v1 Secret/)]);

    // Namespaces, Secrets and credentials.
    expect(broken((o) => (find(o, 'ConfigMap', 'sluice-settings').metadata.namespace = 'sluice'))).toEqual([expect.stringMatching(/names the namespace "sluice"/)]);
    expect(broken((o) => o.push({ file: 'x.yaml', doc: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sluice-secrets' } } }))).toEqual([expect.stringMatching(/the manifests hold a Secret/)]);
    expect(broken((o) => ((find(o, 'ConfigMap', 'sluice-settings') as IConfigMap).data!.AWS_SECRET_ACCESS_KEY = 'x'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/holds AWS_SECRET_ACCESS_KEY, a credential/)]),
    );
    expect(broken((o) => (container(o, 'sluice-worker-cpu').env![0] = { name: 'DATABASE_URL', value: 'postgres://u:p@db/sluice' }))).toEqual([
      expect.stringMatching(/worker-cpu container worker: DATABASE_URL is a literal value/),
    ]);
    expect(broken((o) => (container(o, 'sluice-api').env![0]!.valueFrom!.secretKeyRef!.name = 'db'))).toEqual([expect.stringMatching(/from Secret "db"; the documented Secret is "sluice-secrets"/)]);
    expect(broken(() => undefined, kubernetesDocs().replace('--from-literal=DATABASE_URL=', '--from-literal=DB='))).toEqual([
      expect.stringMatching(/read DATABASE_URL from Secret sluice-secrets, which docs\/OPERATIONS.md .* does not tell/),
    ]);

    // Settings: read by the code and documented; ConfigMap references resolve.
    expect(broken((o) => ((find(o, 'ConfigMap', 'sluice-settings') as IConfigMap).data!.SLUICE_S3_ENDPIONT = 'http://x'))).toEqual([
      expect.stringMatching(/sets SLUICE_S3_ENDPIONT, which no Sluice code reads/),
      expect.stringMatching(/sets SLUICE_S3_ENDPIONT, which docs\/OPERATIONS.md .* does not document/),
    ]);
    expect(broken((o) => container(o, 'sluice-api').env!.push({ name: 'SLUICE_CACHE_DIR', value: '/tmp/x' }))).toEqual([expect.stringMatching(/sets SLUICE_CACHE_DIR, which docs\/OPERATIONS.md .* does not document/)]);
    expect(broken((o) => (container(o, 'sluice-migrate').env![1]!.valueFrom!.configMapKeyRef!.key = 'LOG_LEVEL'))).toEqual([expect.stringMatching(/ConfigMap sluice-settings key LOG_LEVEL, which the manifests do not define/)]);
    expect(broken((o) => (container(o, 'sluice-worker-gpu').envFrom![0]!.configMapRef!.name = 'settings'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/envFrom ConfigMap "settings", which the manifests do not define/), expect.stringMatching(/worker-gpu.*TEMPORAL_ADDRESS is not set/)]),
    );
    expect(broken((o) => ((find(o, 'ConfigMap', 'sluice-settings') as IConfigMap).data!.SLUICE_S3_ENDPOINT = 'minio:9000'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/sluice-api container api: the S3 settings: SLUICE_S3_ENDPOINT="minio:9000" is not an http/)]),
    );

    // Commands, parsed by the CLI's own definitions.
    expect(broken((o) => (container(o, 'sluice-worker-cpu').command = ['node', 'bin/sluice.js', 'worker', '--queues', 'cpu']))).toEqual([expect.stringMatching(/does not take --queues cpu/)]);
    expect(broken((o) => (container(o, 'sluice-worker-cpu').command = ['node', 'bin/sluice.js', 'worker', '--queue', 'cpus']))).toEqual([expect.stringMatching(/--queue "cpus" is not a queue/)]);
    expect(broken((o) => (container(o, 'sluice-migrate').command = ['node', 'bin/sluice.js', 'db', 'migrate']))).toEqual([expect.stringMatching(/"db" is not one of worker, serve, migrate/)]);
    expect(broken((o) => (container(o, 'sluice-api').command = ['node', 'bin/sluice.js', 'serve', '--host', '0.0.0.0', '--port', '9090']))).toEqual([
      expect.stringMatching(/serves on port 9090, which the container does not declare/),
      expect.stringMatching(/livenessProbe probes port http, not the API's 9090/),
      expect.stringMatching(/readinessProbe probes port http, not the API's 9090/),
      expect.stringMatching(/startupProbe probes port http, not the API's 9090/),
    ]);
    expect(broken((o) => (container(o, 'sluice-api').readinessProbe!.httpGet!.path = '/ready'))).toEqual([expect.stringMatching(/readinessProbe must GET \/readyz, got \/ready/)]);
    expect(broken((o) => (container(o, 'sluice-model-server').readinessProbe!.httpGet!.path = '/readyz'))).toEqual([expect.stringMatching(/readinessProbe must GET \/v2\/health\/ready .*got \/readyz/)]);
    expect(broken((o) => (container(o, 'sluice-model-server').command = ['node', 'bin/sluice.js', 'model-server', '--host', '0.0.0.0', '--port', '9000']))).toEqual(
      expect.arrayContaining([expect.stringMatching(/sluice-model-server.*serves on port 9000, which the container does not declare/)]),
    );
    expect(broken((o) => delete container(o, 'sluice-api').livenessProbe)).toEqual([expect.stringMatching(/livenessProbe must GET \/healthz, got none/)]);
    expect(broken((o) => ((find(o, 'Service', 'sluice-api') as IService).spec!.ports![0]!.targetPort = 'web'))).toEqual([expect.stringMatching(/targets web, which no container of sluice-api declares/)]);
    expect(broken((o) => ((find(o, 'Service', 'sluice-api') as IService).spec!.selector = { 'app.kubernetes.io/component': 'apis' }))).toEqual([
      expect.stringMatching(/matches no pods/),
      expect.stringMatching(/no Service selects the API's pods/),
    ]);
    expect(broken((o) => ((find(o, 'Deployment', 'sluice-worker-cpu') as unknown as IDeployment).spec!.selector.matchLabels = { app: 'x' }))).toEqual([expect.stringMatching(/selector does not match its pod labels/)]);

    // Images, resources, security.
    expect(broken((o) => (container(o, 'sluice-api').image = 'sluice:latest'))).toEqual([expect.stringMatching(/moving tag "latest"/), expect.stringMatching(/is not this version/)]);
    expect(broken((o) => (container(o, 'sluice-worker-gpu').image = 'sluice-gpu:0.0.9'))).toEqual([expect.stringMatching(/sluice-gpu:0.0.9 is not this version/)]);
    expect(broken((o) => delete container(o, 'sluice-worker-cpu').resources!.limits!.memory)).toEqual([expect.stringMatching(/worker-cpu container worker has no memory limit/)]);
    expect(broken((o) => delete pod(o, 'sluice-api').securityContext!.runAsNonRoot)).toEqual([expect.stringMatching(/sluice-api: the pod must run as a non-root user/)]);
    expect(broken((o) => (container(o, 'sluice-worker-cpu').securityContext!.readOnlyRootFilesystem = false))).toEqual([expect.stringMatching(/root file system is writable/)]);
    expect(broken((o) => (container(o, 'sluice-worker-cpu').volumeMounts = container(o, 'sluice-worker-cpu').volumeMounts!.filter((m) => m.mountPath !== '/tmp')))).toEqual([
      expect.stringMatching(/\/tmp must be writable/),
    ]);
    expect(broken((o) => (container(o, 'sluice-api').env!.find((e) => e.name === 'SLUICE_HOME')!.value = '/home/sluice'))).toEqual([expect.stringMatching(/\/home\/sluice must be writable/)]);
    expect(broken((o) => (container(o, 'sluice-migrate').securityContext!.capabilities = {}))).toEqual([expect.stringMatching(/drop all capabilities/)]);

    // Workers: scalable, a grace period, a GPU for the gpu queue.
    expect(broken((o) => (pod(o, 'sluice-worker-cpu').terminationGracePeriodSeconds = 10))).toEqual([expect.stringMatching(/terminationGracePeriodSeconds ≥ 60/)]);
    expect(broken((o) => (container(o, 'sluice-worker-cpu').ports = [{ containerPort: 9000, hostPort: 9000 }]))).toEqual([
      expect.stringMatching(/hostPort 9000/),
      expect.stringMatching(/a worker serves no port/),
    ]);
    expect(broken((o) => delete container(o, 'sluice-worker-gpu').resources!.limits!['nvidia.com/gpu'])).toEqual([expect.stringMatching(/serves the gpu queue but requests no NVIDIA GPU/)]);
    expect(broken((o) => delete pod(o, 'sluice-worker-gpu').nodeSelector)).toEqual([expect.stringMatching(/picks no GPU nodes/)]);
    expect(broken((o) => delete pod(o, 'sluice-worker-gpu').tolerations)).toEqual([expect.stringMatching(/tolerates no nvidia.com\/gpu taint/)]);
    expect(broken((o) => (container(o, 'sluice-worker-cpu').resources!.limits!['nvidia.com/gpu'] = 1))).toEqual([expect.stringMatching(/requests 1 GPUs but serves no gpu queue/)]);
    expect(broken((o) => (find(o, 'Job', 'sluice-migrate').kind = 'Deployment'))).toEqual(expect.arrayContaining([expect.stringMatching(/run it as a Job/)]));
  });
});
