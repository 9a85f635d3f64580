/**
 * Which GPUs this worker has: what `nvidia-smi` lists, narrowed by CUDA_VISIBLE_DEVICES, unless
 * the configuration says otherwise (SLUICE_GPUS or `sluice worker --gpus`). The configured form
 * exists so that a worker can be a GPU worker by configuration — in tests, and on hosts where
 * nvidia-smi is not on the PATH — and so that a GPU host can keep GPUs out of Sluice.
 */
import { execFile } from 'node:child_process';
import type { GpuDevice } from '../../engine/temporal/activities/index';

export interface GpuDetection {
  devices: GpuDevice[];
  /** Where the list came from. */
  source: 'nvidia-smi' | 'configured' | 'none';
  /** One line a person can act on: why there are no GPUs, or what was configured. */
  note: string;
  /** With no devices: why, without the advice of `note`. */
  reason?: string;
}

/** nvidia-smi's answer: CSV text, or why it could not be run. */
export type NvidiaSmi = () => Promise<{ ok: true; stdout: string } | { ok: false; reason: string }>;

export const NVIDIA_SMI_ARGS = ['--query-gpu=index,name,memory.total,driver_version,uuid', '--format=csv,noheader,nounits'];

/** Runs the real nvidia-smi (5 s limit: a wedged driver must not hang worker start-up). */
export const runNvidiaSmi: NvidiaSmi = () =>
  new Promise((resolve) => {
    execFile('nvidia-smi', NVIDIA_SMI_ARGS, { timeout: 5000 }, (err, stdout, stderr) => {
      if (!err) return resolve({ ok: true, stdout });
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return resolve({ ok: false, reason: 'nvidia-smi not found (no NVIDIA driver on this machine)' });
      const detail = (stderr || stdout || err.message).trim().split('\n')[0] ?? '';
      resolve({ ok: false, reason: `nvidia-smi failed: ${detail}` });
    });
  });

/** Invalid SLUICE_GPUS / --gpus: the message shows the accepted forms. */
export class GpuSettingError extends Error {
  override readonly name = 'GpuSettingError';
  readonly code = 'invalid-gpu-setting';
  readonly retryable = false;
}

/** What a GPU setting asks for. */
export type GpuSetting = { kind: 'detect' } | { kind: 'none' } | { kind: 'count'; count: number } | { kind: 'indices'; indices: number[] };

/**
 * `SLUICE_GPUS` / `--gpus`: unset or `auto` (ask nvidia-smi), `none` or `0` (no GPUs), a count
 * (`2`: the first two GPUs, or two configured ones when nvidia-smi sees none), or device indices
 * with a comma (`0,2`, or `3,` for one device by index).
 */
export function parseGpuSetting(value: string | undefined, where = 'SLUICE_GPUS'): GpuSetting {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'auto') return { kind: 'detect' };
  if (text === 'none' || text === '0') return { kind: 'none' };
  if (/^\d+$/.test(text)) return { kind: 'count', count: Number(text) };
  if (/^\d+(\s*,\s*\d*)+$/.test(text)) {
    const indices = [...new Set(text.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number))];
    return { kind: 'indices', indices };
  }
  throw new GpuSettingError(
    `${where}="${text}" is not a GPU setting; use "auto" (ask nvidia-smi), "none", a count such as "2", or device indices such as "0,2" ("3," for one device)`,
  );
}

/** Parses `nvidia-smi --query-gpu=index,name,memory.total,driver_version,uuid --format=csv,noheader,nounits`. */
export function parseNvidiaSmiCsv(text: string): GpuDevice[] {
  const devices: GpuDevice[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const [index, name, memory, driver, uuid] = line.split(',').map((s) => s.trim());
    const i = Number(index);
    if (!Number.isInteger(i) || i < 0 || !name) continue; // a warning line, not a device
    const memoryMiB = Number.parseInt(memory ?? '', 10);
    devices.push({
      index: i,
      name,
      ...(Number.isFinite(memoryMiB) ? { memoryMiB } : {}),
      ...(driver ? { driver } : {}),
      ...(uuid?.startsWith('GPU-') ? { uuid } : {}),
    });
  }
  return devices;
}

/**
 * The devices CUDA lets this process use: CUDA_VISIBLE_DEVICES (indices or GPU UUIDs, in its
 * order) narrows nvidia-smi's list, which ignores it. Unset: all of them.
 */
export function visibleDevices(all: GpuDevice[], cudaVisible: string | undefined): GpuDevice[] {
  if (cudaVisible === undefined) return all;
  const picked: GpuDevice[] = [];
  for (const entry of cudaVisible.split(',').map((s) => s.trim())) {
    // CUDA stops at the first entry it cannot match ("-1", "none", "" hide everything after).
    const device = /^\d+$/.test(entry) ? all.find((d) => d.index === Number(entry)) : all.find((d) => d.uuid !== undefined && entry.length > 4 && d.uuid.startsWith(entry));
    if (!device) break;
    // CUDA numbers the visible devices 0.. in this order: in-process libraries address them so.
    if (!picked.some((d) => d.index === device.index)) picked.push({ ...device, ordinal: picked.length });
  }
  return picked;
}

export interface DetectGpusOptions {
  /** SLUICE_GPUS or --gpus (the flag wins). */
  setting?: string;
  /** Name of the setting, for messages. */
  settingName?: string;
  env?: NodeJS.ProcessEnv;
  nvidiaSmi?: NvidiaSmi;
}

export async function detectGpus(options: DetectGpusOptions = {}): Promise<GpuDetection> {
  const env = options.env ?? process.env;
  const settingName = options.settingName ?? 'SLUICE_GPUS';
  const setting = parseGpuSetting(options.setting ?? env.SLUICE_GPUS, settingName);
  if (setting.kind === 'none') return { devices: [], source: 'none', note: `GPUs turned off (${settingName}=none)`, reason: `GPUs are turned off (${settingName}=none)` };

  const smi = await (options.nvidiaSmi ?? runNvidiaSmi)();
  const seen = smi.ok ? visibleDevices(parseNvidiaSmiCsv(smi.stdout), env.CUDA_VISIBLE_DEVICES) : [];
  const why = smi.ok ? (env.CUDA_VISIBLE_DEVICES !== undefined ? `nvidia-smi lists no GPU visible through CUDA_VISIBLE_DEVICES="${env.CUDA_VISIBLE_DEVICES}"` : 'nvidia-smi lists no GPU') : smi.reason;

  if (setting.kind === 'detect') {
    return seen.length > 0
      ? { devices: seen, source: 'nvidia-smi', note: 'found by nvidia-smi' }
      : { devices: [], source: 'none', note: `${why}; set ${settingName}=<count> to declare GPUs nvidia-smi cannot see`, reason: why };
  }
  const configured = (index: number): GpuDevice => ({ index, name: `GPU ${index} (configured, not seen by nvidia-smi)` });
  if (setting.kind === 'count') {
    if (seen.length >= setting.count) {
      return { devices: seen.slice(0, setting.count), source: 'nvidia-smi', note: `the first ${setting.count} of ${seen.length} found by nvidia-smi (${settingName}=${setting.count})` };
    }
    if (seen.length > 0) {
      throw new GpuSettingError(`${settingName}=${setting.count} asks for ${setting.count} GPUs but nvidia-smi lists ${seen.length}; lower it or leave it unset`);
    }
    return {
      devices: Array.from({ length: setting.count }, (_, i) => configured(i)),
      source: 'configured',
      note: `configured by ${settingName}=${setting.count}; ${why}`,
    };
  }
  if (seen.length > 0) {
    const missing = setting.indices.filter((i) => !seen.some((d) => d.index === i));
    if (missing.length) {
      throw new GpuSettingError(`${settingName} names GPU ${missing.join(', ')}, which nvidia-smi does not list (it lists ${seen.map((d) => d.index).join(', ')})`);
    }
    return { devices: seen.filter((d) => setting.indices.includes(d.index)), source: 'nvidia-smi', note: `found by nvidia-smi, narrowed by ${settingName}=${setting.indices.join(',')}` };
  }
  return { devices: setting.indices.map(configured), source: 'configured', note: `configured by ${settingName}=${setting.indices.join(',')}; ${why}` };
}
