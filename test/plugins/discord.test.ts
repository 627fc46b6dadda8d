import { expect } from 'chai';
import discord from '../../plugins/discord/index.ts';
import { attempt, decodeOrThrow, testContext } from './context.ts';
import { behavesLikeAnHttpDestination, failureOf } from './contract.ts';
import { deliveryFailed, reply } from './events.ts';
import { type Receiver, startReceiver } from './server.ts';

const WEBHOOK_TOKEN = 'dIsCoRdWeBhOoKt0k3n-0123456789';

describe('discord destination (the sample plugin)', () => {
  behavesLikeAnHttpDestination({
    secret: WEBHOOK_TOKEN,
    success: { status: 204, body: '' },
    create: (baseUrl, ctx) =>
      discord.create(
        decodeOrThrow(discord.config, { webhookUrl: `${baseUrl}/api/webhooks/1/${WEBHOOK_TOKEN}` }),
        ctx,
      ),
  });

  describe('posting', () => {
    let server: Receiver;
    beforeEach(async () => {
      server = await startReceiver();
    });
    afterEach(() => server.close());

    const destination = (options: Record<string, unknown> = {}) =>
      discord.create(
        decodeOrThrow(discord.config, { webhookUrl: `${server.url}/api/webhooks/1/abc`, ...options }),
        testContext().ctx,
      );

    it('posts the default content with mentions disabled', async () => {
      await destination({ username: 'SMS' }).send(reply('@everyone look'), attempt());
      expect(JSON.parse(server.received[0].body)).to.deep.equal({
        content: '**message-reply** from +15551234567: @everyone look',
        username: 'SMS',
        allowed_mentions: { parse: [] },
      });
    });

    it('falls back to the status name when the event has no text', async () => {
      await destination().send(deliveryFailed(), attempt());
      expect(JSON.parse(server.received[0].body).content).to.equal(
        '**delivery-status** from +15551234567: DELIVERY_FAILED',
      );
    });

    it('renders a configured content template', async () => {
      await destination({ content: '{{ phone }} said {{ text }}' }).send(reply('hi'), attempt());
      expect(JSON.parse(server.received[0].body).content).to.equal('+15551234567 said hi');
    });

    it('posts a digest as one message, one line per event, oldest first', async () => {
      await destination({ content: '{{ phone }}: {{ text }}' }).sendDigest!(
        [reply('first'), reply('second'), reply('third')],
        attempt(),
      );
      expect(server.received).to.have.length(1);
      expect(JSON.parse(server.received[0].body).content).to.equal(
        '+15551234567: first\n+15551234567: second\n+15551234567: third',
      );
    });

    it("cuts a long digest to Discord's 2,000 characters with a count of the events left out", async () => {
      const events = Array.from({ length: 100 }, (_, i) => reply(`message ${i} ${'x'.repeat(60)}`));
      await destination({ content: '{{ text }}' }).sendDigest!(events, attempt());
      const content: string = JSON.parse(server.received[0].body).content;
      expect(content.length).to.be.at.most(2000);
      const lines = content.split('\n');
      const shown = lines.length - 1;
      expect(lines[0]).to.equal(events[0].text);
      expect(lines[shown - 1]).to.equal(events[shown - 1].text); // whole lines only
      expect(lines[shown]).to.equal(`… and ${100 - shown} more`);
    });

    it('shortens a single event longer than the limit instead of failing the digest', async () => {
      await destination({ content: '{{ text }}' }).sendDigest!([reply('y'.repeat(5000))], attempt());
      const content: string = JSON.parse(server.received[0].body).content;
      expect(content.length).to.be.at.most(2000);
      expect(content.endsWith('…')).to.equal(true);
    });

    it("honours retry_after (seconds) from a 429's JSON body", async () => {
      server.answer(() => ({
        status: 429,
        headers: { 'content-type': 'application/json' },
        body: '{"message":"You are being rate limited.","retry_after":1.5,"global":false}',
      }));
      const { failure } = await failureOf(destination().send(reply('x'), attempt()));
      expect(failure).to.include({ kind: 'throttled', retryAfterMs: 1500 });
    });
  });
});
