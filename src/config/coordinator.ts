import type { Config } from './types.ts';

/** What subscribers are told when a new config is in force. */
export interface ConfigChange {
  next: Config;
  previous: Config;
  /** How long work started under `previous` may still run (see graceMs). */
  graceMs: number;
}

/** Reacts to a config swap; a subscriber that throws is a bug (the swap has already happened). */
export type ConfigSubscriber = (change: ConfigChange) => void | Promise<void>;

/** A reload's answer: the new config in force, or why the old one is kept. */
export type ReloadResult = { ok: true; change: ConfigChange } | { ok: false; error: unknown };

/**
 * The one grace rule of a reload: sends in flight under the replaced config (on a destination removed or
 * rebuilt) get that config's attempt timeout plus a second to finish before their worker stops and their
 * clients close.
 */
export function graceMs(previous: Config): number {
  return previous.delivery.timeoutMs + 1000;
}

/**
 * Owns the config in force. A reload loads and validates a new one under a mutex (a SIGHUP and a file watch
 * arriving together run one after the other), swaps it in whole, then tells every subscriber in order, as
 * alertmanager's config/coordinator.go does. A config that does not load leaves the old one in force.
 */
export class ConfigCoordinator {
  private config: Config;
  private readonly subscribers: ConfigSubscriber[] = [];
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    initial: Config,
    private readonly load: () => Promise<Config>,
  ) {
    this.config = initial;
  }

  /** The config in force. */
  get current(): Config {
    return this.config;
  }

  /** Adds a subscriber, told of every later swap in the order subscribed. */
  subscribe(subscriber: ConfigSubscriber): void {
    this.subscribers.push(subscriber);
  }

  /** Loads the config again; resolves once it is in force and every subscriber has run (or was refused). */
  reload(): Promise<ReloadResult> {
    const run = this.tail.then(() => this.reloadNow());
    this.tail = run.catch(() => {});
    return run;
  }

  private async reloadNow(): Promise<ReloadResult> {
    let next: Config;
    try {
      next = await this.load();
    } catch (error) {
      return { ok: false, error };
    }
    const change = { next, previous: this.config, graceMs: graceMs(this.config) };
    this.config = next;
    for (const subscriber of this.subscribers) await subscriber(change);
    return { ok: true, change };
  }
}
