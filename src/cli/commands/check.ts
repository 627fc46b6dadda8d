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
    const auth = !s.secret
      ? 'UNSIGNED (allowUnsigned)'
      : n > 1
        ? `signed (${n} secrets: rotating)`
        : 'signed';
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
  lines.push(`  admin API: ${config.admin.token ? 'on' : 'off'}`);
  return lines;
}

/** `switchboard check`: validate the config and print a summary; exit 1 with every problem. */
export const checkCommand: Command = {
  usage: 'check [--json]',
  summary: 'validate the config and print a summary',
  options: { json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const config = await loadCliConfig(values.config as string | undefined, io);
    if (values.json) {
      io.out(
        JSON.stringify({
          ok: true,
          file: config.file,
          sources: [...config.sources.keys()],
          destinations: [...config.destinations.values()].map((d) => ({ name: d.name, type: d.type })),
          routes: config.router.routeNames,
        }),
      );
    } else {
      for (const line of summarize(config)) io.out(line);
    }
    return 0;
  },
};
