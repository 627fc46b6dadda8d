import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { SMTPServer } from 'smtp-server';
import { sign } from '../../src/ingress/signature.ts';
import { runCli } from '../helpers/gateway.ts';
import { startService } from '../helpers/service.ts';
import { Sink } from '../helpers/sink.ts';
import { ROOT } from '../helpers/tmp.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

const SECRETS = {
  MTA_SECRET: 'echo-test-mta-secret-0123456789',
  ADMIN_TOKEN: 'echo-admin-token-abcdef012345',
  CRM_TOKEN: 'crm/T0ken+with=odd&chars',
  SMTP_PASS: 'smtp-p@ss word!42',
};
const SMTP_USER = 'gateway@example.com';

/** Every encoding of the credentials that the two stand-ins echo, or that a careless log would show. */
const FORBIDDEN = [
  SECRETS.CRM_TOKEN,
  SECRETS.SMTP_PASS,
  b64(SECRETS.CRM_TOKEN),
  b64(`Bearer ${SECRETS.CRM_TOKEN}`),
  encodeURIComponent(SECRETS.CRM_TOKEN),
  b64(`${SMTP_USER}:${SECRETS.SMTP_PASS}`),
  b64(`\0${SMTP_USER}\0${SECRETS.SMTP_PASS}`),
  b64(SECRETS.SMTP_PASS),
  encodeURIComponent(SECRETS.SMTP_PASS),
  SECRETS.ADMIN_TOKEN,
];

/** An SMTP server that refuses every login and quotes the AUTH PLAIN blob back, as some servers log it. */
async function echoingSmtp() {
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      const blob = b64(`\0${auth.username}\0${auth.password}`);
      const err = Object.assign(new Error(`authentication failed for AUTH PLAIN ${blob}`), {
        responseCode: 535,
      });
      callback(err);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('secrets echoed back by remotes, in any encoding (HTTP receiver and SMTP server)', function () {
  this.timeout(60_000);

  it('appear in no log line, API answer or CLI output', async () => {
    // The receiver quotes the Authorization header back in base64, and the token URL-encoded.
    const crm = await Sink.start();
    crm.reply = (r) => ({
      status: 401,
      body: `denied: ${b64(String(r.headers.authorization))} token=${encodeURIComponent(SECRETS.CRM_TOKEN)}`,
    });
    const smtp = await echoingSmtp();
    const gw = await startService(
      `admin: { token: "\${ADMIN_TOKEN}", listen: "127.0.0.1:0" }
destinations:
  crm:
    type: http
    url: "${crm.url}/hooks"
    headers: { Authorization: "Bearer \${CRM_TOKEN}" }
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false, auth: { user: "${SMTP_USER}", pass: "\${SMTP_PASS}" } }
    from: gw@example.com
    to: ops@example.com
routes:
  - to: [crm, mail]`,
      { secret: '$' + '{MTA_SECRET}', env: SECRETS },
    );
    const outputs: string[] = [];
    try {
      const body = readFileSync(join(ROOT, 'test/fixtures/mta/v3/message-reply.json'));
      const res = await fetch(`${gw.url}/webhooks/mta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': sign(SECRETS.MTA_SECRET, body) },
        body: new Uint8Array(body),
      });
      expect(res.status).to.equal(200);
      const api = async (path: string) =>
        (
          await fetch(`${gw.adminUrl}/api${path}`, {
            headers: { authorization: `Bearer ${SECRETS.ADMIN_TOKEN}` },
          })
        ).text();
      // Both fail permanently (401, SMTP 535): wait until both are recorded.
      let deliveries: Array<{ id: string; state: string; lastError: string | null }> = [];
      for (let i = 0; i < 400; i++) {
        deliveries = JSON.parse(await api('/deliveries')).items;
        if (deliveries.length === 2 && deliveries.every((d) => d.state === 'failed')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(deliveries.map((d) => d.state)).to.deep.equal(['failed', 'failed']);
      // The remotes really did echo the credentials: the failure reasons carry the (redacted) echo.
      expect(crm.requests[0].headers.authorization).to.equal(`Bearer ${SECRETS.CRM_TOKEN}`);
      const reasons = deliveries.map((d) => d.lastError ?? '').join('\n');
      expect(reasons).to.match(/denied: /);
      expect(reasons).to.match(/AUTH PLAIN/);
      expect(reasons).to.include('[redacted]');

      outputs.push(await api('/deliveries'));
      for (const d of deliveries) outputs.push(await api(`/deliveries/${d.id}`));
      outputs.push(await api('/destinations'));
      outputs.push(await api(`/events?destination=crm`));
      const cli = (args: string[]) =>
        runCli([...args, '--config', gw.file], { env: { SMTP_PASS: SECRETS.SMTP_PASS } }).then((r) => {
          outputs.push(r.stdout, r.stderr);
          return r;
        });
      expect((await cli(['deliveries'])).code).to.equal(0);
      for (const d of deliveries) expect((await cli(['deliveries', d.id])).code).to.equal(0);
      expect((await cli(['destinations', '--json'])).code).to.equal(0);
      const remote = await runCli(['deliveries', '--url', gw.adminUrl, '--json'], {
        env: { SWITCHBOARD_ADMIN_TOKEN: SECRETS.ADMIN_TOKEN },
      });
      expect(remote.code, remote.stderr).to.equal(0);
      outputs.push(remote.stdout, remote.stderr);
    } finally {
      await gw.stop();
      await crm.stop();
      await smtp.close();
    }
    outputs.push(...gw.capture.lines);
    expect(gw.capture.lines.some((l) => l.includes('delivery failed permanently'))).to.equal(true);
    const all = outputs.join('\n');
    for (const form of FORBIDDEN) expect(all, `output contains ${JSON.stringify(form)}`).to.not.include(form);
    gw.tmp.cleanup();
  });
});
