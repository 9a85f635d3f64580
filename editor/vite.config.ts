/**
 * Builds the editor (React + @xyflow/react) into editor/dist, which the API server serves on its
 * own port (engine/server/editorAssets.ts). `npm run editor:dev` serves it with hot reload and
 * forwards /api to a running `sluice dev` (SLUICE_URL, default http://127.0.0.1:8080).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react()],
  resolve: { alias: { 'sluice/dsl': here('../dsl/index.ts'), 'sluice/ir': here('../dsl/ir/index.ts'), 'sluice/codegen': here('../dsl/codegen/index.ts'), 'sluice/api': here('../engine/contract/index.ts') } },
  build: { outDir: here('./dist'), emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/api': process.env.SLUICE_URL ?? 'http://127.0.0.1:8080' } },
});
