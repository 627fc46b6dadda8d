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
  const started: Array<{ stop(): Promise<unknown> }> = [];
  const start = async <T extends { stop(): Promise<unknown> }>(p: Promise<T>): Promise<T> => {
    const proc = await p;
    started.push(proc);
    return proc;
  };
  const env = (redis: RedisServer) => ({
    REDIS_PORT: String(redis.port),
    SECRET,
    SINK_URL: opts.sinkUrl ?? '',
  });
  const script = (file: string) => ['--import', 'tsx', join(ROOT, 'bench/peer', file)];
  let redis: RedisServer;
  let app: ServerProcess;
  let worker: ServerProcess | undefined;
  try {
    redis = ctx.track(await start(RedisServer.start(`${tag} redis`, redisDir(ctx.dir, tag), opts)));
    app = ctx.track(await start(ServerProcess.start(`${tag} app`, script('app.ts'), env(redis))));
    worker = opts.sinkUrl
      ? ctx.track(await start(ServerProcess.start(`${tag} worker`, script('worker.ts'), env(redis))))
      : undefined;
  } catch (err) {
    for (const p of started.reverse()) await p.stop();
    throw err;
  }
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

/**
 * Starts one peer per variant, or none with the reason: no redis-server on PATH, or a peer that did not start
 * (those already started are stopped). The reason is logged and added to the run's notes; the gateway's own
 * figures are measured either way.
 */
export async function startPeers(
  ctx: Ctx,
  variants: Array<{ durable: boolean; sinkUrl?: string }>,
): Promise<{ peers: Peer[]; skipped?: string }> {
  const skip = (why: string) => {
    ctx.notes.push(why);
    ctx.log(why);
    return { peers: [], skipped: why };
  };
  const missing = peerUnavailable();
  if (missing) return skip(missing);
  const peers: Peer[] = [];
  try {
    for (const v of variants) peers.push(await startPeer(ctx, v));
    return { peers };
  } catch (err) {
    for (const p of peers) await p.stop();
    return skip(`Koa + BullMQ peer skipped: it did not start (${(err as Error).message.split('\n')[0]})`);
  }
}
