import type * as t from 'io-ts';
import type { GatewayEvent } from '../event.ts';
import type { EscapeMode, Template } from '../templates/template.ts';

/**
 * The destination plugin interface (contract §6). Built-in destinations in plugins/ use exactly this, and so
 * does a user's plugin dropped beside them.
 */
export interface DestinationPlugin<Config = unknown> {
  /** The `type:` users write in config. */
  type: string;
  /** io-ts codec for the plugin's options (everything under the destination except the core's own keys). */
  config: t.Type<Config, unknown>;
  /**
   * Builds a destination from decoded options. Called whenever config loads (start, `check`, reload), so it
   * must not do I/O: connect lazily in `send`. Template problems are reported through `ctx.template`.
   */
  create(config: Config, ctx: PluginContext): Destination;
}

/** One configured destination, ready to send. */
export interface Destination {
  /** Sends once. Resolves on success; throws PermanentError / RetryAfterError / anything else (transient). */
  send(event: GatewayEvent, attempt: AttemptInfo): Promise<void>;
  /**
   * Sends one message about several events (a `group:` digest), oldest first; same outcome rules as `send`.
   * Optional: only destinations that have it can be configured with `group:`. `attempt.deliveryId` is the
   * first delivery's id.
   */
  sendDigest?(events: GatewayEvent[], attempt: AttemptInfo): Promise<void>;
  /** Releases pooled connections when the config is replaced or the service stops. */
  close?(): Promise<void>;
  /**
   * Where it sends, for messages the core writes (`no answer from smtp.example.com:587 within the 10000 ms attempt
   * timeout`): a host:port or a URL's origin, never a secret. Optional.
   */
  readonly target?: string;
}

/** What a destination knows about the attempt it is making. */
export interface AttemptInfo {
  /** 1 for the first attempt. */
  number: number;
  /** Stable across retries of the same delivery (use it as an idempotency key). */
  deliveryId: string;
  /** Aborted when the attempt times out or the service shuts down; pass it to fetch/clients. */
  signal: AbortSignal;
}

/** Minimal structured logger handed to plugins (a pino child logger in practice). */
export interface PluginLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What the core gives a plugin's `create`. */
export interface PluginContext {
  /** The destination's name in config. */
  name: string;
  logger: PluginLogger;
  /**
   * Compiles a template for the option at `key` (a key path under the destination, e.g. 'text' or
   * ['headers', 'X-Id']). A compile error is recorded as a config error located at that key; the returned
   * template then renders ''. `mode` picks the escaping for the medium.
   */
  template(key: string | ReadonlyArray<string | number>, source: string, mode: EscapeMode): Template;
  /** The per-attempt timeout in milliseconds from the delivery settings (the core also enforces it). */
  timeoutMs: number;
  /**
   * The loaded sources' default layouts for a destination type, by event type (e.g. `layouts('slack')
   * ['message-reply'].text`): how each source wants its events shown when the destination sets no template.
   */
  layouts?(destinationType: string): Readonly<Record<string, Readonly<Record<string, string>>>>;
}
