#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=20
// Runs the TypeScript sources directly (no build step), so `npx switchboard` works right after `npm install`
// and plugins dropped into plugins/ load as .ts files too.
import { register } from 'tsx/esm/api';

register();
// `switchboard deliveries | head`: a reader that stops early is not an error worth a stack trace.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
