import { UsageError } from '../io.ts';
import type { Command } from '../main.ts';
import { operatorName, URL_HELP, URL_OPTION, withOperator } from '../operator/open.ts';

/**
 * `switchboard pause|resume NAME`: hold deliveries without dropping them. Pausing a destination holds all of its
 * deliveries; pausing a route holds only the deliveries that route created. The pause lives in the store (every
 * instance honours it; it survives restarts), carries who / why / until when, and can be resumed even after the
 * name left the config.
 */
export function pauseCommand(pause: boolean): Command {
  const common = { ...URL_OPTION };
  return {
    usage: pause
      ? 'pause NAME [--for DURATION | --until DATE] [--comment TEXT] [--by WHO] [--url URL]'
      : 'resume NAME [--url URL]',
    summary: pause
      ? "hold a destination's (or one route's) deliveries: kept queued, sent on resume"
      : 'send held deliveries again (also for a name no longer in the config)',
    options: pause
      ? {
          for: { type: 'string' },
          until: { type: 'string' },
          comment: { type: 'string' },
          by: { type: 'string' },
          ...common,
        }
      : common,
    optionHelp: pause
      ? {
          for: 'lift the pause by itself after this long: 30m, 2h, 1d (default: until resumed)',
          until: 'lift the pause by itself at this ISO date',
          comment: 'why, shown by `switchboard destinations` (at most 500 characters)',
          by: 'who is pausing (default: $USER@host)',
          ...URL_HELP,
        }
      : URL_HELP,
    examples: pause
      ? ['switchboard pause ops-slack --for 2h --comment "Slack incident INC-123"']
      : ['switchboard resume ops-slack'],
    async run(values, positionals, io) {
      if (positionals.length !== 1) throw new UsageError('give one DESTINATION or ROUTE name');
      const name = positionals[0];
      // A pause may come before the gateway's first start: the store is made where its directory is.
      return withOperator(
        values,
        io,
        async (op, out) => {
          if (!pause) {
            const { kind, wasPaused } = await op.resume(name);
            out(wasPaused ? `resumed ${kind} ${name}` : `${kind} ${name} was not paused; nothing to resume`);
            return 0;
          }
          const r = await op.pause(name, {
            by: (values.by as string | undefined) ?? operatorName(io),
            ...(values.comment !== undefined ? { comment: values.comment as string } : {}),
            ...(values.for !== undefined ? { for: values.for as string } : {}),
            ...(values.until !== undefined ? { until: values.until as string } : {}),
          });
          const until = r.pause.expiresAt ? `${r.pause.expiresAt} (it lifts by itself) or ` : '';
          out(
            `paused ${r.kind} ${name}: its deliveries stay queued until ${until}\`switchboard resume ${name}\``,
          );
          return 0;
        },
        true,
      );
    },
  };
}
