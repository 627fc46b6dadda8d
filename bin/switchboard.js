#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step), so `npx switchboard` works right after `npm install`
// and plugins dropped into plugins/ load as .ts files too.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
