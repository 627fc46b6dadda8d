import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { expect } from 'chai';
import { sign } from '../../src/ingress/signature.ts';
import { runCli } from '../helpers/gateway.ts';
import { startService } from '../helpers/service.ts';
import { Sink } from '../helpers/sink.ts';
import { ROOT } from '../helpers/tmp.ts';

const TOKEN = 'admin-params-token-9f8e7d6c5b4a';
const SECRET = 'admin-params-secret-0123456789';
const fixture = (name: string) => readFileSync(join(ROOT, 'test/fixtures/mta/v3', `${name}.json`), 'utf8');

type Answer = { error?: string; details?: Array<{ path: string; message: string }> } & Record<
  string,
  unknown
>;

describe('the admin API refuses parameter names it does not take, naming each (real HTTP)', function () {
  this.timeout(30_000);
  let gw: Awaited<ReturnType<typeof startService>>;
  let sink: Sink;
  let eventId: string;

  before(async () => {
    sink = await Sink.start();
    gw = await startService(
      `admin: { token: "\${ADMIN_TOKEN}", listen: "127.0.0.1:0" }
destinations:
  crm: { type: http, url: "${sink.url}" }
routes:
  - name: main
    to: [crm]`,
      { secret: SECRET, env: { ADMIN_TOKEN: TOKEN } },
    );
    // Two delivered deliveries: what an unfiltered answer would show.
    const ids: string[] = [];
    for (const messageId of [1, 2]) {
      const body = JSON.stringify({ ...JSON.parse(fixture('delivery-status')), messageId });
      const res = await fetch(`${gw.url}/webhooks/mta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': sign(SECRET, body) },
        body,
      });
      ids.push(((await res.json()) as { id: string }).id);
    }
    eventId = ids[0];
    await sink.waitFor(() => sink.requests.length >= 2, 'both deliveries');
  });
  after(async () => {
    await gw.stop();
    await sink.stop();
  });

  const api = async (path: string, body?: object): Promise<{ status: number; answer: Answer }> => {
    const res = await fetch(`${gw.adminUrl}/api${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, answer: (await res.json()) as Answer };
  };

  it('answers 400 for GET /api/deliveries?stat=dead, with the nearest name, instead of every delivery', async () => {
    const { status, answer } = await api('/deliveries?stat=dead');
    expect(status).to.equal(400);
    expect(answer).to.deep.equal({
      error: 'stat: "stat" is not a query parameter of this request (did you mean state?)',
      details: [
        { path: 'stat', message: '"stat" is not a query parameter of this request (did you mean state?)' },
      ],
    });
  });

  it('names every unknown query parameter of GET /api/events at once', async () => {
    const { status, answer } = await api('/events?stauts=DELIVERED&number=%2B1&limit=5');
    expect(status).to.equal(400);
    expect(answer.details?.map((d) => d.path)).to.deep.equal(['stauts', 'number']);
    expect(answer.error).to.equal(
      'stauts: "stauts" is not a query parameter of this request (did you mean status?); ' +
        'number: "number" is not a query parameter of this request ' +
        '(known: source, type, status, destination, phone, tag, since, until, unrouted, limit, cursor)',
    );
  });

  it('filters events by source, phone, tag and until, as the console does, over the API and the CLI (the README said so; only the console did)', async () => {
    const count = async (query: string) => {
      const { status, answer } = await api(`/events?${query}`);
      expect(status, `${query}: ${JSON.stringify(answer)}`).to.equal(200);
      return (answer.items as unknown[]).length;
    };
    expect(await count('phone=0143')).to.equal(2);
    expect(await count('phone=%2B1%20(312)%20555-0143')).to.equal(2);
    expect(await count('phone=9999')).to.equal(0);
    expect(await count('tag=campaign%3Dspring-sale&source=mta')).to.equal(2);
    expect(await count('tag=campaign%3Dautumn')).to.equal(0);
    expect(await count('until=1h')).to.equal(0);
    expect(await count(`until=${new Date(Date.now() + 60_000).toISOString()}`)).to.equal(2);
    const typo = await api('/events?source=mtx');
    expect([typo.status, typo.answer.error]).to.deep.equal([
      400,
      'source: "mtx" is not a configured source (did you mean mta?)',
    ]);
    // A filter given twice is refused, never read as absent (the answer was every event).
    for (const [path, param] of [
      ['/events?phone=0143&phone=9999', 'phone'],
      ['/events?tag=tier%3Dvip&tag=tier%3Dnope&source=mta', 'tag'],
      ['/deliveries?until=1h&until=2h', 'until'],
    ]) {
      const twice = await api(path);
      expect([twice.status, twice.answer.error], path).to.deep.equal([
        400,
        `${param}: is given 2 times; give it once (one value per filter)`,
      ]);
    }
    // What no store can look for, or nothing can match, is the caller's mistake: 400, not a store outage.
    for (const [path, error] of [
      ['/events?tag=a%5C=x', 'tag: a tag key holding ", \\ or a control character cannot be searched for'],
      ['/events?tag=a%00b=c', 'tag: a tag key holding ", \\ or a control character cannot be searched for'],
      ['/events?since=1h&until=2h', /^until: \S+ is not after since \(\S+\): nothing could match/],
      ['/deliveries?since=1h&until=2h', /^until: \S+ is not after since/],
    ] as const) {
      const refused = await api(path);
      expect(refused.status, path).to.equal(400);
      if (typeof error === 'string') expect(refused.answer.error, path).to.equal(error);
      else expect(refused.answer.error, path).to.match(error);
    }
    expect(await count('tag=sp%20ace%3Dx%20y')).to.equal(0);
    const phone = await api('/events?phone=call-me');
    expect([phone.status, phone.answer.error]).to.deep.equal([
      400,
      'phone: give a number in E.164 (+15551234567) or its last digits (4567)',
    ]);
    // The CLI through the API: the same filters, the same answers.
    const cli = await runCli(
      ['events', '--url', gw.adminUrl, '--phone', '0143', '--tag', 'tier=vip', '--source', 'mta', '--json'],
      { env: { SWITCHBOARD_ADMIN_TOKEN: TOKEN } },
    );
    expect(cli.code, cli.stderr).to.equal(0);
    expect(JSON.parse(cli.stdout)).to.have.length(2);
    const none = await runCli(['events', '--url', gw.adminUrl, '--tag', 'tier=gold'], {
      env: { SWITCHBOARD_ADMIN_TOKEN: TOKEN },
    });
    expect([none.code, none.stdout.trim()]).to.deep.equal([0, 'no events match']);
  });

  it('refuses a phone filter holding no digit instead of matching every event that has a phone (found by an attack)', async () => {
    const all = await api('/events?phone=0143');
    expect((all.answer.items as unknown[]).length).to.equal(2);
    for (const phone of ['(-)', '+ ()', '--', '+..']) {
      const refused = await api(`/events?phone=${encodeURIComponent(phone)}`);
      expect([refused.status, refused.answer.error], phone).to.deep.equal([
        400,
        'phone: give a number in E.164 (+15551234567) or its last digits (4567)',
      ]);
    }
  });

  it('refuses POST /api/redecode {"sorce": ...} instead of redecoding every source, and a source in the query', async () => {
    const typo = await api('/redecode', { sorce: 'gh' });
    expect(typo.status).to.equal(400);
    expect(typo.answer.error).to.equal(
      'sorce: "sorce" is not a field of this request (did you mean source?)',
    );
    const misplaced = await fetch(`${gw.adminUrl}/api/redecode?source=mta`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(misplaced.status).to.equal(400);
    expect(((await misplaced.json()) as Answer).error).to.equal(
      'source: "source" is not a query parameter of this request: send it in the JSON body',
    );
  });

  it('names every unknown field of a bulk retry and of a pause, and pauses nothing', async () => {
    const retry = await api('/deliveries/retry', { destinaton: 'crm', stat: 'dead' });
    expect(retry.status).to.equal(400);
    expect(retry.answer.details).to.deep.equal([
      {
        path: 'destinaton',
        message: '"destinaton" is not a field of this request (did you mean destination?)',
      },
      { path: 'stat', message: '"stat" is not a field of this request (did you mean state?)' },
    ]);
    const pause = await api('/destinations/crm/pause', { coment: 'x', fro: '2h' });
    expect(pause.status).to.equal(400);
    expect(pause.answer.details?.map((d) => d.message)).to.deep.equal([
      '"coment" is not a field of this request (did you mean comment?)',
      '"fro" is not a field of this request (did you mean for?)',
    ]);
    const crm = (await api('/destinations')).answer.destinations as Array<{ name: string; state: string }>;
    expect(crm.find((d) => d.name === 'crm')?.state).to.equal('active');
  });

  it('refuses a parameter on an endpoint that takes none, and a filter sent as a body to a GET', async () => {
    const one = await api(`/events/${eventId}?verbose=true`);
    expect(one.status).to.equal(400);
    expect(one.answer.error).to.equal(
      'verbose: "verbose" is not a query parameter of this request (it takes none)',
    );
    // curl -X GET -d '{"state": "dead"}': the filter belongs in the query string, and is not ignored.
    const filter = JSON.stringify({ state: 'dead' });
    const bodyOnGet = await new Promise<{ status: number; answer: Answer }>((resolve, reject) => {
      const headers = {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(filter)),
      };
      const req = request(`${gw.adminUrl}/api/deliveries`, { method: 'GET', headers }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, answer: JSON.parse(text) as Answer }));
      });
      req.on('error', reject);
      req.end(filter);
    });
    expect(bodyOnGet).to.deep.equal({
      status: 400,
      answer: {
        error: 'state: "state" is not a field of this request: send it in the query string',
        details: [
          { path: 'state', message: '"state" is not a field of this request: send it in the query string' },
        ],
      },
    });
  });

  it('still takes every documented parameter: filters, limit and cursor pagination, retry and pause bodies', async () => {
    const first = await api('/events?limit=1');
    expect(first.status).to.equal(200);
    const next = String(first.answer.next);
    const events = await api(
      `/events?type=delivery-status&status=DELIVERED&destination=crm&since=1h&unrouted=false&limit=1&cursor=${next}`,
    );
    expect(events.status, JSON.stringify(events.answer)).to.equal(200);
    const deliveries = await api(
      `/deliveries?state=delivered&destination=crm&eventId=${eventId}&since=1h&limit=5`,
    );
    expect(deliveries.status, JSON.stringify(deliveries.answer)).to.equal(200);
    expect((deliveries.answer.items as unknown[]).length).to.equal(1);
    const paged = await api('/deliveries?limit=1');
    expect((await api(`/deliveries?limit=1&cursor=${String(paged.answer.next)}`)).status).to.equal(200);
    expect((await api('/rejected?limit=10')).status).to.equal(200);
    for (const limit of ['1e2', '0x10', '2.0'])
      expect((await api(`/events?limit=${limit}`)).status, limit).to.equal(400);
    const retry = await api('/deliveries/retry', {
      state: 'dead',
      destination: 'crm',
      eventId,
      since: '1h',
      includeDelivered: false,
    });
    expect(retry.answer).to.deep.equal({ retried: 0 });
    const pause = await api('/destinations/crm/pause', { comment: 'maintenance', for: '1h', by: 'tests' });
    expect(pause.status, JSON.stringify(pause.answer)).to.equal(200);
    expect((await api('/destinations/crm/resume', {})).status).to.equal(200);
    const redecode = await api('/redecode', { since: '1h', source: 'mta' });
    expect(redecode.status, JSON.stringify(redecode.answer)).to.equal(200);
  });
});
