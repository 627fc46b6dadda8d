/**
 * Stage 2: decode the interpolated tree with io-ts, section by section, so a problem in one section does not
 * hide the problems in the others. Defaults are contract §2's. Destinations are decoded in
 * destination-schema.ts (their core keys) and link.ts (their plugin's options); routes by the routing engine.
 */

import type * as t from 'io-ts';
import { BUILTIN_SOURCES } from '../sources/builtin.ts';
import {
  bool,
  integer,
  isRecord,
  list,
  nonEmptyString,
  oneOf,
  optional,
  positiveDuration,
  positiveNumber,
  refine,
  size,
  str,
  struct,
  unknownKeyMessage,
  withDefault,
} from './codecs.ts';
import type { ConfigIssue, KeyPath } from './issues.ts';
import { DEFAULT_ADMIN_LISTEN, listenAddress } from './listen.ts';
import { reportErrors } from './report.ts';
import type { Secrets } from './secrets.ts';
import { decodeSources, type SourceRegistry } from './source-schema.ts';
import type { Config, DeliverySettings, SourceConfig, StoreConfig } from './types.ts';

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

const server = struct({
  host: withDefault(nonEmptyString, '127.0.0.1'),
  port: withDefault(integer(0, 65535), 8080),
  bodyLimit: withDefault(size, 256 * 1024),
  // Node's own defaults (300 s, 60 s) let a client that trickles its request hold a connection for minutes.
  requestTimeout: withDefault(positiveDuration, DEFAULT_REQUEST_TIMEOUT_MS),
  headersTimeout: withDefault(positiveDuration, DEFAULT_HEADERS_TIMEOUT_MS),
});

const retention = withDefault(positiveDuration, 7 * 86_400_000);
const sqlite = struct({
  driver: oneOf(['sqlite'] as const, 'sqlite'),
  path: withDefault(nonEmptyString, './data/switchboard.db'),
  retention,
});
const postgresSchema = refine('a lowercase schema name like switchboard or gw_eu ([a-z_][a-z0-9_]*)', (u) =>
  typeof u === 'string' && /^[a-z_][a-z0-9_]*$/.test(u) ? u : undefined,
);
const postgres = struct({
  driver: oneOf(['postgres'] as const, 'postgres'),
  url: nonEmptyString,
  poolSize: withDefault(integer(1, 1000), 10),
  // One database can hold several gateways' stores, each in its own schema (created by the migrations).
  schema: optional(postgresSchema),
  retention,
  // How long to wait on PostgreSQL before answering 503 (docs/store-faults.md).
  connectTimeout: withDefault(positiveDuration, 5_000),
  statementTimeout: withDefault(positiveDuration, 10_000),
  idleInTransactionTimeout: withDefault(positiveDuration, 15_000),
});
const storeDriver = oneOf(['sqlite', 'postgres'] as const, 'a store driver', 'store driver');

const backoff = struct({
  initial: withDefault(positiveDuration, DEFAULT_DELIVERY.backoff.initialMs),
  max: withDefault(positiveDuration, DEFAULT_DELIVERY.backoff.maxMs),
  multiplier: withDefault(positiveNumber(1), DEFAULT_DELIVERY.backoff.multiplier),
  jitter: withDefault(bool, DEFAULT_DELIVERY.backoff.jitter),
});

/** The `delivery:` section, each key defaulted. */
const delivery = struct({
  retryFor: withDefault(positiveDuration, DEFAULT_DELIVERY.retryForMs),
  attempts: withDefault(integer(0, 1000), DEFAULT_DELIVERY.attempts),
  backoff,
  timeout: withDefault(positiveDuration, DEFAULT_DELIVERY.timeoutMs),
  concurrency: withDefault(integer(1, 1000), DEFAULT_DELIVERY.concurrency),
});

const admin = struct({ token: optional(str), listen: withDefault(listenAddress, DEFAULT_ADMIN_LISTEN) });

const plugins = struct({
  dirs: withDefault(list(nonEmptyString, 'a list of folders'), [...DEFAULT_PLUGIN_DIRS]),
});

/** Decoded sections; a section is absent when it had errors (its issues say why). */
export interface DecodedSections {
  server?: Config['server'];
  /** Only the sources that decoded. */
  sources: Map<string, SourceConfig>;
  store?: StoreConfig;
  delivery?: DeliverySettings;
  admin?: Config['admin'];
  /** As written (relative to the config file). */
  plugins?: Config['plugins'];
}

/** Issues plus warnings (located like issues, but they do not stop the load). */
export interface Findings {
  issues: ConfigIssue[];
  warnings: ConfigIssue[];
}

/** Decodes a codec at a path, adding located issues to `findings` and returning the value when it decoded. */
export function decodeAt<A>(
  codec: t.Decoder<unknown, A>,
  raw: unknown,
  path: KeyPath,
  findings: Findings,
  secrets?: Secrets,
): A | undefined {
  const result = codec.decode(raw);
  if (result._tag === 'Right') return result.right;
  for (const issue of reportErrors(result.left, secrets)) {
    findings.issues.push({ path: [...path, ...issue.path], message: issue.message });
  }
  return undefined;
}

/** Checks the top-level keys and decodes every section except destinations and routes. */
export function decodeSections(
  root: Record<string, unknown>,
  findings: Findings,
  secrets?: Secrets,
  sourcePlugins: SourceRegistry = BUILTIN_SOURCES,
): DecodedSections {
  for (const key of Object.keys(root)) {
    if (!(SECTIONS as readonly string[]).includes(key)) {
      findings.issues.push({ path: [key], message: unknownKeyMessage(key, SECTIONS) });
    }
  }
  const s = decodeAt(server, root.server, ['server'], findings, secrets);
  const d = decodeAt(delivery, root.delivery, ['delivery'], findings, secrets);
  const a = decodeAt(admin, root.admin, ['admin'], findings, secrets);
  const p = decodeAt(plugins, root.plugins, ['plugins'], findings, secrets);
  return {
    server: s && serverSettings(s, findings),
    sources: decodeSources(root.sources, sourcePlugins, findings, secrets),
    store: decodeStore(root.store, findings, secrets),
    delivery: d && toDeliverySettings(d, ['delivery'], findings),
    admin: a && { ...(a.token ? { token: a.token } : {}), listen: a.listen },
    plugins: p,
  };
}

/** The decoded `server:` section; headersTimeout longer than requestTimeout is refused (Node refuses it too). */
function serverSettings(s: t.TypeOf<typeof server>, findings: Findings): Config['server'] | undefined {
  if (s.headersTimeout > s.requestTimeout) {
    findings.issues.push({
      path: ['server', 'headersTimeout'],
      message: 'must not be longer than server.requestTimeout (the headers are part of the request)',
    });
    return undefined;
  }
  return {
    host: s.host,
    port: s.port,
    bodyLimitBytes: s.bodyLimit,
    requestTimeoutMs: s.requestTimeout,
    headersTimeoutMs: s.headersTimeout,
  };
}

/** Names users may give sources and destinations: they appear in URLs, CLI arguments and metrics labels. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** An issue when a source or destination name cannot be used. */
export function checkName(name: string, path: KeyPath, what: string): ConfigIssue | undefined {
  if (NAME_PATTERN.test(name)) return undefined;
  return {
    path,
    message: `${JSON.stringify(name)} is not a valid ${what} name (use letters, digits, '-', '_' and '.', starting with a letter or digit)`,
  };
}

/**
 * The checks every named entry of `sources:` and `destinations:` starts with: a usable name, and a map whose
 * `selector` key (`kind`, `type`) picks the plugin. Adds the issues found; answers whether the value is a map.
 */
export function checkNamedEntry(
  name: string,
  value: unknown,
  path: KeyPath,
  what: 'source' | 'destination',
  findings: Findings,
): value is Record<string, unknown> {
  const badName = checkName(name, path, what);
  if (badName) findings.issues.push(badName);
  if (isRecord(value)) return true;
  const selector = what === 'source' ? 'kind' : 'type';
  findings.issues.push({
    path,
    message: `expected a map with \`${selector}:\` and the options of that ${what} ${selector}`,
  });
  return false;
}

/** The `store` section alone (operator commands read only this: see config/store-only.ts). */
export function decodeStore(raw: unknown, findings: Findings, secrets?: Secrets): StoreConfig | undefined {
  const driverRaw = isRecord(raw) ? raw.driver : undefined;
  const driver = decodeAt(
    withDefault(storeDriver, 'sqlite'),
    driverRaw,
    ['store', 'driver'],
    findings,
    secrets,
  );
  if (driver === undefined) return undefined;
  const withDriver = isRecord(raw) || raw === undefined ? { ...raw, driver } : raw;
  if (driver === 'sqlite') {
    const s = decodeAt(sqlite, withDriver, ['store'], findings, secrets);
    return s && { driver: 'sqlite', path: s.path, retentionMs: s.retention };
  }
  const p = decodeAt(postgres, withDriver, ['store'], findings, secrets);
  return (
    p && {
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
    }
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
  timeout: optional(positiveDuration),
  concurrency: optional(integer(1, 1000)),
});

/** A decoded override (absent keys keep the defaults). */
export type DeliveryOverride = t.TypeOf<typeof deliveryOverride>;

/** Merges an override over defaults and checks the result is coherent (max backoff ≥ initial). */
export function mergeDelivery(
  base: DeliverySettings,
  o: DeliveryOverride,
  path: KeyPath,
  findings: Findings,
): DeliverySettings {
  // The defaults were checked in their own section; only an override that touches the backoff can break it.
  const touched = o.backoff.initial !== undefined || o.backoff.max !== undefined;
  return toDeliverySettings(
    {
      retryFor: o.retryFor ?? base.retryForMs,
      attempts: o.attempts ?? base.attempts,
      backoff: {
        initial: o.backoff.initial ?? base.backoff.initialMs,
        max: o.backoff.max ?? base.backoff.maxMs,
        multiplier: o.backoff.multiplier ?? base.backoff.multiplier,
        jitter: o.backoff.jitter ?? base.backoff.jitter,
      },
      timeout: o.timeout ?? base.timeoutMs,
      concurrency: o.concurrency ?? base.concurrency,
    },
    path,
    touched ? findings : { issues: [], warnings: [] },
  );
}

function toDeliverySettings(
  d: t.TypeOf<typeof delivery>,
  path: KeyPath,
  findings: Findings,
): DeliverySettings {
  if (d.backoff.max < d.backoff.initial) {
    findings.issues.push({
      path: [...path, 'backoff', 'max'],
      message: `is shorter than backoff.initial (${d.backoff.max}ms < ${d.backoff.initial}ms)`,
    });
  }
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
