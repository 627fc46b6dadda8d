/**
 * Stage 4: build (`linked → Promise<Validation<DestinationConfig>>`, `routes → Validation<Router>`). Each linked destination is created by its plugin (templates compile here), routes are
 * compiled by the routing engine, and the result is frozen into the Config every other part reads.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Destination, PluginContext, PluginLogger } from '../destinations/api.ts';
import { buildRouter } from '../routing/build.ts';
import type { FieldCatalog } from '../routing/catalog.ts';
import type { Router } from '../routing/types.ts';
import { compileTemplate, EMPTY_TEMPLATE } from '../templates/template.ts';
import { at, collect, fail, issuesOf, type KeyPath, type Validation } from './issues.ts';
import type { LinkedDestination } from './link.ts';
import type { Secrets } from './secrets.ts';
import type { DestinationConfig } from './types.ts';

/** A logger that drops everything (when the caller passes none). */
export const SILENT_LOGGER: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Creates one linked destination with its plugin; template and `create` failures are its issues. A destination
 * created with issues is closed before they are answered, so a rejected config leaves nothing open.
 */
export async function createDestination(
  d: LinkedDestination,
  logger: PluginLogger,
  secrets: Secrets,
  layouts?: PluginContext['layouts'],
): Promise<Validation<DestinationConfig>> {
  const path = ['destinations', d.name];
  // The templates the plugin compiles while it is created, each a part of this destination's validation.
  const templates: Array<Validation<unknown>> = [];
  const ctx: PluginContext = {
    name: d.name,
    logger: tagged(logger, d.name),
    timeoutMs: d.delivery.timeoutMs,
    ...(layouts && { layouts }),
    template(key, source, mode) {
      const keyPath: KeyPath = typeof key === 'string' ? [key] : key;
      const compiled = compileTemplate(source, mode);
      if (compiled.ok) return compiled.template;
      templates.push(fail([...path, ...keyPath], secrets.redact(compiled.error)));
      return EMPTY_TEMPLATE;
    },
  };
  let destination: Destination;
  try {
    const created: unknown = d.plugin.create(d.options, ctx);
    const wrong = notADestination(created);
    if (wrong) {
      await closeQuietly(created);
      throw new Error(`its create() returned ${wrong}, not a destination { send, close? }`);
    }
    destination = created as Destination;
  } catch (err) {
    const message = `the ${d.plugin.type} plugin could not set up this destination: ${(err as Error).message}`;
    return E.left([...templates.flatMap(issuesOf), { path, message: secrets.redact(message) }]);
  }
  const { core } = d;
  // Refused rather than accepted and ignored: an operator expecting one digest per interval must not get a
  // message per event without being told.
  const digests =
    core.group && typeof destination.sendDigest !== 'function'
      ? fail(
          [...path, 'group'],
          `the ${d.plugin.type} plugin cannot send digests (it has no sendDigest); remove group: to deliver events one by one`,
        )
      : E.right(undefined);
  const checked = collect([...templates, digests]);
  if (E.isLeft(checked)) {
    await closeQuietly(destination);
    return checked;
  }
  return E.right(
    Object.freeze({
      name: d.name,
      type: d.plugin.type,
      delivery: deepFreeze(d.delivery),
      ...(core.rateLimit && { rateLimit: Object.freeze({ ...core.rateLimit }) }),
      ...(core.circuitBreaker && {
        circuitBreaker: Object.freeze({
          failures: core.circuitBreaker.failures,
          cooldownMs: core.circuitBreaker.cooldown,
        }),
      }),
      fallback: Object.freeze([...core.fallback]) as string[],
      ...(core.group && {
        group: deepFreeze({
          by: [...core.group.by],
          waitMs: core.group.wait,
          intervalMs: core.group.interval,
        }),
      }),
      destination,
    }),
  );
}

/** Compiles the routes against the declared destinations; issues are re-rooted under `routes`. */
export function buildRoutes(
  raw: unknown,
  declared: ReadonlySet<string>,
  catalog: FieldCatalog,
): Validation<Router> {
  try {
    return at(['routes'], buildRouter(raw, declared, catalog));
  } catch (err) {
    return fail(['routes'], `routes could not be built: ${(err as Error).message}`);
  }
}

/** Releases destinations built for a config that was then rejected. */
export async function closeAll(destinations: Iterable<DestinationConfig>): Promise<void> {
  await Promise.all([...destinations].map((d) => closeQuietly(d.destination)));
}

/**
 * Why what a plugin's `create` returned is no destination, or undefined when it is one. Checked here, at the one
 * place every destination is created, rather than met later as "Cannot read properties of null" in a worker or
 * when a rejected config is closed (found by an attack).
 */
function notADestination(created: unknown): string | undefined {
  if (created === null) return 'null';
  if (typeof created !== 'object')
    return typeof created === 'undefined' ? 'undefined' : `a ${typeof created}`;
  if (typeof (created as { then?: unknown }).then === 'function')
    return 'a Promise (create must return the destination itself, not a Promise)';
  if (typeof (created as { send?: unknown }).send !== 'function') return 'an object without a send function';
  return undefined;
}

/** Closes a destination of a config being discarded; a plugin's close that throws or rejects changes nothing. */
export async function closeQuietly(destination: unknown): Promise<void> {
  try {
    await (destination as Partial<Destination> | null)?.close?.();
  } catch {
    // A rejected config's problems are what the user needs; its plugin failing to close is not one of them.
  }
}

function tagged(logger: PluginLogger, destination: string): PluginLogger {
  return {
    debug: (obj, msg) => logger.debug({ destination, ...obj }, msg),
    info: (obj, msg) => logger.info({ destination, ...obj }, msg),
    warn: (obj, msg) => logger.warn({ destination, ...obj }, msg),
    error: (obj, msg) => logger.error({ destination, ...obj }, msg),
  };
}

/** Freezes plain data all the way down (not plugin objects: they own their state). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** A Map that refuses changes, so the built config cannot be edited through its ReadonlyMap fields. */
export function frozenMap<K, V>(entries: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
  const map = new Map<K, V>(entries);
  const refuse = () => {
    throw new TypeError('the built config is immutable; load a new one instead');
  };
  Object.defineProperties(map, {
    set: { value: refuse },
    delete: { value: refuse },
    clear: { value: refuse },
  });
  return Object.freeze(map);
}
