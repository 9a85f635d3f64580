/** What a worker finds at start: GPUs and ML runtimes, and the report it prints. */
export { detectGpus, GpuSettingError, parseGpuSetting, parseNvidiaSmiCsv, visibleDevices } from './gpus';
export type { GpuDetection, GpuSetting, NvidiaSmi } from './gpus';
export { detectOnnx, detectTfjs } from './mlRuntimes';
export type { OnnxReport, TfjsReport } from './mlRuntimes';
export { collectRuntimeReport, formatRuntimeReport, runtimeSummary } from './runtimeReport';
export type { CollectRuntimeOptions, RuntimeReport } from './runtimeReport';
