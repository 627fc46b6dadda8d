import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import email from '../../plugins/email/index.ts';
import type { Destination } from '../../src/destinations/api.ts';
import { tempDir } from '../helpers/tmp.ts';
import { attempt, decodeErrors, decodeOrThrow, testContext } from './context.ts';
import { behavesLikeADestination, failureOf, type Refusal } from './contract.ts';
import { deliveryFailed, reply } from './events.ts';
import { refusedPort } from './server.ts';

/** A message as the SMTP server received it. */
interface Mail {
  /** Whether the session was encrypted (implicit TLS or STARTTLS) when the message arrived. */
  secure: boolean;
  /** Who the session logged in as (what onAuth answered), or undefined when it did not log in. */
  user: unknown;
  from: string | undefined;
  to: string[];
  raw: string;
  header(name: string): string | undefined;
}

/** A plain (no TLS) SMTP server on 127.0.0.1 that keeps every message it accepts. */
async function startSmtp(options: Partial<SMTPServerOptions> = {}) {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const head = raw.split('\r\n\r\n')[0].replace(/\r\n[ \t]+/g, ' ');
        mails.push({
          secure: session.secure,
          user: session.user,
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          header: (name) =>
            head
              .split('\r\n')
              .find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
              ?.slice(name.length + 1)
              .trim(),
        });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('email destination', () => {
  const PASSWORD = 'smtp-pa55word-0123456789';
  behavesLikeADestination({
    secret: PASSWORD,
    refusals: ['permanent', 'transient', 'hang'],
    async start() {
      let refusal: Refusal | undefined;
      let accepted = 0;
      const server = new SMTPServer({
        secure: false,
        disabledCommands: ['STARTTLS'],
        authOptional: true,
        allowInsecureAuth: true,
        logger: false,
        closeTimeout: 100,
        onAuth: (_auth, _session, callback) => callback(null, { user: 'gw' }),
        onRcptTo(_address, _session, callback) {
          if (refusal === 'permanent')
            return callback(Object.assign(new Error('no such user'), { responseCode: 550 }));
          if (refusal === 'transient')
            return callback(Object.assign(new Error('try later'), { responseCode: 451 }));
          callback();
        },
        onData(stream, _session, callback) {
          stream.resume();
          stream.on('end', () => {
            if (refusal === 'hang') return; // never answers the data
            accepted++;
            callback();
          });
        },
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.server.address() as AddressInfo;
      return {
        create: (ctx) =>
          email.create(
            decodeOrThrow(email.config, {
              smtp: { host: '127.0.0.1', port, auth: { user: 'gw', pass: PASSWORD } },
              from: 'gw@example.com',
              to: 'ops@example.com',
            }),
            ctx,
          ),
        accepted: () => accepted,
        refuse: (kind) => {
          refusal = kind;
        },
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
      };
    },
    unreachable: async (ctx) =>
      email.create(
        decodeOrThrow(email.config, {
          smtp: { host: '127.0.0.1', port: await refusedPort(), auth: { user: 'gw', pass: PASSWORD } },
          from: 'gw@example.com',
          to: 'ops@example.com',
        }),
        ctx,
      ),
  });

  // Closed in reverse order after each test: destinations (their pools) before the servers they talk to.
  let toClose: Array<() => Promise<void>>;
  beforeEach(() => {
    toClose = [];
  });
  afterEach(async () => {
    for (const close of toClose.reverse()) await close();
  });

  const smtpServer = async (options: Partial<SMTPServerOptions> = {}) => {
    const smtp = await startSmtp(options);
    toClose.push(smtp.close);
    return smtp;
  };

  const destination = (port: number, options: Record<string, unknown>, timeoutMs = 5000): Destination => {
    const { ctx, templateErrors } = testContext({ timeoutMs });
    const config = {
      smtp: { host: '127.0.0.1', port },
      from: 'Gateway <gw@example.com>',
      to: 'ops@example.com',
    };
    const dest = email.create(decodeOrThrow(email.config, { ...config, ...options }), ctx);
    expect(templateErrors).to.deep.equal([]);
    toClose.push(async () => dest.close?.());
    return dest;
  };

  describe('with a working server', () => {
    it('delivers From, To, Cc and Subject headers with text and HTML bodies, HTML-escaped', async () => {
      const smtp = await smtpServer();
      const dest = destination(smtp.port, {
        to: ['support@example.com', 'ops@example.com'],
        cc: 'lead@example.com',
        subject: 'Reply from {{ phone }}',
        text: 'They said: {{ text }}',
        html: '<p>They said: <b>{{ text }}</b></p>',
      });
      await dest.send(reply('<script>x</script> & co'), attempt());
      const [mail] = smtp.mails;
      expect(mail.from).to.equal('gw@example.com');
      expect(mail.to).to.have.members(['support@example.com', 'ops@example.com', 'lead@example.com']);
      expect(mail.header('From')).to.equal('Gateway <gw@example.com>');
      expect(mail.header('To')).to.equal('support@example.com, ops@example.com');
      expect(mail.header('Cc')).to.equal('lead@example.com');
      expect(mail.header('Subject')).to.equal('Reply from +15551234567');
      expect(mail.raw).to.contain('text/plain').and.contain('They said: <script>x</script> & co');
      expect(mail.raw).to.contain('text/html');
      expect(mail.raw).to.contain('<p>They said: <b>&lt;script&gt;x&lt;/script&gt; &amp; co</b></p>');
    });

    it('uses a subject and text per event type when none are configured', async () => {
      const smtp = await smtpServer();
      await destination(smtp.port, {}).send(deliveryFailed(), attempt());
      const [mail] = smtp.mails;
      expect(mail.header('Subject')).to.equal('DELIVERY_FAILED for +15551234567');
      expect(mail.raw).to.contain('Status: DELIVERY_FAILED (10)');
    });

    it('sends several messages over its pooled connection', async () => {
      const smtp = await smtpServer();
      const dest = destination(smtp.port, {});
      await dest.send(reply('one'), attempt());
      await dest.send(reply('two'), attempt());
      expect(smtp.mails).to.have.length(2);
    });

    it('refuses a subject whose rendered value contains CR/LF, permanently and before sending', async () => {
      const smtp = await smtpServer();
      const dest = destination(smtp.port, { subject: 'Re: {{ text }}' });
      const { failure } = await failureOf(dest.send(reply('hi\r\nBcc: victim@example.com'), attempt()));
      expect(failure.kind).to.equal('permanent');
      expect(smtp.mails).to.have.length(0);
    });

    it('refuses a display name with CR/LF from the event, permanently and before sending', async () => {
      const smtp = await smtpServer();
      const dest = destination(smtp.port, { to: { name: '{{ tags.who }}', address: 'ops@example.com' } });
      const event = reply('x', { tags: { who: 'Ops\nBcc: b@example.com' } });
      const { failure } = await failureOf(dest.send(event, attempt()));
      expect(failure.kind).to.equal('permanent');
      expect(smtp.mails).to.have.length(0);
    });
  });

  describe('when the server refuses', () => {
    it('fails permanently on an authentication failure and says to check smtp.auth, hiding the password', async () => {
      const smtp = await smtpServer({
        authOptional: false,
        onAuth: (auth, _session, callback) =>
          auth.username === 'gw' && auth.password === 'right'
            ? callback(null, { user: 'gw' })
            : callback(new Error('Invalid username or password')),
      });
      const auth = { user: 'gw', pass: 'wr0ng-Passw0rd' };
      const dest = destination(smtp.port, { smtp: { host: '127.0.0.1', port: smtp.port, auth } });
      const { failure, error } = await failureOf(dest.send(reply('x'), attempt()));
      expect(failure).to.include({ kind: 'permanent', reason: 'auth' });
      expect(failure.message).to.contain('smtp.auth');
      expect(String(error)).not.to.contain('wr0ng-Passw0rd');
    });

    it('fails permanently when the server rejects the recipient with 5xx', async () => {
      const smtp = await smtpServer({
        onRcptTo: (_address, _session, callback) =>
          callback(Object.assign(new Error('No such user'), { responseCode: 550 })),
      });
      const { failure } = await failureOf(destination(smtp.port, {}).send(reply('x'), attempt()));
      expect(failure).to.include({ kind: 'permanent', statusCode: 550 });
    });

    it('fails transiently when the server defers the recipient with 4xx', async () => {
      const smtp = await smtpServer({
        onRcptTo: (_address, _session, callback) =>
          callback(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 450 })),
      });
      const { failure } = await failureOf(destination(smtp.port, {}).send(reply('x'), attempt()));
      expect(failure).to.include({ kind: 'transient', statusCode: 450 });
    });

    it('retries when the server defers one recipient of several, naming it, instead of calling it delivered (found by an attack)', async () => {
      const smtp = await smtpServer({
        onRcptTo: (address, _session, callback) =>
          address.address === 'ops@example.com'
            ? callback(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 450 }))
            : callback(),
      });
      const dest = destination(smtp.port, { to: ['support@example.com', 'ops@example.com'] });
      const { failure } = await failureOf(dest.send(reply('x'), attempt()));
      expect(failure).to.include({ kind: 'transient', statusCode: 450 });
      expect(failure.message).to.equal(
        `SMTP server 127.0.0.1:${smtp.port} deferred recipient(s) ops@example.com (450 Mailbox busy, try later); it took the message for support@example.com (they get it again with the retry)`,
      );
      expect(smtp.mails.map((m) => m.to)).to.deep.equal([['support@example.com']]);
    });

    it('fails permanently, naming them, when the server refuses some recipients for good and takes the message for the others', async () => {
      const smtp = await smtpServer({
        onRcptTo: (address, _session, callback) =>
          address.address === 'gone@example.com'
            ? callback(Object.assign(new Error('No such user'), { responseCode: 550 }))
            : callback(),
      });
      const dest = destination(smtp.port, { to: ['support@example.com'], cc: 'gone@example.com' });
      const { failure } = await failureOf(dest.send(reply('x'), attempt()));
      expect(failure).to.include({ kind: 'permanent', statusCode: 550 });
      expect(failure.message).to.match(
        /refused recipient\(s\) gone@example\.com \(550 No such user\).*check to and cc/,
      );
    });

    it('says STARTTLS is missing, not that the message was rejected, when requireTLS meets a server without it', async () => {
      const smtp = await smtpServer();
      const dest = destination(smtp.port, { smtp: { host: '127.0.0.1', port: smtp.port, requireTLS: true } });
      const { failure } = await failureOf(dest.send(reply('x'), attempt()));
      expect(failure.kind).to.equal('permanent');
      expect(failure.message).to.match(
        /^SMTP server 127\.0\.0\.1:\d+ did not accept STARTTLS, which smtp\.requireTLS demands: 500 .*smtp\.secure: true/,
      );
      expect(smtp.mails).to.have.length(0);
    });

    it('says the server refused the connection when it greets with 554', async () => {
      const { createServer } = await import('node:net');
      const sockets: Array<import('node:net').Socket> = [];
      const closed = createServer((socket) => {
        sockets.push(socket);
        socket.on('error', () => {});
        socket.end('554 mail.example.com no SMTP service here\r\n');
      });
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      toClose.push(
        () =>
          new Promise<void>((resolve) => {
            for (const s of sockets) s.destroy();
            closed.close(() => resolve());
          }),
      );
      const port = (closed.address() as { port: number }).port;
      const { failure } = await failureOf(destination(port, {}).send(reply('x'), attempt()));
      expect(failure).to.include({ kind: 'permanent', statusCode: 554 });
      expect(failure.message).to.equal(
        `SMTP server 127.0.0.1:${port} refused the connection: 554 mail.example.com no SMTP service here`,
      );
    });

    it('fails transiently when the connection is refused, naming host:port to check', async () => {
      const port = await refusedPort();
      const { failure } = await failureOf(destination(port, {}).send(reply('x'), attempt()));
      expect(failure).to.include({ kind: 'transient', reason: 'network' });
      expect(failure.message).to.contain(`127.0.0.1:${port}`);
      expect(failure.message).to.contain('check smtp.host and smtp.port');
    });

    it('fails transiently when a server greets and then closes, without blaming host and port (found by an attack)', async () => {
      const { createServer } = await import('node:net');
      const sockets: Array<import('node:net').Socket> = [];
      const rude = createServer((socket) => {
        sockets.push(socket);
        socket.end('220 mail.example.com ESMTP\r\n');
      });
      await new Promise<void>((resolve) => rude.listen(0, '127.0.0.1', resolve));
      toClose.push(
        () =>
          new Promise<void>((resolve) => {
            for (const s of sockets) s.destroy();
            rude.close(() => resolve());
          }),
      );
      const port = (rude.address() as { port: number }).port;
      const { failure } = await failureOf(destination(port, {}).send(reply('x'), attempt()));
      expect(failure).to.include({ kind: 'transient', reason: 'network' });
      expect(failure.message).to.match(
        new RegExp(`^the connection to SMTP server 127\\.0\\.0\\.1:${port} failed \\(ECONNECTION: .+\\)$`),
      );
      expect(failure.message).not.to.contain('check smtp.host');
    });
  });

  describe('with smtp.auth set', () => {
    const auth = { user: 'gw', pass: PASSWORD };
    // The password as nodemailer sends it in AUTH PLAIN (base64 of NUL, user, NUL, password) and in AUTH LOGIN.
    const plain = Buffer.from(`\0${auth.user}\0${auth.pass}`).toString('base64');
    const login = Buffer.from(auth.pass).toString('base64');

    /**
     * A raw SMTP server that records every line it receives and takes any mail. Its EHLO answer lists
     * `capabilities`, or it refuses EHLO (nodemailer then says HELO) when they are 'no EHLO'. It answers any other
     * command 502, echoing it.
     */
    const recordingServer = async (capabilities: readonly string[] | 'no EHLO') => {
      const lines: string[] = [];
      const sockets: Socket[] = [];
      const server = createServer((socket) => {
        sockets.push(socket);
        socket.on('error', () => {});
        socket.write('220 relay.example.com ESMTP\r\n');
        let buffered = '';
        let inData = false;
        socket.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('latin1');
          for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
            const line = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            lines.push(line);
            if (inData) {
              if (line === '.') {
                inData = false;
                socket.write('250 2.0.0 queued\r\n');
              }
            } else if (/^EHLO /i.test(line)) {
              socket.write(
                capabilities === 'no EHLO'
                  ? '500 5.5.1 command not recognized\r\n'
                  : ['relay.example.com', ...capabilities]
                      .map((c, i, all) => `250${i < all.length - 1 ? '-' : ' '}${c}\r\n`)
                      .join(''),
              );
            } else if (/^(HELO|MAIL FROM:|RCPT TO:|RSET)/i.test(line)) socket.write('250 2.0.0 ok\r\n');
            else if (/^DATA$/i.test(line)) {
              inData = true;
              socket.write('354 go ahead\r\n');
            } else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
            else socket.write(`502 5.5.2 not implemented: ${line}\r\n`);
          }
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      toClose.push(
        () =>
          new Promise<void>((resolve) => {
            for (const s of sockets) s.destroy();
            server.close(() => resolve());
          }),
      );
      return { port: (server.address() as AddressInfo).port, lines };
    };

    for (const method of ['PLAIN', 'LOGIN']) {
      it(`logs in with AUTH ${method} and delivers when that is what the server offers`, async () => {
        const methods: string[] = [];
        const smtp = await smtpServer({
          authOptional: false,
          authMethods: [method],
          onAuth: (login, _session, callback) => {
            methods.push(login.method);
            return login.username === auth.user && login.password === auth.pass
              ? callback(null, { user: login.username })
              : callback(new Error('Invalid username or password'));
          },
        });
        await destination(smtp.port, { smtp: { host: '127.0.0.1', port: smtp.port, auth } }).send(
          reply('x'),
          attempt(),
        );
        expect(methods).to.deep.equal([method]);
        expect(smtp.mails.map((m) => m.user)).to.deep.equal(['gw']);
      });
    }

    it('sends no AUTH command and no mail, permanently, to an smtp-server without AUTH, saying what to check and hiding the password', async () => {
      // A relay that takes mail from anyone and does not advertise AUTH (nor understand it). smtp-server logs
      // each command's name at debug level before it looks at it, disabled ones included.
      const commands: unknown[] = [];
      const logger = {
        info: () => {},
        debug: (entry: { tnx?: string; command?: string }) => {
          if (entry.tnx === 'command') commands.push(entry.command);
        },
      };
      const smtp = await smtpServer({ disabledCommands: ['STARTTLS', 'AUTH'], logger });
      const dest = destination(smtp.port, { smtp: { host: '127.0.0.1', port: smtp.port, auth } });
      const { failure, error } = await failureOf(dest.send(reply('x'), attempt()));
      expect(commands).to.include('EHLO').and.not.include('AUTH');
      expect(smtp.mails).to.have.length(0);
      expect(failure).to.include({ kind: 'permanent', reason: 'auth' });
      expect(failure.message).to.equal(
        `SMTP server 127.0.0.1:${smtp.port} does not offer AUTH (PLAIN, LOGIN or CRAM-MD5) in its answer to EHLO, but smtp.auth is set: the credentials were not sent; check smtp.port, smtp.secure and smtp.requireTLS (many servers offer AUTH only on their submission port, 587 or 465, or only after STARTTLS), or remove smtp.auth if the server takes mail without a login`,
      );
      for (const text of [String(error), failure.message, JSON.stringify(error)]) {
        expect(text).not.to.contain(PASSWORD);
        expect(text).not.to.contain(plain);
      }
    });

    for (const [server, capabilities] of [
      ['that lists no AUTH in its EHLO answer', ['8BITMIME', 'PIPELINING']],
      ['whose AUTH lists only mechanisms Switchboard cannot run', ['8BITMIME', 'AUTH GSSAPI XOAUTH2']],
      ['that refuses EHLO, so advertises nothing (nodemailer falls back to HELO)', 'no EHLO'],
    ] as const) {
      it(`sends no AUTH command, no credentials and no mail to a server ${server}, failing permanently`, async () => {
        const smtp = await recordingServer(capabilities);
        const dest = destination(smtp.port, { smtp: { host: '127.0.0.1', port: smtp.port, auth } });
        const { failure } = await failureOf(dest.send(reply('x'), attempt()));
        expect(smtp.lines.filter((line) => /^AUTH\b/i.test(line))).to.deep.equal([]);
        for (const secret of [PASSWORD, plain, login]) expect(smtp.lines.join('\n')).not.to.contain(secret);
        expect(smtp.lines.filter((line) => /^(MAIL|RCPT|DATA)\b/i.test(line))).to.deep.equal([]);
        expect(failure).to.include({ kind: 'permanent', reason: 'auth' });
        expect(failure.message).to.match(
          /does not offer AUTH .*the credentials were not sent; check smtp\.port/,
        );
      });
    }

    it('hides the password when a server that offers AUTH PLAIN answers it 502, echoing the line', async () => {
      const smtp = await recordingServer(['AUTH PLAIN']);
      const dest = destination(smtp.port, { smtp: { host: '127.0.0.1', port: smtp.port, auth } });
      const { failure, error } = await failureOf(dest.send(reply('x'), attempt()));
      expect(failure).to.include({ kind: 'permanent', reason: 'auth', statusCode: 502 });
      expect(failure.message).to.match(
        /does not offer AUTH \(it answered the login with: 502 5\.5\.2 not implemented: AUTH PLAIN \S*\[redacted\]/,
      );
      for (const text of [String(error), failure.message, JSON.stringify(error)]) {
        expect(text).not.to.contain(PASSWORD);
        expect(text).not.to.contain(plain);
      }
    });
  });

  describe('over TLS, with a certificate from a private CA (made by openssl for 127.0.0.1)', () => {
    const certs = tempDir('email-tls');
    let key: string;
    let cert: string;
    let caFile: string;
    before(() => {
      execFileSync(
        'openssl',
        [
          ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=switchboard-test'],
          ...['-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(certs.dir, 'key.pem')],
          ...['-out', join(certs.dir, 'cert.pem')],
        ],
        { stdio: 'ignore' },
      );
      key = readFileSync(join(certs.dir, 'key.pem'), 'utf8');
      cert = readFileSync(join(certs.dir, 'cert.pem'), 'utf8');
      caFile = join(certs.dir, 'cert.pem');
    });
    after(() => certs.cleanup());

    it('upgrades with STARTTLS and delivers when smtp.ca trusts the certificate (requireTLS)', async () => {
      const smtp = await smtpServer({ key, cert, disabledCommands: [] });
      const dest = destination(smtp.port, {
        smtp: { host: '127.0.0.1', port: smtp.port, requireTLS: true, ca: caFile },
      });
      await dest.send(deliveryFailed(), attempt());
      expect(smtp.mails).to.have.length(1);
      expect(smtp.mails[0].secure).to.equal(true);
    });

    it('speaks TLS from the first byte with secure: true (as on port 465)', async () => {
      const smtp = await smtpServer({ secure: true, key, cert });
      const dest = destination(smtp.port, {
        smtp: { host: '127.0.0.1', port: smtp.port, secure: true, ca: caFile },
      });
      await dest.send(deliveryFailed(), attempt());
      expect(smtp.mails.map((m) => m.secure)).to.deep.equal([true]);
    });

    it('refuses an untrusted certificate permanently, saying to set smtp.ca, and sends nothing', async () => {
      const smtp = await smtpServer({ key, cert, disabledCommands: [] });
      const dest = destination(smtp.port, { smtp: { host: '127.0.0.1', port: smtp.port, requireTLS: true } });
      const { failure } = await failureOf(dest.send(deliveryFailed(), attempt()));
      expect(failure.kind).to.equal('permanent');
      expect(failure.message).to.include('smtp.ca');
      expect(smtp.mails).to.deep.equal([]);
    });

    it('reports an unreadable smtp.ca file when the config loads, naming the file', () => {
      const missing = join(certs.dir, 'missing.pem');
      const options = decodeOrThrow(email.config, {
        smtp: { host: '127.0.0.1', ca: missing },
        from: 'a@b.c',
        to: 'x@y.z',
      });
      expect(() => email.create(options, testContext().ctx)).to.throw(
        `cannot read smtp.ca ${missing} (ENOENT)`,
      );
    });
  });

  describe('when the server never answers', () => {
    /** Accepts connections and never sends a greeting. */
    const silentServer = async () => {
      const sockets: Socket[] = [];
      const server = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      toClose.push(async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      });
      return (server.address() as AddressInfo).port;
    };

    it('gives up transiently within its timeout', async () => {
      const dest = destination(await silentServer(), {}, 200);
      const { failure } = await failureOf(dest.send(reply('x'), attempt()));
      expect(failure.kind).to.equal('transient');
    });

    it("gives up transiently when the attempt's signal is aborted", async () => {
      const dest = destination(await silentServer(), {}, 60_000);
      const controller = new AbortController();
      const send = dest.send(reply('x'), attempt({ signal: controller.signal }));
      setImmediate(() => controller.abort());
      const { failure } = await failureOf(send);
      expect(failure).to.include({ kind: 'transient', reason: 'timeout' });
    });
  });

  describe('options', () => {
    it('takes one address or a list of strings and { name, address }, but not an empty list', () => {
      const base = { smtp: { host: 'h' }, from: 'Gateway <gw@example.com>' };
      const decoded = decodeOrThrow(email.config, { ...base, to: 'x@y.z' });
      expect(decoded.to).to.deep.equal([{ address: 'x@y.z' }]);
      expect(decoded.from).to.deep.equal({ name: 'Gateway', address: 'gw@example.com' });
      const list = decodeOrThrow(email.config, {
        ...base,
        to: ['"Doe, Jane" <j@y.z>', { name: 'Ops', address: 'o@y.z' }],
      });
      expect(list.to).to.deep.equal([
        { name: 'Doe, Jane', address: 'j@y.z' },
        { name: 'Ops', address: 'o@y.z' },
      ]);
      expect(email.config.decode({ ...base, to: [] })._tag).to.equal('Left');
    });

    const refusal = (options: Record<string, unknown>) => {
      const result = email.config.decode({
        smtp: { host: 'h' },
        from: 'gw@example.com',
        to: 'o@example.com',
        ...options,
      });
      return result._tag === 'Left' ? decodeErrors(result.left).join('; ') : '';
    };

    it('refuses an address that comes from the event, pointing to the name-only form', () => {
      expect(refusal({ from: '{{ senderName }} <gw@example.com>' })).to.contain('template the name only');
      expect(refusal({ cc: ['{{ tags.email }}'] })).to.match(/cc\.0: an address cannot come from the event/);
      expect(refusal({ to: { name: 'x', address: '{{ tags.email }}' } })).to.contain(
        'address cannot come from the event',
      );
    });

    it('refuses a string holding several addresses, or none', () => {
      expect(refusal({ to: 'a@example.com, b@example.com' })).to.contain('one address');
      expect(refusal({ replyTo: 'Ops' })).to.contain('one address');
      expect(refusal({ to: { address: 'a@example.com', bcc: 'x' } })).to.contain('unknown key bcc');
    });

    it('takes port and flags as text, as an environment reference gives them, and refuses other text', () => {
      const options = decodeOrThrow(email.config, {
        smtp: { host: 'h', port: '2525', secure: 'false', requireTLS: 'true' },
        from: 'gw@example.com',
        to: 'o@example.com',
        pool: 'false',
      });
      expect(options.smtp).to.deep.include({ port: 2525, secure: false, requireTLS: true });
      expect(options.pool).to.equal(false);
      expect(refusal({ smtp: { host: 'h', port: '25x' } })).to.match(
        /port: must be a port number \(1-65535\)$/,
      );
      expect(refusal({ smtp: { host: 'h', port: 70000 } })).to.match(
        /port: must be a port number \(1-65535\)$/,
      );
      expect(refusal({ smtp: { host: 'h', secure: 'yes' } })).to.match(/secure: must be true or false$/);
    });

    it('reports a template error in a name at its key', () => {
      const { ctx, templateErrors } = testContext();
      const options = { smtp: { host: 'h' }, from: 'a@b.c', to: [{ name: '{{ oops', address: 'o@b.c' }] };
      email.create(decodeOrThrow(email.config, options), ctx);
      expect(templateErrors).to.have.length(1);
      expect(templateErrors[0]).to.match(/^to\[0\]\.name: /);
    });
  });
});
