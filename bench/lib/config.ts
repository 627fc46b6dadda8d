import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.ts';

/** The source secret every bench config and body factory uses. */
export const SECRET = 'bench-secret-0123456789abcdef';

/** The store of a bench gateway. */
export type BenchStore =
  | { driver: 'sqlite'; path: string }
  | { driver: 'postgres'; url: string; poolSize?: number };

/** Options for one bench gateway config. */
export interface BenchConfigOptions {
  store: BenchStore;
  port: number;
  /** The sink URL the `sink` http destination posts to. */
  sinkUrl: string;
  concurrency?: number;
  /** Large `backoff.initial` keeps retries from churning while the sink is down. */
  backoffInitial?: string;
  attempts?: number;
  /** The checkout whose plugins/ folder the config names (default: this one). */
  root?: string;
}

/** Writes a gateway config (one signed V3 `mta` source, one `http` destination `sink`, one catch-all route). */
export function writeConfig(dir: string, opts: BenchConfigOptions): string {
  const store =
    opts.store.driver === 'sqlite'
      ? `{ driver: sqlite, path: "${opts.store.path}" }`
      : `{ driver: postgres, url: "${opts.store.url}", poolSize: ${opts.store.poolSize ?? 10} }`;
  const yaml = `server: { host: 127.0.0.1, port: ${opts.port} }
admin: { listen: "127.0.0.1:0" }
sources:
  mta: { kind: mta, version: 3, secret: "${SECRET}" }
store: ${store}
plugins: { dirs: ["${join(opts.root ?? ROOT, 'plugins')}"] }
delivery:
  attempts: ${opts.attempts ?? 10}
  backoff: { initial: ${opts.backoffInitial ?? '1s'}, max: 15m }
  timeout: 10s
  concurrency: ${opts.concurrency ?? 16}
destinations:
  sink: { type: http, url: "${opts.sinkUrl}" }
routes:
  - name: everything
    to: [sink]
`;
  const file = join(dir, 'config.yaml');
  writeFileSync(file, yaml);
  return file;
}
