// `npm run build`: compiles src/ to dist/ (tsc, imports rewritten from .ts to .js) and copies the files that
// are not TypeScript but are read at run time next to their module: SQL migrations, the plugin resolve hook and
// the web console's assets.
// `--if-stale` (npm's prestart): builds only when dist/ is missing or older than a file under src/ or a
// tsconfig, so `npm start` right after `npm install` or a `git pull` runs the code as it is on disk, and a
// second start costs one walk over src/ (a few ms).
// The new tree is written beside dist/ and swapped in with two renames, so a gateway already running from
// dist/ never meets a half-written tree.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
/** Written last: its time is when the tree in dist/ was complete. */
const stamp = join(dist, '.built');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

/** The newest modification time (ms) among the build's inputs; directories count, so a deletion does too. */
function newestInput() {
  let newest = 0;
  const visit = (path) => {
    newest = Math.max(newest, statSync(path).mtimeMs);
  };
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs']) visit(join(root, file));
  visit(join(root, 'src'));
  for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true }))
    visit(join(entry.parentPath, entry.name));
  return newest;
}

function isStale() {
  return !existsSync(stamp) || statSync(stamp).mtimeMs < newestInput();
}

if (process.argv.includes('--if-stale')) {
  if (!isStale()) process.exit(0);
  if (!existsSync(tsc)) {
    // A production install without dev dependencies: it ships a built dist/ and cannot build one.
    if (!existsSync(stamp)) {
      console.error('switchboard: dist/ is not built and TypeScript is not installed: run `npm run build` first');
      process.exit(1);
    }
    console.error('switchboard: dist/ looks older than src/, but TypeScript is not installed: running it as is');
    process.exit(0);
  }
  console.error('switchboard: building dist/ (src/ changed since the last build)');
}

const next = join(root, `dist.building-${process.pid}`);
rmSync(next, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', next], {
    cwd: root,
    stdio: 'inherit',
  });
  for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
    // Everything tsc does not emit and the code reads next to itself: migrations, the resolve hook, the
    // console's CSS and JS. (The console shipped without them once: pages with no style and no buttons.)
    if (!entry.isFile() || /\.(ts|md)$/.test(entry.name)) continue;
    const from = join(entry.parentPath, entry.name);
    cpSync(from, join(next, from.slice(join(root, 'src').length)));
  }
  writeFileSync(join(next, '.built'), '');
  const old = join(root, `dist.old-${process.pid}`);
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(next, dist);
  rmSync(old, { recursive: true, force: true });
} catch (err) {
  rmSync(next, { recursive: true, force: true });
  // tsc has printed its errors; anything else is shown here.
  if (err.status === undefined) console.error(err);
  console.error('switchboard: build failed; dist/ is unchanged');
  process.exit(1);
}
