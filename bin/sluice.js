#!/usr/bin/env node
// The `sluice` CLI runs its TypeScript sources (and users' pipeline files) through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../engine/cli/main.ts');
