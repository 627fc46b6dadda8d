import { Writable } from 'node:stream';
import type { Clock } from '../../src/clock.ts';
import { createLogger } from '../../src/observability/log.ts';
import { Service } from '../../src/service.ts';
import { ROOT, tempDir } from './tmp.ts';

/** Log lines captured from an in-process service. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    cb();
  }
}

/**
 * YAML for a test gateway: one signed mta source, a SQLite file, the real plugins dir, the admin listener on a
 * free port (unless `extra` has its own `admin:`), plus `extra` YAML.
 */
export function testConfig(
  dir: string,
  extra: string,
  opts: {
    secret?: string;
    version?: number;
    dedupeWindow?: string;
    onUndecodable?: 'accept' | 'reject';
    allowUnsigned?: boolean;
    /** More keys of `server:` (`requestTimeout: 1s`). */
    server?: string;
  } = {},
): string {
  return `server: { host: 127.0.0.1, port: 0${opts.server ? `, ${opts.server}` : ''} }
sources:
  mta: { kind: mta, version: ${opts.version ?? 3}, secret: "${opts.secret ?? 'test-secret-0123456789'}"${opts.dedupeWindow ? `, dedupeWindow: ${opts.dedupeWindow}` : ''}${opts.onUndecodable ? `, onUndecodable: ${opts.onUndecodable}` : ''}${opts.allowUnsigned ? ', allowUnsigned: true' : ''} }
store: { driver: sqlite, path: ${dir}/switchboard.db }
plugins: { dirs: [${ROOT}/plugins] }
${extra.includes('admin:') ? '' : 'admin: { listen: "127.0.0.1:0" }\n'}${extra}
`;
}

/** An in-process service on a temp dir, with its log captured. `stop` stops it and removes the dir. */
export async function startService(
  extraYaml: string,
  opts: {
    secret?: string;
    version?: number;
    dedupeWindow?: string;
    onUndecodable?: 'accept' | 'reject';
    allowUnsigned?: boolean;
    server?: string;
    env?: Record<string, string>;
    pollMs?: number;
    clock?: Clock;
  } = {},
) {
  const tmp = tempDir('svc');
  const file = tmp.write('config.yaml', testConfig(tmp.dir, extraYaml, opts));
  const capture = new LogCapture();
  let current: Service | undefined;
  const service = await Service.start({
    configPath: file,
    env: opts.env ?? {},
    log: createLogger({
      secrets: () => current?.current.secrets ?? [],
      destination: capture,
      level: 'debug',
    }),
    pollMs: opts.pollMs ?? 100,
    clock: opts.clock,
    shutdownGraceMs: 2000,
  });
  current = service;
  const url = `http://127.0.0.1:${service.address.port}`;
  const adminUrl = `http://127.0.0.1:${service.adminAddress.port}`;
  return {
    service,
    url,
    adminUrl,
    tmp,
    file,
    capture,
    async stop() {
      await service.stop();
      tmp.cleanup();
    },
  };
}
