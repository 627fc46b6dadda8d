import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { expect } from 'chai';
import { runCli } from '../helpers/gateway.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';
import { startGateway } from './service.ts';

/**
 * Form-encoded webhooks (application/x-www-form-urlencoded, as Twilio and Slack send them) for a source plugin
 * that says it takes them: signed over the bytes, decoded from an object of strings, kept when undecodable and
 * decoded again from the same bytes.
 */

const SECRET = 'form-secret-0123456789';
const FORM = 'application/x-www-form-urlencoded';

/** A plugin taking form bodies, signed with a hex HMAC-SHA256 of the bytes in X-Formy-Signature. */
const plugin = (decodeBody: string) => `
import { createHmac } from 'node:crypto';
import { t } from 'switchboard/plugin-sdk';
export default {
  kind: 'formy',
  options: t.type({}),
  contentTypes: ['${FORM}'],
  authenticate(request, secrets) {
    const given = request.headers['x-formy-signature'];
    if (!given) return { ok: false, missing: true, error: 'missing X-Formy-Signature' };
    const index = secrets.findIndex((s) => createHmac('sha256', s).update(request.raw).digest('hex') === given);
    return index >= 0 ? { ok: true, secretIndex: index } : { ok: false, missing: false, error: 'mismatch' };
  },
  decode(body, ctx) { ${decodeBody} },
  eventTypes: 'open',
  fields: { from: { kind: 'string' }, text: { kind: 'string' }, media: { kind: 'json' } },
};
`;

const DECODES = `
  if (typeof body.Body !== 'string')
    return { _tag: 'Left', left: { status: 400, error: 'no Body', details: [{ path: 'Body', message: 'missing' }] } };
  return { _tag: 'Right', right: { type: 'sms', fields: { from: body.From, text: body.Body, media: body.Media ?? [] } } };
`;

const signature = (body: string) => createHmac('sha256', SECRET).update(body).digest('hex');

async function postForm(url: string, source: string, body: string, contentType = FORM) {
  const res = await fetch(`${url}/webhooks/${source}`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-formy-signature': signature(body) },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('a source plugin that takes form-encoded bodies', () => {
  it('authenticates the bytes and decodes the fields, a repeated key as a list', async () => {
    const tmp = tempDir('form-plugin');
    tmp.write('formy.js', plugin(DECODES));
    const gw = await startGateway(`sources:\n  formy: { kind: formy, secret: ${SECRET} }\n`, {
      pluginDirs: [tmp.dir],
    });
    try {
      const body = 'From=%2B15551230000&Body=hello+there+%26+more&Media=a.png&Media=b.png';
      const res = await postForm(gw.url, 'formy', body, `${FORM}; charset=utf-8`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const stored = await gw.service.store.getEvent({ id: res.body.id as string });
      expect(stored?.event).to.deep.include({
        type: 'sms',
        from: '+15551230000',
        text: 'hello there & more',
        media: ['a.png', 'b.png'],
      });
      const unsigned = await fetch(`${gw.url}/webhooks/formy`, {
        method: 'POST',
        headers: { 'content-type': FORM, 'x-formy-signature': 'f'.repeat(64) },
        body,
      });
      expect(unsigned.status).to.equal(401);
    } finally {
      await gw.stop();
      tmp.cleanup();
    }
  });

  it('still answers 415 to a form body for a source whose plugin takes only JSON, naming what it takes', async () => {
    const gw = await startGateway(`sources:\n  mta: { kind: mta, secret: ${SECRET} }\n`);
    try {
      const res = await postForm(gw.url, 'mta', 'a=1');
      expect(res.status).to.equal(415);
      expect(res.body.error).to.equal(`Content-Type must be application/json, got "${FORM}"`);
    } finally {
      await gw.stop();
    }
  });

  /** A folder with the plugin twice: `v1` refuses every body, `v2` (the fix) decodes it. */
  const brokenThenFixed = (name: string) => {
    const tmp = tempDir(name);
    mkdirSync(`${tmp.dir}/v1`);
    mkdirSync(`${tmp.dir}/v2`);
    tmp.write(
      'v1/formy.js',
      plugin("return { _tag: 'Left', left: { status: 400, error: 'later', details: [] } };"),
    );
    tmp.write('v2/formy.js', plugin(DECODES));
    return tmp;
  };

  it('keeps an undecodable form body as unrecognized and decodes it again from its bytes once the plugin is fixed', async () => {
    const tmp = brokenThenFixed('form-redecode');
    const yaml = `sources:\n  formy: { kind: formy, secret: ${SECRET} }\n`;
    const store = `{ driver: sqlite, path: ${tmp.dir}/shared.db }`;
    const body = 'From=%2B15551230000&Body=kept';
    let kept = '';
    const first = await startGateway(yaml, { pluginDirs: [`${tmp.dir}/v1`], store });
    try {
      const res = await postForm(first.url, 'formy', body);
      expect(res.status).to.equal(200);
      kept = res.body.id as string;
      const stored = await first.service.store.getEvent({ id: kept });
      expect(stored?.event).to.deep.include({ type: 'unrecognized', contentType: FORM });
      expect(stored?.event.payload).to.deep.equal({ From: '+15551230000', Body: 'kept' });
    } finally {
      await first.stop();
    }
    const file = tmp.write(
      'fixed.yaml',
      `store: ${store}\nplugins: { dirs: [${ROOT}/plugins, ${tmp.dir}/v2] }\n${yaml}`,
    );
    try {
      const run = await runCli(['redecode', '--config', file, '--json'], { cwd: tmp.dir });
      expect(run.code, run.stderr).to.equal(0);
      const report = JSON.parse(run.stdout);
      expect(report.stillUndecodable).to.deep.equal([]);
      expect(report.redecoded).to.have.length(1);
      expect(report.redecoded[0]).to.deep.include({ from: kept, type: 'sms' });
    } finally {
      tmp.cleanup();
    }
  });
  it('keeps a form body refused with onUndecodable: reject, and resubmits it as a form once the plugin is fixed', async () => {
    const tmp = brokenThenFixed('form-resubmit');
    const yaml = `sources:\n  formy: { kind: formy, secret: ${SECRET}, onUndecodable: reject }\n`;
    const store = `{ driver: sqlite, path: ${tmp.dir}/shared.db }`;
    const first = await startGateway(yaml, { pluginDirs: [`${tmp.dir}/v1`], store });
    try {
      expect((await postForm(first.url, 'formy', 'From=%2B15551230000&Body=resent')).status).to.equal(400);
    } finally {
      await first.stop();
    }
    const token = 'form-admin-token-0123456789';
    const second = await startGateway(yaml, { pluginDirs: [`${tmp.dir}/v2`], store, adminToken: token });
    try {
      const admin = `http://127.0.0.1:${second.service.adminAddress.port}/api`;
      const auth = { authorization: `Bearer ${token}` };
      const list = (await (await fetch(`${admin}/rejected`, { headers: auth })).json()) as {
        items: Array<{ id: string }>;
      };
      expect(list.items).to.have.length(1);
      const res = await fetch(`${admin}/rejected/${list.items[0].id}/resubmit`, {
        method: 'POST',
        headers: auth,
      });
      const answer = (await res.json()) as Record<string, unknown>;
      expect(res.status, JSON.stringify(answer)).to.equal(200);
      const stored = await second.service.store.getEvent({ id: answer.id as string });
      expect(stored?.event).to.deep.include({ type: 'sms', from: '+15551230000', text: 'resent' });
    } finally {
      await second.stop();
      tmp.cleanup();
    }
  });
});
