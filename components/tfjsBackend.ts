/**
 * Loads TensorFlow.js with the fastest backend this machine has: the native CUDA binding, then the
 * native CPU binding, then pure JavaScript. The native packages are optional (not dependencies of
 * Sluice), so they are imported by a computed name: neither TypeScript nor bundlers require them.
 */
export type Tf = typeof import('@tensorflow/tfjs');
export type TfBackend = 'tfjs-node-gpu' | 'tfjs-node' | 'cpu';

export interface LoadedTf {
  tf: Tf;
  backend: TfBackend;
  /** The package that provided `tf`. */
  package: string;
  /** Why each faster option was not used (not installed, or failed to load), for worker logs. */
  skipped: Array<{ package: string; reason: string }>;
}

const NATIVE: ReadonlyArray<{ pkg: string; backend: TfBackend }> = [
  { pkg: '@tensorflow/tfjs-node-gpu', backend: 'tfjs-node-gpu' },
  { pkg: '@tensorflow/tfjs-node', backend: 'tfjs-node' },
];

let loading: Promise<LoadedTf> | undefined;

/** The process-wide TensorFlow.js (loaded once: backends register global kernels). */
export function loadTf(): Promise<LoadedTf> {
  loading ??= detect().catch((err: unknown) => {
    loading = undefined; // let a later call try again instead of caching the failure
    throw err;
  });
  return loading;
}

async function detect(): Promise<LoadedTf> {
  const skipped: LoadedTf['skipped'] = [];
  for (const { pkg, backend } of NATIVE) {
    try {
      const mod = (await import(/* @vite-ignore */ pkg)) as Tf & { default?: Tf };
      // CommonJS packages imported from ESM may arrive as a namespace with the API on `default`.
      const tf = typeof mod.sequential === 'function' ? mod : mod.default;
      if (!tf || typeof tf.sequential !== 'function') throw new Error('module does not export the TensorFlow.js API');
      await tf.ready();
      return { tf, backend, package: pkg, skipped };
    } catch (err) {
      skipped.push({ package: pkg, reason: notLoadedReason(err) });
    }
  }
  const tf = await import('@tensorflow/tfjs');
  // Pin 'cpu': the default would first try WebGL, which does not exist in Node.
  if (!(await tf.setBackend('cpu'))) throw new Error('TensorFlow.js: the pure-JS "cpu" backend failed to initialise');
  await tf.ready();
  // The cpu backend prints a "Hi, … install our node backend" banner on its first tensor, into
  // every terminal and task log. The runtime report already says which backend runs and why (the
  // `skipped` reasons), so mark its first use done. Only that banner: `enableProdMode` would
  // silence TensorFlow.js's other warnings too. (A private field: if it goes, the banner returns.)
  const backend = tf.backend() as { firstUse?: boolean };
  if (backend.firstUse === true) backend.firstUse = false;
  return { tf, backend: 'cpu', package: '@tensorflow/tfjs', skipped };
}

function notLoadedReason(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'not installed';
  return err instanceof Error ? err.message : String(err);
}
