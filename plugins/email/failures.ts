/** How a nodemailer failure reads as a delivery outcome. */
import { PermanentError, TransientError } from '../../src/destinations/errors.ts';

/** Failures to reach or keep talking to the server: worth retrying, and worth checking host:port. */
const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ECONNRESET',
]);

/** The SMTP server's reply, shortened to one line, with the password scrubbed in case it is echoed. */
function replyText(response: unknown, secrets: readonly string[]): string {
  if (typeof response !== 'string') return '';
  let line = response.replace(/\s+/g, ' ').trim();
  for (const s of secrets) if (s.length >= 4) line = line.split(s).join('[redacted]');
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/**
 * Classifies what nodemailer threw. Auth failures and 5xx replies are permanent; 4xx replies and connection
 * trouble are transient. `target` is `host:port`; `secrets` holds the SMTP password.
 */
export function failureForSmtpError(err: unknown, target: string, secrets: readonly string[]): Error {
  const e = (err ?? {}) as { code?: unknown; responseCode?: unknown; response?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const reply = replyText(e.response, secrets);
  const said = reply === '' ? '' : `: ${reply}`;
  if (code === 'EAUTH' || code === 'ENOAUTH' || status === 535) {
    return new PermanentError(`SMTP server ${target} refused the login${said}; check smtp.auth`, {
      statusCode: status,
      reason: 'auth',
    });
  }
  if (status !== undefined && status >= 500) {
    return new PermanentError(`SMTP server ${target} rejected the message${said}`, {
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
  if (code !== undefined && CONNECTION_CODES.has(code)) {
    return new TransientError(
      `could not talk to SMTP server ${target} (${code}); check smtp.host and smtp.port`,
      {
        reason: code === 'ETIMEDOUT' ? 'timeout' : 'network',
      },
    );
  }
  const message = replyText(typeof e.message === 'string' ? e.message : String(err), secrets);
  return new TransientError(`sending through SMTP server ${target} failed (${code ?? 'error'}): ${message}`, {
    reason: 'other',
  });
}
