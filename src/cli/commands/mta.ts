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
  optionHelp: {
    url: 'register/rotate (required), unregister/list (filter): the public webhook URL, https://HOST/webhooks/<source>',
    source: 'the source in the config whose secret signs the webhooks (default: the last part of --url)',
    events:
      'register: all, or a comma-separated subset of delivery-status, message-reply, message-send, number-opt-in (default all)',
    'alert-email': 'register: where MTA emails when a webhook keeps failing (optional)',
    'secret-file': 'register/rotate: write a generated secret to this file, mode 0600 (never printed)',
    'show-secret': 'print a generated secret (default: hidden; also kept out of --json)',
    'dry-run': 'print the requests that would be made, secret redacted; change nothing at MTA',
    yes: 'rotate: do not ask for confirmation (for scripts)',
    json: 'print the result as JSON',
    'api-url': "MTA's API base URL (default $MTA_API_URL, else https://api.mobile-text-alerts.com/v3)",
  },
  examples: [
    'MTA_API_KEY=... switchboard mta register --url https://gw.example.com/webhooks/mta --secret-file ./mta.secret',
    'MTA_API_KEY=... switchboard mta list --json',
    'MTA_API_KEY=... switchboard mta unregister --url https://gw.example.com/webhooks/mta',
    'MTA_API_KEY=... switchboard mta rotate --url https://gw.example.com/webhooks/mta --secret-file ./mta-next.secret',
    'switchboard mta register --help',
  ],
  subcommandHelp: (sub: string) => (Object.hasOwn(SUBCOMMANDS, sub) ? mtaHelp(sub) : undefined),
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
