import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/** The service logger: pino JSON lines (pretty on a TTY). */
export type Log = Logger;

/**
 * Secrets shorter than this are not searched for in log lines: every value from ${...} counts as a secret, and
 * scrubbing `${PORT}` = 8080 or `${LOG_LEVEL:-info}` would mangle ordinary output. A real credential is longer.
 */
const MIN_SECRET_LENGTH = 6;

/**
 * Creates the logger. Every line is scrubbed of every secret value in the current config just before it is
 * written (`secrets` is a getter so reloads are honoured), on top of path-based redaction of auth headers, so a
 * secret that leaks into an error message from a library still never reaches the log.
 */
export function createLogger(opts: {
  secrets: () => readonly string[];
  level?: string;
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}): Log {
  const scrub = (line: string): string => {
    let out = line;
    for (const secret of opts.secrets()) {
      if (secret.length < MIN_SECRET_LENGTH) continue;
      for (const form of [secret, JSON.stringify(secret).slice(1, -1)]) {
        if (out.includes(form)) out = out.split(form).join('[redacted]');
      }
    }
    return out;
  };
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
  if (usePretty) return pino(options, pretty({ colorize: true, sync: true, destination: 1 }));
  return pino(options, opts.destination ?? pino.destination({ dest: 1, sync: false }));
}
