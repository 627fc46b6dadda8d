import { destinationStates } from '../../admin/destinations.ts';
import { checkedEventFilter } from '../../admin/event-query.ts';
import { deliveryFilter } from '../../admin/params.ts';
import { pauseRequest } from '../../admin/pause-request.ts';
import { checkDestination, type Vocabulary } from '../../admin/vocabulary.ts';
import { didYouMean } from '../../config/issues.ts';
import type { StoreOnlyConfig } from '../../config/store-only.ts';
import { Redactor } from '../../observability/redact.ts';
import { BUILTIN_SOURCES, eventTypesOf } from '../../sources/builtin.ts';
import type { DeliveryFilter, Store } from '../../store/types.ts';
import { openExistingStore, UsageError } from '../io.ts';
import type { DeliveryQuery, Operator } from './backend.ts';

/** Replays at most this many ids per store call, so a big replay never holds one long write lock. */
const CHUNK = 500;

/**
 * Operator commands on the store itself, from the config's `store` section alone. The circuit breakers live in
 * the running gateway's memory, so `destinations` shows them only through `--url`.
 */
export async function localOperator(
  config: StoreOnlyConfig,
  cwd: string,
  mayCreate = false,
): Promise<Operator> {
  const store = await openExistingStore(config.store, cwd, mayCreate);
  const vocabulary: Vocabulary = {
    destinations: config.destinations.map((d) => d.name),
    routes: config.routes,
    // Only the file's sources section is read here: built-in kinds give their types, any other kind any type.
    eventTypes: eventTypesOf(config.sourceKinds.map((kind) => BUILTIN_SOURCES.get(kind))),
  };
  const redactor = new Redactor(config.secrets);
  const filterOf = async (q: DeliveryQuery): Promise<DeliveryFilter> => {
    const filter = deliveryFilter({ ...q }, Date.now());
    await checkDestination(filter.destination, vocabulary, store);
    return filter;
  };
  return {
    where: `store ${config.store.driver === 'sqlite' ? config.store.path : '(postgres)'}`,
    async listDeliveries(q, limit) {
      return store.listDeliveries({ filter: await filterOf(q), limit });
    },
    getDelivery: (id) => store.getDelivery({ id }),
    async replay(target, includeDelivered) {
      const ids = 'ids' in target ? target.ids : await allIds(store, await filterOf(target.filter));
      let replayed = 0;
      for (let i = 0; i < ids.length; i += CHUNK)
        replayed += await store.replay({ ids: ids.slice(i, i + CHUNK), now: new Date(), includeDelivered });
      return replayed;
    },
    async pause(name, how) {
      const kind = kindOf(name, vocabulary);
      const request = pauseRequest({ ...how }, Date.now(), how.by);
      await store.setPaused({
        destination: kind === 'route' ? `route:${name}` : name,
        paused: true,
        how: request,
        now: new Date(),
      });
      const { by, comment, expiresAt } = request;
      return {
        kind,
        pause: {
          by,
          ...(comment ? { comment } : {}),
          ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
        },
      };
    },
    async resume(name) {
      const paused = (await store.listPauses({ now: new Date() })).map((p) => p.name);
      // A name no longer in the config can still be resumed while it is paused: a pause must never be stuck.
      const kind = paused.includes(name)
        ? 'destination'
        : paused.includes(`route:${name}`)
          ? 'route'
          : kindOf(name, vocabulary, paused);
      const key = kind === 'route' ? `route:${name}` : name;
      await store.setPaused({ destination: key, paused: false });
      return { kind, wasPaused: paused.includes(key) };
    },
    async listEvents(q, limit) {
      return store.listEvents({
        filter: await checkedEventFilter(q, Date.now(), { vocabulary, sources: config.sourceNames }, store),
        limit,
      });
    },
    getEvent: (id) => store.getEvent({ id }),
    destinations: () => destinationStates({ store, configured: config.destinations, now: Date.now() }),
    listRejected: (limit) => store.listRejected({ limit }),
    getRejected: (id) => store.getRejected({ id }),
    redact: (text) => redactor.redact(text),
    close: () => store.close(),
  };
}

/** Destination or route by that name, or a usage error naming what is known (and what is paused). */
function kindOf(name: string, v: Vocabulary, paused: string[] = []): 'destination' | 'route' {
  const isDestination = v.destinations.includes(name);
  const isRoute = v.routes.includes(name);
  if (isDestination && isRoute)
    throw new UsageError(`"${name}" names both a destination and a route; rename one`);
  if (isDestination) return 'destination';
  if (isRoute) return 'route';
  const known = [...v.destinations, ...v.routes, ...paused.map((p) => p.replace(/^route:/, ''))];
  throw new UsageError(
    `no destination or route named "${name}"${didYouMean(name, known) || ` (known: ${known.join(', ') || 'none'})`}`,
  );
}

async function allIds(store: Store, filter: DeliveryFilter): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listDeliveries({ filter, limit: 500, cursor });
    ids.push(...page.items.map((d) => d.id));
    cursor = page.next ?? undefined;
  } while (cursor);
  return ids;
}
