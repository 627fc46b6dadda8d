import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { sign } from '../../src/ingress/signature.ts';
import type { MtaEvent as GatewayEvent } from '../../src/sources/mta/event.ts';
import { startService } from '../helpers/service.ts';
import { ROOT } from '../helpers/tmp.ts';

const SECRET = 'tolerant-secret-0123456789abcdef';
const fixture = (v: number, name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta', `v${v}`, `${name}.json`), 'utf8'));

type Gateway = Awaited<ReturnType<typeof startService>>;

/** Posts a signed body and returns the stored event (failing unless the answer is 200). */
async function accepted(gw: Gateway, body: unknown, path = '/webhooks/mta'): Promise<GatewayEvent> {
  const text = JSON.stringify(body);
  const res = await fetch(gw.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': sign(SECRET, text) },
    body: text,
  });
  const answer = await res.json();
  expect(res.status, JSON.stringify(answer)).to.equal(200);
  const detail = await gw.service.store.getEvent({ id: answer.id });
  expect(detail, 'stored event').to.not.equal(null);
  expect(detail!.event.type).to.not.equal('unrecognized', JSON.stringify(detail!.event.problems));
  return detail!.event as GatewayEvent;
}

const kinds = (event: GatewayEvent) => (event.decodeNotes ?? []).map((n) => `${n.path}:${n.kind}`);

// Real MTA bodies that differ from our reconstructed tables in harmless ways: each is answered 200 and decoded
// into the event a reader would expect, with every coercion or alias listed on the event.
describe('tolerant decoding of real MTA traffic, over HTTP', () => {
  let v3: Gateway;
  let v1: Gateway;
  before(async () => {
    v3 = await startService('', { secret: SECRET, version: 3 });
    v1 = await startService('', { secret: SECRET, version: 1 });
  });
  after(async () => {
    await v3.stop();
    await v1.stop();
  });

  it('accepts a body missing an optional field: the event simply lacks it', async () => {
    const { externalId: _e, ...body } = fixture(3, 'delivery-status');
    const event = await accepted(v3, body);
    expect(event).to.not.have.property('externalId');
    expect(event.status?.name).to.equal('UNDELIVERED');
    expect(event.decodeNotes).to.equal(undefined);
  });

  it('accepts null for a reconstructed field that our table had as always present', async () => {
    const event = await accepted(v3, { ...fixture(3, 'delivery-status'), externalId: null, messageId: null });
    expect(event).to.not.have.any.keys('externalId', 'messageId');
  });

  it('accepts a body without any event time: occurredAt is absent', async () => {
    const { timestamp: _t, ...body } = fixture(3, 'message-send');
    const event = await accepted(v3, body);
    expect(event).to.not.have.property('occurredAt');
    expect(event.text).to.equal(fixture(3, 'message-send').message);
  });

  it('keeps an extra field in the payload without a note', async () => {
    const body = { ...fixture(3, 'delivery-status'), segments: 2, provider: { name: 'x' } };
    const event = await accepted(v3, body);
    expect((event.payload as Record<string, unknown>).segments).to.equal(2);
    expect(event.decodeNotes).to.equal(undefined);
  });

  it('reads numeric strings in numeric fields as numbers', async () => {
    const event = await accepted(v3, {
      ...fixture(3, 'delivery-status'),
      status: '4',
      messageId: '880012347',
    });
    expect(event.status).to.deep.equal({ code: 4, name: 'DELIVERED', failed: false, final: true });
    expect(event.messageId).to.equal(880012347);
    expect(kinds(event)).to.deep.equal(['messageId:numeric-string', 'status:numeric-string']);
  });

  it('reads a status given by its documented name', async () => {
    const event = await accepted(v3, { ...fixture(3, 'delivery-status'), status: 'delivery_failed' });
    expect(event.status?.code).to.equal(6);
    expect(kinds(event)).to.deep.equal(['status:status-name']);
  });

  it('reads a number where text was expected as its text', async () => {
    const event = await accepted(v3, { ...fixture(3, 'delivery-status'), externalId: 1001 });
    expect(event.externalId).to.equal('1001');
    expect(kinds(event)).to.deep.equal(['externalId:number-as-text']);
  });

  const times: Array<[string, unknown, string, string[]]> = [
    ['a zoneless ISO time as UTC', '2026-11-28T14:03:11', '2026-11-28T14:03:11.000Z', ['zoneless-time']],
    [
      'a space instead of T',
      '2026-11-28 14:03:11.512',
      '2026-11-28T14:03:11.512Z',
      ['space-separated-time', 'zoneless-time'],
    ],
    // Its "-28" once passed for a zone offset, so the note was missing.
    ['a date alone as midnight UTC', '2026-11-28', '2026-11-28T00:00:00.000Z', ['zoneless-time']],
    ['an offset time in UTC', '2026-11-28T09:03:11.512-05:00', '2026-11-28T14:03:11.512Z', []],
    ['epoch seconds', 1795874591, '2026-11-28T14:03:11.000Z', ['epoch-seconds']],
    ['epoch milliseconds', 1795874591512, '2026-11-28T14:03:11.512Z', ['epoch-millis']],
    ['epoch seconds as a string', '1795874591', '2026-11-28T14:03:11.000Z', ['epoch-seconds']],
  ];
  for (const [what, timestamp, occurredAt, noteKinds] of times) {
    it(`reads ${what}`, async () => {
      const event = await accepted(v3, { ...fixture(3, 'delivery-status'), timestamp });
      expect(event.occurredAt).to.equal(occurredAt);
      expect(kinds(event)).to.deep.equal(noteKinds.map((k) => `timestamp:${k}`));
    });
  }

  it('reads the event time from `date` when there is no `timestamp`', async () => {
    const { timestamp: _t, ...rest } = fixture(3, 'delivery-status');
    const event = await accepted(v3, { ...rest, date: '2026-11-28T14:03:11Z' });
    expect(event.occurredAt).to.equal('2026-11-28T14:03:11.000Z');
    expect(kinds(event)).to.deep.equal(['timestamp:alias']);
    expect(event.decodeNotes![0].message).to.equal('read from "date"');
  });

  it('reads `date` when `timestamp` is null', async () => {
    const event = await accepted(v3, { ...fixture(3, 'message-send'), timestamp: null, date: 1795874591 });
    expect(event.occurredAt).to.equal('2026-11-28T14:03:11.000Z');
    expect(kinds(event)).to.deep.equal(['timestamp:alias', 'timestamp:epoch-seconds']);
  });

  it('reads a single media URL from `url` and the sender from `originationNumber`', async () => {
    const { mediaUrls: _m, fromNumber: _f, ...rest } = fixture(3, 'message-reply');
    const event = await accepted(v3, {
      ...rest,
      url: 'https://media.example.com/1.jpg',
      originationNumber: '+13125550143',
    });
    expect(event.mediaUrls).to.deep.equal(['https://media.example.com/1.jpg']);
    expect(event.phone).to.equal('+13125550143');
    expect(kinds(event)).to.deep.equal(['fromNumber:alias', 'mediaUrls:alias', 'mediaUrls:single-media-url']);
  });

  // A text-only reply whose `url` was "" (a sender that writes an absent string as empty) became an event with
  // mediaUrls [""]: one attachment, with no address, in every destination's layout.
  it('reads an empty `url` or `mediaUrls` string as no media, with a note', async () => {
    const { mediaUrls: _m, ...rest } = fixture(3, 'message-reply');
    for (const [key, value] of [
      ['url', ''],
      ['mediaUrls', ' '],
    ]) {
      const event = await accepted(v3, { ...rest, [key]: value });
      expect(event.mediaUrls, key).to.deep.equal([]);
      const aliased = key === 'url' ? ['mediaUrls:alias'] : [];
      expect(kinds(event)).to.deep.equal([...aliased, 'mediaUrls:empty-media-url']);
    }
  });

  it('reads a national number in a V3 body with the default country', async () => {
    const event = await accepted(v3, { ...fixture(3, 'delivery-status'), destinationNumber: '3125550143' });
    expect(event.phone).to.equal('+13125550143');
    expect(event.phoneNational).to.equal('3125550143');
    expect(kinds(event)).to.deep.equal(['destinationNumber:national-number']);
  });

  it('reads a formatted number with a trunk prefix in a V3 body', async () => {
    const event = await accepted(v3, {
      ...fixture(3, 'message-send'),
      destinationNumber: '1 (312) 555-0143',
    });
    expect(event.phone).to.equal('+13125550143');
    expect(kinds(event)).to.deep.equal([
      'destinationNumber:national-number',
      'destinationNumber:formatted-number',
    ]);
  });

  it('reads an E.164 number in a V1 body', async () => {
    const event = await accepted(v1, {
      ...fixture(1, 'delivery-status'),
      destinationNumber: '+447700900123',
    });
    expect(event.phone).to.equal('+447700900123');
    expect(event).to.not.have.property('phoneNational');
    expect(kinds(event)).to.deep.equal(['destinationNumber:e164-number']);
  });

  it('reads a number written with the international prefix 00 in a source of country +1 (NANP dials 011)', async () => {
    const event = await accepted(v3, {
      ...fixture(3, 'delivery-status'),
      destinationNumber: '0044 20 7946 0958',
    });
    expect(event.phone).to.equal('+442079460958');
    expect(event).to.not.have.any.keys('phoneNational', 'phoneRaw');
    expect(kinds(event)).to.deep.equal([
      'destinationNumber:international-prefix',
      'destinationNumber:formatted-number',
    ]);
  });

  it('keeps a number that is not a possible phone number raw, without a phone', async () => {
    const event = await accepted(v3, { ...fixture(3, 'number-opt-in'), number: '+1 555 0100' });
    expect(event.phoneRaw).to.equal('+1 555 0100');
    expect(event).to.not.have.any.keys('phone', 'phoneNational');
    expect(kinds(event)).to.deep.equal(['number:invalid-phone']);
  });

  it('stringifies number and boolean tag values and drops null ones', async () => {
    const tags = { campaign: 'spring', store: 42, vip: true, region: null };
    const event = await accepted(v3, { ...fixture(3, 'delivery-status'), tags });
    expect(event.tags).to.deep.equal({ campaign: 'spring', store: '42', vip: 'true' });
    expect(kinds(event)).to.deep.equal(['tags:tag-scalar', 'tags:tag-scalar', 'tags:tag-null']);
  });

  it('decodes the seven variants a new user found refused, all on one V3 source', async () => {
    const base = fixture(3, 'delivery-status');
    const { timestamp: _t, externalId: _e, ...bare } = base;
    const variants: unknown[] = [
      { ...bare, externalId: 'x', date: '2026-11-28T14:03:11Z' },
      { ...base, externalId: null },
      { ...bare, timestamp: '2026-11-28T14:03:11Z' },
      { ...base, status: '4' },
      { ...base, timestamp: 1795874591512 },
      { ...base, destinationNumber: '3125550143' },
      { ...base, tags: { campaign: 7, vip: false } },
    ];
    for (const body of variants) await accepted(v3, body);
  });

  it('counts every note in switchboard_decode_notes_total', async () => {
    await accepted(v3, { ...fixture(3, 'message-send'), messageId: '123456' });
    const text = await (await fetch(`${v3.adminUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) =>
        l.startsWith(
          'switchboard_decode_notes_total{source="mta",type="message-send",kind="numeric-string"}',
        ),
      );
    expect(line, 'the message-send numeric-string counter').to.be.a('string');
    expect(Number(line!.split(' ').pop())).to.be.at.least(1);
  });
});
