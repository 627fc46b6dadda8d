import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import http from '../../plugins/http/index.ts';
import { tempDir } from '../helpers/tmp.ts';
import { attempt, decodeErrors, decodeOrThrow, testContext } from './context.ts';
import { behavesLikeAnHttpDestination, failureOf } from './contract.ts';
import { deliveryFailed, reply } from './events.ts';
import { type Receiver, startReceiver } from './server.ts';

const SIGNING_SECRET = `whsec_${Buffer.from('sixteen-byte-key-0123456789').toString('base64')}`;
const TOKEN = 'crm-token-s3cr3t-0123456789';

function createHttp(options: Record<string, unknown>, timeoutMs = 5000) {
  const { ctx, templateErrors } = testContext({ timeoutMs });
  const destination = http.create(decodeOrThrow(http.config, options), ctx);
  expect(templateErrors).to.deep.equal([]);
  return destination;
}

/** Verifies a Standard Webhooks signature the way a receiver's library does. */
function verify(received: { headers: Record<string, unknown>; body: string }, secret: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const id = received.headers['webhook-id'];
  const ts = received.headers['webhook-timestamp'];
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${received.body}`).digest('base64');
  const signatures = String(received.headers['webhook-signature']).split(' ');
  return signatures.includes(`v1,${expected}`);
}

describe('http destination', () => {
  behavesLikeAnHttpDestination({
    secret: TOKEN,
    success: { status: 204, body: '' },
    create: (baseUrl, ctx) =>
      http.create(
        decodeOrThrow(http.config, {
          url: `${baseUrl}/hooks/${TOKEN}`,
          headers: { Authorization: `Bearer ${TOKEN}` },
          signingSecret: SIGNING_SECRET,
        }),
        ctx,
      ),
  });

  describe('sending', () => {
    let server: Receiver;
    beforeEach(async () => {
      server = await startReceiver();
    });
    afterEach(() => server.close());

    it('posts the normalized event as JSON by default', async () => {
      const event = deliveryFailed();
      await createHttp({ url: `${server.url}/hooks` }).send(event, attempt());
      const [req] = server.received;
      expect(req.headers['content-type']).to.equal('application/json');
      expect(JSON.parse(req.body)).to.deep.equal(event);
    });

    it('fails permanently, sending nothing, when a templated header holds a character outside Latin-1', async () => {
      const dest = createHttp({ url: `${server.url}/hooks`, headers: { 'X-Sender': '{{ senderName }}' } });
      for (const name of ['Zoë 🚀 Pharmacy', 'Аптека']) {
        const event = { ...deliveryFailed(), senderName: name };
        const { failure } = await failureOf(dest.send(event, attempt()));
        expect(failure).to.include({ kind: 'permanent', reason: 'client_error' });
        expect(failure.message).to.contain('header X-Sender');
      }
      expect(server.received).to.have.length(0);
    });

    it('posts the payload as received when body is payload', async () => {
      const event = deliveryFailed();
      await createHttp({ url: server.url, body: 'payload' }).send(event, attempt());
      expect(JSON.parse(server.received[0].body)).to.deep.equal(event.payload);
    });

    it('signs with Standard Webhooks headers a receiver can verify, with the delivery id stable across attempts', async () => {
      const dest = createHttp({ url: server.url, signingSecret: SIGNING_SECRET });
      await dest.send(reply('hi'), attempt({ number: 1, deliveryId: 'dlv_A' }));
      await dest.send(reply('hi'), attempt({ number: 2, deliveryId: 'dlv_A' }));
      for (const req of server.received) {
        expect(verify(req, SIGNING_SECRET)).to.equal(true);
        expect(req.headers['webhook-id']).to.equal('dlv_A');
        expect(Number(req.headers['webhook-timestamp'])).to.be.closeTo(Date.now() / 1000, 300);
      }
    });

    it('uses a signing secret without the whsec_ prefix as its UTF-8 bytes', async () => {
      await createHttp({ url: server.url, signingSecret: 'plain-secret' }).send(reply('hi'), attempt());
      const [req] = server.received;
      const mac = createHmac('sha256', Buffer.from('plain-secret', 'utf8'))
        .update(`${req.headers['webhook-id']}.${req.headers['webhook-timestamp']}.${req.body}`)
        .digest('base64');
      expect(req.headers['webhook-signature']).to.equal(`v1,${mac}`);
    });

    it('sends a custom JSON body template as rendered, with quotes in values JSON-escaped', async () => {
      const body = '{"phone": "{{ phone }}", "said": "{{ text }}", "tier": "{{ tags.tier }}"}';
      await createHttp({ url: server.url, body }).send(reply('she said "hi" \\ bye'), attempt());
      expect(JSON.parse(server.received[0].body)).to.deep.equal({
        phone: '+15551234567',
        said: 'she said "hi" \\ bye',
        tier: 'vip',
      });
    });

    it('fails permanently, saying so, when the body template does not render JSON', async () => {
      const { failure } = await failureOf(
        createHttp({ url: server.url, body: '{"said": {{ text }}}' }).send(reply('hello'), attempt()),
      );
      expect(failure.kind).to.equal('permanent');
      expect(failure.message).to.contain('valid JSON');
      expect(server.received).to.have.length(0);
    });

    it('renders header templates and refuses a value with CR/LF as permanent', async () => {
      const dest = createHttp({
        url: server.url,
        headers: { 'X-Phone': '{{ phone }}', 'X-Text': '{{ text }}' },
      });
      await dest.send(reply('one line'), attempt());
      expect(server.received[0].headers['x-phone']).to.equal('+15551234567');
      const { failure } = await failureOf(dest.send(reply('two\r\nX-Injected: yes'), attempt()));
      expect(failure.kind).to.equal('permanent');
      expect(server.received).to.have.length(1);
    });

    it('does not follow a redirect and fails permanently, pointing at the final URL', async () => {
      server.answer((req) =>
        req.url === '/moved'
          ? { status: 302, headers: { location: `${server.url}/target` } }
          : { status: 200 },
      );
      const { failure } = await failureOf(
        createHttp({ url: `${server.url}/moved` }).send(reply('x'), attempt()),
      );
      expect(failure).to.include({ kind: 'permanent', statusCode: 302 });
      expect(failure.message).to.contain('configure the final URL');
      expect(server.received.map((r) => r.url)).to.deep.equal(['/moved']);
    });

    it('keeps a token in the URL out of errors when the receiver echoes only the token, in any form', async () => {
      const token = 'SECRETTOKEN123456';
      const query = 'QUERYSECRET98765';
      const hex = Buffer.from(token).toString('hex');
      const b64 = Buffer.from(token).toString('base64');
      server.answer(() => ({
        status: 500,
        body: `unknown token ${token}; path echoseg/rel/${token}; hex ${hex}; b64 ${b64}; tok ${token.toLowerCase()}; bad key ${query}; query key=${query}; word echoseg`,
      }));
      const { failure } = await failureOf(
        createHttp({ url: `${server.url}/echoseg/rel/${token}?key=${query}` }).send(reply('x'), attempt()),
      );
      const message = failure.message.toLowerCase();
      for (const secret of [token, query, hex, b64]) expect(message).not.to.contain(secret.toLowerCase());
      // Word-like segments stay readable on their own.
      expect(failure.message).to.contain('unknown token [redacted]').and.to.contain('word echoseg');
    });

    it('says in plain words when the receiver closes the connection or answers something that is not HTTP', async () => {
      const behaviours = {
        closed: (socket: Socket) => socket.on('data', () => socket.end()),
        garbage: (socket: Socket) => socket.on('data', () => socket.end('garbage\r\n\r\n')),
        reset: (socket: Socket) => socket.on('data', () => socket.resetAndDestroy()),
      };
      const messages: Record<string, string> = {};
      for (const [name, behave] of Object.entries(behaviours)) {
        const raw = createServer(behave);
        await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
        const { port } = raw.address() as AddressInfo;
        try {
          const { failure } = await failureOf(
            createHttp({ url: `http://127.0.0.1:${port}/hook` }).send(reply('x'), attempt()),
          );
          expect(failure).to.include({ kind: 'transient', reason: 'network' });
          messages[name] = failure.message;
        } finally {
          raw.close();
        }
      }
      expect(messages.closed).to.match(
        /could not reach http:\/\/127\.0\.0\.1:\d+: the connection closed before a whole answer/,
      );
      expect(messages.garbage).to.match(
        /^no usable answer from http:\/\/127\.0\.0\.1:\d+: the answer is not valid HTTP\/1\.1$/,
      );
      expect(messages.reset).to.match(/: ECONNRESET$/);
    });

    it('classifies an answer by its status before the timeout, however slowly its body trickles in', async () => {
      const trickle = createServer((socket: Socket) =>
        socket.once('data', (data) => {
          const status = data.toString('latin1').startsWith('POST /ok') ? '200 OK' : '500 Oops';
          socket.write(`HTTP/1.1 ${status}\r\ncontent-length: 1000000\r\n\r\nstart-of-error `);
          const timer = setInterval(() => socket.write('x'), 100);
          socket.on('close', () => clearInterval(timer));
          socket.on('error', () => clearInterval(timer));
        }),
      );
      await new Promise<void>((resolve) => trickle.listen(0, '127.0.0.1', resolve));
      const { port } = trickle.address() as AddressInfo;
      try {
        await createHttp({ url: `http://127.0.0.1:${port}/ok` }, 2000).send(reply('x'), attempt());
        const { failure } = await failureOf(
          createHttp({ url: `http://127.0.0.1:${port}/err` }, 2000).send(reply('x'), attempt()),
        );
        expect(failure).to.include({ kind: 'transient', statusCode: 500 });
        expect(failure.message).to.contain('answered 500: start-of-error');
      } finally {
        trickle.close();
      }
    });

    it('drops headers the HTTP client sets itself (Content-Length, Transfer-Encoding, Keep-Alive, Expect…)', async () => {
      const headers = {
        'Content-Length': '5',
        'Transfer-Encoding': 'chunked',
        'Keep-Alive': 'timeout=5',
        Connection: 'keep-alive',
        Expect: '100-continue',
        'X-Kept': 'yes',
      };
      const event = deliveryFailed();
      await createHttp({ url: `${server.url}/hooks`, headers }).send(event, attempt());
      const [req] = server.received;
      expect(req.headers['x-kept']).to.equal('yes');
      expect(req.headers.expect).to.equal(undefined);
      expect(req.headers['keep-alive']).to.equal(undefined);
      expect(JSON.parse(req.body)).to.deep.equal(event);
      expect(Number(req.headers['content-length'])).to.equal(Buffer.byteLength(req.body));
    });

    it('classifies an error answer with a huge body by its status, quoting only its start, then sends again', async () => {
      const huge = `{"error":"${'x'.repeat(2_000_000)}"}`;
      server.answer((req) => (req.url === '/big' ? { status: 500, body: huge } : { status: 200 }));
      const { failure } = await failureOf(
        createHttp({ url: `${server.url}/big` }).send(reply('x'), attempt()),
      );
      expect(failure).to.include({ kind: 'transient', statusCode: 500 });
      expect(failure.message.length).to.be.below(400);
      await createHttp({ url: `${server.url}/ok` }).send(reply('x'), attempt());
      expect(server.received.map((r) => r.url)).to.deep.equal(['/big', '/ok']);
    });

    it('quotes the start of the response body in the error', async () => {
      server.answer(() => ({ status: 422, body: '{"error":"phone is required"}' }));
      const { failure } = await failureOf(createHttp({ url: server.url }).send(reply('x'), attempt()));
      expect(failure.message).to.contain('422').and.to.contain('phone is required');
      expect(failure.reason).to.equal('client_error');
    });
  });

  describe('over HTTPS, with a certificate from a private CA (made by openssl for 127.0.0.1)', () => {
    const certs = tempDir('http-tls');
    const caFile = join(certs.dir, 'cert.pem');
    let url = '';
    let received = 0;
    let close = async () => {};
    before(async () => {
      execFileSync(
        'openssl',
        [
          ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=switchboard-test'],
          ...[
            '-addext',
            'subjectAltName=IP:127.0.0.1',
            '-keyout',
            join(certs.dir, 'key.pem'),
            '-out',
            caFile,
          ],
        ],
        { stdio: 'ignore' },
      );
      const server = createHttpsServer(
        { key: readFileSync(join(certs.dir, 'key.pem')), cert: readFileSync(caFile) },
        (req, res) => {
          received++;
          req.resume();
          res.writeHead(204).end();
        },
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
      close = () => new Promise<void>((resolve) => server.close(() => resolve()));
    });
    after(async () => {
      await close();
      certs.cleanup();
    });

    it('delivers when ca names the file of the CA that issued the certificate', async () => {
      const before = received;
      await createHttp({ url, ca: caFile }).send(reply('over tls'), attempt());
      expect(received - before).to.equal(1);
    });

    it('refuses an untrusted certificate, saying to give its CA as ca, and sends nothing', async () => {
      const before = received;
      const { failure } = await failureOf(createHttp({ url }).send(reply('x'), attempt()));
      expect(failure.message).to.match(/DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN/);
      expect(failure.message).to.include("give its PEM file as the destination's ca");
      expect(received).to.equal(before);
    });

    it('reports an unreadable ca file when the config loads, naming the file', () => {
      const missing = join(certs.dir, 'missing.pem');
      expect(() => createHttp({ url, ca: missing })).to.throw(`cannot read ca ${missing} (ENOENT)`);
    });
  });

  describe('options', () => {
    it('rejects a URL that is not http(s) without echoing it', () => {
      const result = http.config.decode({ url: 'ftp://secret-host/x' });
      expect(result._tag).to.equal('Left');
      if (result._tag === 'Left') {
        expect(decodeErrors(result.left).join()).to.contain('http').and.not.contain('secret-host');
      }
    });

    it('rejects a whsec_ signing secret whose key is not base64', () => {
      const result = http.config.decode({ url: 'https://example.com', signingSecret: 'whsec_not base64!' });
      expect(result._tag).to.equal('Left');
    });

    it('reads timeout as a duration', () => {
      expect(decodeOrThrow(http.config, { url: 'https://example.com', timeout: '2s' }).timeout).to.equal(
        2000,
      );
      expect(decodeOrThrow(http.config, { url: 'https://example.com', timeout: '1m30s' }).timeout).to.equal(
        90_000,
      );
    });

    it('refuses a bare number as a timeout, as every other duration in the config does', () => {
      const result = http.config.decode({ url: 'https://example.com', timeout: 10 });
      expect(result._tag).to.equal('Left');
      if (result._tag === 'Left') expect(decodeErrors(result.left).join()).to.contain('write 10s or 10ms');
    });

    it('reports a template that does not compile as a config error at its key', () => {
      const { ctx, templateErrors } = testContext();
      http.create(
        decodeOrThrow(http.config, { url: 'https://example.com', headers: { 'X-A': '{{ oops' } }),
        ctx,
      );
      expect(templateErrors).to.have.length(1);
      expect(templateErrors[0]).to.match(/^headers\.X-A: /);
    });
  });
});
