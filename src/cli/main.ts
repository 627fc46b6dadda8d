import { type ParseArgsConfig, parseArgs } from 'node:util';
import { checkCommand } from './commands/check.ts';
import { deliveriesCommand } from './commands/deliveries.ts';
import { mtaCommand } from './commands/mta.ts';
import { pauseCommand } from './commands/pause.ts';
import { redecodeCommand } from './commands/redecode.ts';
import { replayCommand } from './commands/replay.ts';
import { routeCommand } from './commands/route.ts';
import { shapesCommand } from './commands/shapes.ts';
import { signCommand } from './commands/sign.ts';
import { startCommand } from './commands/start.ts';
import { testCommand } from './commands/test.ts';
import { testDestinationCommand } from './commands/test-destination.ts';
import { CheckFailed, type Io, processIo, UsageError } from './io.ts';

/** One CLI command: its options, a usage line, and what it does. */
export interface Command {
  usage: string;
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Record<string, unknown>, positionals: string[], io: Io): Promise<number>;
}

const COMMON = { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

const COMMANDS: Record<string, Command> = {
  start: startCommand,
  check: checkCommand,
  route: routeCommand,
  test: testCommand,
  sign: signCommand,
  'test-destination': testDestinationCommand,
  deliveries: deliveriesCommand,
  replay: replayCommand,
  pause: pauseCommand(true),
  resume: pauseCommand(false),
  redecode: redecodeCommand,
  shapes: shapesCommand,
  mta: mtaCommand,
};

function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${c.summary}`);
  return ['usage: switchboard <command> [--config FILE] [options]', '', 'commands:', ...lines].join('\n');
}

/** Runs the CLI; returns the exit code (0 ok, 1 the thing checked failed, 2 usage error). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`switchboard: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: { ...COMMON, ...command.options },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.err(`switchboard ${name}: ${(err as Error).message}\nusage: switchboard ${command.usage}`);
    return 2;
  }
  if (values.help) {
    io.out(`usage: switchboard ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  try {
    return await command.run(values, positionals, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`switchboard ${name}: ${err.message}\nusage: switchboard ${command.usage}`);
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
