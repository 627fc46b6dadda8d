import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { sign } from '../../src/ingress/signature.ts';
import { GatewayProcess } from '../helpers/gateway.ts';
import { Sink, type SinkRequest } from '../helpers/sink.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';
import { TestSchema, until } from './pg.ts';

const SECRET = 'scale-test-secret-0123456789';
const SIGNING_SECRET = 'scale-signing-secret';
const base = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3/message-reply.json'), 'utf8'));
/** Sends per destination each instance runs at once: the most deliveries one SIGKILL can strand. */
const CONCURRENCY = 4;

/**
 * The config of instance `name`. All instances are identical except the path of the sink URL (/in/<name>),
 * so the sink knows which instance sent each request. The store URL and the webhook secret come from the
 * environment, as in config.postgres.example.yaml.
 */
function instanceConfig(sink: Sink, name: string): string {
  return `server: { host: 127.0.0.1, port: 0 }
admin: { listen: "127.0.0.1:0" }
sources:
  mta: { kind: mta, version: 3, secret: "\${MTA_WEBHOOK_SECRET}" }
store: { driver: postgres, url: "\${DATABASE_URL}", poolSize: 4 }
plugins: { dirs: [${ROOT}/plugins] }
delivery: { attempts: 50, backoff: { initial: 20ms, max: 500ms }, timeout: 1s, concurrency: ${CONCURRENCY} }
destinations:
  sink: { type: http, url: "${sink.url}/in/${name}", signingSecret: "${SIGNING_SECRET}" }
routes:
  - to: [sink]
`;
}

/** Three gateways (a, b, c) started together on one fresh schema, so they also race to migrate it. */
async function startCluster(schema: TestSchema, sink: Sink, tmp: ReturnType<typeof tempDir>) {
  const env = { DATABASE_URL: schema.url, MTA_WEBHOOK_SECRET: SECRET };
  const names = ['a', 'b', 'c'] as const;
  const started = await Promise.allSettled(
    names.map((n) => GatewayProcess.start(tmp.write(`${n}.yaml`, instanceConfig(sink, n)), env)),
  );
  const gateways = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(gateways.map((g) => g.signal('SIGKILL')));
    throw failed.reason;
  }
  return gateways;
}

/** POSTs one signed webhook body; answers the gateway's JSON, or null when no answer came (process killed). */
async function post(gw: GatewayProcess, text: string): Promise<{ id: string; duplicate: boolean } | null> {
  try {
    const res = await fetch(`${gw.url}/webhooks/mta`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': sign(SECRET, text) },
      body: text,
    });
    const json = (await res.json()) as { id: string; duplicate: boolean };
    if (res.status !== 200) throw new Error(`gateway answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  } catch (err) {
    if (gw.child.exitCode === null && gw.child.signalCode === null && !gw.child.killed) throw err;
    return null;
  }
}

const deliveryId = (r: SinkRequest) => String(r.headers['webhook-id']);
const instanceOf = (r: SinkRequest) => r.url.slice('/in/'.length);
const eventIdOf = (r: SinkRequest) => (JSON.parse(r.body) as { id: string }).id;

/** Pairs of requests for the same delivery whose time at the sink overlapped (sent twice at once). */
function overlaps(requests: SinkRequest[]): Array<[SinkRequest, SinkRequest]> {
  const byDelivery = new Map<string, SinkRequest[]>();
  for (const r of requests) byDelivery.set(deliveryId(r), [...(byDelivery.get(deliveryId(r)) ?? []), r]);
  const found: Array<[SinkRequest, SinkRequest]> = [];
  for (const sends of byDelivery.values()) {
    sends.sort((x, y) => x.receivedAt - y.receivedAt);
    for (let i = 1; i < sends.length; i++) {
      if (sends[i].receivedAt < sends[i - 1].answeredAt) found.push([sends[i - 1], sends[i]]);
    }
  }
  return found;
}

describe('several instances sharing PostgreSQL', function () {
  this.timeout(120_000);

  it('delivers every acknowledged event once an instance is SIGKILLed, never sending one delivery from two instances at once', async () => {
    const schema = await TestSchema.create('sb_scale_kill');
    const sink = await Sink.start();
    const tmp = tempDir('scale');
    const gateways: GatewayProcess[] = [];
    try {
      gateways.push(...(await startCluster(schema, sink, tmp)));
      const [a, b, c] = gateways;
      const victim = c;
      const KILL_AFTER = 150;
      const TOTAL = 300;
      const acked = new Set<string>();
      const ackedBy = new Map<GatewayProcess, number>();
      let sent = 0;
      let seq = 0;
      let turn = 0;
      let killedAt: { ackedSoFar: number; deliveryId: string } | undefined;
      let strandedAtKill: Promise<number> | undefined;

      // The sink answers after 20 ms, so two sends of one delivery at once would overlap visibly. The victim
      // is killed at its first send after KILL_AFTER acks, while that send is still unanswered: the delivery
      // is then certainly stranded under the victim's lease, and a survivor must take it over.
      sink.reply = (req) => {
        if (!killedAt && acked.size >= KILL_AFTER && instanceOf(req) === 'c') {
          killedAt = { ackedSoFar: acked.size, deliveryId: deliveryId(req) };
          // Once it is gone: how many deliveries it left leased (nobody may take them before the lease ends).
          strandedAtKill = victim
            .signal('SIGKILL')
            .then(() =>
              schema.query<{ n: string }>(
                `SELECT COUNT(*) AS n FROM deliveries WHERE state = 'sending' AND lease_owner LIKE $1`,
                [`%:${victim.child.pid}:%`],
              ),
            )
            .then((rows) => Number(rows[0].n));
          strandedAtKill.catch(() => {}); // awaited below; only a failed run leaves it unobserved
        }
        return { status: 200, delayMs: 20 };
      };

      // Six concurrent senders spread bodies round-robin over the live instances (as a load balancer whose
      // health check dropped the dead one would), until TOTAL are acknowledged after the kill.
      const senders = Array.from({ length: 6 }, async () => {
        while (!(killedAt && acked.size >= TOTAL)) {
          if (sent >= 5 * TOTAL) throw new Error(`no kill after ${sent} webhooks (victim never sent)`);
          const live = killedAt ? [a, b] : [a, b, c];
          const gw = live[turn++ % live.length];
          const n = ++seq;
          sent++;
          const answer = await post(gw, JSON.stringify({ ...base, replyId: n, message: `scale ${n}` }));
          if (answer === null) continue; // the victim died with this request in flight: not acknowledged
          expect(answer.duplicate, `body ${n} is new`).to.equal(false);
          acked.add(answer.id);
          ackedBy.set(gw, (ackedBy.get(gw) ?? 0) + 1);
        }
      });
      await Promise.all(senders);
      expect(killedAt).to.not.equal(undefined);
      const trigger = killedAt!.deliveryId;
      const stranded = await strandedAtKill!;
      expect(victim.child.signalCode).to.equal('SIGKILL');
      expect(stranded, 'deliveries left leased by the killed instance').to.be.at.least(1);

      // Survivors reclaim the victim's leases once they expire (attempt timeout 1 s + 30 s margin).
      const received = () => new Set(sink.requests.map(eventIdOf));
      await sink.waitFor(
        () => sink.requests.some((r) => deliveryId(r) === trigger && instanceOf(r) !== 'c'),
        'a surviving instance to re-send the delivery the killed one was sending',
        50_000,
      );
      await sink.waitFor(
        () => [...acked].every((id) => received().has(id)),
        `all ${acked.size} acknowledged events`,
        50_000,
      );
      await until(
        async () =>
          (await schema.query(`SELECT 1 FROM deliveries WHERE state IN ('pending', 'sending') LIMIT 1`))
            .length === 0,
        'no delivery left pending or leased',
        50_000,
      );
      await Promise.all([a.stop(), b.stop()]);

      const states = await schema.query<{ state: string; n: string }>(
        'SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state',
      );
      const events = Number((await schema.query<{ n: string }>('SELECT COUNT(*) AS n FROM events'))[0].n);
      expect(states.map((s) => [s.state, Number(s.n)])).to.deep.equal([['delivered', events]]);

      const requests = sink.requests;
      const delivered = received();
      const lost = [...acked].filter((id) => !delivered.has(id));
      expect(lost, 'acknowledged events never delivered').to.deep.equal([]);
      expect(overlaps(requests), 'one delivery sent twice at the same time').to.deep.equal([]);
      // One delivery per event (one destination), whichever instances sent it.
      const deliveryOf = new Map<string, string>();
      for (const r of requests) {
        const prev = deliveryOf.get(eventIdOf(r));
        expect(prev ?? deliveryId(r), `event ${eventIdOf(r)} has one delivery id`).to.equal(deliveryId(r));
        deliveryOf.set(eventIdOf(r), deliveryId(r));
      }
      const duplicates = requests.length - new Set(requests.map(deliveryId)).size;
      const resentByVictim = new Set(requests.filter((r) => instanceOf(r) === 'c').map(deliveryId));
      const takenOver = new Set(
        requests.filter((r) => instanceOf(r) !== 'c' && resentByVictim.has(deliveryId(r))).map(deliveryId),
      );
      expect(takenOver.has(trigger)).to.equal(true);
      // At-least-once: a second send only for what the victim had in flight when it died.
      expect(duplicates).to.be.at.most(CONCURRENCY);

      const perInstance = (name: string) => requests.filter((r) => instanceOf(r) === name).length;
      console.log(
        `      multi-instance: ${sent} sent, ${acked.size} acknowledged (a ${ackedBy.get(a) ?? 0}, b ${ackedBy.get(b) ?? 0}, c ${ackedBy.get(c) ?? 0}), ` +
          `${sent - acked.size} unanswered at the kill; c SIGKILLed after ${killedAt!.ackedSoFar} acks with ${stranded} leased; ` +
          `${delivered.size} delivered in ${requests.length} sends (a ${perInstance('a')}, b ${perInstance('b')}, c ${perInstance('c')}), ` +
          `${duplicates} duplicate sends, ${takenOver.size} deliveries taken over from c, 0 overlapping`,
      );
    } finally {
      await Promise.all(gateways.map((g) => g.signal('SIGKILL')));
      await sink.stop();
      await schema.drop();
      tmp.cleanup();
    }
  });

  it('answers a body sent to two instances at once as new on one and duplicate on the other, and delivers it once', async () => {
    const schema = await TestSchema.create('sb_scale_dedupe');
    const sink = await Sink.start();
    const tmp = tempDir('scale');
    const gateways: GatewayProcess[] = [];
    try {
      gateways.push(...(await startCluster(schema, sink, tmp)));
      sink.reply = () => ({ status: 200, delayMs: 20 });
      const PAIRS = 30;
      // Each body goes to two different instances concurrently (a+b, b+c, c+a, ...).
      const answers = await Promise.all(
        Array.from({ length: PAIRS }, (_, i) => {
          const text = JSON.stringify({ ...base, replyId: 10_000 + i, message: `twice ${i}` });
          const pair = [gateways[i % 3], gateways[(i + 1) % 3]];
          return Promise.all(pair.map((gw) => post(gw, text)));
        }),
      );
      const ids = new Set<string>();
      for (const [i, [first, second]] of answers.entries()) {
        expect(first, `pair ${i}`).to.not.equal(null);
        expect(second, `pair ${i}`).to.not.equal(null);
        expect([first!.duplicate, second!.duplicate].sort(), `pair ${i} duplicate flags`).to.deep.equal([
          false,
          true,
        ]);
        expect(second!.id, `pair ${i} answers the same event id`).to.equal(first!.id);
        ids.add(first!.id);
      }
      expect(ids.size).to.equal(PAIRS);

      await sink.waitFor(
        () => new Set(sink.requests.map(eventIdOf)).size === PAIRS,
        `${PAIRS} events at the sink`,
        30_000,
      );
      // Graceful stops end every send in flight, so the sink now holds everything that will ever be sent.
      await Promise.all(gateways.map((g) => g.stop()));
      const perEvent = new Map<string, number>();
      for (const r of sink.requests) perEvent.set(eventIdOf(r), (perEvent.get(eventIdOf(r)) ?? 0) + 1);
      expect(
        [...perEvent.values()].every((n) => n === 1),
        'every event delivered exactly once',
      ).to.equal(true);
      expect([...perEvent.keys()].sort()).to.deep.equal([...ids].sort());
      const rows = await schema.query<{ events: string; deliveries: string; delivered: string }>(
        `SELECT (SELECT COUNT(*) FROM events) AS events, (SELECT COUNT(*) FROM deliveries) AS deliveries,
                (SELECT COUNT(*) FROM deliveries WHERE state = 'delivered') AS delivered`,
      );
      expect(rows[0]).to.deep.equal({
        events: String(PAIRS),
        deliveries: String(PAIRS),
        delivered: String(PAIRS),
      });
      console.log(
        `      dedupe across instances: ${2 * PAIRS} sent (${PAIRS} bodies, each to two instances at once), ` +
          `${PAIRS} new + ${PAIRS} duplicate answers, ${perEvent.size} events delivered in ${sink.requests.length} sends`,
      );
    } finally {
      await Promise.all(gateways.map((g) => g.signal('SIGKILL')));
      await sink.stop();
      await schema.drop();
      tmp.cleanup();
    }
  });
});
