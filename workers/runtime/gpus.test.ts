import { describe, expect, it } from 'vitest';
import { detectGpus, GpuSettingError, parseGpuSetting, parseNvidiaSmiCsv, visibleDevices, type NvidiaSmi } from './gpus';

const CSV = [
  '0, NVIDIA A100-SXM4-80GB, 81920, 550.54.15, GPU-aaaa1111-0000-0000-0000-000000000000',
  '1, NVIDIA A100-SXM4-80GB, 81920, 550.54.15, GPU-bbbb2222-0000-0000-0000-000000000000',
  '2, NVIDIA A100-SXM4-80GB, 81920, 550.54.15, GPU-cccc3333-0000-0000-0000-000000000000',
].join('\n');

const smi = (stdout: string): NvidiaSmi => () => Promise.resolve({ ok: true, stdout });
const noSmi: NvidiaSmi = () => Promise.resolve({ ok: false, reason: 'nvidia-smi not found (no NVIDIA driver on this machine)' });

describe('parseNvidiaSmiCsv', () => {
  it('reads index, name, memory, driver and uuid, skipping lines that are not devices', () => {
    const devices = parseNvidiaSmiCsv(`${CSV}\nWARNING: infoROM is corrupted at gpu 0000:00:04.0\n\n`);
    expect(devices).toHaveLength(3);
    expect(devices[0]).toEqual({ index: 0, name: 'NVIDIA A100-SXM4-80GB', memoryMiB: 81920, driver: '550.54.15', uuid: 'GPU-aaaa1111-0000-0000-0000-000000000000' });
  });
  it('copes with [N/A] memory', () => {
    expect(parseNvidiaSmiCsv('0, Tesla T4, [N/A], 535.1, GPU-x1')).toEqual([{ index: 0, name: 'Tesla T4', driver: '535.1', uuid: 'GPU-x1' }]);
  });
});

describe('parseGpuSetting', () => {
  it('reads auto, none, counts and index lists', () => {
    expect(parseGpuSetting(undefined)).toEqual({ kind: 'detect' });
    expect(parseGpuSetting(' auto ')).toEqual({ kind: 'detect' });
    expect(parseGpuSetting('none')).toEqual({ kind: 'none' });
    expect(parseGpuSetting('0')).toEqual({ kind: 'none' });
    expect(parseGpuSetting('2')).toEqual({ kind: 'count', count: 2 });
    expect(parseGpuSetting('0, 2')).toEqual({ kind: 'indices', indices: [0, 2] });
    expect(parseGpuSetting('3,')).toEqual({ kind: 'indices', indices: [3] });
  });
  it('refuses anything else, naming the setting and the accepted forms', () => {
    expect(() => parseGpuSetting('all', '--gpus')).toThrow(GpuSettingError);
    expect(() => parseGpuSetting('two', '--gpus')).toThrow(/--gpus="two" is not a GPU setting; use "auto"/);
  });
});

describe('visibleDevices', () => {
  const all = parseNvidiaSmiCsv(CSV);
  it('keeps every device when CUDA_VISIBLE_DEVICES is unset', () => {
    expect(visibleDevices(all, undefined)).toBe(all);
  });
  it('narrows by index or UUID prefix, in CUDA order, giving each its CUDA ordinal', () => {
    expect(visibleDevices(all, '2,0').map((d) => [d.index, d.ordinal])).toEqual([
      [2, 0],
      [0, 1],
    ]);
    expect(visibleDevices(all, 'GPU-bbbb2222').map((d) => d.index)).toEqual([1]);
  });
  it('stops at the first entry CUDA would not match, as CUDA does', () => {
    expect(visibleDevices(all, '1,7,2').map((d) => d.index)).toEqual([1]);
    expect(visibleDevices(all, '')).toEqual([]);
    expect(visibleDevices(all, '-1')).toEqual([]);
  });
});

describe('detectGpus', () => {
  it('uses what nvidia-smi lists, narrowed by CUDA_VISIBLE_DEVICES', async () => {
    const d = await detectGpus({ env: {}, nvidiaSmi: smi(CSV) });
    expect(d.devices.map((g) => g.index)).toEqual([0, 1, 2]);
    expect(d.source).toBe('nvidia-smi');
    const narrowed = await detectGpus({ env: { CUDA_VISIBLE_DEVICES: '1' }, nvidiaSmi: smi(CSV) });
    expect(narrowed.devices.map((g) => g.index)).toEqual([1]);
  });

  it('finds none without nvidia-smi, and says how to declare GPUs', async () => {
    const d = await detectGpus({ env: {}, nvidiaSmi: noSmi });
    expect(d).toMatchObject({ devices: [], source: 'none' });
    expect(d.note).toMatch(/nvidia-smi not found.*set SLUICE_GPUS=<count>/);
  });

  it('makes a GPU worker by configuration where nvidia-smi sees nothing (SLUICE_GPUS=1, tests)', async () => {
    const d = await detectGpus({ env: { SLUICE_GPUS: '1' }, nvidiaSmi: noSmi });
    expect(d.source).toBe('configured');
    expect(d.devices).toEqual([{ index: 0, name: 'GPU 0 (configured, not seen by nvidia-smi)' }]);
    const listed = await detectGpus({ setting: '1,3', settingName: '--gpus', env: {}, nvidiaSmi: noSmi });
    expect(listed.devices.map((g) => g.index)).toEqual([1, 3]);
    expect(listed.note).toMatch(/^configured by --gpus=1,3/);
  });

  it('takes a count or indices out of the GPUs nvidia-smi lists, and refuses what is not there', async () => {
    expect((await detectGpus({ env: { SLUICE_GPUS: '2' }, nvidiaSmi: smi(CSV) })).devices.map((g) => g.index)).toEqual([0, 1]);
    expect((await detectGpus({ env: { SLUICE_GPUS: '0,2' }, nvidiaSmi: smi(CSV) })).devices.map((g) => g.index)).toEqual([0, 2]);
    await expect(detectGpus({ env: { SLUICE_GPUS: '4' }, nvidiaSmi: smi(CSV) })).rejects.toThrow(/asks for 4 GPUs but nvidia-smi lists 3/);
    await expect(detectGpus({ env: { SLUICE_GPUS: '5,' }, nvidiaSmi: smi(CSV) })).rejects.toThrow(/names GPU 5, which nvidia-smi does not list/);
  });

  it('turns GPUs off with none, without asking nvidia-smi', async () => {
    const never: NvidiaSmi = () => Promise.reject(new Error('must not be called'));
    expect(await detectGpus({ env: { SLUICE_GPUS: 'none' }, nvidiaSmi: never })).toMatchObject({ devices: [], source: 'none' });
  });
});
