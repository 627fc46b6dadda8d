import type { Destination } from '../destinations/api.ts';
import type { Router } from '../routing/types.ts';
import type { SourcePlugin } from '../sources/api.ts';

/** Retry and timeout settings for deliveries; defaults under `delivery:`, overridable per destination. */
export interface DeliverySettings {
  /** How long after its first attempt a delivery keeps being retried before it is dead. */
  retryForMs: number;
  /** Attempts before a delivery is dead; 0: no limit within retryForMs. Throttled tries never count. */
  attempts: number;
  backoff: { initialMs: number; maxMs: number; multiplier: number; jitter: boolean };
  timeoutMs: number;
  concurrency: number;
}

/** A configured source: the core's keys, and its plugin with the options that plugin decoded. */
export interface SourceConfig {
  name: string;
  /** The plugin's kind, e.g. `mta`. */
  kind: string;
  plugin: SourcePlugin;
  /** Decoded by the plugin's own codec (MTA: `{ version, defaultCountry }`). */
  options: unknown;
  /**
   * Every secret a body may be signed with, newest first (`secrets: [new, old]` during a rotation, else just
   * `[secret]`); empty only when allowUnsigned is true and none was given. Every source kind checks them all.
   */
  secrets: readonly string[];
  /** The first of `secrets` (what `switchboard sign` signs with); absent exactly when `secrets` is empty. */
  secret?: string;
  allowUnsigned: boolean;
  dedupeWindowMs: number;
  /**
   * An authentic body that cannot be decoded: `accept` answers 200 and keeps it as an `unrecognized` event
   * (routable, re-decodable with `switchboard redecode`); `reject` answers 400 and keeps it in the rejected log.
   */
  onUndecodable: 'accept' | 'reject';
}

/** A configured, built destination. */
export interface DestinationConfig {
  name: string;
  type: string;
  delivery: DeliverySettings;
  /** Sends allowed per window, retries included. */
  rateLimit?: { count: number; perMs: number };
  circuitBreaker?: { failures: number; cooldownMs: number };
  /** Destinations that get the event when a delivery here ends failed or dead. */
  fallback: string[];
  /** Digest settings: one message per group of events per interval (only for plugins that implement sendDigest). */
  group?: { by: string[]; waitMs: number; intervalMs: number };
  destination: Destination;
}

/** Where the store lives. */
export type StoreConfig =
  | { driver: 'sqlite'; path: string; retentionMs: number }
  | {
      driver: 'postgres';
      url: string;
      poolSize: number;
      schema?: string;
      retentionMs: number;
      /** Connect, statement and idle-in-transaction limits, ms. */
      timeouts: { connectTimeoutMs: number; statementTimeoutMs: number; idleInTransactionTimeoutMs: number };
    };

/** The built, immutable config. A reload builds a new one and swaps it whole. */
export interface Config {
  /** Absolute path of the file it was loaded from. */
  file: string;
  /** SHA-256 of the file's bytes it was built from (read.ts), for `--watch` to tell whether the file changed since. */
  digest: string;
  /**
   * The webhook listener. `requestTimeoutMs`: longest time to receive a whole request (headers and body) before
   * it is answered 408 and its connection closed; `headersTimeoutMs`: the same for the headers alone (slowloris).
   */
  server: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    requestTimeoutMs: number;
    headersTimeoutMs: number;
  };
  sources: ReadonlyMap<string, SourceConfig>;
  store: StoreConfig;
  delivery: DeliverySettings;
  /** The admin listener (API, /metrics, /readyz details), apart from the webhook port; the API needs `token`. */
  admin: { token?: string; listen: { host: string; port: number } };
  plugins: { dirs: string[] };
  destinations: ReadonlyMap<string, DestinationConfig>;
  router: Router;
  /** Every secret value in the config (from ${...} or secret-named keys), for redaction in logs and output. */
  secrets: readonly string[];
}
