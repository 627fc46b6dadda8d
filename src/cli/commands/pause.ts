import { openStore } from '../../store/open.ts';
import { loadCliConfig, UsageError } from '../io.ts';
import type { Command } from '../main.ts';

/**
 * `switchboard pause|resume DESTINATION|ROUTE`: hold deliveries without dropping them. Pausing a destination
 * holds all of its deliveries; pausing a route holds only the deliveries that route created. The pause lives in
 * the store, so every running instance honours it and it survives restarts.
 */
export function pauseCommand(pause: boolean): Command {
  return {
    usage: `${pause ? 'pause' : 'resume'} DESTINATION|ROUTE`,
    summary: pause
      ? "hold a destination's (or one route's) deliveries: kept queued, sent on resume"
      : 'send held deliveries again',
    options: {},
    async run(values, positionals, io) {
      if (positionals.length !== 1) throw new UsageError('give one DESTINATION or ROUTE name');
      const config = await loadCliConfig(values.config as string | undefined, io);
      const name = positionals[0];
      const isDestination = config.destinations.has(name);
      const isRoute = config.router.routeNames.includes(name);
      if (isDestination && isRoute)
        throw new UsageError(`"${name}" names both a destination and a route; rename one`);
      if (!isDestination && !isRoute) {
        const known = [...config.destinations.keys(), ...config.router.routeNames].join(', ');
        throw new UsageError(`no destination or route named "${name}" (configured: ${known})`);
      }
      const store = await openStore(config.store);
      try {
        await store.setPaused({ destination: isDestination ? name : `route:${name}`, paused: pause });
      } finally {
        await store.close();
      }
      const what = isDestination ? `destination ${name}` : `route ${name}`;
      io.out(
        pause
          ? `paused ${what}: its deliveries stay queued until \`switchboard resume ${name}\``
          : `resumed ${what}`,
      );
      return 0;
    },
  };
}
