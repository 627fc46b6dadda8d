import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { DestinationStates } from '../../src/admin/destinations.ts';
import { sign } from '../../src/ingress/signature.ts';
import { startService } from '../helpers/service.ts';
import { Sink } from '../helpers/sink.ts';
import { ROOT } from '../helpers/tmp.ts';

const TOKEN = 'overview-fallback-token-0123456789';
const SECRET = 'overview-fallback-secret-0123456789';
const fixture = (name: string) => readFileSync(join(ROOT, 'test/fixtures/mta/v3', `${name}.json`), 'utf8');

describe('the console overview with JavaScript off (server-rendered, plain HTTP)', function () {
  this.timeout(30_000);
  let gw: Awaited<ReturnType<typeof startService>>;
  let sink: Sink;

  before(async () => {
    sink = await Sink.start();
    // 400: a permanent failure, so each delivery ends failed at its first attempt.
    sink.reply = () => ({ status: 400, body: '{"error":"bad request"}' });
    gw = await startService(
      `admin: { token: "\${ADMIN_TOKEN}", listen: "127.0.0.1:0" }
destinations:
  ops-hook: { type: http, url: "${sink.url}" }
routes:
  - name: everything
    to: [ops-hook]`,
      { secret: SECRET, env: { ADMIN_TOKEN: TOKEN } },
    );
  });
  after(async () => {
    await gw?.stop();
    await sink?.stop();
  });

  it('shows the counts GET /api/destinations answers (what the script shows), failed deliveries included', async () => {
    const status = JSON.parse(fixture('delivery-status')) as Record<string, unknown>;
    for (const messageId of [1, 2, 3]) {
      const body = JSON.stringify({ ...status, messageId });
      const res = await fetch(`${gw.url}/webhooks/mta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': sign(SECRET, body) },
        body,
      });
      expect(res.status).to.equal(200);
    }
    await until(
      () => gw.capture.lines.filter((l) => l.includes('delivery failed permanently')).length === 3,
      'the three deliveries to fail',
    );

    const api = (await (
      await fetch(`${gw.adminUrl}/api/destinations`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as DestinationStates;
    const hook = api.destinations.find((d) => d.name === 'ops-hook');
    expect(hook).to.deep.include({ state: 'active', pending: 0, inFlight: 0, delivered1h: 0, failed1h: 3 });

    const login = await fetch(`${gw.adminUrl}/ui/login`, {
      method: 'POST',
      body: new URLSearchParams({ token: TOKEN }),
      redirect: 'manual',
    });
    const cookie = String(login.headers.get('set-cookie')).split(';')[0];
    const page = await fetch(`${gw.adminUrl}/ui/`, { headers: { cookie } });
    expect(page.status).to.equal(200);
    const html = await page.text();
    const head = /<table id="destinations"[\s\S]*?<thead>([\s\S]*?)<\/thead>/.exec(html)?.[1] ?? '';
    const row = /<tr>\s*<td>ops-hook<\/td>([\s\S]*?)<\/tr>/.exec(html)?.[0] ?? '';
    const text = (cells: string, tag: string) =>
      [...cells.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) =>
        m[1]
          .replace(/<[^>]+>/g, '')
          .replace(/&(quot|#34|#39|lt|gt|amp);/g, (_, e: string) => ENTITIES[e])
          .trim(),
      );
    const cells = text(row, 'td');
    expect(cells.slice(0, 9)).to.deep.equal([
      'ops-hook',
      'http',
      'active',
      String(hook?.pending),
      String(hook?.inFlight),
      String(hook?.dead),
      '—',
      String(hook?.delivered1h),
      String(hook?.failed1h),
    ]);
    expect(cells[9].replace(/^\d+ s ago: /, '')).to.equal(hook?.lastError?.reason);
    expect(text(head, 'th')).to.deep.equal([
      'Destination',
      'Type',
      'State',
      'Pending',
      'In flight',
      'Dead',
      'Oldest pending',
      'Delivered 1h',
      'Failed 1h',
      'Last error',
      '',
    ]);
  });
});

const ENTITIES: Record<string, string> = { quot: '"', '#34': '"', '#39': "'", lt: '<', gt: '>', amp: '&' };

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
