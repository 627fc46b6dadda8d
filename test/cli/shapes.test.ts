import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { hasControlChars } from '../../src/control-text.ts';
import { sign } from '../../src/ingress/signature.ts';
import { runCli } from '../helpers/gateway.ts';
import { startService } from '../helpers/service.ts';
import { ROOT } from '../helpers/tmp.ts';

const SECRET = 'shapes-secret-0123456789abcdef';

describe('switchboard shapes', function () {
  this.timeout(30_000);
  let gw: Awaited<ReturnType<typeof startService>>;
  const bodies: string[] = [];

  before(async () => {
    gw = await startService('', { secret: SECRET });
    // Every fixture of every version, all to one V3 source, as a mixed day of real traffic would arrive.
    for (const v of [1, 2, 3]) {
      const dir = join(ROOT, 'test/fixtures/mta', `v${v}`);
      for (const file of readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()) {
        bodies.push(readFileSync(join(dir, file), 'utf8'));
      }
    }
    bodies.push(
      JSON.stringify({ type: 'delivery-status', status: { code: 4 }, destinationNumber: '+13125550143' }),
    );
    for (const body of bodies) {
      const res = await fetch(`${gw.url}/webhooks/mta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': sign(SECRET, body) },
        body,
      });
      expect(res.status).to.equal(200);
    }
  });
  after(() => gw.stop());

  it('prints each field per event type with its JSON types and how often it is present', async () => {
    const { code, stdout } = await runCli(['shapes', '--config', gw.file]);
    expect(code).to.equal(0);
    expect(stdout).to.match(/^delivery-status \(3 events\)$/m);
    expect(stdout).to.match(/^ {2}destinationNumber +3\/3 +string 3 +"\+99999999999" {2}"9999999999"$/m);
    expect(stdout).to.match(/^ {2}status +3\/3 +number 3 +9 {2}4 {2}6$/m);
    expect(stdout).to.match(/^ {2}timestamp +1\/3 +string 1 +"9999-99-99X99:99:99\.999X"$/m);
    expect(stdout).to.match(/^ {2}type +3\/3 +string 3 +"delivery-status" {2}"DELIVERY_STATUS"$/m);
    expect(stdout).to.match(/^unrecognized \(1 event\)$/m);
    expect(stdout).to.match(/^ {2}status\.code +1\/1 +number 1 +9$/m);
  });

  it('--json gives the same summary as data, and --source filters', async () => {
    const { code, stdout } = await runCli(['shapes', '--config', gw.file, '--json', '--source', 'mta']);
    expect(code).to.equal(0);
    const shapes = JSON.parse(stdout);
    expect(Object.keys(shapes)).to.deep.equal([
      'delivery-status',
      'message-reply',
      'message-send',
      'number-opt-in',
      'unrecognized',
    ]);
    expect(shapes['message-reply'].events).to.equal(3);
    expect(shapes['message-reply'].fields.senderName).to.deep.equal({
      present: 1,
      types: { null: 1 },
      examples: ['null'],
    });
    expect(shapes['delivery-status'].fields['tags.campaign'].types).to.deep.equal({ string: 3 });
    const none = await runCli(['shapes', '--config', gw.file, '--source', 'other']);
    expect(none.stdout.trim()).to.equal('no stored events match');
  });

  it('shows no phone number, message text or tag value, only their masked form', async () => {
    const { stdout } = await runCli(['shapes', '--config', gw.file]);
    const secrets = new Set<string>();
    for (const body of bodies) {
      const walk = (v: unknown) => {
        if (typeof v === 'string' && v.length > 1 && /[\p{L}\p{N}]/u.test(v)) secrets.add(v);
        else if (typeof v === 'number' && v > 99) secrets.add(String(v));
        else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
      };
      const parsed = JSON.parse(body);
      // Enumerations are shown as they are; everything else must be masked.
      for (const key of ['type', 'status', 'optInType', 'channel']) delete parsed[key];
      walk(parsed);
    }
    for (const value of secrets) expect(stdout, value).to.not.include(value);
  });
});

describe('switchboard shapes with payload keys named like Object.prototype members', function () {
  this.timeout(30_000);
  let gw: Awaited<ReturnType<typeof startService>>;
  const KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];

  before(async () => {
    gw = await startService('', { secret: SECRET });
    const bodies = [
      ...KEYS.map((key) => `{"type":"number-opt-in","${key}":1}`),
      '{"type":"number-opt-in","__proto__":{"a":1},"nested":{"constructor":{"toString":"x"}}}',
    ];
    for (const body of bodies) {
      const res = await fetch(`${gw.url}/webhooks/mta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': sign(SECRET, body) },
        body,
      });
      expect(res.status).to.equal(200);
    }
  });
  after(() => gw.stop());

  it('counts them as ordinary fields instead of failing for the whole store', async () => {
    const { code, stdout, stderr } = await runCli(['shapes', '--config', gw.file, '--json']);
    expect(stderr).to.not.include('Cannot read');
    expect(code).to.equal(0);
    const fields = JSON.parse(stdout)['number-opt-in'].fields;
    expect(Object.hasOwn(fields, '__proto__')).to.equal(true);
    const proto = Object.getOwnPropertyDescriptor(fields, '__proto__')?.value;
    expect(proto.present).to.equal(2);
    expect(proto.types).to.deep.equal({ number: 1, object: 1 });
    expect(fields.constructor.types).to.deep.equal({ number: 1 });
    expect(fields.toString.present).to.equal(1);
    expect(fields.hasOwnProperty.present).to.equal(1);
    expect(fields['__proto__.a'].present).to.equal(1);
    expect(fields['nested.constructor.toString'].types).to.deep.equal({ string: 1 });
  });

  it('prints them in the table too', async () => {
    const { code, stdout } = await runCli(['shapes', '--config', gw.file]);
    expect(code).to.equal(0);
    for (const key of KEYS) expect(stdout).to.match(new RegExp(`^ {2}${key} +\\d/5 `, 'm'));
  });
});

describe('switchboard shapes with control characters in payload keys', function () {
  this.timeout(30_000);

  it('prints a sender’s key escaped, so it cannot drive the terminal (found by a newcomer trial)', async () => {
    const gw = await startService('', { secret: SECRET });
    try {
      const body =
        '{"type":"message-reply","message":"hi","\\u001b]0;pwned\\u0007\\u001b[31mEVIL":1,"\\u0000k":2}';
      const res = await fetch(`${gw.url}/webhooks/mta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': sign(SECRET, body) },
        body,
      });
      expect(res.status).to.equal(200);
      const { code, stdout } = await runCli(['shapes', '--config', gw.file]);
      expect(code).to.equal(0);
      expect(stdout).to.include('\\x1b]0;pwned\\x07\\x1b[31mEVIL');
      expect(stdout).to.include('\\x00k');
      // Nothing but the table's own newlines is a control character.
      expect(hasControlChars(stdout)).to.equal(false);
    } finally {
      await gw.stop();
    }
  });
});
