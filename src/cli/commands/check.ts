import { loadConfigWithPlugins, resolveConfigPath } from '../../config/load.ts';
import type { Config } from '../../config/types.ts';
import { loadCliConfig } from '../io.ts';
import type { Command } from '../main.ts';

/** A short description of a loaded config, with no secret in it (names, kinds and counts only). */
export function summarize(config: Config): string[] {
  const lines = [`config ${config.file}: OK`];
  lines.push(
    `  store: ${config.store.driver}${config.store.driver === 'sqlite' ? ` (${config.store.path})` : ''}`,
  );
  lines.push(`  server: http://${config.server.host}:${config.server.port}`);
  for (const s of config.sources.values()) {
    const n = s.secrets.length;
    const signed = n > 1 ? `signed (${n} secrets: rotating)` : 'signed';
    // With a secret and allowUnsigned, a body without a signature is still taken: say so, as the start-up log does.
    const auth = !s.secret
      ? 'UNSIGNED (allowUnsigned)'
      : s.allowUnsigned
        ? `${signed}; unsigned bodies also accepted (allowUnsigned)`
        : signed;
    const kind = s.plugin.summary ? s.plugin.summary(s.options) : s.kind;
    lines.push(`  source ${s.name}: ${kind}, ${auth}, POST /webhooks/${s.name}[/<event>]`);
  }
  for (const d of config.destinations.values()) {
    const extras = [
      d.rateLimit ? 'rate-limited' : '',
      d.circuitBreaker ? 'circuit breaker' : '',
      d.fallback.length ? `fallback → ${d.fallback.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`  destination ${d.name}: ${d.type}${extras ? ` (${extras})` : ''}`);
  }
  lines.push(`  routes: ${config.router.routeNames.join(' → ') || 'none (every event is unrouted)'}`);
  const { host, port } = config.admin.listen;
  lines.push(
    `  admin: http://${host.includes(':') ? `[${host}]` : host}:${port} (/metrics, /readyz details; API ${config.admin.token ? 'on' : 'off: set admin.token'})`,
  );
  return lines;
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
    try {
      io.out(
        JSON.stringify({
          ok: true,
          file: config.file,
          problems: [],
          warnings: [...(warning ? [warning] : []), ...warnings],
          sources: [...config.sources.keys()],
          destinations: [...config.destinations.values()].map((d) => ({ name: d.name, type: d.type })),
          routes: config.router.routeNames,
        }),
      );
    } finally {
      await Promise.all([...config.destinations.values()].map((d) => d.destination.close?.()));
    }
    return 0;
  },
};
