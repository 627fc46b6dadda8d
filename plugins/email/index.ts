/**
 * The `email` destination: sends each event as a plain-text (and optionally HTML) email over SMTP, with
 * STARTTLS on 587 and implicit TLS on 465. The connection pool opens on the first send and closes on close().
 */
import nodemailer from 'nodemailer';
import {
  type Destination,
  type DestinationPlugin,
  type GatewayEvent,
  type PluginContext,
  readCaFile,
  type Template,
  TransientError,
  withPublicCas,
} from 'switchboard/plugin-sdk';
import { compileAddresses, renderAddresses } from './addresses.ts';
import { CORE_SUBJECT, DEFAULT_TEXT, EMAIL_DEFAULTS, EmailOptions, GENERIC_SUBJECT } from './config.ts';
import { failureForRejectedRecipients, failureForSmtpError } from './failures.ts';
import { plainIfOffered } from './login.ts';

type Transport = ReturnType<typeof nodemailer.createTransport>;

/** The subject template per event type: the configured one for all, or each type's default. */
function subjects(subject: string | undefined, ctx: PluginContext): (event: GatewayEvent) => string {
  if (subject !== undefined) {
    const one = ctx.template('subject', subject, 'header');
    return (event) => one.render(event);
  }
  // The layout the event's source declares for email, else a generic subject naming the type and source.
  const byType = new Map<string, Template>();
  for (const [type, layout] of Object.entries({ ...ctx.layouts?.('email'), ...CORE_SUBJECT })) {
    if (layout.subject !== undefined) byType.set(type, ctx.template('subject', layout.subject, 'header'));
  }
  const generic = ctx.template('subject', GENERIC_SUBJECT, 'header');
  return (event) => (byType.get(event.type) ?? generic).render(event);
}

/** Settles `work`, or rejects as transient as soon as the attempt is aborted (nodemailer takes no signal). */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal, target: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(
        new TransientError(`no answer from SMTP server ${target} before the attempt ended`, {
          reason: 'timeout',
        }),
      );
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function create(options: EmailOptions, ctx: PluginContext): Destination {
  const { smtp } = options;
  // Read now, so `switchboard check` reports a missing or unreadable file rather than the first send.
  const ca = smtp.ca === undefined ? undefined : readCaFile(smtp.ca, 'smtp.ca');
  const port = smtp.port ?? EMAIL_DEFAULTS.port;
  const target = `${smtp.host}:${port}`;
  const secrets = smtp.auth === undefined ? [] : [smtp.auth.pass];
  const [from] = compileAddresses('from', [options.from], ctx, true);
  const to = compileAddresses('to', options.to, ctx);
  const cc = compileAddresses('cc', options.cc ?? [], ctx);
  const replyTo = options.replyTo && compileAddresses('replyTo', [options.replyTo], ctx, true)[0];
  // The SMTP envelope comes from the config's literal addresses alone, whatever the headers say.
  const smtpEnvelope = { from: from.address, to: [...to, ...cc].map((a) => a.address) };
  const subject = subjects(options.subject, ctx);
  const text = ctx.template('text', options.text ?? DEFAULT_TEXT, 'none');
  const html = options.html === undefined ? undefined : ctx.template('html', options.html, 'html');

  // Created on the first send: create() runs on every config load and `check`, and must not connect.
  let transport: Transport | undefined;
  const connect = (): Transport => {
    transport ??= nodemailer.createTransport({
      host: smtp.host,
      port,
      secure: smtp.secure ?? port === 465,
      requireTLS: smtp.requireTLS,
      // Node's `ca` replaces the public CAs: keep them, and add the configured ones.
      tls: ca === undefined ? undefined : { ca: withPublicCas(ca) },
      auth: smtp.auth,
      // nodemailer logs in only when the server's EHLO offers AUTH, and otherwise sends the mail without a login.
      // Configured credentials are meant to be used: with forceAuth a server that does not offer AUTH (a relay
      // for anyone, the wrong port, a middlebox that strips STARTTLS and AUTH) fails the send instead, and
      // plainIfOffered fails it before the password is sent (forced, nodemailer would send it with AUTH PLAIN).
      forceAuth: smtp.auth !== undefined,
      customAuth: { PLAIN: plainIfOffered },
      pool: options.pool ?? EMAIL_DEFAULTS.pool,
      connectionTimeout: ctx.timeoutMs,
      greetingTimeout: ctx.timeoutMs,
      socketTimeout: ctx.timeoutMs,
    });
    return transport;
  };

  /** Sends one mail; throws a classified error on failure. */
  async function mail(message: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    let info: unknown;
    try {
      info = await unlessAborted(connect().sendMail(message), signal, target);
    } catch (err) {
      if (err instanceof TransientError) throw err;
      throw failureForSmtpError(err, target, secrets);
    }
    // nodemailer resolves when the server took the message for at least one recipient.
    const partly = failureForRejectedRecipients(info, target, secrets);
    if (partly !== undefined) throw partly;
  }
  // Display names come from the first event of a send; the addresses are the config's own.
  const envelope = (event: GatewayEvent) => ({
    from: renderAddresses([from], event)[0],
    to: renderAddresses(to, event),
    cc: cc.length > 0 ? renderAddresses(cc, event) : undefined,
    replyTo: replyTo ? renderAddresses([replyTo], event)[0] : undefined,
    envelope: smtpEnvelope,
  });

  return {
    target,
    async send(event, attempt) {
      // Rendering first: a CR/LF in a header value is a TemplateRenderError (permanent) before any I/O.
      const message = {
        ...envelope(event),
        subject: subject(event),
        text: text.render(event),
        html: html?.render(event),
      };
      await mail(message, attempt.signal);
    },
    async sendDigest(events, attempt) {
      // One mail for the group: the first event's subject with the count, and every event's body in order.
      const rule = '\n\n----------------------------------------\n\n';
      const message = {
        ...envelope(events[0]),
        subject: `${subject(events[0])} (+${events.length - 1} more)`,
        text: events.map((e) => text.render(e)).join(rule),
        html: html ? events.map((e) => html.render(e)).join('<hr>') : undefined,
      };
      await mail(message, attempt.signal);
    },
    async close() {
      transport?.close();
      transport = undefined;
    },
  };
}

/** The built-in `email` destination plugin. */
export default { type: 'email', config: EmailOptions, create } satisfies DestinationPlugin<EmailOptions>;
