import { loadConfigWithPlugins, resolveConfigPath } from '../../config/load.ts';
import { Secrets } from '../../config/secrets.ts';
import type { Config } from '../../config/types.ts';
import { summaryOf } from '../../sources/builtin.ts';
import { loadCliConfig } from '../io.ts';
import type { Command } from '../main.ts';

/**
 * A short description of a loaded config, with no secret in it: names, kinds and counts, and the settings a
 * reader needs (addresses, the store file). A setting that is a secret or contains one — any value from
 * `${...}` counts — is shown as `(hidden)`, as config messages do, and every line is redacted once more for
 * what a plugin's own summary may quote.
 */
export function summarize(config: Config): string[] {
  const secrets = new Secrets(config.secrets);
  const shown = (value: string | number) => (secrets.covers(value) ? '(hidden)' : String(value));
  const lines = [`config ${config.file}: OK`];
  const { store } = config;
  const file = store.driver === 'sqlite' ? (secrets.covers(store.path) ? 'path hidden' : store.path) : '';
  lines.push(`  store: ${store.driver}${file ? ` (${file})` : ''}`);
  lines.push(`  server: http://${shown(config.server.host)}:${shown(config.server.port)}`);
  for (const s of config.sources.values()) {
    const n = s.secrets.length;
    const signed = n > 1 ? `signed (${n} secrets: rotating)` : 'signed';
    // With a secret and allowUnsigned, a body without a signature is still taken: say so, as the start-up log does.
    const auth = !s.secret
      ? 'UNSIGNED (allowUnsigned)'
      : s.allowUnsigned
        ? `${signed}; unsigned bodies also accepted (allowUnsigned)`
        : signed;
    const kind = summaryOf(s);
    lines.push(`  source ${s.name}: ${kind}, ${auth}, POST /webhooks/${s.name}[/<event>]`);
  }
  for (const d of config.destinations.values()) {
    const extras = [
      d.rateLimit ? 'rate-limited' : '',
      d.circuitBreaker ? 'circuit breaker' : '',
      d.fallback.length ? `fallback → ${d.fallback.map(shown).join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`  destination ${d.name}: ${shown(d.type)}${extras ? ` (${extras})` : ''}`);
  }
  lines.push(
    `  routes: ${config.router.routeNames.map(shown).join(' → ') || 'none (every event is unrouted)'}`,
  );
  const { host, port } = config.admin.listen;
  const adminHost = secrets.covers(host) ? '(hidden)' : host.includes(':') ? `[${host}]` : host;
  lines.push(
    `  admin: http://${adminHost}:${shown(port)} (/metrics, /readyz details; API ${config.admin.token ? 'on' : 'off: set admin.token'})`,
  );
  return lines.map((line) => secrets.redact(line));
}

/** `switchboard check`: validate the config and print a summary; exit 1 with every problem. */
export const checkCommand: Command = {
  usage: 'check [--json]',
  summary: 'validate the config (and load its plugins) and print a summary; exit 1 with every problem',
  options: { json: { type: 'boolean' } },
  jsonUsageErrors: true,
  optionHelp: {
    json: 'print {"ok": true|false, "problems": [{"file","line","column","path","message"}], "warnings": [...], ...}',
  },
  examples: [
    'switchboard check --config /etc/switchboard/config.yaml',
    'switchboard check --json | jq .problems',
  ],
  maxArguments: 0,
  async run(values, _positionals, io) {
    if (!values.json) {
      const config = await loadCliConfig(values.config as string | undefined, io);
      for (const line of summarize(config)) io.out(line);
      return 0;
    }
    // --json always prints one JSON document, whatever went wrong: tools read stdout, not the exit code alone.
    const { path, warning } = resolveConfigPath(values.config as string | undefined, io.env, io.cwd);
    const result = await loadConfigWithPlugins(path, { env: io.env });
    if (!result.ok) {
      io.out(
        JSON.stringify({
          ok: false,
          file: path,
          problems: result.issues,
          warnings: warning ? [warning] : [],
        }),
      );
      return 1;
    }
    const { config, warnings } = result;
    const secrets = new Secrets(config.secrets);
    const shown = (value: string) => (secrets.covers(value) ? '(hidden)' : value);
    try {
      io.out(
        JSON.stringify({
          ok: true,
          file: config.file,
          problems: [],
          warnings: [...(warning ? [warning] : []), ...warnings],
          sources: [...config.sources.keys()],
          destinations: [...config.destinations.values()].map((d) => ({ name: d.name, type: shown(d.type) })),
          routes: config.router.routeNames.map(shown),
        }),
      );
    } finally {
      await Promise.all([...config.destinations.values()].map((d) => d.destination.close?.()));
    }
    return 0;
  },
};
