/** drizzle-kit settings: `npx drizzle-kit generate` turns schema changes into a checked-in migration. */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './engine/stores/metadata/schema.ts',
  out: './engine/stores/metadata/migrations',
  strict: true,
  verbose: true,
});
