import { hostname } from 'node:os';
import type Koa from 'koa';
import { createAdminApi } from './admin/api.ts';
import { createAdminApp } from './admin/app.ts';
import { AuthThrottle } from './admin/auth-throttle.ts';
import type { Clock } from './clock.ts';
import { type ConfigChange, ConfigCoordinator } from './config/coordinator.ts';
import type { Config } from './config/types.ts';
import { createConsole, withConsole } from './console/console.ts';
import { Dispatcher } from './delivery/dispatcher.ts';
import { controlsReadiness } from './delivery/readiness.ts';
import { newId } from './ids.ts';
import { createApp } from './ingress/app.ts';
import { registerControlMetrics } from './observability/control-metrics.ts';
import { deliveryLog } from './observability/delivery-log.ts';
import type { Log } from './observability/log.ts';
import { Metrics } from './observability/metrics.ts';
import { assessReadiness, type ReadinessReport, storeAnswer } from './observability/readiness.ts';
import { redactorFor } from './observability/redact.ts';
import { StoreHealth, watchWrites } from './observability/store-health.ts';
import { storeCause } from './observability/store-log.ts';
import { webhookLog } from './observability/webhook-log.ts';
import { GroupCommitter } from './store/group-commit.ts';
import type { Store } from './store/types.ts';

/** What the wiring is given: the first config, the opened store, and how to load the config again. */
export interface WiringInputs {
  config: Config;
  /** Opened and migrated; the wiring wraps it to watch its writes (store health for /readyz). */
  store: Store;
  log: Log;
  clock: Clock;
  /** Loads and validates the config again (a reload); throws when it has problems. */
  loadConfig(): Promise<Config>;
  /** Whether the service is shutting down (makes /readyz answer not ready). */
  stopping(): boolean;
  /** Longest idle sleep of delivery workers (ms). */
  pollMs?: number;
}

/**
 * The service's parts, built once and connected, none of them started: no port is open, no worker runs and
 * no timer is set until the service's lifecycle (service.ts) starts them.
 */
export interface Parts {
  /** Owns the config in force; a reload tells the dispatcher, logs and metrics (see onConfigChange). */
  coordinator: ConfigCoordinator;
  /** The store, its writes watched for /readyz. */
  store: Store;
  metrics: Metrics;
  dispatcher: Dispatcher;
  committer: GroupCommitter;
  /** The webhook listener's app (webhooks, /healthz, /readyz status) and the admin listener's. */
  apps: { webhooks: Koa; admin: Koa };
  /** /readyz: the store answers and can write, workers run, the service is not shutting down. */
  readiness(): Promise<ReadinessReport>;
}

/**
 * Builds the service from its parts. The one "deliveries enqueued" signal, `dispatcher.enqueued`, is handed to
 * every part that adds deliveries (ingest's committer, the admin API's replays and redecodes); the workers'
 * fallbacks use it inside the dispatcher. Logs and metrics only observe: no worker wakes through them.
 */
export function wire(inputs: WiringInputs): Parts {
  const { log, clock } = inputs;
  const coordinator = new ConfigCoordinator(inputs.config, inputs.loadConfig);
  const config = () => coordinator.current;
  const health = new StoreHealth();
  const store = watchWrites(inputs.store, health);
  const metrics = new Metrics(
    () => store,
    () => clock.now(),
  );
  // Read at scrape time, when the dispatcher below exists.
  const controlMetrics = registerControlMetrics(metrics.registry, () => dispatcher.controls());
  const dispatcher = new Dispatcher({
    store,
    owner: `${hostname()}:${process.pid}:${newId().slice(-6)}`,
    clock,
    observer: deliveryLog(log, metrics, controlMetrics),
    pollMs: inputs.pollMs,
    redact: redactorFor(() => config().secrets),
  });
  const committer = new GroupCommitter(store, () => clock.now(), undefined, dispatcher.enqueued);
  const readiness = () =>
    readinessOf({ store, health, dispatcher, config: config(), stopping: inputs.stopping() });
  // One count of wrong admin tokens per client address for the console, the admin API and the public /readyz.
  const throttle = new AuthThrottle({ log });
  const webhooks = createApp({
    throttle,
    config,
    committer,
    store,
    clock,
    readiness,
    onWebhook: webhookLog(log, metrics),
  });
  const admin = createAdminApp({
    readiness,
    metrics: () => metrics.render(),
    api: withConsole(
      createConsole({ store, config, clock, log, throttle }),
      createAdminApi({
        store,
        config,
        clock,
        dispatcher,
        enqueued: dispatcher.enqueued,
        committer,
        log,
        throttle,
        onStoreError: (err, method, path) =>
          log.warn(
            { method, path, status: 503, ...storeCause(err) },
            'admin request refused: store unavailable',
          ),
      }),
    ),
  });
  coordinator.subscribe(onConfigChange(dispatcher, store, metrics, log));
  return { coordinator, store, metrics, dispatcher, committer, apps: { webhooks, admin }, readiness };
}

/** What a config swap changes, in order: a warning, the workers, the log and metrics, old clients. */
function onConfigChange(dispatcher: Dispatcher, store: Store, metrics: Metrics, log: Log) {
  return async ({ next, previous, graceMs }: ConfigChange): Promise<void> => {
    if (
      JSON.stringify(next.store) !== JSON.stringify(previous.store) ||
      JSON.stringify(next.server) !== JSON.stringify(previous.server) ||
      JSON.stringify(next.admin.listen) !== JSON.stringify(previous.admin.listen)
    ) {
      log.warn({}, 'store, server and admin.listen settings changed: they take effect after a restart');
    }
    await dispatcher.apply(next, graceMs);
    metrics.reload('applied');
    log.info(
      { destinations: [...next.destinations.keys()], routes: next.router.routeNames },
      'config reloaded',
    );
    // Sends still in flight on the old destinations finish first (the grace rule), then their clients close.
    setTimeout(() => void closeDestinations(previous, log), graceMs).unref();
    await warnOfHeldDeliveries(previous, next, store, log);
  };
}

/**
 * A destination a reload removed keeps its queued deliveries, which wait for it to come back: warned once per
 * such destination with how many, so an edit that renamed or dropped a destination is not a silent stall.
 * Best effort: a store that does not answer leaves it to /readyz's `heldDestinations`.
 */
async function warnOfHeldDeliveries(previous: Config, next: Config, store: Store, log: Log): Promise<void> {
  const removed = new Set([...previous.destinations.keys()].filter((name) => !next.destinations.has(name)));
  if (removed.size === 0) return;
  try {
    const stats = await storeAnswer(store.queueStats({ now: new Date() }), READINESS_TIMEOUT_MS);
    const held = new Map<string, number>();
    for (const d of stats.depth)
      if (removed.has(d.destination) && (d.state === 'pending' || d.state === 'sending'))
        held.set(d.destination, (held.get(d.destination) ?? 0) + d.count);
    for (const [destination, queued] of held)
      log.warn(
        { destination, queued, see: `switchboard deliveries --destination ${destination}` },
        'destination removed from the config holds queued deliveries: they wait until it is added back',
      );
  } catch {
    // the reload stands; /readyz names held destinations when the store answers
  }
}

/** Longest wait for the store's answer in /readyz (ms): a hung store makes readiness fail, never hang. */
const READINESS_TIMEOUT_MS = 2_000;

/** The readiness report, with open breakers, throttles and held deliveries as information (never unready). */
async function readinessOf(parts: {
  store: Store;
  health: StoreHealth;
  dispatcher: Dispatcher;
  config: Config;
  stopping: boolean;
}): Promise<ReadinessReport> {
  const { store, dispatcher } = parts;
  const report = await assessReadiness({
    store,
    health: parts.health,
    workersRunning: dispatcher.isRunning,
    stopping: parts.stopping,
    timeoutMs: READINESS_TIMEOUT_MS,
  });
  const controls = controlsReadiness(dispatcher.controls());
  if (controls.destinations)
    report.checks.destinations = {
      ok: true,
      status: `${Object.keys(controls.destinations).length} destination(s) with an open breaker or throttled`,
      destinations: controls.destinations,
    };
  if (report.checks.store.ok) {
    try {
      // Bounded too: a hung store (a table lock) held /readyz for as long as the lock (found by an attack).
      const stats = await storeAnswer(store.queueStats({ now: new Date() }), READINESS_TIMEOUT_MS);
      const configured = new Set(parts.config.destinations.keys());
      const held = stats.depth.filter(
        (d) => !configured.has(d.destination) && (d.state === 'pending' || d.state === 'sending'),
      );
      // Held deliveries wait for an operator, they do not make this instance unready.
      if (held.length > 0)
        report.checks.heldDestinations = {
          ok: true,
          status: `${held.length} destination(s) not in the current config hold deliveries`,
          destinations: held.map((h) => ({ destination: h.destination, state: h.state, count: h.count })),
        };
    } catch {
      // the store check above already answered; a failure here shows on the next call
    }
  }
  return report;
}

/**
 * Prunes finished events past `store.retentionMs` now and then every tenth of it (between a minute and an
 * hour). Returns the function that stops it.
 */
export function startPruning(store: Store, config: () => Config, clock: Clock, log: Log): () => void {
  const every = Math.min(3_600_000, Math.max(60_000, config().store.retentionMs / 10));
  const prune = async () => {
    try {
      const now = clock.now();
      const removed = await store.prune({
        before: new Date(now - config().store.retentionMs),
        now: new Date(now),
      });
      if (removed > 0) log.info({ removed }, 'pruned finished events past retention');
    } catch (err) {
      log.error({ err }, 'pruning failed; will try again');
    }
  };
  const timer = setInterval(prune, every);
  timer.unref();
  void prune();
  return () => clearInterval(timer);
}

/** Closes every destination's clients; a failure is logged, not thrown. */
export async function closeDestinations(config: Config, log: Log): Promise<void> {
  await Promise.all(
    [...config.destinations.values()].map(async (d) => {
      try {
        await d.destination.close?.();
      } catch (err) {
        log.warn({ destination: d.name, err }, 'closing destination failed');
      }
    }),
  );
}
