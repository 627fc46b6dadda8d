import { parseArgs } from 'node:util';
import { BadParam } from '../admin/params.ts';
import { didYouMean } from '../config/issues.ts';
import { checkCommand } from './commands/check.ts';
import { deliveriesCommand } from './commands/deliveries.ts';
import { destinationsCommand } from './commands/destinations.ts';
import { eventsCommand } from './commands/events.ts';
import { mtaCommand } from './commands/mta.ts';
import { pauseCommand } from './commands/pause.ts';
import { redecodeCommand } from './commands/redecode.ts';
import { rejectedCommand } from './commands/rejected.ts';
import { replayCommand } from './commands/replay.ts';
import { routeCommand } from './commands/route.ts';
import { shapesCommand } from './commands/shapes.ts';
import { signCommand } from './commands/sign.ts';
import { startCommand } from './commands/start.ts';
import { testCommand } from './commands/test.ts';
import { testDestinationCommand } from './commands/test-destination.ts';
import { type CommandHelp, commandHelp, explainParseError, version } from './help.ts';
import { CheckFailed, type Io, processIo, UsageError } from './io.ts';

/**
 * One CLI command, in a file of its own under commands/, registered in COMMANDS below. It carries its own help:
 * `usage` (one line), `summary`, per-option `optionHelp` (what it does and its default) and `examples`;
 * `switchboard <name> --help` renders them (cli/help.ts). `run` answers the exit code: 0 ok, 1 the thing
 * checked failed; throw UsageError (or BadParam) for a usage mistake (exit 2) and CheckFailed for a failed check.
 */
export interface Command extends CommandHelp {
  /** For commands with subcommands: the help of `<name> SUB --help`, undefined for an unknown SUB. */
  subcommandHelp?(sub: string): string | undefined;
  run(values: Record<string, unknown>, positionals: string[], io: Io): Promise<number>;
  /** Set to 0 for a command that takes no arguments besides its options: one given is a usage error. */
  maxArguments?: number;
  /** With `--json` among its arguments, usage errors are printed as `{"ok":false,"problems":[{message}]}` too. */
  jsonUsageErrors?: boolean;
}

const COMMON = { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

/** Every command by name: add a new one here (its file carries its own usage, options help and examples). */
export const COMMANDS: Record<string, Command> = {
  start: startCommand,
  check: checkCommand,
  route: routeCommand,
  test: testCommand,
  sign: signCommand,
  'test-destination': testDestinationCommand,
  deliveries: deliveriesCommand,
  events: eventsCommand,
  destinations: destinationsCommand,
  rejected: rejectedCommand,
  replay: replayCommand,
  pause: pauseCommand(true),
  resume: pauseCommand(false),
  redecode: redecodeCommand,
  shapes: shapesCommand,
  mta: mtaCommand,
};

function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${c.summary}`);
  return [
    'usage: switchboard <command> [--config FILE] [options]',
    '',
    'commands:',
    ...lines,
    '',
    'switchboard <command> --help shows its options, defaults and examples; switchboard --version the version.',
  ].join('\n');
}

/** Runs the CLI; returns the exit code (0 ok, 1 the thing checked failed, 2 usage error). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.out(`switchboard ${version()}`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    const hint = didYouMean(name, Object.keys(COMMANDS));
    io.err(`switchboard: unknown command "${name}"${hint}\n\n${usage()}`);
    return 2;
  }
  const usageHint = `usage: switchboard ${command.usage}\n(switchboard ${name} --help for every option)`;
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    const options = { ...COMMON, ...command.options };
    const parsed = parseArgs({
      args: joinNegativeValues(rest, options),
      options,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
    ({ values, positionals } = parsed);
    // parseArgs keeps the last of a repeated option without a word (`--since 1h --since 2h`).
    const seen = new Set<string>();
    for (const token of parsed.tokens) {
      if (
        token.kind !== 'option' ||
        (options as Record<string, { multiple?: boolean }>)[token.name]?.multiple
      )
        continue;
      if (seen.has(token.name)) throw new Error(`--${token.name} is given more than once: give it once`);
      seen.add(token.name);
    }
    if (command.maxArguments !== undefined && positionals.length > command.maxArguments && !values.help)
      throw new Error(`unexpected argument "${positionals[command.maxArguments]}" (it takes options only)`);
  } catch (err) {
    const message = explainParseError(err as Error, { ...COMMON, ...command.options });
    if (command.jsonUsageErrors && rest.includes('--json'))
      io.out(JSON.stringify({ ok: false, problems: [{ message: `switchboard ${name}: ${message}` }] }));
    io.err(`switchboard ${name}: ${message}\n${usageHint}`);
    return 2;
  }
  if (values.help) {
    const sub = positionals[0] === undefined ? undefined : command.subcommandHelp?.(positionals[0]);
    io.out(sub ?? commandHelp(command));
    return 0;
  }
  try {
    return await command.run(values, positionals, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`switchboard ${name}: ${err.message}\n${usageHint}`);
      return 2;
    }
    if (err instanceof BadParam) {
      io.err(`switchboard ${name}: --${err.param}: ${err.message}\n${usageHint}`);
      return 2;
    }
    if (err instanceof CheckFailed) {
      for (const line of err.lines) io.err(line);
      return 1;
    }
    io.err(`switchboard ${name}: ${(err as Error).message}`);
    return 1;
  }
}

/**
 * `--limit -1` as `--limit=-1`: parseArgs takes a value starting with "-" for an option and refuses it as
 * ambiguous; joined, the value reaches the option's own check, whose message says what range it takes.
 */
function joinNegativeValues(args: string[], options: Record<string, { type: string }>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = /^--([\w-]+)$/.exec(args[i])?.[1];
    const next = args[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${args[i]}=${next}`);
      i++;
    } else out.push(args[i]);
  }
  return out;
}
