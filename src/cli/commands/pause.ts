import { openStore } from '../../store/open.ts';
import { loadCliConfig, UsageError } from '../io.ts';
import type { Command } from '../main.ts';

/** `switchboard pause|resume DESTINATION`: hold a destination's deliveries without dropping them. */
export function pauseCommand(pause: boolean): Command {
  return {
    usage: `${pause ? 'pause' : 'resume'} DESTINATION`,
    summary: pause
      ? "hold a destination's deliveries (kept queued, sent on resume)"
      : 'send held deliveries again',
    options: {},
    async run(_values, positionals, io) {
      if (positionals.length !== 1) throw new UsageError('give one DESTINATION');
      const config = await loadCliConfig(_values.config as string | undefined, io);
      const name = positionals[0];
      if (!config.destinations.has(name))
        throw new UsageError(
          `unknown destination "${name}" (configured: ${[...config.destinations.keys()].join(', ')})`,
        );
      const store = await openStore(config.store);
      try {
        await store.migrate();
        await store.setPaused(name, pause);
      } finally {
        await store.close();
      }
      io.out(
        pause
          ? `paused ${name}: deliveries stay queued until \`switchboard resume ${name}\``
          : `resumed ${name}`,
      );
      return 0;
    },
  };
}
