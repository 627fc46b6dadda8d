import { join } from 'node:path';
import { QUEUE } from '../peer/queue.ts';
import { SECRET } from './config.ts';
import type { Ctx } from './context.ts';
import { ROOT } from './paths.ts';
import { ServerProcess } from './procs.ts';
import { RedisServer, redisDir, redisServerVersion } from './redis.ts';
import type { Target } from './setup.ts';

/** The two Redis set-ups the peer runs on, with the names the report uses. */
export const PEER_DURABLE = 'Koa + BullMQ (Redis AOF always)';
export const PEER_DEFAULTS = 'Koa + BullMQ (Redis defaults, not durable)';

/** A running Koa + BullMQ peer: its own redis-server, the Koa app, and the worker when it delivers. */
export interface Peer {
  name: string;
  durable: boolean;
  redis: RedisServer;
  app: ServerProcess;
  worker?: ServerProcess;
  /** The load target: requests go to the app; server CPU counts the app and redis-server. */
  target: Target;
  /** Of these job ids, those still waiting, delayed or being delivered in the peer's queue. */
  queued(ids: string[]): Promise<Set<string>>;
  stop(): Promise<void>;
}

/**
 * Why the peer cannot run here (no redis-server on PATH), or undefined when it can. Checked once per run; the
 * scenarios then skip the peer with this note rather than fail.
 */
export function peerUnavailable(): string | undefined {
  return redisServerVersion() === undefined
    ? 'Koa + BullMQ peer skipped: no redis-server on PATH (Debian: apt-get install redis-server)'
    : undefined;
}

let seq = 0;

/**
 * Starts a peer: redis-server on its own port and data directory in the run's scratch space (never the shared
 * 6379), the app (bench/peer/app.ts), and with `sinkUrl` the worker (bench/peer/worker.ts) delivering there.
 * Without `sinkUrl` jobs stay queued, as the gateway's destination stays paused in ingest runs.
 */
export async function startPeer(ctx: Ctx, opts: { durable: boolean; sinkUrl?: string }): Promise<Peer> {
  const name = opts.durable ? PEER_DURABLE : PEER_DEFAULTS;
  const tag = `peer-${++seq}-${opts.durable ? 'aof' : 'defaults'}`;
  const redis = ctx.track(await RedisServer.start(`${tag} redis`, redisDir(ctx.dir, tag), opts));
  const env = { REDIS_PORT: String(redis.port), SECRET, SINK_URL: opts.sinkUrl ?? '' };
  const script = (file: string) => ['--import', 'tsx', join(ROOT, 'bench/peer', file)];
  const app = ctx.track(await ServerProcess.start(`${tag} app`, script('app.ts'), env));
  const worker = opts.sinkUrl
    ? ctx.track(await ServerProcess.start(`${tag} worker`, script('worker.ts'), env))
    : undefined;
  const { Queue } = await import('bullmq');
  return {
    name,
    durable: opts.durable,
    redis,
    app,
    worker,
    target: { name, procs: [app], helpers: [redis] },
    async queued(ids) {
      const queue = new Queue(QUEUE, { connection: { host: '127.0.0.1', port: redis.port } });
      try {
        const out = new Set<string>();
        for (let i = 0; i < ids.length; i += 500) {
          const chunk = ids.slice(i, i + 500);
          const states = await Promise.all(chunk.map((id) => queue.getJobState(id)));
          chunk.forEach((id, k) => {
            if (['waiting', 'delayed', 'active', 'prioritized', 'waiting-children'].includes(states[k]))
              out.add(id);
          });
        }
        return out;
      } finally {
        await queue.close();
      }
    },
    async stop() {
      await worker?.stop();
      await app.stop();
      await redis.stop();
    },
  };
}
