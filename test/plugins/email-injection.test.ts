import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import fc from 'fast-check';
import addressparser from 'nodemailer/lib/addressparser';
import { SMTPServer } from 'smtp-server';
import email from '../../plugins/email/index.ts';
import { attempt, decodeOrThrow, testContext } from './context.ts';
import { reply } from './events.ts';

/** What an SMTP server received: the envelope, and the From/To/Cc/Reply-To headers parsed as a client would. */
interface Received {
  mailFrom: string | undefined;
  rcptTo: string[];
  header: (name: string) => Array<{ name: string; address?: string }>;
}

async function startSmtp() {
  const received: Received[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const head = Buffer.concat(chunks)
          .toString('utf8')
          .split('\r\n\r\n')[0]
          .replace(/\r\n[ \t]+/g, ' ');
        const lines = head.split('\r\n');
        received.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          header: (name) => {
            const line = lines.find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
            return line === undefined
              ? []
              : (addressparser(line.slice(name.length + 1), { flatten: true }) as Array<{
                  name: string;
                  address?: string;
                }>);
          },
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Display names people (and attackers) send, from nodemailer, mailparser and modoboa bug threads. */
const HOSTILE_NAMES = [
  'Dr. Ada <ada@evil.example>, Acme',
  '"Doe, Jane" <jane@evil.example>',
  'Steve Jobs, Ceo <jobs@evil.example>',
  '=?utf-8?q?Doe=2C_John?= <john@evil.example>',
  '=?utf-8?B?PGV2ZUBldmlsLmV4YW1wbGU+?=',
  'admin@evil.example <admin@evil.example>',
  '"test@test.test"@evil.example',
  'a@evil.example; b@evil.example',
  'group: x@evil.example, y@evil.example;',
  '<>',
  '\\"quoted\\" <q@evil.example>',
  'Zoë 🚀 Pharmacy, Ltd.',
];

describe('email addresses stay addresses (injection against a real SMTP server)', function () {
  this.timeout(60_000);
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let dest: ReturnType<typeof email.create>;
  before(async () => {
    smtp = await startSmtp();
    const { ctx, templateErrors } = testContext();
    const options = {
      smtp: { host: '127.0.0.1', port: smtp.port },
      from: { name: '{{ senderName }} via SMS', address: 'gw@example.com' },
      to: [{ name: '{{ senderName }}', address: 'ops@example.com' }],
      cc: [{ name: '{{ tags.who }}', address: 'lead@example.com' }],
      replyTo: { name: '{{ text }}', address: 'replies@example.com' },
      subject: 'From {{ senderName }}',
    };
    dest = email.create(decodeOrThrow(email.config, options), ctx);
    expect(templateErrors).to.deep.equal([]);
  });
  after(async () => {
    await dest.close?.();
    await smtp.close();
  });

  const sendWithName = async (name: string) => {
    await dest.send(reply(name, { senderName: name, tags: { who: name } }), attempt());
    return smtp.received.at(-1)!;
  };

  const expectUnchanged = (mail: Received) => {
    expect(mail.mailFrom).to.equal('gw@example.com');
    expect([...mail.rcptTo].sort()).to.deep.equal(['lead@example.com', 'ops@example.com']);
    const only = (header: string) => mail.header(header).map((a) => a.address);
    expect(only('From')).to.deep.equal(['gw@example.com']);
    expect(only('To')).to.deep.equal(['ops@example.com']);
    expect(only('Cc')).to.deep.equal(['lead@example.com']);
    expect(only('Reply-To')).to.deep.equal(['replies@example.com']);
  };

  for (const name of HOSTILE_NAMES) {
    it(`keeps the envelope and every address header when a name is ${JSON.stringify(name)}`, async () => {
      const mail = await sendWithName(name);
      expectUnchanged(mail);
    });
  }

  it('shows the name as the display name, whole', async () => {
    const mail = await sendWithName('Dr. Ada <ada@evil.example>, Acme');
    expect(mail.header('From')[0].name).to.equal('Dr. Ada <ada@evil.example>, Acme via SMS');
  });

  it('keeps the envelope and the address headers for any name made of address syntax (property)', async () => {
    const piece = fc.constantFrom(
      '<',
      '>',
      ',',
      ';',
      ':',
      '"',
      "'",
      '@',
      '\\',
      ' ',
      '=?',
      '?=',
      '(',
      ')',
      'a',
      'evil.example',
      'é',
      '🚀',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 30 }), async (parts) => {
        expectUnchanged(await sendWithName(parts.join('')));
      }),
      { numRuns: 40 },
    );
  });
});
