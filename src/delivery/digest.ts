import type { GatewayEvent } from '../event.ts';
import type { ClaimedDelivery } from '../store/types.ts';

/** A destination's `group:` settings (contract §7, Alertmanager's group_wait / group_interval). */
export interface GroupSettings {
  by: readonly string[];
  /** How long a new group collects events before its first message. */
  waitMs: number;
  /** The least time between two messages of one group. */
  intervalMs: number;
}

/** What to do with claimed deliveries now: send these groups, hold the rest until their group's next turn. */
export interface DigestPlan {
  send: Array<{ key: string; deliveries: ClaimedDelivery[] }>;
  defer: Array<{ ids: string[]; until: number }>;
}

/**
 * Decides when each group of events may be sent: one message per group per interval instead of one per event.
 * Deliveries stay individual rows in the store (so nothing is lost and every attempt is recorded); this only
 * schedules them. The schedule lives in memory: after a restart, or across several instances, a group may be
 * sent once sooner than its interval, never later and never lost.
 */
export class DigestScheduler {
  private readonly readers: Array<(event: GatewayEvent) => unknown>;
  private readonly groups = new Map<string, { firstSeen: number; lastSent?: number }>();

  constructor(private readonly settings: GroupSettings) {
    // The config loader has already checked every path against the sources' declared fields.
    this.readers = settings.by.map(groupReader);
  }

  /** The group an event belongs to: its values of the `by` paths. */
  keyOf(event: GatewayEvent): string {
    return JSON.stringify(this.readers.map((read) => read(event) ?? null));
  }

  /** Splits claimed deliveries into groups due now and groups to hold until their time. */
  plan(claimed: readonly ClaimedDelivery[], now: number): DigestPlan {
    const byKey = new Map<string, ClaimedDelivery[]>();
    for (const d of claimed) {
      const key = this.keyOf(d.event);
      const list = byKey.get(key);
      if (list) list.push(d);
      else byKey.set(key, [d]);
    }
    const plan: DigestPlan = { send: [], defer: [] };
    for (const [key, deliveries] of byKey) {
      const due = this.dueAt(key, now);
      if (due <= now) plan.send.push({ key, deliveries });
      else plan.defer.push({ ids: deliveries.map((d) => d.id), until: due });
    }
    this.forgetIdle(now);
    return plan;
  }

  /** Records that a group's message went out (whatever its outcome: failures are retried by the queue). */
  sent(key: string, now: number): void {
    const group = this.groups.get(key);
    if (group) group.lastSent = now;
  }

  private dueAt(key: string, now: number): number {
    let group = this.groups.get(key);
    if (!group) {
      group = { firstSeen: now };
      this.groups.set(key, group);
    }
    return group.lastSent === undefined
      ? group.firstSeen + this.settings.waitMs
      : group.lastSent + this.settings.intervalMs;
  }

  /** Groups quiet for two intervals start afresh (with `wait`) and stop taking memory. */
  private forgetIdle(now: number): void {
    for (const [key, g] of this.groups) {
      const last = g.lastSent ?? g.firstSeen;
      if (now - last > 2 * this.settings.intervalMs + this.settings.waitMs) this.groups.delete(key);
    }
  }
}

/**
 * Reads a `group.by` path from an event: `tags.<key>` (the key may hold dots), else the dotted path into the
 * event, where a source's declared fields sit (`type`, `status.name`, `payload.user.id`).
 */
function groupReader(path: string): (event: GatewayEvent) => unknown {
  if (path.startsWith('tags.')) {
    const key = path.slice('tags.'.length);
    return (e) => (Object.hasOwn(e.tags, key) ? e.tags[key] : undefined);
  }
  const segments = path.split('.');
  return (e) => {
    let here: unknown = e;
    for (const s of segments) {
      if (typeof here !== 'object' || here === null || !Object.hasOwn(here, s)) return undefined;
      here = (here as Record<string, unknown>)[s];
    }
    return here;
  };
}
