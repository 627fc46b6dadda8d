import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { didYouMean } from '../config/issues.ts';

/** What `--help` shows for a command; each command file carries its own (see main.ts `Command`). */
export interface CommandHelp {
  usage: string;
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Per option name: what it does, with its default. */
  optionHelp?: Record<string, string>;
  /** Whole command lines, as a user would type them. */
  examples?: string[];
}

/** Options every command takes, with their help lines. */
export const COMMON_HELP: Record<string, string> = {
  config: 'the config file (default: $SWITCHBOARD_CONFIG, else ./config.yaml, else ./config.example.yaml)',
  help: 'show this help',
};

/** `switchboard <name> --help`: usage, what it does, every option with its default, and examples. */
export function commandHelp(c: CommandHelp): string {
  const all: CommandHelp['options'] = {
    ...c.options,
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  };
  const rows = Object.entries(all).map(([key, o]) => {
    // The value's name as the usage line spells it (`--since DURATION`), else the option's name.
    const metavar =
      new RegExp(`--${key} ([A-Z][A-Z_]*)`).exec(c.usage)?.[1] ??
      (key === 'config' ? 'FILE' : key.toUpperCase());
    const flag = `${o.short ? `-${o.short}, ` : ''}--${key}${o.type === 'string' ? ` ${metavar}` : ''}`;
    return [flag, c.optionHelp?.[key] ?? COMMON_HELP[key] ?? ''] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  const lines = [`usage: switchboard ${c.usage}`, '', c.summary, '', 'options:'];
  for (const [flag, text] of rows) lines.push(`  ${flag.padEnd(width)}  ${text}`.trimEnd());
  if (c.examples?.length) lines.push('', 'examples:', ...c.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/** The package version, for `switchboard --version`. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * Node's parseArgs errors in the CLI's words: `unknown option --stat (did you mean --state?)`,
 * `--state needs a value`. Falls back to Node's message without its advice about `--` positionals.
 */
export function explainParseError(err: Error & { code?: string }, options: Record<string, unknown>): string {
  const names = Object.keys(options);
  const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(err.message);
  if (unknown) {
    const hint = didYouMean(unknown[2], names).replace(/did you mean (\S+)\?/, 'did you mean --$1?');
    return `unknown option ${unknown[1]}${unknown[2]}${hint || ` (options: ${names.map((n) => `--${n}`).join(', ')})`}`;
  }
  const missing = /Option '(-\w, )?(--[\w-]+)[^']*' argument missing/.exec(err.message);
  if (missing) return `${missing[2]} needs a value`;
  const noValue = /Option '(--[\w-]+)' does not take an argument/.exec(err.message);
  if (noValue) return `${noValue[1]} takes no value`;
  const positional = /Unexpected argument '([^']+)'/.exec(err.message);
  if (positional) return `unexpected argument "${positional[1]}"`;
  return err.message.split('. To specify')[0];
}
