import { request } from 'node:http';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { AuthThrottle } from '../../src/admin/auth-throttle.ts';
import type { Clock } from '../../src/clock.ts';
import { browserMissing, openBrowser } from '../helpers/browser.ts';
import { startService } from '../helpers/service.ts';

const TOKEN = 'throttle-admin-token-7c1e9a4f2b6d8e03';

describe('the failed-token count per address (AuthThrottle)', () => {
  const MIN = 60_000;

  it('refuses an address after 5 failures within a minute, for a minute, and answers the block once, when it starts', () => {
    const t = new AuthThrottle();
    for (let i = 0; i < 4; i++) expect(t.failed('10.0.0.1', i * 1000, 'test')).to.equal(undefined);
    expect(t.blocked('10.0.0.1', 4000)).to.equal(undefined);
    expect(t.failed('10.0.0.1', 4000, 'test')).to.deep.equal({ retryAfterS: 60 });
    expect(t.blocked('10.0.0.1', 4000)).to.deep.equal({ retryAfterS: 60 });
    expect(t.blocked('10.0.0.1', 4000 + MIN - 1500)).to.deep.equal({ retryAfterS: 2 });
    expect(t.blocked('10.0.0.2', 4000)).to.equal(undefined);
    expect(t.blocked('10.0.0.1', 4000 + MIN)).to.equal(undefined);
  });

  it('does not count failures older than the minute, and starts afresh after a success', () => {
    const t = new AuthThrottle();
    for (let i = 0; i < 10; i++)
      expect(t.failed('a', i * 15_000, 'test'), `failure ${i}`).to.equal(undefined);
    const u = new AuthThrottle();
    for (let i = 0; i < 4; i++) u.failed('a', i, 'test');
    u.succeeded('a');
    for (let i = 0; i < 4; i++) expect(u.failed('a', 10 + i, 'test')).to.equal(undefined);
  });

  it('doubles each further block up to an hour, and forgets after an hour without failing', () => {
    const t = new AuthThrottle();
    let now = 0;
    const block = () => {
      let started: { retryAfterS: number } | undefined;
      for (let i = 0; i < 5; i++) started = t.failed('a', now, 'test');
      now += started!.retryAfterS * 1000;
      return started!.retryAfterS;
    };
    expect([block(), block(), block(), block(), block(), block(), block(), block()]).to.deep.equal([
      60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]);
    now += 3_600_001;
    expect(block()).to.equal(60);
  });

  it('keeps at most maxAddresses, forgetting the one that failed longest ago', () => {
    const t = new AuthThrottle({ maxAddresses: 2, maxFailures: 1 });
    t.failed('a', 0, 'test');
    t.failed('b', 0, 'test');
    t.failed('c', 0, 'test');
    expect(['a', 'b', 'c'].map((a) => t.blocked(a, 1) !== undefined)).to.deep.equal([false, true, true]);
  });
});

/** A POST from a chosen loopback address (127.0.0.2 is this machine too), answering status, headers, body. */
function postFrom(
  localAddress: string,
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', localAddress, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('throttled admin token guesses on a running gateway', function () {
  this.timeout(30_000);
  let gw: Awaited<ReturnType<typeof startService>>;
  let offset = 0;
  const clock: Clock = { now: () => Date.now() + offset };
  before(async () => {
    gw = await startService(`admin: { token: "${TOKEN}", listen: "127.0.0.1:0" }`, { clock });
  });
  after(() => gw.stop());
  afterEach(() => {
    offset += 3 * 3_600_000; // every block and count from one test is forgotten by the next
  });

  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
  const login = (from: string, token: string) =>
    postFrom(from, `${gw.adminUrl}/ui/login`, new URLSearchParams({ token }).toString(), FORM);
  const api = (from: string, token: string) =>
    postFrom(from, `${gw.adminUrl}/api/deliveries/retry`, '{}', {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
    });
  const warnings = () =>
    gw.capture.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => String(l.msg).startsWith('admin token guesses throttled'));

  it('answers 429 with Retry-After to the address that got the token wrong 5 times, even with the right one', async () => {
    const before = warnings().length;
    for (let i = 0; i < 5; i++) expect((await login('127.0.0.1', `wrong-${i}`)).status).to.equal(401);
    const refused = await login('127.0.0.1', TOKEN);
    expect(refused.status).to.equal(429);
    expect(Number(refused.headers['retry-after'])).to.be.within(1, 60);
    expect(refused.body).to.include('Too many wrong tokens from your address');
    expect(refused.headers['set-cookie']).to.equal(undefined);

    // Another address is not affected, and a warning names the address, not what was typed.
    expect((await login('127.0.0.2', TOKEN)).status).to.equal(303);
    const logged = warnings().slice(before);
    expect(logged).to.have.length(1);
    expect(logged[0]).to.include({ level: 40, ip: '127.0.0.1', via: 'console login', retryAfterS: 60 });
    expect(gw.capture.lines.join('\n')).not.to.include('wrong-').and.not.to.include(TOKEN);

    // Once the block is over, the right token logs in.
    offset += 61_000;
    expect((await login('127.0.0.1', TOKEN)).status).to.equal(303);
  });

  it('starts the count afresh after a successful login', async () => {
    for (let i = 0; i < 4; i++) expect((await login('127.0.0.1', 'nope')).status).to.equal(401);
    expect((await login('127.0.0.1', TOKEN)).status).to.equal(303);
    for (let i = 0; i < 4; i++) expect((await login('127.0.0.1', 'nope')).status).to.equal(401);
    expect((await login('127.0.0.1', TOKEN)).status).to.equal(303);
  });

  it('counts wrong bearer tokens on the admin API with the console logins, and answers 429 in JSON', async () => {
    for (let i = 0; i < 3; i++) expect((await api('127.0.0.1', 'guess')).status).to.equal(401);
    for (let i = 0; i < 2; i++) expect((await login('127.0.0.1', 'guess')).status).to.equal(401);
    const refused = await api('127.0.0.1', TOKEN);
    expect(refused.status).to.equal(429);
    expect(refused.headers['retry-after']).to.match(/^\d+$/);
    expect(JSON.parse(refused.body)).to.deep.equal({
      error: `too many wrong admin tokens from your address: retry after ${refused.headers['retry-after']} s`,
    });
    expect((await api('127.0.0.2', TOKEN)).status).to.equal(200);
    expect(warnings().at(-1)).to.include({ ip: '127.0.0.1', via: 'console login' });
  });

  it('does not count requests without a token (the console script, a browser with no session)', async () => {
    for (let i = 0; i < 8; i++) {
      const res = await postFrom('127.0.0.1', `${gw.adminUrl}/api/deliveries/retry`, '{}', {
        'content-type': 'application/json',
      });
      expect(res.status).to.equal(401);
    }
    expect((await api('127.0.0.1', TOKEN)).status).to.equal(200);
  });

  it('counts guesses through the public /readyz, which then shows a throttled address only the public answer', async () => {
    const readyz = (token: string) =>
      fetch(`${gw.url}/readyz`, { headers: { authorization: `Bearer ${token}` } }).then(
        async (r) => (await r.json()) as Record<string, unknown>,
      );
    expect(Object.keys(await readyz(TOKEN))).to.include('checks');
    for (let i = 0; i < 5; i++) expect(Object.keys(await readyz('guess'))).to.deep.equal(['status']);
    expect(Object.keys(await readyz(TOKEN))).to.deep.equal(['status']);
    expect(warnings().at(-1)).to.include({ ip: '127.0.0.1', via: 'public /readyz' });
  });
});

describe('the throttled login in a real browser', function () {
  this.timeout(60_000);
  let gw: Awaited<ReturnType<typeof startService>>;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let page: Page;
  before(async function () {
    const missing = browserMissing();
    if (missing) {
      console.warn(`      ${missing}`);
      this.skip();
    }
    gw = await startService(`admin: { token: "${TOKEN}", listen: "127.0.0.1:0" }`);
    browser = await openBrowser();
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
  });

  it('tells the operator to wait after 5 wrong tokens, and sets no session even for the right one', async () => {
    await page.goto(`${gw.adminUrl}/ui/login`);
    const submit = async (token: string) => {
      await page.getByLabel('Admin token').fill(token);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/ui/login') && r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Log in' }).click(),
      ]);
      return answer;
    };
    for (let i = 0; i < 5; i++) expect((await submit(`typo-${i}`)).status()).to.equal(401);
    const answer = await submit(TOKEN);
    expect(answer.status()).to.equal(429);
    expect(Number(answer.headers()['retry-after'])).to.be.within(1, 60);
    await page
      .getByRole('alert')
      .filter({ hasText: /Too many wrong tokens from your address: try again in \d+ seconds\./ })
      .waitFor();
    expect(await browser.context.cookies()).to.deep.equal([]);
  });
});
