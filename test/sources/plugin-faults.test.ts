import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { GatewayProcess, runCli } from '../helpers/gateway.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';
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
import { mkdirSync } from 'node:fs';
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

  it('keeps a short secret out of the log too (the log’s own redaction skips secrets under 6 characters)', async () => {
    const plugins = tempDir('leaky-short');
    plugins.write('leaky.js', LEAKY_PLUGIN);
    const gw = await startGateway('sources:\n  leaky: { kind: leaky, secret: "k3y!x" }\n', {
      pluginDirs: [plugins.dir],
    });
    try {
      const res = await gw.post('leaky', '{}', { 'x-leaky-token': 'a-guess' });
      expect(res.status).to.equal(401);
      const log = gw.capture.lines.join('\n');
      expect(log).to.contain('token refused: expected');
      for (const form of [
        'k3y!x',
        Buffer.from('k3y!x').toString('hex'),
        Buffer.from('k3y!x').toString('base64'),
      ])
        expect(log).not.to.contain(form);
    } finally {
      await gw.stop();
      plugins.cleanup();
    }
  });
});

/**
 * A plugin whose decode errors and notes quote the secret it saw in authenticate, in every encoding: thrown,
 * in a Left's error and details, in a Right's decode notes (the body's `leak` picks which).
 */
const TELLING_PLUGIN = `
import { t } from 'switchboard/plugin-sdk';

let seen = '';
const every = (s) => s + ' hex ' + Buffer.from(s).toString('hex') + ' b64 ' + Buffer.from(s).toString('base64') +
  ' b64url ' + Buffer.from(s).toString('base64url') + ' url ' + encodeURIComponent(s);

export default {
  kind: 'telling',
  options: t.type({}),
  authenticate(request, secrets) {
    seen = secrets[0];
    return request.headers['x-token'] === secrets[0]
      ? { ok: true, secretIndex: 0 }
      : { ok: false, missing: false, error: 'wrong token' };
  },
  decode(body) {
    if (body.leak === 'throw') throw new Error('cannot decode with ' + every(seen));
    if (body.leak === 'left')
      return { _tag: 'Left', left: { status: 400, error: 'bad, key ' + every(seen), details: [{ path: seen, message: every(seen) }] } };
    return { _tag: 'Right', right: { type: 'ping', decodeNotes: [{ path: '', message: 'decoded with ' + every(seen) }] } };
  },
  eventTypes: 'open',
  fields: {},
};
`;

describe('a source plugin whose decode quotes the secret', () => {
  for (const secret of ['S3cr3t/Telling+Value=xyz', 'Qz7#x'])
    it(`keeps the secret (${secret.length} characters) out of the stored event, its deliveries and the log, in any encoding (found by an attack: stored as said)`, async () => {
      const plugins = tempDir('telling-plugins');
      plugins.write('telling.js', TELLING_PLUGIN);
      const out = tempDir('telling-out');
      const gw = await startGateway(
        `sources:\n  tell: { kind: telling, secret: "${secret}" }\ndestinations:\n  audit: { type: file, path: ${out.dir}/events.jsonl }\nroutes:\n  - to: [audit]\n`,
        { pluginDirs: [plugins.dir] },
      );
      try {
        const ids: string[] = [];
        for (const leak of ['throw', 'left', 'note']) {
          const res = await gw.post('tell', JSON.stringify({ leak }), { 'x-token': secret });
          expect(res.status, leak).to.equal(200);
          ids.push(res.body.id as string);
        }
        const stored = await Promise.all(ids.map((id) => gw.service.store.getEvent({ id })));
        const text = JSON.stringify(stored);
        expect(text).to.contain('cannot decode with').and.to.contain('decoded with');
        const bytes = Buffer.from(secret);
        const forms = [secret, bytes.toString('hex'), bytes.toString('base64'), encodeURIComponent(secret)];
        // What the destination was sent: the file destination's lines, once all three are delivered.
        const delivered = () => {
          try {
            return readFileSync(`${out.dir}/events.jsonl`, 'utf8');
          } catch {
            return '';
          }
        };
        for (const deadline = Date.now() + 10_000; delivered().split('\n').length < 4; ) {
          if (Date.now() > deadline) throw new Error('the three events were not delivered');
          await new Promise((r) => setTimeout(r, 50));
        }
        const log = gw.capture.lines.join('\n');
        for (const form of forms) {
          expect(text, `stored: ${form}`).not.to.contain(form);
          expect(delivered(), `delivered: ${form}`).not.to.contain(form);
          expect(log, `log: ${form}`).not.to.contain(form);
        }
      } finally {
        await gw.stop();
        plugins.cleanup();
        out.cleanup();
      }
    });
});

/**
 * A plugin with bugs on demand: `x-mode` picks how authenticate fails, the body's `mode` how decode does.
 * The token is the secret itself.
 */
const FLAKY_PLUGIN = `
import { t } from 'switchboard/plugin-sdk';

export default {
  kind: 'flaky',
  options: t.type({}),
  authenticate(request, secrets) {
    const mode = request.headers['x-mode'];
    if (mode === 'auth-throws') throw new Error('auth bug in flaky');
    if (mode === 'auth-async') return Promise.reject(new Error('async auth bug in flaky'));
    if (mode === 'auth-undefined') return undefined;
    if (mode === 'wild-index') return { ok: true, secretIndex: 987654 };
    if (mode === 'long-refusal') return { ok: false, missing: false, error: 'echo ' + request.raw.toString() };
    if (mode === 'stray-rejection') Promise.reject(new Error('stray rejection in flaky'));
    return request.headers['x-token'] === secrets[0]
      ? { ok: true, secretIndex: 0 }
      : { ok: false, missing: false, error: 'wrong token' };
  },
  decode(body) {
    switch (body.mode) {
      case 'throw': throw new Error('decode bug in flaky');
      case 'throw-string': throw 'a bare string';
      case 'throw-null': throw null;
      case 'undefined': return undefined;
      case 'no-tag': return { type: 'ping' };
      case 'number-type': return { _tag: 'Right', right: { type: 42 } };
      case 'bad-fields': return { _tag: 'Right', right: { type: 'ping', fields: 'not an object' } };
      case 'bigint': return { _tag: 'Right', right: { type: 'ping', fields: { big: 10n } } };
      case 'function': return { _tag: 'Right', right: { type: 'ping', fields: { f: () => 1 } } };
      case 'date': return { _tag: 'Right', right: { type: 'ping', fields: { at: new Date(0) } } };
      case 'circular': { const c = { type: 'ping' }; c.self = c; return { _tag: 'Right', right: { type: 'ping', payload: c } }; }
      case 'bad-left': return { _tag: 'Left', left: { status: 500 } };
      case 'promise': return Promise.resolve({ _tag: 'Right', right: { type: 'ping' } });
      case 'rejected': return Promise.reject(new Error('async decode bug in flaky'));
      case 'time': return { _tag: 'Right', right: { type: 'ping', occurredAt: body.at } };
      case 'mutate-bigint': body.n = 10n; return { _tag: 'Right', right: { type: 'ping' } };
      case 'mutate-cycle': body.self = body; return { _tag: 'Right', right: { type: 'ping' } };
      case 'mutate-date': body.n = new Date(0); return { _tag: 'Right', right: { type: 'ping' } };
      case 'mutate-refuse': body.n = 10n; return { _tag: 'Left', left: { status: 400, error: 'no', details: [] } };
      case 'mutate-return': body.n = 10n; return { _tag: 'Right', right: { type: 'ping', payload: body } };
      default: return { _tag: 'Right', right: { type: 'ping' } };
    }
  },
  eventTypes: 'open',
  fields: {},
};
`;

const FLAKY_SECRET = 'flaky-secret-0123456789';

describe('a source plugin that fails', () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let plugins: ReturnType<typeof tempDir>;
  before(async () => {
    plugins = tempDir('flaky-plugins');
    plugins.write('flaky.js', FLAKY_PLUGIN);
    gw = await startGateway(`sources:\n  flaky: { kind: flaky, secret: ${FLAKY_SECRET} }\n`, {
      pluginDirs: [plugins.dir],
    });
  });
  after(async () => {
    await gw.stop();
    plugins.cleanup();
  });

  for (const mode of [
    'throw',
    'throw-string',
    'throw-null',
    'undefined',
    'no-tag',
    'number-type',
    'bad-fields',
    'bigint',
    'circular',
    'function',
    'date',
    'bad-left',
    'promise',
    'rejected',
  ]) {
    it(`keeps an authentic body as unrecognized (200, raw bytes kept) when decode gives "${mode}"`, async () => {
      const body = JSON.stringify({ mode, n: 1 });
      const res = await gw.post('flaky', body, { 'x-token': FLAKY_SECRET });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const stored = await gw.service.store.getEvent({ id: res.body.id as string });
      expect(stored?.event.type).to.equal('unrecognized');
      expect(Buffer.from(stored?.event.rawBody ?? '', 'base64').toString('utf8')).to.equal(body);
      expect(JSON.stringify(stored?.event.problems)).to.contain('flaky');
    });
  }

  for (const [mode, type] of [
    ['mutate-bigint', 'ping'],
    ['mutate-cycle', 'ping'],
    ['mutate-date', 'ping'],
    ['mutate-refuse', 'unrecognized'],
    ['mutate-return', 'unrecognized'],
  ]) {
    it(`keeps the body as sent when decode changes what it is given ("${mode}"; found by an attack: a 503, for ever)`, async () => {
      const body = JSON.stringify({ mode, n: 1 });
      const res = await gw.post('flaky', body, { 'x-token': FLAKY_SECRET });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const stored = (await gw.service.store.getEvent({ id: res.body.id as string }))?.event;
      expect(stored?.type).to.equal(type);
      expect(stored?.payload).to.deep.equal({ mode, n: 1 });
    });
  }

  it("stores a plugin's occurredAt as ISO 8601 UTC, or leaves out one that is no time, with a note (found by an attack: 'yesterday' was delivered)", async () => {
    const stored = async (at: string) => {
      const res = await gw.post('flaky', JSON.stringify({ mode: 'time', at }), { 'x-token': FLAKY_SECRET });
      expect(res.status).to.equal(200);
      return (await gw.service.store.getEvent({ id: res.body.id as string }))?.event;
    };
    expect((await stored('2026-11-28T09:03:11+05:00'))?.occurredAt).to.equal('2026-11-28T04:03:11.000Z');
    const vague = await stored('yesterday');
    expect(vague).to.include({ type: 'ping' }).and.not.to.have.property('occurredAt');
    expect(vague?.decodeNotes).to.deep.equal([
      { path: 'occurredAt', kind: 'not-a-time', message: 'not an ISO 8601 date-time: left out' },
    ]);
  });

  it("reads a plugin's occurredAt as the MTA source reads times: no rolled-over day, no six-digit year (found in review)", async () => {
    const stored = async (at: string) => {
      const res = await gw.post('flaky', JSON.stringify({ mode: 'time', at }), { 'x-token': FLAKY_SECRET });
      expect(res.status).to.equal(200);
      return (await gw.service.store.getEvent({ id: res.body.id as string }))?.event;
    };
    // Date.parse made March 2 of the one and "+010000-01-01T04:59:59.000Z" of the other.
    for (const at of ['2026-02-30T00:00:00Z', '9999-12-31T23:59:59-05:00']) {
      const event = await stored(at);
      expect(event, at).not.to.have.property('occurredAt');
      expect(
        event?.decodeNotes?.map((n) => n.kind),
        at,
      ).to.deep.equal(['not-a-time']);
    }
    expect((await stored('2026-11-28 14:03:11'))?.occurredAt).to.equal('2026-11-28T14:03:11.000Z');
  });

  for (const mode of ['auth-throws', 'auth-async', 'auth-undefined']) {
    it(`answers 500, not 401, and logs the plugin's name when authenticate gives "${mode}"`, async () => {
      const before = gw.capture.lines.length;
      const res = await gw.post('flaky', JSON.stringify({ n: 1 }), {
        'x-token': FLAKY_SECRET,
        'x-mode': mode,
      });
      expect(res.status).to.equal(500);
      expect(String(res.body.error)).not.to.match(/signature/);
      const logged = gw.capture.lines.slice(before).join('\n');
      expect(logged).to.contain('flaky');
      expect(logged).to.contain('authenticate');
    });
  }

  it('takes a body whose verdict names a secret the source does not have, without a metric series for it', async () => {
    const res = await gw.post('flaky', JSON.stringify({ n: 1 }), {
      'x-token': FLAKY_SECRET,
      'x-mode': 'wild-index',
    });
    expect(res.status).to.equal(200);
    const metrics = await (await fetch(`http://127.0.0.1:${gw.service.adminAddress.port}/metrics`)).text();
    expect(metrics).not.to.contain('987654');
  });

  it('logs at most 1,000 characters of a plugin’s refusal, however much of the body it echoes', async () => {
    const before = gw.capture.lines.length;
    const body = JSON.stringify({ pad: 'y'.repeat(200_000) });
    const res = await gw.post('flaky', body, { 'x-mode': 'long-refusal' });
    expect(res.status).to.equal(401);
    const line = gw.capture.lines.slice(before).find((l) => l.includes('echo '));
    expect(line).to.be.a('string');
    expect(JSON.parse(line ?? '{}').detail).to.have.length.of.at.most(1000);
  });

  it('answers 500, not 400, when authenticate throws on a body that does not decompress', async () => {
    const res = await gw.post('flaky', 'not gzip at all', {
      'x-token': FLAKY_SECRET,
      'x-mode': 'auth-throws',
      'content-encoding': 'gzip',
    });
    expect(res.status).to.equal(500);
  });
});

describe('a source plugin that leaves a promise rejection unhandled', () => {
  it('does not end `switchboard start`: the rejection is logged and the gateway goes on answering', async () => {
    const tmp = tempDir('flaky-process');
    mkdirSync(`${tmp.dir}/plugins`);
    tmp.write('plugins/flaky.js', FLAKY_PLUGIN);
    const file = tmp.write(
      'config.yaml',
      `server: { host: 127.0.0.1, port: 0 }
store: { driver: sqlite, path: ${tmp.dir}/s.db }
plugins: { dirs: [${ROOT}/plugins, ${tmp.dir}/plugins] }
admin: { listen: "127.0.0.1:0" }
sources:
  flaky: { kind: flaky, secret: ${FLAKY_SECRET} }
`,
    );
    const gw = await GatewayProcess.start(file);
    try {
      const body = JSON.stringify({ n: 1 });
      const stray = await gw.post('/webhooks/flaky', body, {
        'x-token': FLAKY_SECRET,
        'x-mode': 'stray-rejection',
      });
      expect(stray.status).to.equal(200);
      await gw.waitForLog(
        (l) => String(l.msg).startsWith('unhandled promise rejection'),
        'the rejection logged',
      );
      const async = await gw.post('/webhooks/flaky', body, {
        'x-token': FLAKY_SECRET,
        'x-mode': 'auth-async',
      });
      const decodeRejects = await gw.post('/webhooks/flaky', JSON.stringify({ mode: 'rejected' }), {
        'x-token': FLAKY_SECRET,
      });
      const after = await gw.post('/webhooks/flaky', JSON.stringify({ n: 2 }), { 'x-token': FLAKY_SECRET });
      expect([async.status, decodeRejects.status, after.status]).to.deep.equal([500, 200, 200]);
      expect(gw.child.exitCode).to.equal(null);
      expect(await gw.stop()).to.equal(0);
    } finally {
      await gw.signal('SIGKILL');
      tmp.cleanup();
    }
  });
});

/** A plugin whose optional hooks throw: `baseFields` (read for an unrecognized event) and a field's read and text. */
const HOOKS_PLUGIN = `
import { t } from 'switchboard/plugin-sdk';
export default {
  kind: 'hooky',
  options: t.type({}),
  authenticate: (request, secrets) =>
    request.headers['x-token'] === secrets[0]
      ? { ok: true, secretIndex: 0 }
      : { ok: false, missing: false, error: 'wrong token' },
  decode(body) {
    if (typeof body.type !== 'string') return { _tag: 'Left', left: { status: 400, error: 'no type', details: [] } };
    return { _tag: 'Right', right: { type: body.type, fields: { level: body.level } } };
  },
  baseFields() { throw new Error('baseFields bug in hooky'); },
  eventTypes: 'open',
  fields: {
    level: {
      kind: 'string',
      read(event) { if (event.level === 'boom') throw new Error('read bug in hooky'); return event.level; },
      text(value) { if (value === 'bang') throw new Error('text bug in hooky'); return String(value); },
    },
  },
};
`;

describe('a source plugin whose optional hooks throw', () => {
  it('keeps every authentic body: a field whose read or text throws is absent to routes, an unrecognized one lacks the base fields', async () => {
    const tmp = tempDir('hooky-plugins');
    tmp.write('hooky.js', HOOKS_PLUGIN);
    const gw = await startGateway(
      `sources:\n  hooky: { kind: hooky, secret: ${FLAKY_SECRET} }
destinations:\n  audit: { type: file, path: ${tmp.dir}/audit.jsonl }
routes:\n  - name: loud\n    match: { level: { regex: "^lo" } }\n    to: [audit]\n`,
      { pluginDirs: [tmp.dir] },
    );
    try {
      const headers = { 'x-token': FLAKY_SECRET };
      const read = await gw.post('hooky', JSON.stringify({ type: 'alert', level: 'boom' }), headers);
      const text = await gw.post('hooky', JSON.stringify({ type: 'alert', level: 'bang' }), headers);
      const loud = await gw.post('hooky', JSON.stringify({ type: 'alert', level: 'loud' }), headers);
      const untyped = await gw.post('hooky', JSON.stringify({ level: 'loud' }), headers);
      expect([read.status, text.status, loud.status, untyped.status]).to.deep.equal([200, 200, 200, 200]);
      const detail = (res: { body: Record<string, unknown> }) =>
        gw.service.store.getEvent({ id: res.body.id as string });
      expect((await detail(read))?.unrouted).to.equal(true);
      expect((await detail(text))?.unrouted).to.equal(true);
      expect((await detail(loud))?.unrouted).to.equal(false);
      expect((await detail(untyped))?.event.type).to.equal('unrecognized');
    } finally {
      await gw.stop();
      tmp.cleanup();
    }
  });
});

/** A plugin whose checkSecret throws with the secret in its message, or answers a reason quoting it. */
const CHECKY_PLUGIN = `
import { t } from 'switchboard/plugin-sdk';
export default {
  kind: 'checky',
  options: t.type({}),
  authenticate: () => ({ ok: true }),
  decode: () => ({ _tag: 'Right', right: { type: 'ping' } }),
  checkSecret(s) {
    if (s.startsWith('throw')) throw new Error('cannot read key ' + s);
    if (s.startsWith('bad'))
      return 'not a key: ' + s + ' hex ' + Buffer.from(s).toString('hex') + ' b64 ' + Buffer.from(s).toString('base64') +
        ' b64url ' + Buffer.from(s).toString('base64url');
    return undefined;
  },
  eventTypes: 'open',
  fields: {},
};
`;

describe('a source plugin whose checkSecret throws or quotes the secret', () => {
  it('is a config error at the secret’s line naming the plugin, with the secret in no encoding in check’s output (found by an attack: check and start died printing it)', async () => {
    const tmp = tempDir('checky-plugins');
    mkdirSync(`${tmp.dir}/plugins`);
    tmp.write('plugins/checky.js', CHECKY_PLUGIN);
    const thrown = 'throw-key-0123456789';
    const short = 'bad1';
    const file = tmp.write(
      'config.yaml',
      `store: { driver: sqlite, path: ${tmp.dir}/s.db }
plugins: { dirs: [${tmp.dir}/plugins] }
sources:
  one: { kind: checky, secret: ${thrown} }
  two: { kind: checky, secrets: [${short}, good-key] }
`,
    );
    try {
      const r = await runCli(['check', '--config', file]);
      const out = r.stdout + r.stderr;
      expect(r.code, out).to.equal(1);
      expect(out).to.include('sources.one.secret: the checky source plugin failed while checking the secret');
      expect(out).to.include('sources.two.secrets[0]: not a key');
      for (const s of [thrown, short]) {
        const b = Buffer.from(s);
        for (const form of [s, b.toString('hex'), b.toString('base64'), b.toString('base64url')])
          expect(out, form).not.to.include(form);
      }
    } finally {
      tmp.cleanup();
    }
  });
});

/** A plugin whose summary, samples and sign throw (sign with the secret in its message). */
const CHATTY_PLUGIN = `
import { t } from 'switchboard/plugin-sdk';
export default {
  kind: 'chatty',
  options: t.type({}),
  authenticate: (request, secrets) =>
    request.headers['x-token'] === secrets[0] ? { ok: true } : { ok: false, missing: false, error: 'wrong token' },
  decode: () => ({ _tag: 'Right', right: { type: 'ping' } }),
  summary() { throw new Error('summary bug in chatty'); },
  samples() { throw new Error('samples bug in chatty'); },
  sign(secret) { throw new Error('cannot sign with ' + secret + ' (' + Buffer.from(secret).toString('base64') + ')'); },
  eventTypes: 'open',
  fields: {},
};
`;

describe('a source plugin whose summary, samples or sign throws', () => {
  const SECRET = 'chatty-secret-0123456789';
  const sources = `sources:
  chatty: { kind: chatty, secret: ${SECRET} }
  billing: { kind: standard-webhooks, secret: "whsec_dGVzdC1rZXktMDEyMzQ1Njc4OQ==" }
`;

  it('still shows "Try a route" for every source (found by an attack: a 500 for the whole page)', async () => {
    const tmp = tempDir('chatty-plugins');
    tmp.write('chatty.js', CHATTY_PLUGIN);
    const token = 'console-token-0123456789';
    const gw = await startGateway(sources, { pluginDirs: [tmp.dir], adminToken: token });
    try {
      const admin = `http://127.0.0.1:${gw.service.adminAddress.port}`;
      const login = await fetch(`${admin}/ui/login`, {
        method: 'POST',
        body: new URLSearchParams({ token }),
        redirect: 'manual',
      });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
      for (const source of ['chatty', 'billing']) {
        const res = await fetch(`${admin}/ui/try?source=${source}`, { headers: { cookie } });
        const text = await res.text();
        expect(res.status, source).to.equal(200);
        expect(text).to.include('chatty (chatty)').and.include('billing (standard-webhooks');
      }
    } finally {
      await gw.stop();
      tmp.cleanup();
    }
  });

  it('is named by check (its kind for a summary) and by sign, which prints no secret (found by an attack: both ended with the plugin’s bare words)', async () => {
    const tmp = tempDir('chatty-cli');
    mkdirSync(`${tmp.dir}/plugins`);
    tmp.write('plugins/chatty.js', CHATTY_PLUGIN);
    const file = tmp.write(
      'config.yaml',
      `store: { driver: sqlite, path: ${tmp.dir}/s.db }
plugins: { dirs: [${tmp.dir}/plugins] }
${sources}`,
    );
    const body = tmp.write('body.json', '{"type":"ping"}');
    try {
      const check = await runCli(['check', '--config', file]);
      expect(check.code, check.stdout + check.stderr).to.equal(0);
      expect(check.stdout).to.include('source chatty: chatty, signed');
      const sign = await runCli(['sign', '--config', file, '--source', 'chatty', body]);
      expect(sign.code).to.equal(1);
      expect(sign.stderr).to.include("the chatty source plugin's sign failed: cannot sign with");
      for (const form of [SECRET, Buffer.from(SECRET).toString('base64')])
        expect(sign.stdout + sign.stderr).not.to.include(form);
    } finally {
      tmp.cleanup();
    }
  });
});
