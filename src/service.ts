import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { createAdminApi } from './admin/api.ts';
import { createAdminApp } from './admin/app.ts';
import { AuthThrottle } from './admin/auth-throttle.ts';
import { type Clock, systemClock } from './clock.ts';
import { type ConfigChange, ConfigCoordinator } from './config/coordinator.ts';
import { formatIssue, loadConfigWithPlugins } from './config/load.ts';
import type { Config } from './config/types.ts';
import { createConsole, withConsole } from './console/console.ts';
import { Dispatcher } from './delivery/dispatcher.ts';
import { controlsReadiness } from './delivery/readiness.ts';
import type { ControlsSnapshot } from './delivery/worker.ts';
import { newId } from './ids.ts';
import { createApp } from './ingress/app.ts';
import { listenOn, serverTimeouts, urlHost } from './listen.ts';
import { registerControlMetrics } from './observability/control-metrics.ts';
import { deliveryLog } from './observability/delivery-log.ts';
import { createLogger, type Log } from './observability/log.ts';
import { Metrics } from './observability/metrics.ts';
import { assessReadiness, type ReadinessReport } from './observability/readiness.ts';
import { redactorFor } from './observability/redact.ts';
import { StoreHealth, storeFaultKind, watchWrites } from './observability/store-health.ts';
import { logConnectionEvents, storeCause } from './observability/store-log.ts';
import { GroupCommitter } from './store/group-commit.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/types.ts';

/** How to run the service. */
export interface ServiceOptions {
  configPath: string;
  env: Record<string, string | undefined>;
  log?: Log;
  clock?: Clock;
  /** Longest idle sleep of delivery workers (ms). */
  pollMs?: number;
  /** How long shutdown lets in-flight sends finish (ms). */
  shutdownGraceMs?: number;
}

/** Start-up refused because the config has problems; `lines` are ready to print, one per problem. */
export class ConfigRejected extends Error {
  constructor(readonly lines: string[]) {
    super(`config has ${lines.length} problem${lines.length === 1 ? '' : 's'}:\n${lines.join('\n')}`);
    this.name = 'ConfigRejected';
  }
}

/** Loads config and its plugins, or throws ConfigRejected with every problem. */
export async function loadOrThrow(configPath: string, env: Record<string, string | undefined>, log?: Log) {
  const result = await loadConfigWithPlugins(configPath, { env, logger: log });
  if (!result.ok) throw new ConfigRejected(result.issues.map((i) => formatIssue(i)));
  return result;
}

/**
 * The long-lived gateway: HTTP ingress, the store, one delivery worker per destination, retention, reload.
 * Dependencies are built here once and passed down; nothing starts at import time.
 */
export class Service {
  private readonly coordinator: ConfigCoordinator;
  private server: Server | null = null;
  private adminServer: Server | null = null;
  private stopping = false;
  private pruneTimer: NodeJS.Timeout | null = null;
  readonly log: Log;
  readonly metrics: Metrics;
  readonly dispatcher: Dispatcher;
  private readonly committer: GroupCommitter;
  readonly store: Store;

  private constructor(
    config: Config,
    store: Store,
    private readonly opts: ServiceOptions,
    log: Log,
    private readonly health: StoreHealth,
  ) {
    this.coordinator = new ConfigCoordinator(config, async () => {
      const { config: next, warnings } = await loadOrThrow(this.opts.configPath, this.opts.env, this.log);
      for (const w of warnings) this.log.warn({ config: next.file }, w);
      return next;
    });
    this.log = log;
    this.store = watchWrites(store, health);
    const clock = opts.clock ?? systemClock;
    this.metrics = new Metrics(
      () => this.store,
      () => clock.now(),
    );
    const controlMetrics = registerControlMetrics(this.metrics.registry, () => this.destinationControls());
    const observer = deliveryLog(log, this.metrics, controlMetrics);
    this.dispatcher = new Dispatcher({
      store: this.store,
      owner: `${hostname()}:${process.pid}:${newId().slice(-6)}`,
      clock,
      observer,
      pollMs: opts.pollMs,
      redact: redactorFor(() => this.config.secrets),
    });
    // Ingest tells the dispatcher itself which destinations got deliveries, right after each commit.
    this.committer = new GroupCommitter(
      this.store,
      () => clock.now(),
      undefined,
      (destinations) => this.dispatcher.wake(destinations),
    );
    this.coordinator.subscribe(this.onConfigChange);
  }

  /** Loads config, opens and migrates the store, starts workers and the HTTP server. */
  static async start(opts: ServiceOptions): Promise<Service> {
    // Redaction follows the config in force: first the one being loaded, then whatever a reload swaps in.
    let secrets: () => readonly string[] = () => [];
    const log = opts.log ?? createLogger({ secrets: () => secrets() });
    const { config, warnings } = await loadOrThrow(opts.configPath, opts.env, log);
    secrets = () => config.secrets;
    for (const w of warnings) log.warn({ config: config.file }, w);
    const events = logConnectionEvents(log);
    const store = await openStore(config.store, { threaded: true, events });
    const service = new Service(config, store, opts, log, new StoreHealth());
    secrets = () => service.config.secrets;
    try {
      await service.run();
    } catch (err) {
      // Whatever started (workers, the store's thread) must not keep a process that failed to start alive.
      await service.dispatcher.stop(Date.now()).catch(() => {});
      await store.close().catch(() => {});
      await new Promise<void>((r) => (service.server ? service.server.close(() => r()) : r()));
      throw err;
    }
    return service;
  }

  /** The config in force. */
  get current(): Config {
    return this.config;
  }

  /** The config in force (the coordinator owns it; a reload swaps it whole). */
  private get config(): Config {
    return this.coordinator.current;
  }

  /** The address the HTTP server listens on. */
  get address(): AddressInfo {
    return this.server?.address() as AddressInfo;
  }

  /** The address the admin listener (admin API, /metrics, /readyz details) listens on. */
  get adminAddress(): AddressInfo {
    return this.adminServer?.address() as AddressInfo;
  }

  private async run(): Promise<void> {
    const clock = this.opts.clock ?? systemClock;
    await this.dispatcher.start(this.config);
    // One count of wrong admin tokens per client address for the console, the admin API and the public /readyz.
    const throttle = new AuthThrottle({ log: this.log });
    const app = createApp({
      throttle,
      config: () => this.config,
      committer: this.committer,
      store: this.store,
      clock,
      readiness: () => this.readiness(),
      onWebhook: (source, outcome, ms) => {
        const ok = outcome.status === 200;
        this.metrics.webhook(
          source,
          outcome.status,
          ok
            ? {
                type: outcome.type,
                duplicate: outcome.body.duplicate,
                unrouted: outcome.unrouted,
                secretIndex: outcome.secretIndex,
              }
            : { reason: outcome.reason },
          ms / 1000,
        );
        if (ok && outcome.notes) this.metrics.decoded(source, outcome.type, outcome.notes);
        const line = {
          source,
          status: outcome.status,
          durationMs: Math.round(ms * 10) / 10,
          ...(ok
            ? { eventId: outcome.body.id, type: outcome.type, duplicate: outcome.body.duplicate || undefined }
            : { reason: outcome.reason, error: outcome.body.error, ...storeCause(outcome.cause) }),
        };
        if (ok) this.log.info(line, 'webhook accepted');
        else this.log.warn(line, 'webhook refused');
      },
    });
    this.server = createServer(serverTimeouts(this.config.server), app.callback());
    this.server.keepAliveTimeout = 5_000;
    await listenOn(this.server, this.config.server, { host: 'server.host', port: 'server.port' });
    const adminApp = createAdminApp({
      readiness: () => this.readiness(),
      metrics: () => this.metrics.render(),
      api: withConsole(
        createConsole({ store: this.store, config: () => this.config, clock, log: this.log, throttle }),
        createAdminApi({
          store: this.store,
          config: () => this.config,
          clock,
          dispatcher: this.dispatcher,
          committer: this.committer,
          log: this.log,
          throttle,
          onStoreError: (err, method, path) =>
            this.log.warn(
              { method, path, status: 503, ...storeCause(err) },
              'admin request refused: store unavailable',
            ),
        }),
      ),
    });
    this.adminServer = createServer(serverTimeouts(this.config.server), adminApp.callback());
    await listenOn(this.adminServer, this.config.admin.listen, {
      host: 'admin.listen',
      port: 'admin.listen',
    });
    const addr = this.address;
    const adminAddr = this.adminServer.address() as AddressInfo;
    this.log.info(
      {
        url: `http://${urlHost(addr.address)}:${addr.port}`,
        admin: `http://${urlHost(adminAddr.address)}:${adminAddr.port}`,
        config: this.config.file,
        store: this.config.store.driver,
        destinations: [...this.config.destinations.keys()],
      },
      'switchboard listening',
    );
    for (const source of this.config.sources.values()) {
      if (source.allowUnsigned) {
        this.log.warn(
          { source: source.name },
          'UNSIGNED WEBHOOKS ARE ACCEPTED for this source (allowUnsigned: true). Local testing only: set a secret and remove allowUnsigned in production.',
        );
      }
    }
    this.schedulePrune();
  }

  private schedulePrune(): void {
    const clock = this.opts.clock ?? systemClock;
    const every = Math.min(3_600_000, Math.max(60_000, this.config.store.retentionMs / 10));
    const prune = async () => {
      try {
        const now = clock.now();
        const removed = await this.store.prune({
          before: new Date(now - this.config.store.retentionMs),
          now: new Date(now),
        });
        if (removed > 0) this.log.info({ removed }, 'pruned finished events past retention');
      } catch (err) {
        this.log.error({ err }, 'pruning failed; will try again');
      }
    };
    this.pruneTimer = setInterval(prune, every);
    this.pruneTimer.unref();
    void prune();
  }

  /** Each destination's circuit breaker and throttle, read-only: `{ name: { state, openUntil?, throttledUntil?, ratePerSecond? } }`. */
  destinationControls(): Record<string, ControlsSnapshot> {
    return this.dispatcher.controls();
  }

  /** /readyz: the store answers and can write, workers run, and the service is not shutting down. */
  async readiness(): Promise<ReadinessReport> {
    const report = await assessReadiness({
      store: this.store,
      health: this.health,
      workersRunning: this.dispatcher.isRunning,
      stopping: this.stopping,
      timeoutMs: READINESS_TIMEOUT_MS,
    });
    const controls = controlsReadiness(this.destinationControls());
    // Informational, like held deliveries: an open breaker or a throttle does not make this instance unready.
    if (controls.destinations)
      report.checks.destinations = {
        ok: true,
        status: `${Object.keys(controls.destinations).length} destination(s) with an open breaker or throttled`,
        destinations: controls.destinations,
      };
    if (report.checks.store.ok) {
      try {
        const stats = await this.store.queueStats({ now: new Date() });
        const configured = new Set(this.config.destinations.keys());
        const held = stats.depth.filter(
          (d) => !configured.has(d.destination) && (d.state === 'pending' || d.state === 'sending'),
        );
        // Informational: held deliveries wait for an operator, they do not make this instance unready.
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
   * Re-reads the config file. A config with problems is refused (problems logged, the old config kept);
   * a good one is swapped in whole: new events use the new routes; queued deliveries keep their destination.
   */
  async reload(): Promise<{ ok: true } | { ok: false; lines: string[] }> {
    const result = await this.coordinator.reload();
    if (result.ok) return { ok: true };
    const err = result.error;
    const lines = err instanceof ConfigRejected ? err.lines : [(err as Error).message];
    this.metrics.reload('refused');
    this.log.error({ problems: lines }, 'config reload refused; keeping the running config');
    return { ok: false, lines };
  }

  /** What a config swap changes here, in order: a warning, the workers, the log and metrics, old clients. */
  private onConfigChange = async ({ next, previous, graceMs }: ConfigChange): Promise<void> => {
    if (
      JSON.stringify(next.store) !== JSON.stringify(previous.store) ||
      JSON.stringify(next.server) !== JSON.stringify(previous.server) ||
      JSON.stringify(next.admin.listen) !== JSON.stringify(previous.admin.listen)
    ) {
      this.log.warn({}, 'store, server and admin.listen settings changed: they take effect after a restart');
    }
    await this.dispatcher.apply(next, graceMs);
    this.metrics.reload('applied');
    this.log.info(
      { destinations: [...next.destinations.keys()], routes: next.router.routeNames },
      'config reloaded',
    );
    // Sends still in flight on the old destinations finish first (the grace rule), then their clients close.
    setTimeout(() => void closeDestinations(previous, this.log), graceMs).unref();
  };

  /**
   * Graceful stop: refuse new requests, let in-flight work finish until the deadline, leave the rest queued.
   * Each step's failure is logged and the next step still runs: a store that cannot write (full disk, lost
   * connection) must not keep the process alive; what it could not record is sent again after a restart.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const deadline = Date.now() + (this.opts.shutdownGraceMs ?? 10_000);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    const servers = [this.server, this.adminServer].filter((s): s is Server => s !== null);
    const closed = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    for (const s of servers) s.closeIdleConnections();
    await this.step('stopping delivery workers', () => this.dispatcher.stop(deadline));
    for (const s of servers) s.closeAllConnections();
    await closed;
    await closeDestinations(this.config, this.log);
    await this.step('closing the store', () => this.store.close(), STORE_CLOSE_MS);
    this.log.info({}, 'switchboard stopped');
    this.log.flush();
  }

  /** One shutdown step: its failure (or a hang past `limitMs`) is logged, and shutdown goes on. */
  private async step(what: string, run: () => Promise<void>, limitMs?: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const late = new Promise<never>((_, reject) => {
        if (limitMs !== undefined)
          timer = setTimeout(() => reject(new Error(`${what} took longer than ${limitMs} ms`)), limitMs);
      });
      await Promise.race([run(), late]);
    } catch (err) {
      this.log.error({ err, cause: storeFaultKind(err) }, `shutdown: ${what} failed; going on`);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Longest wait for the store to close at shutdown (ms). */
const STORE_CLOSE_MS = 3_000;

/** Longest wait for the store's answer in /readyz (ms): a hung store makes readiness fail, never hang. */
const READINESS_TIMEOUT_MS = 2_000;

async function closeDestinations(config: Config, log: Log): Promise<void> {
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
