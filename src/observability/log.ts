import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import { redactorFor } from './redact.ts';

/** The service logger: pino JSON lines (pretty on a TTY, where pino-pretty is installed). */
export type Log = Logger;

/**
 * Creates the logger. Every line is scrubbed of every secret value in the current config (in its common encodings too) just before it is
 * written (`secrets` is a getter so reloads are honoured), on top of path-based redaction of auth headers, so a
 * secret that leaks into an error message from a library still never reaches the log.
 */
export function createLogger(opts: {
  secrets: () => readonly string[];
  level?: string;
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}): Log {
  // Every form a secret leaks in: as is, JSON-escaped, URL-encoded, base64 (observability/redact.ts).
  const scrub = redactorFor(opts.secrets);
  const options: pino.LoggerOptions = {
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: 'switchboard' },
    redact: {
      paths: [
        'headers.authorization',
        'headers["x-signature"]',
        'req.headers.authorization',
        'req.headers["x-signature"]',
      ],
      censor: '[redacted]',
    },
    hooks: { streamWrite: scrub },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const usePretty = opts.pretty ?? (opts.destination === undefined && process.stdout.isTTY === true);
  const pretty = usePretty ? prettyStream() : undefined;
  if (pretty) return pino(options, pretty);
  return pino(options, opts.destination ?? pino.destination({ dest: 1, sync: false }));
}

/**
 * pino-pretty's stream, for a terminal: a development dependency, so a production install (`npm ci
 * --omit=dev`) lacks it and logs JSON lines on a terminal too.
 */
function prettyStream(): NodeJS.WritableStream | undefined {
  let pretty: typeof import('pino-pretty');
  try {
    pretty = createRequire(import.meta.url)('pino-pretty');
  } catch {
    return undefined;
  }
  return pretty({ colorize: true, sync: true, destination: 1 });
}
