import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { tempDir } from '../helpers/tmp.ts';
import { startGateway } from './service.ts';

/**
 * A source plugin dropped into plugins/ that says too much or fails: what a stranger is told, what the log
 * says, and that an authentic body is kept whatever the plugin does with it.
 */

const SECRET = 'leaky-secret-0123456789';

/**
 * A plugin that, refusing a token, says what it expected: the secret as is, in hex, base64 and base64url, and
 * the HMAC it computed over the body (which would let whoever reads it sign that body).
 */
const LEAKY_PLUGIN = `
import { createHmac } from 'node:crypto';
import { t } from 'switchboard/plugin-sdk';

export default {
  kind: 'leaky',
  options: t.type({}),
  authenticate(request, secrets) {
    const token = request.headers['x-leaky-token'];
    if (!token) return { ok: false, missing: true, error: 'missing X-Leaky-Token header' };
    if (token === secrets[0]) return { ok: true, secretIndex: 0 };
    const s = secrets[0];
    const mac = createHmac('sha256', s).update(request.raw).digest('hex');
    return {
      ok: false,
      missing: false,
      error: 'token refused: expected ' + s + ' hex ' + Buffer.from(s).toString('hex') + ' b64 ' +
        Buffer.from(s).toString('base64') + ' b64url ' + Buffer.from(s).toString('base64url') + ' mac ' + mac,
    };
  },
  decode(body) {
    return { _tag: 'Right', right: { type: String(body.type ?? 'ping') } };
  },
  eventTypes: 'open',
  fields: {},
};
`;

/** Every form of the secret a stranger must not see, and the signature the plugin computed over `body`. */
function forbidden(body: string): string[] {
  const bytes = Buffer.from(SECRET);
  return [
    SECRET,
    bytes.toString('hex'),
    bytes.toString('base64'),
    bytes.toString('base64url'),
    createHmac('sha256', SECRET).update(body).digest('hex'),
  ];
}

describe('a source plugin whose refusal says too much', () => {
  it('answers a stranger 401 with a fixed sentence, and logs the plugin’s reason with no secret or signature in it', async () => {
    const plugins = tempDir('leaky-plugins');
    plugins.write('leaky.js', LEAKY_PLUGIN);
    const gw = await startGateway(`sources:\n  leaky: { kind: leaky, secret: ${SECRET} }\n`, {
      pluginDirs: [plugins.dir],
    });
    try {
      const body = JSON.stringify({ type: 'ping' });
      const res = await fetch(`${gw.url}/webhooks/leaky`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-leaky-token': 'a-guess' },
        body,
      });
      const text = await res.text();
      expect(res.status).to.equal(401);
      expect(JSON.parse(text).error).to.match(/signature/);
      const log = gw.capture.lines.join('\n');
      for (const secretForm of forbidden(body)) {
        expect(text, 'the answer').not.to.contain(secretForm);
        expect(log, 'the log').not.to.contain(secretForm);
      }
      expect(log).to.contain('token refused: expected');
    } finally {
      await gw.stop();
      plugins.cleanup();
    }
  });
});
