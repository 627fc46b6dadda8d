/** Options of the `email` destination: the SMTP server, the envelope and the message templates. */
import { Flag, Port, t } from 'switchboard/plugin-sdk';
import { Address, Addresses } from './addresses.ts';

const Smtp = t.exact(
  t.intersection([
    t.type({ host: t.string }),
    t.partial({
      port: Port,
      secure: Flag,
      requireTLS: Flag,
      /** A PEM file of CA certificates to trust for the server's TLS certificate, besides the public CAs. */
      ca: t.string,
      auth: t.exact(t.type({ user: t.string, pass: t.string })),
    }),
  ]),
  'Smtp',
);

/** The email destination's options. Unknown keys are stripped by t.exact and reported by the config loader. */
export const EmailOptions = t.exact(
  t.intersection([
    t.type({ smtp: Smtp, from: Address, to: Addresses }),
    t.partial({
      cc: Addresses,
      replyTo: Address,
      subject: t.string,
      text: t.string,
      html: t.string,
      pool: Flag,
    }),
  ]),
  'EmailOptions',
);

/** Decoded options of an email destination. */
export type EmailOptions = t.TypeOf<typeof EmailOptions>;

/** The defaults, in one place. `secure` defaults to true only on 465 (implicit TLS); 587 upgrades with STARTTLS. */
export const EMAIL_DEFAULTS = { port: 587, pool: true } as const;

/** The subject of events the core itself makes; each source declares its own types' subjects as layouts. */
export const CORE_SUBJECT: Record<string, { subject: string }> = {
  unrecognized: { subject: 'Undecodable webhook from source {{ source }}' },
};

/** The subject of an event whose source declares no email layout for its type. */
export const GENERIC_SUBJECT = '{{ type }} event from {{ source }}';

/** The plain-text body when `text` is not configured: the event's main facts, one per line. */
export const DEFAULT_TEXT = [
  'Event: {{ type }} ({{ id }})',
  'Phone: {{ phone }}',
  '{% if status %}Status: {{ status.name }} ({{ status.code }})\n{% endif %}' +
    '{% if text %}Text: {{ text }}\n{% endif %}' +
    '{% if messageId %}Message ID: {{ messageId }}\n{% endif %}' +
    'Received: {{ receivedAt }}',
].join('\n');
