/**
 * `switchboard mta register|list|unregister|rotate`: MTA's webhook registrations, managed through its API.
 * This file dispatches to them (mta-register.ts, mta-list.ts, mta-rotate.ts; what they share is in
 * mta-common.ts) and prints their usage texts.
 */
import { didYouMean } from '../../config/issues.ts';
import { UsageError } from '../io.ts';
import type { Command } from '../main.ts';
import { COMMON_HELP, type MtaSubcommand } from './mta-common.ts';
import { listCommand, unregisterCommand } from './mta-list.ts';
import { registerCommand } from './mta-register.ts';
import { rotateCommand } from './mta-rotate.ts';

const SUBCOMMANDS: Record<string, MtaSubcommand> = {
  register: registerCommand,
  list: listCommand,
  unregister: unregisterCommand,
  rotate: rotateCommand,
};

/** The whole `switchboard mta` help: every subcommand's usage. */
export function mtaHelp(sub?: string): string {
  const one = sub === undefined ? undefined : SUBCOMMANDS[sub];
  const parts = one ? [one.help] : Object.values(SUBCOMMANDS).map((s) => s.help);
  return [...parts, COMMON_HELP].join('\n\n');
}

/** `switchboard mta <subcommand>`. */
export const mtaCommand: Command = {
  usage: 'mta register|list|unregister|rotate [options]   (switchboard mta help SUBCOMMAND)',
  summary:
    "manage MTA's webhook registrations through its API (MTA_API_KEY): register, list, unregister, rotate",
  options: {
    url: { type: 'string' },
    source: { type: 'string' },
    events: { type: 'string' },
    'alert-email': { type: 'string' },
    'secret-file': { type: 'string' },
    'show-secret': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    json: { type: 'boolean' },
    'api-url': { type: 'string' },
  },
  async run(values, positionals, io) {
    const [sub, ...rest] = positionals;
    if (sub === 'help' || sub === undefined) {
      io.out(mtaHelp(rest[0]));
      return sub === undefined ? 2 : 0;
    }
    const command = SUBCOMMANDS[sub];
    if (!command) {
      throw new UsageError(
        `unknown subcommand "${sub}"${didYouMean(sub, Object.keys(SUBCOMMANDS))}; one of: ${Object.keys(SUBCOMMANDS).join(', ')}`,
      );
    }
    try {
      return await command.run(values, rest, io);
    } catch (err) {
      // main prints the general usage line; the subcommand's own is the useful one here.
      if (err instanceof UsageError) {
        io.err(`switchboard mta ${sub}: ${err.message}\n\n${command.help}`);
        return 2;
      }
      throw err;
    }
  },
};
