import { expect } from 'chai';
import fc from 'fast-check';
import slack from '../../plugins/slack/index.ts';
import { SLACK_LIMITS } from '../../plugins/slack/limits.ts';
import type { Destination } from '../../src/destinations/api.ts';
import type { GatewayEvent } from '../../src/event.ts';
import { truncate } from '../../src/templates/fit.ts';
import { type SlackStandIn, slackRefusal, startSlackStandIn } from '../helpers/slack-standin.ts';
import { attempt, decodeOrThrow, testContext } from './context.ts';
import { failureOf } from './contract.ts';
import { deliveryFailed, reply } from './events.ts';

const TOKEN = 'xoxb-1111-2222-f1tT0k3nValue';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text made of the pieces that break naive cutting, repeated up to well past every Slack limit. */
const awkwardText = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          '👨‍👩‍👧‍👦',
          '🇫🇷',
          '👍🏽',
          'e\u0301',
          'é',
          '<',
          '>',
          '&',
          '&amp;',
          '<!channel>',
          '\n',
          'a',
          ' ',
          '😀',
        ),
        fc.string({ unit: 'grapheme', maxLength: 4 }),
      ),
      fc.integer({ min: 1, max: 400 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.map(([piece, n]) => piece.repeat(n)).join(''));

describe('slack messages always fit', function () {
  this.timeout(60_000);
  let standIn: SlackStandIn;
  before(async () => {
    standIn = await startSlackStandIn({ perSecond: 1_000_000 });
  });
  after(() => standIn.close());

  const destination = (
    options: Record<string, unknown> = {},
    mode: 'api' | 'webhook' = 'api',
  ): Destination => {
    const { ctx, templateErrors } = testContext();
    const base =
      mode === 'api'
        ? { token: TOKEN, channel: '#sms-ops', apiUrl: `${standIn.url}/api/` }
        : { webhookUrl: `${standIn.url}/services/T0/B0/fitS3cr3t` };
    const dest = slack.create(decodeOrThrow(slack.config, { ...base, ...options }), ctx);
    expect(templateErrors).to.deep.equal([]);
    return dest;
  };

  it('sends well-formed bodies within every limit for any text, sender, tags and template (property)', async () => {
    const api = destination();
    const templated = destination({ text: '{{ senderName }}: {{ text }} {{ text }}' }, 'webhook');
    await fc.assert(
      fc.asyncProperty(awkwardText, awkwardText, awkwardText, async (text, sender, tag) => {
        const event = reply(text, { senderName: sender, tags: { note: tag } });
        const before = standIn.calls.length;
        await api.send(event, attempt());
        await templated.send(event, attempt());
        for (const call of standIn.calls.slice(before)) {
          expect(call.answered, JSON.stringify(call).slice(0, 300)).to.equal(200);
          expect(call.text.length).to.be.at.most(SLACK_LIMITS.text);
          expect(LONE_SURROGATE.test(JSON.stringify(call.blocks))).to.equal(false);
          expect(slackRefusal(call.text, call.blocks)).to.equal(undefined);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('sends a digest of 40 long replies as one message within the limits, summarizing the rest', async () => {
    const events = Array.from({ length: 40 }, (_, i) => reply(`${i} ${'long reply & <more> '.repeat(40)}`));
    await destination().sendDigest!(events, attempt());
    const call = standIn.calls.at(-1)!;
    expect(call.answered).to.equal(200);
    expect(call.blocks.length).to.be.at.most(SLACK_LIMITS.blocks);
    const all = JSON.stringify(call.blocks);
    expect(all).to.match(/…and \d+ more/);
    expect(all).to.contain('*40 events*');
  });

  it('cuts on whole characters and never inside an escape', () => {
    expect(truncate('ab👨‍👩‍👧‍👦cd', 5)).to.equal('ab…');
    expect(truncate('ab&amp;cd', 6)).to.equal('ab…');
    expect(truncate('ab&amp;cd', 8)).to.equal('ab&amp;…');
    expect(truncate('hi <@U123|ada> there', 12)).to.equal('hi …');
    expect(truncate('e\u0301e\u0301e\u0301', 4)).to.equal('e\u0301…');
    expect(truncate('short', 5)).to.equal('short');
  });

  it('shows the carrier and the error message in the default layout of a failed delivery', async () => {
    const event = deliveryFailed({
      payload: { carrier: 'Verizon Wireless', errorMessage: 'Handset <unreachable>' },
    });
    await destination().send(event, attempt());
    const blocks = JSON.stringify(standIn.calls.at(-1)!.blocks);
    expect(blocks).to.contain('*Carrier*\\nVerizon Wireless');
    expect(blocks).to.contain('*Error:* Handset &lt;unreachable&gt;');
    expect(blocks).to.contain(':red_circle: *DELIVERY_FAILED* for +15551234567');
  });

  it('uses a configured text template as the headline people see', async () => {
    await destination({ text: ':rotating_light: {{ status.name }} on {{ phone }}' }).send(
      deliveryFailed(),
      attempt(),
    );
    const call = standIn.calls.at(-1)!;
    expect((call.blocks[0] as { text: { text: string } }).text.text).to.equal(
      ':rotating_light: DELIVERY_FAILED on +15551234567',
    );
  });

  it('posts a blocks template, with event values escaped for mrkdwn inside JSON', async () => {
    const blocks = '[{"type":"section","text":{"type":"mrkdwn","text":"*{{ phone }}* said {{ text }}"}}]';
    await destination({ blocks }).send(reply('"quoted" <!channel> & 🎉'), attempt());
    const call = standIn.calls.at(-1)!;
    expect(call.answered).to.equal(200);
    expect(call.blocks).to.deep.equal([
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '*+15551234567* said "quoted" &lt;!channel&gt; &amp; 🎉' },
      },
    ]);
  });

  it('fails permanently when the blocks template does not render a list of blocks', async () => {
    const { failure } = await failureOf(
      destination({ blocks: '{"type": "section"}' }).send(reply('x'), attempt()),
    );
    expect(failure).to.include({ kind: 'permanent' });
    expect(failure.message).to.contain('JSON array of blocks');
  });

  it('fails permanently on the errors that mean the message can never be accepted', async () => {
    const { startReceiver } = await import('./server.ts');
    const server = await startReceiver();
    try {
      for (const error of [
        'msg_blocks_too_long',
        'invalid_blocks',
        'invalid_blocks_format',
        'msg_too_long',
      ]) {
        server.answer(() => ({
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ok: false, error }),
        }));
        const { ctx } = testContext();
        const dest = slack.create(
          decodeOrThrow(slack.config, { token: TOKEN, channel: '#c', apiUrl: `${server.url}/api/` }),
          ctx,
        );
        const { failure } = await failureOf(dest.send(reply('x'), attempt()));
        expect(failure, error).to.include({ kind: 'permanent' });
      }
    } finally {
      await server.close();
    }
  });

  it('keeps a message that is already within the limits exactly as laid out', async () => {
    const event: GatewayEvent = reply('hello');
    await destination().send(event, attempt());
    const call = standIn.calls.at(-1)!;
    expect(JSON.stringify(call.blocks)).not.to.contain('left out');
    expect(call.text).to.equal('Reply from +15551234567: hello');
  });
});
