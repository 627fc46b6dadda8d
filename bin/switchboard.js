#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=20
// Runs the TypeScript sources directly (no build step), so `npx switchboard` works right after `npm install`
// and always runs the code as it is on disk. `npm start` runs the built code (dist/, `npm run build`).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/bin.ts');
