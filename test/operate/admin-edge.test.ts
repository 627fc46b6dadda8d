import { expect } from 'chai';
import type { DestinationStates } from '../../src/admin/destinations.ts';
import { runCli } from '../helpers/gateway.ts';
import { startService } from '../helpers/service.ts';
import { Sink } from '../helpers/sink.ts';

const TOKEN = 'admin-edge-token-0a1b2c3d4e5f';

describe('the admin API refuses bad requests with the right status, changing nothing (real HTTP)', function () {
  this.timeout(30_000);
  let gw: Awaited<ReturnType<typeof startService>>;
  let sink: Sink;

  before(async () => {
    sink = await Sink.start();
    gw = await startService(
      `admin: { token: "\${ADMIN_TOKEN}", listen: "127.0.0.1:0" }
destinations:
  crm: { type: http, url: "${sink.url}" }
routes:
  - name: main
    to: [crm]`,
      { env: { ADMIN_TOKEN: TOKEN } },
    );
  });
  after(async () => {
    await gw.stop();
    await sink.stop();
  });

  const api = (path: string, init: RequestInit = {}, type = 'application/json') =>
    fetch(`${gw.adminUrl}/api${path}`, {
      ...init,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type },
    });
  const crm = async () =>
    ((await (await api('/destinations')).json()) as DestinationStates).destinations.find(
      (d) => d.name === 'crm',
    );
  const refusal = async (res: Response) => ((await res.json()) as { error: string }).error;

  it('refuses an out-of-range, past or unparsable pause with 400 naming the field, and pauses nothing', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ for: '99999999d', comment: 'test2' }, /^for: .*longer than 3650d/],
      [{ for: 'soon' }, /^for: "soon" is not a duration/],
      [{ until: '2001-01-01T00:00:00Z' }, /^until: .*not an ISO date in the future/],
      [{ until: '9999-12-31T00:00:00Z' }, /^until: .*more than 10 years ahead/],
      [{ until: 'tomorrow' }, /^until: /],
    ];
    for (const [body, message] of cases) {
      const res = await api('/destinations/crm/pause', { method: 'POST', body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(await refusal(res), JSON.stringify(body)).to.match(message);
      expect((await crm())?.state, JSON.stringify(body)).to.equal('active');
    }
  });

  it('refuses an out-of-range pause from the CLI with exit 2, locally and with --url, and pauses nothing', async () => {
    const local = await runCli([
      'pause',
      'crm',
      '--for',
      '99999999d',
      '--comment',
      'test1',
      '--config',
      gw.file,
    ]);
    expect(local.code, local.stderr).to.equal(2);
    expect(local.stderr).to.match(/--for: .*longer than 3650d/);
    const remote = await runCli(['pause', 'crm', '--for', '99999999d', '--url', gw.adminUrl], {
      env: { SWITCHBOARD_ADMIN_TOKEN: TOKEN },
    });
    expect(remote.code, remote.stderr).to.equal(2);
    expect(remote.stderr).to.match(/for: .*longer than 3650d/);
    expect((await crm())?.state).to.equal('active');
  });

  it('refuses control characters in a pause comment or by, and keeps tab and newline', async () => {
    for (const body of [{ comment: 'ok\u001b[2J\u0007' }, { by: 'ana\rroot' }]) {
      const res = await api('/destinations/crm/pause', { method: 'POST', body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(await refusal(res)).to.match(/^(comment|by): must not hold control characters/);
    }
    expect((await crm())?.state).to.equal('active');
    const ok = await api('/destinations/crm/pause', {
      method: 'POST',
      body: JSON.stringify({ comment: 'line one\n\tline two', for: '1h' }),
    });
    expect(ok.status).to.equal(200);
    expect((await api('/destinations/crm/resume', { method: 'POST' })).status).to.equal(200);
  });

  it('answers 413 for a body over the limit and 400 for a deeply nested one, logging neither as a store failure', async () => {
    const big = await api('/deliveries/retry', {
      method: 'POST',
      body: JSON.stringify({ state: 'dead', pad: 'x'.repeat(5 * 1024 * 1024) }),
    });
    expect(big.status).to.equal(413);
    expect(await refusal(big)).to.match(/too large/);
    const deep = await api('/deliveries/retry', {
      method: 'POST',
      body: `{"state":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    });
    expect(deep.status).to.equal(400);
    expect(await refusal(deep)).to.match(/^state: must be a state name or a list of them/);
    expect(gw.capture.lines.filter((l) => /store unavailable/.test(l))).to.deep.equal([]);
  });

  it('refuses filters and bodies it cannot read: unrouted, cursor, a non-object body, a form body', async () => {
    const cases: Array<[string, RequestInit | undefined, string | undefined, number, RegExp]> = [
      ['/events?unrouted=maybe', undefined, undefined, 400, /^unrouted: must be true or false/],
      ['/events?cursor=garbage', undefined, undefined, 400, /^cursor: .*not a cursor from this API/],
      ['/deliveries?cursor=garbage', undefined, undefined, 400, /not a cursor from this API/],
      ['/rejected?cursor=garbage', undefined, undefined, 400, /not a cursor from this API/],
      ['/deliveries/retry', { method: 'POST', body: '[]' }, undefined, 400, /^body: must be a JSON object/],
      [
        '/deliveries/retry',
        { method: 'POST', body: '"dead"' },
        undefined,
        400,
        /must be a JSON object|not valid JSON/,
      ],
      [
        '/deliveries/retry',
        { method: 'POST', body: 'state=dead' },
        'application/x-www-form-urlencoded',
        415,
        /JSON only/,
      ],
      [
        '/deliveries/retry',
        { method: 'POST', body: '{"state":{"a":1}}' },
        undefined,
        400,
        /^state: .*not an object$/,
      ],
      [
        '/deliveries/retry',
        { method: 'POST', body: '{"state":[1]}' },
        undefined,
        400,
        /not a list holding a number$/,
      ],
      [
        '/deliveries/retry',
        { method: 'POST', body: '{"state":"dead","__proto__":{"x":1}}' },
        undefined,
        400,
        /"__proto__".* not allowed/,
      ],
    ];
    for (const [path, init, type, status, message] of cases) {
      const res = await api(path, init, type);
      const label = `${path} ${init?.body ?? ''}`;
      expect(res.status, label).to.equal(status);
      const error = await refusal(res);
      expect(error, label).to.match(message);
      expect(error, label).not.to.match(/\[object Object\]|store did not answer/);
    }
    expect((await api('/events?unrouted=false')).status).to.equal(200);
  });

  it('answers 405 with Allow and the methods it takes for a wrong method on an existing path, 404 for an unknown one', async () => {
    const cases: Array<[string, string, string]> = [
      ['DELETE', '/events', 'HEAD, GET'],
      ['GET', '/redecode', 'POST'],
      ['GET', '/destinations/crm/pause', 'POST'],
      ['OPTIONS', '/deliveries/01ABC/retry', 'POST'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await api(path, { method });
      expect(res.status, `${method} ${path}`).to.equal(405);
      expect(res.headers.get('allow'), `${method} ${path}`).to.equal(allow);
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
      expect(await refusal(res)).to.equal(`${method} is not allowed on /api${path}: it takes ${allow}`);
    }
    for (const [method, path] of [
      ['DELETE', '/nope'],
      ['GET', '/events/x/y'],
      ['PROPFIND', '/nope'],
    ]) {
      const res = await api(path, { method });
      expect(res.status, `${method} ${path}`).to.equal(404);
      expect(res.headers.get('allow')).to.equal(null);
      expect(await refusal(res)).to.equal(`no admin endpoint ${method} /api${path}`);
    }
    expect((await crm())?.state, 'the GET on pause paused nothing').to.equal('active');
  });

  it('answers a wrong method 401 without the token, as it answers an unknown path: no route is revealed', async () => {
    for (const path of ['/events', '/nope']) {
      const res = await fetch(`${gw.adminUrl}/api${path}`, { method: 'DELETE' });
      expect(res.status, path).to.equal(401);
      expect(res.headers.get('allow')).to.equal(null);
      expect(await refusal(res)).to.equal('missing or wrong bearer token');
    }
  });

  it("answers 405 with Allow on the admin listener's own endpoints too (/metrics, /readyz)", async () => {
    for (const path of ['/metrics', '/readyz']) {
      const res = await fetch(gw.adminUrl + path, { method: 'POST' });
      expect(res.status, path).to.equal(405);
      expect(res.headers.get('allow'), path).to.equal('HEAD, GET');
      expect(await refusal(res)).to.equal(`POST is not allowed on ${path}: it takes HEAD, GET`);
    }
  });
});

describe('the admin API answers 503 only when the store fails (real HTTP, a closed SQLite store)', function () {
  this.timeout(30_000);

  it('answers 503 "try again" and logs "store unavailable" with the cause', async () => {
    const gw = await startService(`admin: { token: "${TOKEN}", listen: "127.0.0.1:0" }`);
    try {
      await gw.service.store.close();
      const res = await fetch(`${gw.adminUrl}/api/events`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).to.equal(503);
      expect(((await res.json()) as { error: string }).error).to.equal('the store did not answer; try again');
      const line = gw.capture.lines.find((l) => /store unavailable/.test(l));
      expect(line, 'the log line').to.be.a('string');
      expect(JSON.parse(line as string)).to.include({ path: '/api/events', status: 503 });
    } finally {
      await gw.stop().catch(() => gw.tmp.cleanup());
    }
  });
});
