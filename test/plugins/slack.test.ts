import { expect } from 'chai';
import slack from '../../plugins/slack/index.ts';
import { attempt, decodeErrors, decodeOrThrow, testContext } from './context.ts';
import { behavesLikeAnHttpDestination, failureOf } from './contract.ts';
import { deliveryFailed, optIn, reply } from './events.ts';
import { type Received, type Receiver, startReceiver } from './server.ts';

const TOKEN = 'xoxb-1111-2222-s3cr3tT0k3nValue';
const HOOK_SECRET = 'hookS3cr3tPathPart0123';
const OK = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };

/** What WebClient posted: it sends form fields, with `blocks` as a JSON string. */
function apiCall(req: Received) {
  const form = new URLSearchParams(req.body);
  return {
    path: req.url,
    authorization: req.headers.authorization,
    channel: form.get('channel'),
    text: form.get('text') ?? '',
    username: form.get('username'),
    blocks: JSON.parse(form.get('blocks') ?? '[]') as Array<Record<string, unknown>>,
  };
}

function slackError(error: string, status = 200, headers: Record<string, string> = {}) {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ ok: false, error }),
  };
}

describe('slack destination', () => {
  describe('with a bot token', () => {
    behavesLikeAnHttpDestination({
      secret: TOKEN,
      success: OK,
      create: (baseUrl, ctx) =>
        slack.create(
          decodeOrThrow(slack.config, { token: TOKEN, channel: '#ops', apiUrl: `${baseUrl}/api/` }),
          ctx,
        ),
    });
  });

  describe('with an incoming webhook', () => {
    behavesLikeAnHttpDestination({
      secret: HOOK_SECRET,
      success: { status: 200, body: 'ok' },
      create: (baseUrl, ctx) =>
        slack.create(
          decodeOrThrow(slack.config, { webhookUrl: `${baseUrl}/services/T0/B0/${HOOK_SECRET}` }),
          ctx,
        ),
    });
  });

  describe('posting through the Web API', () => {
    let server: Receiver;
    beforeEach(async () => {
      server = await startReceiver();
      server.answer(() => OK);
    });
    afterEach(() => server.close());

    const destination = (options: Record<string, unknown> = {}) => {
      const { ctx, templateErrors } = testContext();
      const config = { token: TOKEN, channel: '#sms-ops', apiUrl: `${server.url}/api/`, ...options };
      const dest = slack.create(decodeOrThrow(slack.config, config), ctx);
      expect(templateErrors).to.deep.equal([]);
      return dest;
    };

    it('calls chat.postMessage with the bot token, the channel and a text fallback', async () => {
      await destination({ username: 'Switchboard' }).send(deliveryFailed(), attempt());
      const call = apiCall(server.received[0]);
      expect(call.path).to.equal('/api/chat.postMessage');
      expect(call.authorization).to.equal(`Bearer ${TOKEN}`);
      expect(call.channel).to.equal('#sms-ops');
      expect(call.username).to.equal('Switchboard');
      expect(call.text).to.equal('DELIVERY_FAILED for +15551234567');
    });

    it("says a 200 that is not Slack JSON came from something in Slack's place, not that Slack refused (found by an attack)", async () => {
      server.answer(() => ({
        status: 200,
        headers: { 'content-type': 'text/html' },
        body: '<html>captive portal</html>',
      }));
      const { failure, error } = await failureOf(destination().send(deliveryFailed(), attempt()));
      expect(failure.kind).to.equal('transient');
      expect(String(error)).to.match(
        /did not answer as the Slack API does \(a proxy, a captive portal, or a wrong apiUrl\?\)/,
      );
      expect(String(error)).not.to.include('Slack refused');
    });

    it('lays out a delivery status with a red badge, the phone, message id and tags', async () => {
      await destination().send(deliveryFailed(), attempt());
      const { blocks } = apiCall(server.received[0]);
      expect(blocks[0]).to.deep.equal({
        type: 'section',
        text: { type: 'mrkdwn', text: ':red_circle: *DELIVERY_FAILED* for +15551234567' },
      });
      const fields = (blocks[1].fields as Array<{ text: string }>).map((f) => f.text);
      expect(fields).to.include.members([
        '*Phone*\n+15551234567',
        '*Message ID*\n4242',
        '*Status code*\n10',
        '*Tags*\ncampaign=spring, tier=vip',
      ]);
      expect(blocks.at(-1)?.type).to.equal('context');
    });

    it('quotes a reply and escapes it so <!channel>, <@U123> and & arrive as text', async () => {
      await destination().send(reply('<!channel> & <@U123>\nsecond line'), attempt());
      const call = apiCall(server.received[0]);
      expect(call.text).to.equal(
        'Reply from +15551234567: &lt;!channel&gt; &amp; &lt;@U123&gt;\nsecond line',
      );
      expect(call.blocks[0]).to.deep.equal({
        type: 'section',
        text: { type: 'mrkdwn', text: ':speech_balloon: *Reply* from +15551234567' },
      });
      expect(call.blocks[1]).to.deep.equal({
        type: 'section',
        text: { type: 'mrkdwn', text: '>&lt;!channel&gt; &amp; &lt;@U123&gt;\n>second line' },
      });
      expect(server.received[0].body).not.to.contain(encodeURIComponent('<!channel>'));
    });

    it('lays out an opt-in with its type', async () => {
      await destination().send(optIn(), attempt());
      const call = apiCall(server.received[0]);
      expect(call.text).to.equal('+15551234567 opted in');
      expect(JSON.stringify(call.blocks)).to.contain('*Opt-in type*\\nkeyword');
    });

    it('renders a configured text template with Slack escaping of event values', async () => {
      await destination({ text: '*{{ type }}*: {{ text }}' }).send(reply('a <b> c'), attempt());
      expect(apiCall(server.received[0]).text).to.equal('*message-reply*: a &lt;b&gt; c');
    });

    const permanent = [
      'channel_not_found',
      'invalid_auth',
      'not_authed',
      'account_inactive',
      'token_revoked',
      'not_in_channel',
      'is_archived',
      'msg_too_long',
      'no_text',
    ];
    for (const error of permanent) {
      it(`fails permanently when Slack answers ok:false with ${error}`, async () => {
        server.answer(() => slackError(error));
        const { failure } = await failureOf(destination().send(reply('x'), attempt()));
        expect(failure.kind).to.equal('permanent');
        expect(failure.message).to.contain(error);
      });
    }

    it('fails transiently when Slack answers ok:false with internal_error', async () => {
      server.answer(() => slackError('internal_error'));
      const { failure } = await failureOf(destination().send(reply('x'), attempt()));
      expect(failure.kind).to.equal('transient');
    });

    it('turns ratelimited with 429 and Retry-After into a throttle of that many seconds, calling once', async () => {
      server.answer(() => slackError('ratelimited', 429, { 'retry-after': '30' }));
      const { failure } = await failureOf(destination().send(reply('x'), attempt()));
      expect(failure).to.include({ kind: 'throttled', retryAfterMs: 30_000, reason: 'rate_limited' });
      expect(server.received).to.have.length(1);
    });

    it('throttles for the default pause when a 429 carries an unreadable Retry-After, still calling once', async () => {
      for (const value of ['-1', 'soon']) {
        server.answer(() => slackError('ratelimited', 429, { 'retry-after': value }));
        const { failure } = await failureOf(destination().send(reply('x'), attempt()));
        expect(failure).to.include({ kind: 'throttled', retryAfterMs: undefined, reason: 'rate_limited' });
      }
      expect(server.received).to.have.length(2);
    });

    it('throttles until the HTTP date a 429 gives in Retry-After, or for its fractional seconds (found by an attack: read as none)', async () => {
      const at = new Date(Date.now() + 120_000).toUTCString();
      server.answer(() => slackError('ratelimited', 429, { 'retry-after': at }));
      const dated = await failureOf(destination().send(reply('x'), attempt()));
      expect(dated.failure).to.include({ kind: 'throttled', reason: 'rate_limited' });
      expect((dated.failure as { retryAfterMs?: number }).retryAfterMs).to.be.within(100_000, 120_000);
      expect(dated.failure.message).to.match(/^Slack rate-limited the call \(retry after 1[012]\d s\)$/);
      server.answer(() => slackError('ratelimited', 429, { 'retry-after': '2.5' }));
      const fractional = await failureOf(destination().send(reply('x'), attempt()));
      expect(fractional.failure).to.include({ kind: 'throttled', retryAfterMs: 2500 });
      expect(server.received).to.have.length(2);
    });

    it('fails permanently, pointing at apiUrl, when the API URL redirects (found by an attack: retried as unreachable)', async () => {
      server.answer(() => ({
        status: 301,
        headers: { location: 'https://slack.example.com/api/' },
        body: '',
      }));
      const { failure } = await failureOf(destination().send(reply('x'), attempt()));
      expect(failure).to.include({ kind: 'permanent', statusCode: 301 });
      expect(failure.message).to.match(
        /redirects \(301\); redirects are not followed, so configure the final URL/,
      );
      expect(server.received).to.have.length(1);
    });

    it('makes one call per send even when Slack fails with 500 (the queue retries, not the client)', async () => {
      server.answer(() => ({ status: 500, body: 'oops' }));
      await failureOf(destination().send(reply('x'), attempt()));
      expect(server.received).to.have.length(1);
    });
  });

  describe('posting to an incoming webhook', () => {
    let server: Receiver;
    beforeEach(async () => {
      server = await startReceiver();
    });
    afterEach(() => server.close());

    it('posts JSON with text, blocks, username and icon', async () => {
      const options = { webhookUrl: `${server.url}/services/T0/B0/X`, username: 'SB', iconEmoji: ':phone:' };
      const { ctx } = testContext();
      await slack.create(decodeOrThrow(slack.config, options), ctx).send(reply('<!here>'), attempt());
      const body = JSON.parse(server.received[0].body);
      expect(server.received[0].url).to.equal('/services/T0/B0/X');
      expect(body.text).to.equal('Reply from +15551234567: &lt;!here&gt;');
      expect(body.blocks[1].text.text).to.equal('>&lt;!here&gt;');
      expect(body).to.include({ username: 'SB', icon_emoji: ':phone:' });
    });
  });

  describe('options', () => {
    const problems = (options: unknown) => {
      const result = slack.config.decode(options);
      return result._tag === 'Left' ? decodeErrors(result.left) : [];
    };

    it('accepts token and channel, or webhookUrl', () => {
      expect(problems({ token: 'x', channel: '#c' })).to.deep.equal([]);
      expect(problems({ webhookUrl: 'https://hooks.slack.com/services/T/B/X' })).to.deep.equal([]);
    });

    it('refuses both ways of posting at once, in plain words', () => {
      const found = problems({
        token: 'x',
        channel: '#c',
        webhookUrl: 'https://hooks.slack.com/services/T/B/X',
      });
      expect(found.join()).to.contain('not both');
    });

    it('refuses neither way of posting', () => {
      expect(problems({ text: 'hi' }).join()).to.contain('needs either token and channel, or webhookUrl');
    });

    it('refuses a token without a channel', () => {
      expect(problems({ token: 'x' }).join()).to.contain('needs a channel');
    });

    it('does no I/O in create (an unreachable API URL is fine until a send)', () => {
      const { ctx } = testContext();
      slack.create(
        decodeOrThrow(slack.config, { token: 'x', channel: '#c', apiUrl: 'http://127.0.0.1:1/' }),
        ctx,
      );
    });
  });
});
