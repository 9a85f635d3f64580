/** IR → TypeScript: the code generator behind the editor's code view and `sluice export-ts`. Browser-safe. */
export { generatePipelineSource, type GeneratePipelineSourceOptions } from './generatePipelineSource';
export { CodegenError } from './CodegenError';
export type { ComponentImport } from './components';
export { importSpecifier } from './modulePaths';
