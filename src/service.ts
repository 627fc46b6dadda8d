import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, systemClock } from './clock.ts';
import { formatIssue, loadConfigWithPlugins } from './config/load.ts';
import type { Config } from './config/types.ts';
import type { Dispatcher } from './delivery/dispatcher.ts';
import type { ControlsSnapshot } from './delivery/worker.ts';
import { answerUnparsableRequests, listenOn, serverTimeouts, urlHost } from './listen.ts';
import { createLogger, type Log } from './observability/log.ts';
import type { Metrics } from './observability/metrics.ts';
import type { ReadinessReport } from './observability/readiness.ts';
import { storeFaultKind } from './observability/store-health.ts';
import { logConnectionEvents } from './observability/store-log.ts';
import { openStore, storeWhere } from './store/open.ts';
import type { Store } from './store/types.ts';
import { answerWhileWaiting, openStoreWaiting, type StoreWait } from './store-wait.ts';
import { withTimeout } from './time-limit.ts';
import { closeDestinations, type Parts, startPruning, wire } from './wiring.ts';

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
  /** Aborting it gives up a start still waiting for its store (StartAborted). */
  signal?: AbortSignal;
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
 * The long-lived gateway's lifecycle: start (load the config, open the store, wire the parts, start the
 * workers and both listeners), reload, and a graceful stop. The parts and how they connect are in wiring.ts.
 */
export class Service {
  private server: Server | null = null;
  private adminServer: Server | null = null;
  private stopping = false;
  private stopPruning: (() => void) | null = null;
  private readonly parts: Parts;

  private constructor(
    config: Config,
    store: Store,
    private readonly opts: ServiceOptions,
    readonly log: Log,
  ) {
    this.parts = wire({
      config,
      store,
      log,
      clock: opts.clock ?? systemClock,
      loadConfig: async () => {
        const { config: next, warnings } = await loadOrThrow(opts.configPath, opts.env, log);
        for (const w of warnings) log.warn({ config: next.file }, w);
        return next;
      },
      stopping: () => this.stopping,
      pollMs: opts.pollMs,
    });
  }

  /**
   * Loads config, takes both ports, opens and migrates the store (waiting out an unreachable one, answering 503
   * meanwhile: see store-wait.ts), then wires the parts and starts the workers. `opts.signal` gives up a start
   * still waiting for its store (StartAborted).
   */
  static async start(opts: ServiceOptions): Promise<Service> {
    // Redaction follows the config in force: first the one being loaded, then whatever a reload swaps in.
    let secrets: () => readonly string[] = () => [];
    const log = opts.log ?? createLogger({ secrets: () => secrets() });
    const { config, warnings } = await loadOrThrow(opts.configPath, opts.env, log);
    secrets = () => config.secrets;
    for (const w of warnings) log.warn({ config: config.file }, w);
    // The ports first: a second start by mistake fails here, before it touches the store, and a sender or a load
    // balancer gets a 503 saying why while the store is not reachable, rather than a refused connection.
    const waiting: StoreWait = { since: Date.now(), attempts: 0 };
    const servers = await listenBoth(config, waiting);
    let store: Store;
    // While the start waits, its own lines say why; the pool's connection lines begin once the store is open.
    const connections = logConnectionEvents(log);
    let opened = false;
    const events = {
      connectionError: (err: Error) => opened && connections.connectionError?.(err),
      // Webhooks get 503 and /readyz says why from then on; this is the one line that tells the operator.
      fileLost: (err: Error) => log.error({ cause: storeFaultKind(err) }, err.message),
    };
    try {
      store = await openStoreWaiting(() => openStore(config.store, { threaded: true, events }), {
        log,
        signal: opts.signal,
        state: waiting,
        describe: storeWhere(config.store),
        fields: { url: listenerUrl(servers.webhooks), admin: listenerUrl(servers.admin) },
      });
    } catch (err) {
      await closeServers(Object.values(servers));
      throw err;
    }
    opened = true;
    const service = new Service(config, store, opts, log);
    secrets = () => service.current.secrets;
    try {
      await service.run(servers);
    } catch (err) {
      // Whatever started (workers, the store's thread) must not keep a process that failed to start alive.
      await service.dispatcher.stop(Date.now()).catch(() => {});
      await store.close().catch(() => {});
      await closeServers(Object.values(servers));
      throw err;
    }
    return service;
  }

  /** The config in force (the coordinator owns it; a reload swaps it whole). */
  get current(): Config {
    return this.parts.coordinator.current;
  }

  /** The store, its writes watched for /readyz. */
  get store(): Store {
    return this.parts.store;
  }

  get metrics(): Metrics {
    return this.parts.metrics;
  }

  get dispatcher(): Dispatcher {
    return this.parts.dispatcher;
  }

  /** The address the HTTP server listens on. */
  get address(): AddressInfo {
    return this.server?.address() as AddressInfo;
  }

  /** The address the admin listener (admin API, /metrics, /readyz details) listens on. */
  get adminAddress(): AddressInfo {
    return this.adminServer?.address() as AddressInfo;
  }

  /** Each destination's circuit breaker and throttle, read-only: `{ name: { state, openUntil?, throttledUntil?, ratePerSecond? } }`. */
  destinationControls(): Record<string, ControlsSnapshot> {
    return this.dispatcher.controls();
  }

  /** /readyz: the store answers and can write, workers run, and the service is not shutting down. */
  readiness(): Promise<ReadinessReport> {
    return this.parts.readiness();
  }

  private async run(servers: { webhooks: Server; admin: Server }): Promise<void> {
    const { apps, dispatcher } = this.parts;
    const config = this.current;
    this.server = servers.webhooks;
    this.adminServer = servers.admin;
    answerWith(this.server, apps.webhooks.callback());
    answerWith(this.adminServer, apps.admin.callback());
    // Workers start once both ports are ours: a second start by mistake (its port in use) must fail before it
    // claims anything; it used to send a delivery of the running instance first.
    await dispatcher.start(config);
    this.log.info(
      {
        url: listenerUrl(this.server),
        admin: listenerUrl(this.adminServer),
        config: config.file,
        store: config.store.driver,
        destinations: [...config.destinations.keys()],
      },
      'switchboard listening',
    );
    for (const source of config.sources.values()) {
      if (source.allowUnsigned) {
        this.log.warn(
          { source: source.name },
          'UNSIGNED WEBHOOKS ARE ACCEPTED for this source (allowUnsigned: true). Local testing only: set a secret and remove allowUnsigned in production.',
        );
      }
    }
    this.stopPruning = startPruning(this.store, () => this.current, this.opts.clock ?? systemClock, this.log);
  }

  /**
   * Re-reads the config file. A config with problems is refused (problems logged, the old config kept);
   * a good one is swapped in whole: new events use the new routes; queued deliveries keep their destination.
   */
  async reload(): Promise<{ ok: true } | { ok: false; lines: string[] }> {
    const result = await this.parts.coordinator.reload();
    if (result.ok) return { ok: true };
    const err = result.error;
    const lines = err instanceof ConfigRejected ? err.lines : [(err as Error).message];
    this.metrics.reload('refused');
    this.log.error({ problems: lines }, 'config reload refused; keeping the running config');
    return { ok: false, lines };
  }

  /**
   * Graceful stop: refuse new requests, let in-flight work finish until the deadline, leave the rest queued.
   * Each step's failure is logged and the next step still runs: a store that cannot write (full disk, lost
   * connection) must not keep the process alive; what it could not record is sent again after a restart.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const deadline = Date.now() + (this.opts.shutdownGraceMs ?? 10_000);
    this.stopPruning?.();
    const servers = [this.server, this.adminServer].filter((s): s is Server => s !== null);
    const closed = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    for (const s of servers) s.closeIdleConnections();
    await this.step('stopping delivery workers', async () => {
      const released = await this.dispatcher.stop(deadline);
      if (released > 0)
        this.log.warn(
          { released },
          `shutdown: ${released} deliveries still sending at the deadline were put back in the queue; they will be sent again (at-least-once)`,
        );
    });
    for (const s of servers) s.closeAllConnections();
    await closed;
    await closeDestinations(this.current, this.log);
    await this.step('closing the store', () => this.store.close(), STORE_CLOSE_MS);
    this.log.info({}, 'switchboard stopped');
    this.log.flush();
  }

  /** One shutdown step: its failure (or a hang past `limitMs`) is logged, and shutdown goes on. */
  private async step(what: string, run: () => Promise<void>, limitMs?: number): Promise<void> {
    try {
      await (limitMs === undefined
        ? run()
        : withTimeout(run(), limitMs, () => new Error(`${what} took longer than ${limitMs} ms`)));
    } catch (err) {
      this.log.error({ err, cause: storeFaultKind(err) }, `shutdown: ${what} failed; going on`);
    }
  }
}

/**
 * Both listeners, answering as store-wait.ts says until the service swaps its apps in (answerWith): the webhook
 * port (`server`) and the admin port (`admin.listen`). Rejects, with neither left listening, when a port cannot
 * be taken.
 */
async function listenBoth(config: Config, waiting: StoreWait): Promise<{ webhooks: Server; admin: Server }> {
  const webhooks = createServer(serverTimeouts(config.server), answerWhileWaiting('webhooks', waiting));
  webhooks.keepAliveTimeout = 5_000;
  answerUnparsableRequests(webhooks);
  const admin = createServer(serverTimeouts(config.server), answerWhileWaiting('admin', waiting));
  answerUnparsableRequests(admin);
  try {
    // The setting is named with its file: a user on `npm start` may not know which config it read.
    const inFile = (key: string) => `${key} in ${config.file}`;
    await listenOn(webhooks, config.server, { host: inFile('server.host'), port: inFile('server.port') });
    await listenOn(admin, config.admin.listen, {
      host: inFile('admin.listen'),
      port: inFile('admin.listen'),
    });
  } catch (err) {
    await closeServers([webhooks, admin]);
    throw err;
  }
  return { webhooks, admin };
}

function listenerUrl(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  return `http://${urlHost(address)}:${port}`;
}

/** Makes `listener` the server's only request handler (the waiting answers give way to the apps). */
function answerWith(server: Server, listener: RequestListener): void {
  server.removeAllListeners('request');
  server.on('request', listener);
}

/** Stops listening and drops every connection (a start that failed has nothing in flight to finish). */
async function closeServers(servers: Server[]): Promise<void> {
  const closed = servers.map((s) => new Promise<void>((r) => (s.listening ? s.close(() => r()) : r())));
  for (const s of servers) s.closeAllConnections();
  await Promise.all(closed);
}

/** Longest wait for the store to close at shutdown (ms). */
const STORE_CLOSE_MS = 3_000;
