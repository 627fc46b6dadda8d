/**
 * The process entry: `node dist/cli/bin.js` (npm start, built) or bin/switchboard.js (from source, through tsx).
 * The Node version is checked before anything else loads (undici and crypto.hash need 20.18.1).
 * `switchboard deliveries | head`: a reader that stops early is not an error worth a stack trace.
 */
const [major, minor, patch] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && (minor < 18 || (minor === 18 && patch < 1)))) {
  console.error(
    `switchboard needs Node.js 20.18.1 or newer; this is ${process.version}. Upgrade Node and run it again.`,
  );
  process.exit(1);
}
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));

export {};
