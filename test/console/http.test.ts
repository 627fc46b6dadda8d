import { expect } from 'chai';
import { startService } from '../helpers/service.ts';

const TOKEN = 'console-http-token-0123456789';

describe('the web console over plain HTTP', function () {
  this.timeout(20_000);

  it('answers 404 while admin.token is unset, like the admin API', async () => {
    const gw = await startService('');
    try {
      const res = await fetch(`${gw.adminUrl}/ui/`);
      expect(res.status).to.equal(404);
      expect(await res.json()).to.deep.equal({ error: 'the console is off (set admin.token to enable it)' });
    } finally {
      await gw.stop();
    }
  });

  describe('with a token', () => {
    let gw: Awaited<ReturnType<typeof startService>>;
    before(async () => {
      gw = await startService(`admin: { token: "${TOKEN}", listen: "127.0.0.1:0" }`);
    });
    after(() => gw.stop());

    it('sends a visitor without a session to the login page, from every page', async () => {
      for (const path of [
        '/ui',
        '/ui/',
        '/ui/events',
        '/ui/events/x',
        '/ui/try',
        '/ui/retry',
        '/ui/rejected',
      ]) {
        const res = await fetch(`${gw.adminUrl}${path}`, { redirect: 'manual' });
        expect(res.status, path).to.equal(302);
        expect(res.headers.get('location'), path).to.match(/^\/ui\/(login)?$/);
      }
    });

    it('serves its pages with a strict CSP and no caching, and its two assets without a session', async () => {
      const login = await fetch(`${gw.adminUrl}/ui/login`);
      expect(login.headers.get('content-security-policy')).to.include("script-src 'self'");
      expect(login.headers.get('cache-control')).to.equal('no-store');
      expect(login.headers.get('x-frame-options')).to.equal('DENY');
      const js = await fetch(`${gw.adminUrl}/ui/assets/console.js`);
      expect([js.status, js.headers.get('content-type')]).to.deep.equal([
        200,
        'text/javascript; charset=utf-8',
      ]);
      expect((await fetch(`${gw.adminUrl}/ui/assets/../../config.yaml`)).status).to.equal(404);
      for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
        expect((await fetch(`${gw.adminUrl}/ui/assets/${name}`)).status, name).to.equal(404);
      }
    });

    it('logs in with the token in the body and answers 303 to the overview', async () => {
      const res = await fetch(`${gw.adminUrl}/ui/login`, {
        method: 'POST',
        body: new URLSearchParams({ token: TOKEN }),
        redirect: 'manual',
      });
      expect(res.status).to.equal(303);
      expect(res.headers.get('location')).to.equal('/ui/');
      expect(res.headers.get('set-cookie')).to.match(
        /^switchboard_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/,
      );
      expect(gw.capture.lines.join('\n')).not.to.include(TOKEN);
    });
  });
});

describe('the web console when a page fails', function () {
  this.timeout(20_000);

  it('says "Store unavailable" (503) only when the store failed, and "Page failed" (500) for anything else', async () => {
    const gw = await startService(`admin: { token: "${TOKEN}", listen: "127.0.0.1:0" }`);
    const store = gw.service.store as unknown as Record<string, unknown>;
    const listEvents = store.listEvents;
    try {
      const login = await fetch(`${gw.adminUrl}/ui/login`, {
        method: 'POST',
        body: new URLSearchParams({ token: TOKEN }),
        redirect: 'manual',
      });
      const cookie = String(login.headers.get('set-cookie')).split(';')[0];
      const page = async () => {
        const res = await fetch(`${gw.adminUrl}/ui/events`, { headers: { cookie } });
        return { status: res.status, title: /<h1[^>]*>([^<]*)</.exec(await res.text())?.[1] };
      };
      store.listEvents = async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      };
      expect(await page()).to.deep.equal({ status: 503, title: 'Store unavailable' });
      store.listEvents = async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'id')");
      };
      expect(await page()).to.deep.equal({ status: 500, title: 'Page failed' });
      expect(gw.capture.lines.some((l) => l.includes('"console page failed"'))).to.equal(true);
    } finally {
      store.listEvents = listEvents;
      await gw.stop();
    }
  });
});
