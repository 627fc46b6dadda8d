import { main } from './main.ts';

/**
 * The process entry: `node dist/cli/bin.js` (npm start, built) or bin/switchboard.js (from source, through tsx).
 * `switchboard deliveries | head`: a reader that stops early is not an error worth a stack trace.
 */
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});
process.exitCode = await main(process.argv.slice(2));
