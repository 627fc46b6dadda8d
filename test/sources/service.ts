import { createLogger } from '../../src/observability/log.ts';
import { Service } from '../../src/service.ts';
import { LogCapture } from '../helpers/service.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';

/**
 * An in-process gateway on a temp dir with the `sources:`, `destinations:` and `routes:` given as YAML (the
 * store, server and built-in plugins filled in; `store` replaces the SQLite file with another store's YAML;
 * `adminToken` turns the admin API on).
 * `stop` stops it and removes the dir.
 */
export async function startGateway(
  yaml: string,
  opts: { pluginDirs?: string[]; store?: string; adminToken?: string } = {},
) {
  const tmp = tempDir('sources');
  const dirs = [`${ROOT}/plugins`, ...(opts.pluginDirs ?? [])].join(', ');
  const file = tmp.write(
    'config.yaml',
    `server: { host: 127.0.0.1, port: 0 }
store: ${opts.store ?? `{ driver: sqlite, path: ${tmp.dir}/switchboard.db }`}
plugins: { dirs: [${dirs}] }
admin: { listen: "127.0.0.1:0"${opts.adminToken ? `, token: "${opts.adminToken}"` : ''} }
${yaml}
`,
  );
  const capture = new LogCapture();
  let current: Service | undefined;
  const service = await Service.start({
    configPath: file,
    env: {},
    log: createLogger({
      secrets: () => current?.current.secrets ?? [],
      destination: capture,
      level: 'debug',
    }),
    pollMs: 50,
    shutdownGraceMs: 2000,
  });
  current = service;
  const url = `http://127.0.0.1:${service.address.port}`;
  return {
    service,
    url,
    capture,
    /** POSTs a body to /webhooks/<source> with these headers; answers the status and the JSON body. */
    async post(source: string, body: string, headers: Record<string, string>) {
      const res = await fetch(`${url}/webhooks/${source}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async stop() {
      await service.stop();
      tmp.cleanup();
    },
  };
}
