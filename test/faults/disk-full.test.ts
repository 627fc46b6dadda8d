import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { GatewayProcess } from '../helpers/gateway.ts';
import { Sink, type SinkRequest } from '../helpers/sink.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';
import { SmallDisk } from './small-disk.ts';
import { until, WebhookStream } from './stream.ts';

const SECRET = 'disk-test-secret-0123456789';
const RATE = 100;
const GRACE_MS = 2_000;

function gatewayConfig(sink: Sink, dbPath: string): string {
  return `server: { host: 127.0.0.1, port: 0 }
admin: { listen: "127.0.0.1:0" }
sources:
  mta: { kind: mta, version: 3, secret: "\${MTA_WEBHOOK_SECRET}" }
store: { driver: sqlite, path: ${dbPath} }
plugins: { dirs: [${ROOT}/plugins] }
delivery: { backoff: { initial: 50ms, max: 1s }, timeout: 2s }
destinations:
  sink: { type: http, url: "${sink.url}/in" }
routes:
  - to: [sink]
`;
}

const eventIdOf = (r: SinkRequest) => (JSON.parse(r.body) as { id: string }).id;

async function readyz(gw: GatewayProcess): Promise<{ status: number; reasons: string[] }> {
  const res = await fetch(`${gw.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, reasons: ((await res.json()) as { reasons: string[] }).reasons };
}

/** Deliveries by state, read from the SQLite file beside the running gateway (WAL lets a reader in). */
function states(dbPath: string): Record<string, number> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state').all() as Array<{
      state: string;
      n: number;
    }>;
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  } finally {
    db.close();
  }
}

describe('store faults with SQLite: a disk that fills up', function () {
  this.timeout(180_000);
  let disk: SmallDisk;

  before(function () {
    const mounted = SmallDisk.tryMount(12);
    if (typeof mounted === 'string') {
      console.log(`      skipped: ${mounted}; the disk-full test needs a filesystem it can fill`);
      this.skip();
    }
    disk = mounted as SmallDisk;
  });
  after(() => disk?.remove());

  it('answers 503 with the cause logged and /readyz 503 while writes fail, recovers once space is freed, loses nothing, leaves nothing sending, and exits on SIGTERM while full', async () => {
    const sink = await Sink.start();
    const tmp = tempDir('disk-full');
    const dbPath = join(disk.dir, 'switchboard.db');
    const configPath = tmp.write('gw.yaml', gatewayConfig(sink, dbPath));
    const env = { MTA_WEBHOOK_SECRET: SECRET, SWITCHBOARD_SHUTDOWN_GRACE_MS: String(GRACE_MS) };
    let gw = await GatewayProcess.start(configPath, env);
    let stream = new WebhookStream(gw.url, SECRET, RATE).start();
    const acked = new Set<string>();
    try {
      await until(() => stream.ackedCount >= RATE * 2, 'acks before the disk fills', 60_000);
      disk.fill();
      const refusedBefore = stream.figures.unavailable;
      await until(() => stream.figures.unavailable >= refusedBefore + 20, '503s on the full disk', 60_000);
      await until(async () => (await readyz(gw)).status === 503, '/readyz 503 while writes fail', 30_000);
      expect((await readyz(gw)).reasons.join('; ')).to.match(/disk_full/);
      const refusal = gw.lines.find((l) => l.msg === 'webhook refused' && l.status === 503);
      expect(refusal?.causeKind, 'the 503 log line names the cause').to.equal('disk_full');
      expect(String(refusal?.cause)).to.match(/full/i);

      disk.free();
      await until(async () => (await readyz(gw)).status === 200, '/readyz 200 once space is freed', 30_000);
      const ackedAtFree = stream.ackedCount;
      await until(() => stream.ackedCount >= ackedAtFree + RATE, 'acks again once space is freed', 60_000);
      let figures = await stream.stop();
      for (const id of figures.acked) acked.add(id);
      expect(figures.acked.size + figures.unavailable, 'every webhook answered 200 or 503').to.equal(
        figures.sent,
      );
      await sink.waitFor(
        () => [...acked].every((id) => sink.requests.some((r) => eventIdOf(r) === id)),
        'every acked event at the sink',
        60_000,
      );
      await until(
        () => (states(dbPath).sending ?? 0) + (states(dbPath).pending ?? 0) === 0,
        'nothing left sending',
        30_000,
      );
      const first = { sent: figures.sent, acked: figures.acked.size, unavailable: figures.unavailable };

      // Full again, with work in flight, then SIGTERM: the process must end.
      stream = new WebhookStream(gw.url, SECRET, RATE).start();
      await until(() => stream.ackedCount >= RATE, 'acks before filling again', 60_000);
      disk.fill();
      const before = stream.figures.unavailable;
      await until(() => stream.figures.unavailable >= before + 20, '503s on the full disk again', 60_000);
      figures = await stream.stop();
      for (const id of figures.acked) acked.add(id);
      const stopping = gw.stop();
      const exited = await Promise.race([
        stopping.then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), GRACE_MS + 15_000)),
      ]);
      expect(exited, `SIGTERM on a full disk ends the process:\n${gw.raw.slice(-10).join('\n')}`).to.equal(
        true,
      );

      // Space back, a new process on the same file: whatever was acked is delivered, nothing stays sending.
      disk.free();
      gw = await GatewayProcess.start(configPath, env);
      await sink.waitFor(
        () => {
          const got = new Set(sink.requests.map(eventIdOf));
          return [...acked].every((id) => got.has(id));
        },
        `all ${acked.size} acked events at the sink`,
        90_000,
      );
      await until(
        () => (states(dbPath).sending ?? 0) + (states(dbPath).pending ?? 0) === 0,
        'nothing left sending',
        60_000,
      );
      const requests = sink.requests.length;
      const duplicates = requests - new Set(sink.requests.map((r) => eventIdOf(r))).size;
      console.log(
        `      [sqlite disk full] sent ${first.sent + figures.sent}, acked ${acked.size}, ` +
          `503 ${first.unavailable + figures.unavailable}, delivered ${acked.size}, duplicates ${duplicates}`,
      );
    } finally {
      await stream.stop();
      disk.free();
      await gw.stop();
      await sink.stop();
      tmp.cleanup();
    }
  });
});
