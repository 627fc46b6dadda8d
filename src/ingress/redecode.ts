import { createHash } from 'node:crypto';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { Config } from '../config/types.ts';
import { type GatewayEvent, UNRECOGNIZED } from '../event.ts';
import { newId } from '../ids.ts';
import { Redactor } from '../observability/redact.ts';
import { decodeForSource, errorText } from '../sources/decode.ts';
import type { Store } from '../store/types.ts';
import { FORM, parseBody } from './form.ts';

/**
 * How long the "already decoded again" mark lasts: for good. It is a dedupe key that prune never removes
 * (prune drops only expired keys), so a second run, or a second instance running at the same moment, finds it.
 */
const FOREVER_MS = 100 * 365 * 86_400_000;

/** What one `redecode` run did. */
export interface RedecodeReport {
  /** Unrecognized events looked at (after the source filter). */
  examined: number;
  /** Each one that decoded now and became a new, routed event. */
  redecoded: Array<{ from: string; id: string; type: string; destinations: string[] }>;
  /** Unrecognized events that had already been decoded again by an earlier run (nothing was sent again). */
  already: number;
  /** Those that still do not decode, with the first problem. */
  stillUndecodable: Array<{ id: string; problem: string }>;
  /** Those whose source is no longer configured (left as they are). */
  unknownSource: number;
  /**
   * Those that decoded but could not be routed or stored (the store refused that one event, say), with the
   * error, secrets taken out. Each is left as it was, to be tried again by a later run; the others go on.
   */
  failed: Array<{ id: string; error: string }>;
}

/**
 * Decodes quarantined (`unrecognized`) events again with the config in force, and routes and commits those
 * that now decode, each exactly once: the new event is ingested under a dedupe key derived from the
 * unrecognized event's id, in the same transaction as its deliveries, so running this twice (or on two
 * instances at once) delivers nothing more. The unrecognized event stays, for the record. The new event keeps
 * the original `receivedAt` and names its origin in `redecodedFrom`.
 *
 * One function with named arguments, shared by the CLI (`switchboard redecode`), the admin API
 * (`POST /api/redecode`) and the console. One event that fails (its plugin throws: still undecodable; its
 * routing or its commit fails: `failed`) does not stop the others. Throws only when listing the events fails.
 */
export async function redecode(args: {
  store: Store;
  config: Config;
  now: Date;
  /** Only unrecognized events received at or after this time. */
  since?: Date;
  /** Only those of this source. */
  source?: string;
}): Promise<RedecodeReport> {
  const { store, config, now } = args;
  const report: RedecodeReport = {
    examined: 0,
    redecoded: [],
    already: 0,
    stillUndecodable: [],
    unknownSource: 0,
    failed: [],
  };
  const redactor = new Redactor(config.secrets);
  let cursor: string | undefined;
  do {
    const page = await store.listEvents({
      filter: { type: UNRECOGNIZED, since: args.since },
      limit: 200,
      cursor,
    });
    for (const quarantined of page.items) {
      if (args.source !== undefined && quarantined.source !== args.source) continue;
      report.examined++;
      const source = config.sources.get(quarantined.source);
      if (source === undefined) {
        report.unknownSource++;
        continue;
      }
      const decoded = decodeAgain(quarantined, source, now);
      if ('problem' in decoded) {
        report.stillUndecodable.push({ id: quarantined.id, problem: decoded.problem });
        continue;
      }
      try {
        const made = await commitOnce(store, config, decoded.event, quarantined.id, now);
        if (made === 'already') report.already++;
        else report.redecoded.push(made);
      } catch (err) {
        report.failed.push({ id: quarantined.id, error: redactor.redact(errorText(err)) });
      }
    }
    cursor = page.next ?? undefined;
  } while (cursor);
  return report;
}

/** Routes a decoded event and ingests it under the quarantined event's redecode key; throws when that fails. */
async function commitOnce(
  store: Store,
  config: Config,
  event: GatewayEvent,
  from: string,
  now: Date,
): Promise<RedecodeReport['redecoded'][number] | 'already'> {
  const decision = config.router.route(event);
  const [result] = await store.ingest({
    batch: [
      {
        event,
        bodyHash: createHash('sha256').update(`redecode\0${from}`).digest('hex'),
        dedupeWindowMs: FOREVER_MS,
        routes: decision.routes,
        deliveries: decision.destinations,
      },
    ],
    now,
  });
  if (result.duplicate) return 'already';
  const destinations = decision.destinations.map((d) => d.destination);
  return { from, id: result.id, type: event.type, destinations };
}

function decodeAgain(
  quarantined: GatewayEvent,
  source: NonNullable<ReturnType<Config['sources']['get']>>,
  now: Date,
): { event: GatewayEvent } | { problem: string } {
  if (quarantined.rawBody === undefined) return { problem: 'no raw body kept' };
  const contentType = quarantined.contentType === FORM ? FORM : undefined;
  const parsed = parseBody(Buffer.from(quarantined.rawBody, 'base64'), contentType);
  if (!parsed.ok) return { problem: parsed.error.error };
  const decoded = decodeForSource(source, parsed.value, {
    urlEvent: quarantined.urlEvent,
    ...(contentType === undefined ? {} : { contentType }),
    id: newId(now.getTime()),
    receivedAt: quarantined.receivedAt,
  });
  if (isLeft(decoded)) {
    const first = decoded.left.details[0];
    return { problem: first ? `${first.path}: ${first.message}` : decoded.left.error };
  }
  return { event: { ...decoded.right, redecodedFrom: quarantined.id } };
}
