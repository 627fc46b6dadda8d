import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { sign } from '../../src/ingress/signature.ts';
import { runCli } from '../helpers/gateway.ts';
import { startService } from '../helpers/service.ts';
import { Sink } from '../helpers/sink.ts';
import { ROOT } from '../helpers/tmp.ts';

const SECRETS = {
  MTA_SECRET: 'mta-0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  ADMIN_TOKEN: 'adm-7c1d9e2f4a6b8c0d1e3f5a7b9c2d4e6f',
  SLACK_TOKEN: 'xoxb-1111111111-2222222222-abcdefabcdefabcdef',
  CRM_TOKEN: 'crm-bearer-5e4d3c2b1a0f9e8d7c6b5a49',
  CRM_SIGNING: 'whsec-signing-0a9b8c7d6e5f4a3b2c1d',
};

describe('secrets stay out of every output', function () {
  this.timeout(60_000);

  it('never shows a secret in logs, API answers or CLI output, even when a destination echoes it back', async () => {
    // Both stand-ins answer with an error page that echoes the request's headers, as misbehaving servers do.
    const echo = (r: { headers: Record<string, unknown>; body: string }) => ({
      status: 500,
      body: JSON.stringify({ ok: false, error: 'internal_error', headers: r.headers, body: r.body }),
    });
    const crm = await Sink.start();
    crm.reply = (r) => echo(r);
    const slack = await Sink.start();
    slack.reply = (r) => echo(r);
    const gw = await startService(
      `admin: { token: "\${ADMIN_TOKEN}", listen: "127.0.0.1:0" }
delivery: { attempts: 2, backoff: { initial: 10ms, max: 20ms } }
destinations:
  crm:
    type: http
    url: "${crm.url}/hooks"
    headers: { Authorization: "Bearer \${CRM_TOKEN}" }
    signingSecret: "\${CRM_SIGNING}"
  slack:
    type: slack
    token: "\${SLACK_TOKEN}"
    channel: "#ops"
    apiUrl: "${slack.url}/api/"
routes:
  - to: [crm, slack]`,
      { secret: '$' + '{MTA_SECRET}', env: SECRETS },
    );
    const outputs: string[] = [];
    try {
      const body = readFileSync(join(ROOT, 'test/fixtures/mta/v3/message-reply.json'));
      const post = (sig: string) =>
        fetch(`${gw.url}/webhooks/mta`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-signature': sig,
            authorization: `Bearer ${SECRETS.ADMIN_TOKEN}`,
          },
          body: new Uint8Array(body),
        });
      expect((await post(sign(SECRETS.MTA_SECRET, body))).status).to.equal(200);
      outputs.push(await (await post(sign('wrong', body))).text());
      await crm.waitFor(() => crm.requests.length >= 2, 'both attempts at the crm');
      await slack.waitFor(() => slack.requests.length >= 2, 'both attempts at slack');
      // The stand-ins did receive the credentials, so the echo is real.
      expect(crm.requests[0].headers.authorization).to.equal(`Bearer ${SECRETS.CRM_TOKEN}`);
      expect(slack.requests[0].headers.authorization).to.equal(`Bearer ${SECRETS.SLACK_TOKEN}`);

      const api = async (path: string, token = SECRETS.ADMIN_TOKEN) =>
        (await fetch(`${gw.adminUrl}/api${path}`, { headers: { authorization: `Bearer ${token}` } })).text();
      await waitForEnded(api);
      const events = JSON.parse(await api('/events'));
      outputs.push(
        JSON.stringify(events),
        await api(`/events/${events.items[0].id}`),
        await api('/deliveries'),
      );
      outputs.push(await api('/events', `${SECRETS.ADMIN_TOKEN.slice(0, -1)}x`));
      const env = { ...SECRETS };
      for (const args of [['check'], ['deliveries', '--json'], ['deliveries', '--state', 'dead']]) {
        const r = await runCli([...args, '--config', gw.file], { env });
        outputs.push(r.stdout, r.stderr);
      }
      const bad = await runCli(['check', '--config', gw.file], { env: { ...env, ADMIN_TOKEN: '' } });
      outputs.push(bad.stdout, bad.stderr);
    } finally {
      await gw.stop();
      await crm.stop();
      await slack.stop();
    }
    outputs.push(...gw.capture.lines);
    expect(gw.capture.lines.some((l) => l.includes('"msg":"delivery dead: retry budget spent"'))).to.equal(
      true,
    );
    for (const [name, value] of Object.entries(SECRETS)) {
      const leaks = outputs.filter((o) => o.includes(value));
      expect(leaks, `${name} leaked in:\n${leaks.join('\n').slice(0, 2000)}`).to.deep.equal([]);
    }
  });

  it("never shows a whsec_ signing secret's key, nor the key bytes in hex or base64, when a receiver echoes them", async () => {
    const key = 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const bytes = Buffer.from(key, 'base64');
    const forms = {
      'the key text': key,
      'hex of the key bytes': bytes.toString('hex'),
      'HEX of the key bytes': bytes.toString('hex').toUpperCase(),
      'base64url of the key bytes': bytes.toString('base64url').slice(0, -2),
      'base64 of bytes around the key': Buffer.concat([Buffer.from('k'), bytes])
        .toString('base64')
        .slice(2, -3),
    };
    const receiver = await Sink.start();
    receiver.reply = () => ({
      status: 400,
      body: `whkeyb64=${key} hex=${forms['hex of the key bytes']} HEX=${forms['HEX of the key bytes']} b64url=${bytes.toString('base64url')} around=${Buffer.concat([Buffer.from('k'), bytes]).toString('base64')}`,
    });
    const env = { ADMIN_TOKEN: SECRETS.ADMIN_TOKEN };
    const gw = await startService(
      `admin: { token: "\${ADMIN_TOKEN}", listen: "127.0.0.1:0" }
destinations:
  crm: { type: http, url: "${receiver.url}/hooks", signingSecret: whsec_${key} }
routes:
  - to: [crm]`,
      { env },
    );
    const outputs: string[] = [];
    try {
      const api = await postOneReply(gw, 'test-secret-0123456789');
      await waitForEnded(api, 1, 'failed');
      outputs.push(await api('/destinations'), await api('/deliveries'));
      for (const args of [
        ['deliveries', '--json'],
        ['deliveries', '--state', 'failed'],
        ['destinations'],
        ['destinations', '--json'],
      ]) {
        const r = await runCli([...args, '--config', gw.file], { env });
        outputs.push(r.stdout, r.stderr);
      }
    } finally {
      await gw.stop();
      await receiver.stop();
    }
    outputs.push(...gw.capture.lines);
    // The receiver's answer was stored and shown, with the key taken out.
    expect(outputs.some((o) => o.includes('answered 400: whkeyb64=[redacted]'))).to.equal(true);
    for (const [name, value] of Object.entries(forms)) {
      const leaks = outputs.filter((o) => o.includes(value));
      expect(leaks, `${name} leaked in:\n${leaks.join('\n').slice(0, 2000)}`).to.deep.equal([]);
    }
  });
});

describe('secrets cut by the 200-character snippet of an answer', function () {
  this.timeout(60_000);

  it('hides a secret that straddles the cut: no first characters of it show', async () => {
    // Each of three destinations gets an answer whose 200-character snippet ends inside one secret, whichever
    // destination it belongs to: the signing secret of another destination, the admin token, the source's.
    const signing = 'whsec_c2lnbmluZ2tleWZvcnRoZWNybWRlc3Q=';
    const echoed: Record<string, string> = {
      a: signing,
      b: SECRETS.ADMIN_TOKEN,
      c: SECRETS.MTA_SECRET,
    };
    const receiver = await Sink.start();
    // 'echo: ' and 189 p's: the secret starts at character 196 of the snippet, so the cut goes through it.
    receiver.reply = (req) => ({ status: 400, body: `echo: ${'p'.repeat(189)}${echoed[req.url.slice(1)]}` });
    const env = { ADMIN_TOKEN: SECRETS.ADMIN_TOKEN, SIGNING: signing };
    const gw = await startService(
      `admin: { token: "\${ADMIN_TOKEN}", listen: "127.0.0.1:0" }
destinations:
  a: { type: http, url: "${receiver.url}/a" }
  b: { type: http, url: "${receiver.url}/b", signingSecret: "\${SIGNING}" }
  c: { type: http, url: "${receiver.url}/c" }
routes:
  - to: [a, b, c]`,
      { env, secret: SECRETS.MTA_SECRET },
    );
    const outputs: string[] = [];
    try {
      const api = await postOneReply(gw, SECRETS.MTA_SECRET);
      await waitForEnded(api, 3, 'failed');
      outputs.push(await api('/destinations'), await api('/deliveries'));
    } finally {
      await gw.stop();
      await receiver.stop();
    }
    outputs.push(...gw.capture.lines);
    expect(outputs.some((o) => o.includes(`answered 400: echo: ${'p'.repeat(189)}`))).to.equal(true);
    for (const [name, value] of Object.entries(echoed)) {
      const start = `pp${value.slice(0, 3)}`;
      const leaks = outputs.filter((o) => o.includes(start));
      expect(
        leaks,
        `the start of ${name}'s secret leaked in:\n${leaks.join('\n').slice(0, 1500)}`,
      ).to.deep.equal([]);
    }
  });
});

/** Posts one signed MTA reply to the gateway; answers a reader of its admin API (with the admin token). */
async function postOneReply(
  gw: { url: string; adminUrl: string },
  secret: string,
): Promise<(path: string) => Promise<string>> {
  const body = readFileSync(join(ROOT, 'test/fixtures/mta/v3/message-reply.json'));
  const posted = await fetch(`${gw.url}/webhooks/mta`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': sign(secret, body) },
    body: new Uint8Array(body),
  });
  expect(posted.status).to.equal(200);
  return async (path) =>
    (
      await fetch(`${gw.adminUrl}/api${path}`, {
        headers: { authorization: `Bearer ${SECRETS.ADMIN_TOKEN}` },
      })
    ).text();
}

async function waitForEnded(
  api: (path: string) => Promise<string>,
  count = 2,
  state: 'dead' | 'failed' = 'dead',
): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const page = JSON.parse(await api(`/deliveries?state=${state}`)) as { items: unknown[] };
    if (page.items.length === count) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`deliveries did not end ${state}`);
}
