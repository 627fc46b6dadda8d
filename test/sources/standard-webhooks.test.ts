import { expect } from 'chai';
import { Webhook } from 'standardwebhooks';
import { startGateway } from './service.ts';

/**
 * The standard-webhooks source against requests signed by the reference `standardwebhooks` package (the
 * library Standard Webhooks senders use), through a real gateway over HTTP.
 */

const SECRET = `whsec_${Buffer.from('the-billing-signing-key-0123456789').toString('base64')}`;
const OLD_SECRET = `whsec_${Buffer.from('the-previous-key-9876543210').toString('base64')}`;
const OTHER = `whsec_${Buffer.from('somebody-elses-key-000000000').toString('base64')}`;

const CONFIG = `
sources:
  billing: { kind: standard-webhooks, secrets: ["${SECRET}", "${OLD_SECRET}"], tolerance: 5m }
  unprefixed: { kind: standard-webhooks, secret: "${SECRET.slice('whsec_'.length)}" }
routes: []
`;

/** Headers a Standard Webhooks sender puts on a body, signed with `secret` at time `at`. */
function signed(secret: string, id: string, body: string, at = new Date()) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

describe('standard-webhooks source (signed by the reference standardwebhooks package)', () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  before(async () => {
    gw = await startGateway(CONFIG);
  });
  after(() => gw.stop());

  const body = (n: number) =>
    JSON.stringify({ type: 'invoice.paid', data: { invoice: `in_${n}`, amount: 4200 } });

  it('accepts a valid signature and names the event by the body type', async () => {
    const answer = await gw.post('billing', body(1), signed(SECRET, 'msg_valid_1', body(1)));
    expect(answer.status).to.equal(200);
    expect(answer.body.duplicate).to.equal(false);
    const stored = await gw.service.store.getEvent({ id: answer.body.id as string });
    expect(stored?.event).to.deep.include({ source: 'billing', type: 'invoice.paid' });
    expect(stored?.event.payload).to.deep.equal(JSON.parse(body(1)));
  });

  it('refuses a body signed with another secret with 401', async () => {
    const answer = await gw.post('billing', body(2), signed(OTHER, 'msg_wrong_2', body(2)));
    expect(answer.status).to.equal(401);
    expect(answer.body.error).to.match(/no webhook-signature matches/);
  });

  it('refuses a correctly signed body whose timestamp is older than the tolerance', async () => {
    const old = new Date(Date.now() - 10 * 60_000);
    const answer = await gw.post('billing', body(3), signed(SECRET, 'msg_old_3', body(3), old));
    expect(answer.status).to.equal(401);
    expect(answer.body.error).to.match(/too old/);
  });

  it('refuses a correctly signed body whose timestamp is further in the future than the tolerance', async () => {
    const future = new Date(Date.now() + 10 * 60_000);
    const answer = await gw.post('billing', body(4), signed(SECRET, 'msg_future_4', body(4), future));
    expect(answer.status).to.equal(401);
    expect(answer.body.error).to.match(/in the future/);
  });

  it('accepts a timestamp inside the tolerance either way', async () => {
    const early = new Date(Date.now() - 4 * 60_000);
    expect(
      (await gw.post('billing', body(5), signed(SECRET, 'msg_early_5', body(5), early))).status,
    ).to.equal(200);
  });

  it('accepts several signatures when one of them is valid, in any position', async () => {
    const headers = signed(SECRET, 'msg_several_6', body(6));
    const wrong = signed(OTHER, 'msg_several_6', body(6))['webhook-signature'];
    headers['webhook-signature'] = `v2,AAAA ${wrong} ${headers['webhook-signature']}`;
    expect((await gw.post('billing', body(6), headers)).status).to.equal(200);
  });

  it('refuses several signatures when none is valid', async () => {
    const headers = signed(OTHER, 'msg_none_7', body(7));
    headers['webhook-signature'] =
      `${headers['webhook-signature']} v1,${Buffer.alloc(32).toString('base64')}`;
    expect((await gw.post('billing', body(7), headers)).status).to.equal(401);
  });

  it('refuses a v1 signature with junk after it, naming webhook-signature as malformed (found by an attack)', async () => {
    const headers = signed(SECRET, 'msg_junk_13', body(13));
    const good = headers['webhook-signature'];
    // Buffer.from(text, 'base64') skips what is not base64, so `<signature>!!` decoded to the signature.
    for (const bad of [`${good}!!`, `${good}AAAA`, `v1,@${good.slice(3)}`]) {
      const answer = await gw.post('billing', body(13), { ...headers, 'webhook-signature': bad });
      expect(answer.status, bad).to.equal(401);
      expect(answer.body.error, bad).to.match(/^webhook-signature holds no well-formed v1 signature/);
    }
  });

  it('answers a replayed webhook-id as a duplicate, even re-signed with a fresh timestamp', async () => {
    const first = await gw.post('billing', body(8), signed(SECRET, 'msg_replayed_8', body(8)));
    const later = new Date(Date.now() + 30_000);
    const again = await gw.post('billing', body(8), signed(SECRET, 'msg_replayed_8', body(8), later));
    expect(first.body).to.deep.equal({ id: first.body.id, duplicate: false });
    expect(again.status).to.equal(200);
    expect(again.body).to.deep.equal({ id: first.body.id, duplicate: true });
  });

  it('accepts a body signed with the previous secret during a rotation (secrets: [new, old])', async () => {
    expect((await gw.post('billing', body(9), signed(OLD_SECRET, 'msg_old_key_9', body(9)))).status).to.equal(
      200,
    );
  });

  it('reads a secret given without its whsec_ prefix as the same key, as the reference library does', async () => {
    const answer = await gw.post('unprefixed', body(12), signed(SECRET, 'msg_unprefixed_12', body(12)));
    expect(answer.status).to.equal(200);
  });

  it('refuses a request without the webhook headers with 401', async () => {
    const answer = await gw.post('billing', body(10), {});
    expect(answer.status).to.equal(401);
    expect(answer.body.error).to.match(/missing webhook-id/);
  });

  it('keeps an authentic body without a type as an unrecognized event, saying where it looked', async () => {
    const untyped = JSON.stringify({ data: { invoice: 'in_11' } });
    const answer = await gw.post('billing', untyped, signed(SECRET, 'msg_untyped_11', untyped));
    expect(answer.status).to.equal(200);
    const stored = await gw.service.store.getEvent({ id: answer.body.id as string });
    expect(stored?.event.type).to.equal('unrecognized');
    expect(JSON.stringify(stored?.event.problems)).to.contain('typeFrom is json:type');
  });
});
