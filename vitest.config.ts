import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      'sluice/dsl': here('./dsl/index.ts'),
      'sluice/ir': here('./dsl/ir/index.ts'),
      'sluice/codegen': here('./dsl/codegen/index.ts'),
      'sluice/api': here('./engine/contract/index.ts'),
      'sluice/components': here('./components/index.ts'),
      'sluice/engine': here('./engine/index.ts'),
    },
  },
  test: {
    include: ['**/*.test.ts', '**/*.test.tsx'],
    exclude: ['node_modules/**', '.tools/**', '.sluice/**', 'editor/dist/**'],
    // Temporal's worker uses native modules and child processes: isolate test files in processes.
    pool: 'forks',
    // Heavy integration files (Temporal server, PostgreSQL) on a 2-core machine: keep concurrency low.
    maxWorkers: 2,
    testTimeout: 120_000,
    // Every API server a test starts checks its replies and events against the contract
    // (engine/contract): a drift fails the test that met it (engine/server/routing.ts: checkReply).
    env: { SLUICE_API_CHECK_RESPONSES: '1' },
    hookTimeout: 180_000,
  },
});
