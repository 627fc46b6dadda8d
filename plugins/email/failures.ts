/** How a nodemailer failure reads as a delivery outcome. */
import { PermanentError, redact, TransientError } from 'switchboard/plugin-sdk';
import { NoLoginOffered } from './login.ts';

/** Failures to reach or keep talking to the server: worth retrying, and worth checking host:port. */
const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ECONNRESET',
]);

/**
 * Replies to AUTH that mean the server takes no login at all: command unknown (500), not implemented (502), or
 * not enabled (503: Postfix, Exim and sendmail without SASL). 535 and the rest are about the credentials.
 */
const NO_AUTH_REPLIES = new Set([500, 502, 503]);

/** What to check when smtp.auth is set and the server takes no login. */
const CHECK_FOR_AUTH =
  'check smtp.port, smtp.secure and smtp.requireTLS (many servers offer AUTH only on their submission port, 587 or 465, or only after STARTTLS), or remove smtp.auth if the server takes mail without a login';

/** Node's codes for a certificate it will not accept (untrusted issuer, self-signed, wrong name, expired). */
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The certificate error behind a nodemailer failure, if that is what it was (nodemailer keeps Node's code). */
function tlsProblem(err: unknown): string | undefined {
  const e = (err ?? {}) as { code?: unknown; originalCode?: unknown };
  for (const code of [e.originalCode, e.code]) {
    if (typeof code === 'string' && CERTIFICATE_CODES.has(code)) return code;
  }
  return undefined;
}

/** The SMTP server's reply, shortened to one line, with the password scrubbed in case it is echoed. */
function replyText(response: unknown, secrets: readonly string[]): string {
  if (typeof response !== 'string') return '';
  let line = response.replace(/\s+/g, ' ').trim();
  line = redact(line, secrets, { minLength: 4 });
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/**
 * Classifies what nodemailer threw. Auth failures (a server that takes no login included) and 5xx replies are
 * permanent; 4xx replies and connection trouble are transient. `target` is `host:port`; `secrets` holds the
 * SMTP password.
 */
export function failureForSmtpError(err: unknown, target: string, secrets: readonly string[]): Error {
  const e = (err ?? {}) as {
    code?: unknown;
    responseCode?: unknown;
    response?: unknown;
    message?: unknown;
    command?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const reply = replyText(e.response, secrets);
  const said = reply === '' ? '' : `: ${reply}`;
  if (err instanceof NoLoginOffered) {
    // Permanent, as a refused login and a missing STARTTLS are: a retry meets the same server, which will not
    // start offering AUTH; the config has to change (the port, TLS, or no smtp.auth).
    return new PermanentError(
      `SMTP server ${target} does not offer AUTH (PLAIN, LOGIN or CRAM-MD5) in its answer to EHLO, but smtp.auth is set: the credentials were not sent; ${CHECK_FOR_AUTH}`,
      { reason: 'auth' },
    );
  }
  if (code === 'EAUTH' && status !== undefined && NO_AUTH_REPLIES.has(status)) {
    // Listed AUTH, yet refuses it as unknown or not enabled: permanent too, for the same reason.
    return new PermanentError(
      `SMTP server ${target} does not offer AUTH (it answered the login with: ${reply}), but smtp.auth is set: ${CHECK_FOR_AUTH}`,
      { statusCode: status, reason: 'auth' },
    );
  }
  if (code === 'EAUTH' || code === 'ENOAUTH' || status === 535) {
    return new PermanentError(`SMTP server ${target} refused the login${said}; check smtp.auth`, {
      statusCode: status,
      reason: 'auth',
    });
  }
  if (e.command === 'STARTTLS' && status !== undefined) {
    // Not the message: the upgrade smtp.requireTLS demands. Retrying cannot add STARTTLS to the server.
    return new PermanentError(
      `SMTP server ${target} did not accept STARTTLS, which smtp.requireTLS demands${said}; use the port where it speaks TLS from the first byte (465, with smtp.secure: true), or a server that offers STARTTLS`,
      { statusCode: status, reason: 'client_error' },
    );
  }
  if (status !== undefined && status >= 500) {
    return new PermanentError(`SMTP server ${target} ${refusedWhat(e.command)}${said}`, {
      statusCode: status,
      reason: 'client_error',
    });
  }
  if (status !== undefined && status >= 400) {
    return new TransientError(`SMTP server ${target} deferred the message${said}`, {
      statusCode: status,
      reason: 'server_error',
    });
  }
  if (code === 'EENVELOPE') {
    // No reply code: nodemailer itself found the envelope unusable (e.g. no recipients rendered).
    return new PermanentError(`the message has no usable sender or recipients${said}`, {
      reason: 'client_error',
    });
  }
  const tls = tlsProblem(err);
  if (tls !== undefined) {
    // Retrying cannot make an untrusted or mismatched certificate acceptable: the config has to change.
    return new PermanentError(
      `the TLS certificate of SMTP server ${target} was refused (${tls}); if the server uses a private CA or a self-signed certificate, set smtp.ca to its PEM file`,
      { reason: 'client_error' },
    );
  }
  if (code !== undefined && CONNECTION_CODES.has(code)) {
    // Only a refused connection or an unknown host points at host and port; a server that answered and then
    // dropped the connection is at the right address (found by an attack: one that greets and closes).
    const detail = replyText(typeof e.message === 'string' ? e.message : '', secrets);
    // nodemailer reports a refused connection as ECONNECTION too, with Node's code in its message.
    const reached = code !== 'EDNS' && !/ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(`${code} ${detail}`);
    return new TransientError(
      reached
        ? `the connection to SMTP server ${target} failed (${code}${detail ? `: ${detail}` : ''})`
        : `could not reach SMTP server ${target} (${code}); check smtp.host and smtp.port`,
      { reason: code === 'ETIMEDOUT' ? 'timeout' : 'network' },
    );
  }
  const message = replyText(typeof e.message === 'string' ? e.message : String(err), secrets);
  return new TransientError(`sending through SMTP server ${target} failed (${code ?? 'error'}): ${message}`, {
    reason: 'other',
  });
}

/** What an SMTP 5xx refused, by the command nodemailer says it answered (a greeting's 554 saw no message). */
function refusedWhat(command: unknown): string {
  switch (command) {
    case 'CONN':
      return 'refused the connection';
    case 'EHLO':
    case 'HELO':
    case 'LHLO':
      return 'refused the greeting (EHLO)';
    case 'MAIL FROM':
      return 'refused the sender (check from)';
    case 'RCPT TO':
      return 'refused every recipient (check to and cc)';
    default:
      return 'rejected the message';
  }
}

/** What nodemailer reports of one recipient the server refused while it took the message for others. */
interface RejectedRecipient {
  recipient?: unknown;
  responseCode?: unknown;
  response?: unknown;
}

/**
 * The failure for a message the server took for some recipients and refused for others, or undefined when it
 * took it for all. nodemailer resolves then, and the refused ones were lost without a word: a 450 (mailbox busy,
 * greylisting) is retried, the whole message again (the others may get it twice: delivery is at-least-once); a
 * 5xx for every refused one is permanent, naming them.
 */
export function failureForRejectedRecipients(
  info: unknown,
  target: string,
  secrets: readonly string[],
): Error | undefined {
  const i = (info ?? {}) as { rejected?: unknown; rejectedErrors?: unknown; accepted?: unknown };
  const rejected = Array.isArray(i.rejected) ? i.rejected.map(String) : [];
  if (rejected.length === 0) return undefined;
  const errors = (Array.isArray(i.rejectedErrors) ? i.rejectedErrors : []) as RejectedRecipient[];
  const replies = rejected.map((address) => {
    const err = errors.find((r) => r.recipient === address);
    const reply = replyText(err?.response, secrets);
    return { address, status: typeof err?.responseCode === 'number' ? err.responseCode : undefined, reply };
  });
  const list = replies.map((r) => `${r.address}${r.reply === '' ? '' : ` (${r.reply})`}`).join(', ');
  const accepted = Array.isArray(i.accepted) ? i.accepted.map(String).join(', ') : '';
  const others = accepted === '' ? '' : `; it took the message for ${accepted}`;
  const deferred = replies.find((r) => r.status === undefined || r.status < 500);
  if (deferred !== undefined) {
    return new TransientError(
      `SMTP server ${target} deferred recipient(s) ${list}${others} (they get it again with the retry)`,
      { statusCode: deferred.status, reason: 'server_error' },
    );
  }
  return new PermanentError(`SMTP server ${target} refused recipient(s) ${list}${others}; check to and cc`, {
    statusCode: replies[0].status,
    reason: 'client_error',
  });
}
