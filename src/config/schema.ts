/**
 * Stage 2: decode the interpolated tree with io-ts, section by section (each `raw → Validation<section>`), so
 * a problem in one section does not hide the problems in the others. Defaults are contract §2's. Destinations are decoded in
 * destination-schema.ts (their core keys) and link.ts (their plugin's options); routes by the routing engine.
 */

import { sequenceT } from 'fp-ts/lib/Apply.js';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import {
  bool,
  headerSecret,
  integer,
  isRecord,
  list,
  nonEmptyString,
  oneOf,
  optional,
  positiveDuration,
  positiveNumber,
  refine,
  sizeBetween,
  timeoutDuration,
  withDefault,
} from './codecs.ts';
import { at, didYouMean, everyIssue, fail, type KeyPath, unless, type Validation } from './issues.ts';
import { struct, unknownKeys } from './keys.ts';
import { DEFAULT_ADMIN_LISTEN, listenAddress } from './listen.ts';
import { reportErrors } from './report.ts';
import type { Secrets } from './secrets.ts';
import type { Config, DeliverySettings, StoreConfig } from './types.ts';

/** The top-level keys a config file may have. */
export const SECTIONS = [
  'server',
  'sources',
  'store',
  'delivery',
  'admin',
  'plugins',
  'destinations',
  'routes',
] as const;

/** The delivery defaults when the file says nothing (contract §2). */
export const DEFAULT_DELIVERY: DeliverySettings = {
  retryForMs: 24 * 3_600_000,
  attempts: 0,
  backoff: { initialMs: 1000, maxMs: 15 * 60_000, multiplier: 2, jitter: true },
  timeoutMs: 10_000,
  concurrency: 4,
};

/** How long a client may take to send a whole request (headers and body), then 408: `server.requestTimeout`. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** How long a client may take to send a request's headers, then 408: `server.headersTimeout`. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;

/** Where plugins are looked for when `plugins.dirs` is not given (relative to the config file). */
export const DEFAULT_PLUGIN_DIRS: readonly string[] = ['./plugins'];

/**
 * `server.bodyLimit`'s range, in bytes. At least 1 (a limit of 0 answered every webhook 413); below `warnBelow`
 * (1kb, where every MTA body fits: the largest sample, a v3 reply, is 367 bytes) `check` and start warn, as a
 * limit that small refuses real webhooks (it is still allowed, e.g. to try the 413 out). At most 256mb: a body
 * is held in memory whole (and again decompressed) and parsed as one string, which V8 caps just under 512mb.
 */
export const BODY_LIMIT_RANGE = { min: 1, warnBelow: 1024, max: 256 * 1024 ** 2 } as const;

/** The `server:` section (exported for quoted-scalars.ts, like the other section codecs). */
export const server = struct({
  host: withDefault(nonEmptyString, '127.0.0.1'),
  port: withDefault(integer(0, 65535), 8080),
  bodyLimit: withDefault(sizeBetween(BODY_LIMIT_RANGE.min, BODY_LIMIT_RANGE.max), 256 * 1024),
  // Node's own defaults (300 s, 60 s) let a client that trickles its request hold a connection for minutes.
  requestTimeout: withDefault(timeoutDuration, DEFAULT_REQUEST_TIMEOUT_MS),
  headersTimeout: withDefault(timeoutDuration, DEFAULT_HEADERS_TIMEOUT_MS),
});

const retention = withDefault(positiveDuration, 7 * 86_400_000);
/** The `store:` section with the sqlite driver. */
export const sqlite = struct({
  driver: oneOf(['sqlite'] as const, 'sqlite'),
  path: withDefault(nonEmptyString, './data/switchboard.db'),
  retention,
});
const postgresSchema = refine('a lowercase schema name like switchboard or gw_eu ([a-z_][a-z0-9_]*)', (u) =>
  typeof u === 'string' && /^[a-z_][a-z0-9_]*$/.test(u) ? u : undefined,
);
/**
 * store.url: a PostgreSQL connection URL (`postgres://` or `postgresql://`; no host means the local socket, as
 * for libpq). A refusal says why without the value, which may hold a password: a URL that does not parse (a
 * port over 65535, an unclosed `[`) once passed check and then failed every command with a bare "Invalid URL".
 */
const postgresUrl = new t.Type<string, unknown, unknown>(
  'a PostgreSQL URL',
  (u): u is string => typeof u === 'string',
  (u, c) => {
    const like = 'like postgres://USER:PASSWORD@HOST:5432/DATABASE';
    if (typeof u !== 'string' || u.trim() === '') return t.failure(u, c);
    if (!URL.canParse(u))
      return t.failure(
        u,
        c,
        `expected a PostgreSQL URL ${like}; this one does not parse as a URL (not shown: it may hold a password)`,
      );
    const { protocol } = new URL(u);
    if (protocol !== 'postgres:' && protocol !== 'postgresql:')
      return t.failure(u, c, `expected a PostgreSQL URL ${like}, got one starting ${protocol}//`);
    return t.success(u);
  },
  (a) => a,
);

/** The `store:` section with the postgres driver. */
export const postgres = struct({
  driver: oneOf(['postgres'] as const, 'postgres'),
  url: postgresUrl,
  poolSize: withDefault(integer(1, 1000), 10),
  // One database can hold several gateways' stores, each in its own schema (created by the migrations).
  schema: optional(postgresSchema),
  retention,
  // How long to wait on PostgreSQL before answering 503 (docs/store-faults.md).
  connectTimeout: withDefault(timeoutDuration, 5_000),
  statementTimeout: withDefault(timeoutDuration, 10_000),
  idleInTransactionTimeout: withDefault(timeoutDuration, 15_000),
});
const storeDriver = oneOf(['sqlite', 'postgres'] as const, 'a store driver', 'store driver');

const backoff = struct({
  initial: withDefault(positiveDuration, DEFAULT_DELIVERY.backoff.initialMs),
  max: withDefault(positiveDuration, DEFAULT_DELIVERY.backoff.maxMs),
  multiplier: withDefault(positiveNumber(1), DEFAULT_DELIVERY.backoff.multiplier),
  jitter: withDefault(bool, DEFAULT_DELIVERY.backoff.jitter),
});

/** The `delivery:` section, each key defaulted. */
export const delivery = struct({
  retryFor: withDefault(positiveDuration, DEFAULT_DELIVERY.retryForMs),
  attempts: withDefault(integer(0, 1000), DEFAULT_DELIVERY.attempts),
  backoff,
  timeout: withDefault(timeoutDuration, DEFAULT_DELIVERY.timeoutMs),
  concurrency: withDefault(integer(1, 1000), DEFAULT_DELIVERY.concurrency),
});

const admin = struct({
  token: optional(headerSecret),
  listen: withDefault(listenAddress, DEFAULT_ADMIN_LISTEN),
});

const plugins = struct({
  dirs: withDefault(list(nonEmptyString, 'a list of folders'), [...DEFAULT_PLUGIN_DIRS]),
});

/** Decodes a codec at a path: the value, or every problem located under `path` in plain words. */
export function decodeAt<A>(
  codec: t.Decoder<unknown, A>,
  raw: unknown,
  path: KeyPath,
  secrets?: Secrets,
): Validation<A> {
  return at(path, E.mapLeft((errors: t.Errors) => reportErrors(errors, secrets))(codec.decode(raw)));
}

/**
 * The top-level keys: each must name a section, or start with `x-`. When none does, the file is likely not a config at all (a
 * `--config` pointing at another file, say /etc/shadow): one issue says so, and the keys are not quoted, as
 * each would echo a line of that file; only those close to a section name get their did-you-mean.
 */
export function checkSections(root: Record<string, unknown>): Validation<Record<string, unknown>> {
  // `x-` keys are extension fields, as in Compose files: a place for YAML anchors (`x-defaults: &d {…}`).
  const keys = Object.keys(root).filter((key) => !key.startsWith('x-'));
  const unknown = unknownKeys(root, SECTIONS).filter(({ path }) => !String(path[0]).startsWith('x-'));
  if (unknown.length === 0 || unknown.length < keys.length) return unless(unknown, root);
  const close = unknown.filter(({ path }) => didYouMean(String(path[0]), SECTIONS) !== '');
  return fail(
    [],
    `none of this file's ${unknown.length} top-level key(s) is a section of a Switchboard config (${SECTIONS.join(', ')}): is it the right file?${close.length > 0 ? ` ${close.map((c) => c.message).join('; ')}` : ''}`,
  );
}

/** The `server:` section. */
export function decodeServer(raw: unknown, secrets?: Secrets): Validation<Config['server']> {
  return E.chain(serverSettings)(decodeAt(server, raw, ['server'], secrets));
}

/**
 * The `delivery:` section as decoded, before its coherence check: what destinations inherit even when that
 * check fails (so their own overrides are judged as today). `checkDelivery` is the section's verdict.
 */
export function decodeDelivery(raw: unknown, secrets?: Secrets): Validation<DeliverySettings> {
  return E.map(toDeliverySettings)(decodeAt(delivery, raw, ['delivery'], secrets));
}

/** The `admin:` section. */
export function decodeAdmin(raw: unknown, secrets?: Secrets): Validation<Config['admin']> {
  return E.map((a: t.TypeOf<typeof admin>) => ({ ...(a.token ? { token: a.token } : {}), listen: a.listen }))(
    decodeAt(admin, raw, ['admin'], secrets),
  );
}

/** The `plugins:` section, its folders as written (relative to the config file). */
export function decodePlugins(raw: unknown, secrets?: Secrets): Validation<Config['plugins']> {
  return decodeAt(plugins, raw, ['plugins'], secrets);
}

/** The decoded `server:` section; headersTimeout longer than requestTimeout is refused (Node refuses it too). */
function serverSettings(s: t.TypeOf<typeof server>): Validation<Config['server']> {
  if (s.headersTimeout > s.requestTimeout)
    return fail(
      ['server', 'headersTimeout'],
      'must not be longer than server.requestTimeout (the headers are part of the request)',
    );
  return E.right({
    host: s.host,
    port: s.port,
    bodyLimitBytes: s.bodyLimit,
    requestTimeoutMs: s.requestTimeout,
    headersTimeoutMs: s.headersTimeout,
  });
}

/** Names users may give sources and destinations: they appear in URLs, CLI arguments and metrics labels. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** A source's or destination's name, when it can be used. */
export function validName(name: string, path: KeyPath, what: string): Validation<string> {
  if (NAME_PATTERN.test(name)) return E.right(name);
  return fail(
    path,
    `${JSON.stringify(name)} is not a valid ${what} name (use letters, digits, '-', '_' and '.', starting with a letter or digit)`,
  );
}

/**
 * Every named entry of `sources:` and `destinations:`: a usable name, and a map whose `selector` key (`kind`,
 * `type`) picks the plugin, which `decode` reads. Both problems are reported: a bad name does not stop `decode`.
 */
export function namedEntry<A>(
  name: string,
  value: unknown,
  what: 'source' | 'destination',
  decode: (entry: Record<string, unknown>, path: KeyPath) => Validation<A>,
): Validation<A> {
  const path = [`${what}s`, name];
  const selector = what === 'source' ? 'kind' : 'type';
  const entry = isRecord(value)
    ? decode(value, path)
    : fail<A>(path, `expected a map with \`${selector}:\` and the options of that ${what} ${selector}`);
  return E.map(([, a]: [string, A]) => a)(sequenceT(everyIssue)(validName(name, path, what), entry));
}

/** A section that maps names to entries (`sources:`, `destinations:`): each entry's own validation. */
export function namedEntries<A>(
  raw: unknown,
  what: 'source' | 'destination',
  decode: (name: string, value: unknown) => Validation<A>,
): Array<Validation<A>> {
  if (raw === undefined || raw === null) return [];
  if (!isRecord(raw)) return [fail([`${what}s`], `expected a map of ${what} names to ${what}s`)];
  return Object.entries(raw).map(([name, value]) => decode(name, value));
}

/** The `store` section alone (operator commands read only this: see config/store-only.ts). */
export function decodeStore(raw: unknown, secrets?: Secrets): Validation<StoreConfig> {
  const driverRaw = isRecord(raw) ? raw.driver : undefined;
  const withDriver = (driver: string) => (isRecord(raw) || raw === undefined ? { ...raw, driver } : raw);
  return pipe(
    decodeAt(withDefault(storeDriver, 'sqlite'), driverRaw, ['store', 'driver'], secrets),
    E.chain((driver): Validation<StoreConfig> => {
      if (driver === 'sqlite') {
        return E.map(
          (s: t.TypeOf<typeof sqlite>): StoreConfig => ({
            driver: 'sqlite',
            path: s.path,
            retentionMs: s.retention,
          }),
        )(decodeAt(sqlite, withDriver(driver), ['store'], secrets));
      }
      return E.map(
        (p: t.TypeOf<typeof postgres>): StoreConfig => ({
          driver: 'postgres',
          url: p.url,
          poolSize: p.poolSize,
          ...(p.schema !== undefined && { schema: p.schema }),
          retentionMs: p.retention,
          timeouts: {
            connectTimeoutMs: p.connectTimeout,
            statementTimeoutMs: p.statementTimeout,
            idleInTransactionTimeoutMs: p.idleInTransactionTimeout,
          },
        }),
      )(decodeAt(postgres, withDriver(driver), ['store'], secrets));
    }),
  );
}

/** The per-destination `delivery:` override: the same keys as the section, none defaulted. */
export const deliveryOverride = struct({
  retryFor: optional(positiveDuration),
  attempts: optional(integer(0, 1000)),
  backoff: struct({
    initial: optional(positiveDuration),
    max: optional(positiveDuration),
    multiplier: optional(positiveNumber(1)),
    jitter: optional(bool),
  }),
  timeout: optional(timeoutDuration),
  concurrency: optional(integer(1, 1000)),
});

/** A decoded override (absent keys keep the defaults). */
export type DeliveryOverride = t.TypeOf<typeof deliveryOverride>;

/** Merges an override over defaults and checks the result is coherent (max backoff ≥ initial). */
export function mergeDelivery(
  base: DeliverySettings,
  o: DeliveryOverride,
  path: KeyPath,
): Validation<DeliverySettings> {
  const merged: DeliverySettings = {
    retryForMs: o.retryFor ?? base.retryForMs,
    attempts: o.attempts ?? base.attempts,
    backoff: {
      initialMs: o.backoff.initial ?? base.backoff.initialMs,
      maxMs: o.backoff.max ?? base.backoff.maxMs,
      multiplier: o.backoff.multiplier ?? base.backoff.multiplier,
      jitter: o.backoff.jitter ?? base.backoff.jitter,
    },
    timeoutMs: o.timeout ?? base.timeoutMs,
    concurrency: o.concurrency ?? base.concurrency,
  };
  // The defaults were checked in their own section; only an override that touches the backoff can break it.
  const touched = o.backoff.initial !== undefined || o.backoff.max !== undefined;
  return touched ? checkDelivery(merged, path) : E.right(merged);
}

/** Delivery settings whose backoff can grow: max ≥ initial. */
export function checkDelivery(d: DeliverySettings, path: KeyPath): Validation<DeliverySettings> {
  if (d.backoff.maxMs >= d.backoff.initialMs) return E.right(d);
  return fail(
    [...path, 'backoff', 'max'],
    `is shorter than backoff.initial (${d.backoff.maxMs}ms < ${d.backoff.initialMs}ms)`,
  );
}

function toDeliverySettings(d: t.TypeOf<typeof delivery>): DeliverySettings {
  return {
    retryForMs: d.retryFor,
    attempts: d.attempts,
    backoff: {
      initialMs: d.backoff.initial,
      maxMs: d.backoff.max,
      multiplier: d.backoff.multiplier,
      jitter: d.backoff.jitter,
    },
    timeoutMs: d.timeout,
    concurrency: d.concurrency,
  };
}
