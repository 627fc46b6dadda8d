/**
 * Console page timings with a big store: `node --import tsx bench/console.ts [--events=1000000] [--rounds=20]`.
 * Fills a SQLite store with history (bench/lib/prefill.ts, the fast SQL copy of really ingested rows), starts
 * the gateway in this process with an admin token, logs in like a browser and times each page (the whole HTTP
 * answer, server-rendered HTML) over several rounds after a warm-up. Prints a Markdown table; writes it to
 * bench/results/console.md. Not part of `npm run bench` (the fill alone takes a minute at 1M events).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../src/observability/log.ts';
import { Service } from '../src/service.ts';
import { writeConfig } from './lib/config.ts';
import { ROOT, scratchDir } from './lib/paths.ts';
import { prefillHistorySqlite } from './lib/prefill.ts';

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const EVENTS = arg('events', 1_000_000);
const ROUNDS = arg('rounds', 20);
const TOKEN = 'bench-console-token-0123456789';

const scratch = scratchDir('console');
const dbPath = join(scratch.dir, 'switchboard.db');
const configPath = writeConfig(scratch.dir, {
  store: { driver: 'sqlite', path: dbPath },
  port: 0,
  sinkUrl: 'http://127.0.0.1:9/',
});
writeFileSync(
  configPath,
  (await import('node:fs'))
    .readFileSync(configPath, 'utf8')
    .replace('admin: { listen: "127.0.0.1:0" }', `admin: { listen: "127.0.0.1:0", token: "${TOKEN}" }`),
);

const filled = Date.now();
await prefillHistorySqlite(configPath, dbPath, EVENTS, (done) =>
  process.stderr.write(`\rprefill ${done}/${EVENTS}`),
);
process.stderr.write(`\rprefilled ${EVENTS} events in ${((Date.now() - filled) / 1000).toFixed(0)} s\n`);

const quiet = new Writable({ write: (_c, _e, cb) => cb() });
const service = await Service.start({
  configPath,
  env: {},
  log: createLogger({ secrets: () => [], destination: quiet, level: 'warn' }),
});
const base = `http://127.0.0.1:${service.adminAddress.port}`; // the console is on the admin listener
try {
  const login = await fetch(`${base}/ui/login`, {
    method: 'POST',
    body: new URLSearchParams({ token: TOKEN, name: 'bench' }),
    redirect: 'manual',
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  if (!cookie.startsWith('switchboard_session=')) throw new Error(`login failed: ${login.status}`);

  const get = async (path: string) => {
    const started = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${body.slice(0, 200)}`);
    return { ms: performance.now() - started, body };
  };
  // A cursor half-way down the history: keyset pagination costs the same at any depth.
  const middle = `00${String(Math.floor(EVENTS / 2)).padStart(24, '0')}`;
  const first = await get('/ui/events');
  const eventPath = /href="(\/ui\/events\/[^"?]+)"/.exec(first.body)?.[1] ?? '/ui/events/none';
  const pages: Array<[string, string]> = [
    ['overview (3 h chart, queue, counts)', '/ui/'],
    ['events, newest 50', '/ui/events'],
    ['events, 50 from the middle (keyset cursor)', `/ui/events?cursor=${middle}`],
    ['events, type = message-reply', '/ui/events?type=message-reply'],
    ['events, status = UNDELIVERED', '/ui/events?status=UNDELIVERED'],
    ['events, status = LANDLINE (no match: one 50,000-event window)', '/ui/events?status=LANDLINE'],
    ['events, tag campaign=spring-sale', '/ui/events?tag=campaign%3Dspring-sale'],
    ['events, phone ending 0143 (common)', '/ui/events?phone=0143'],
    ['events, phone ending 9999 (no match: one 50,000-event window)', '/ui/events?phone=9999'],
    ['one event page', eventPath],
  ];
  const rows: string[] = [];
  for (const [label, path] of pages) {
    await get(path);
    await get(path);
    const shown = ((await get(path)).body.match(/<tr>\s*<td><a href="\/ui\/events\//g) ?? []).length;
    const times: number[] = [];
    const rounds = ROUNDS;
    for (let i = 0; i < rounds; i++) times.push((await get(path)).ms);
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
    rows.push(
      `| ${label} | ${path.startsWith('/ui/events?') || path === '/ui/events' ? shown : ''} | ${q(0.5)} | ${q(0.95)} | ${rounds} |`,
    );
    process.stderr.write(`${label}: median ${q(0.5)} ms\n`);
  }
  const table = [
    `Console pages with ${EVENTS.toLocaleString('en-US')} events stored (SQLite, one process, ${new Date().toISOString().slice(0, 10)}):`,
    '',
    '| page | events shown | median ms | p95 ms | rounds |',
    '|---|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
  console.log(table);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/console.md'), `${table}\n`);
} finally {
  await service.stop();
  scratch.cleanup();
}
