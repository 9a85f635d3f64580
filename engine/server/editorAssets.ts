/**
 * Serves the built editor (editor/dist, from `npm run build:editor`) on the API's port, so one URL
 * gives both. The editor routes with the URL hash, so only `/` and the asset files are served here;
 * everything under /api stays the API's. Without a build, `/` says how to make one instead of 404.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Application } from 'express';
import { projectRoot } from '../paths';

export const EDITOR_DIST_DIR = path.join(projectRoot, 'editor', 'dist');

export function serveEditor(app: Application, dir: string = EDITOR_DIST_DIR): void {
  const index = path.join(dir, 'index.html');
  app.get('/', (_req, res) => {
    if (existsSync(index)) {
      // The page names hashed asset files: never cache it, so a rebuild shows at once.
      res.setHeader('cache-control', 'no-cache');
      res.sendFile(index);
      return;
    }
    res
      .status(503)
      .type('text/plain')
      .send(`The Sluice editor is not built in ${dir}. Run \`npm run build:editor\` (\`npm run up\` does it for you) and reload.\n`);
  });
  // Hashed file names: safe to cache for long.
  app.use('/assets', express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '1y', fallthrough: true }));
}
