import autocannon from 'autocannon';
import type { BodyFactory } from './bodies.ts';

/** One load run against one or more servers (several URLs: connections and rate are split evenly). */
export interface LoadOptions {
  urls: string[];
  /** Request path, e.g. /webhooks/mta. */
  path: string;
  factory: BodyFactory;
  connections: number;
  /** Seconds. */
  duration: number;
  /** Requests per second over all connections (autocannon `overallRate`); absent: as fast as possible. */
  overallRate?: number;
  /** Keep the ids the gateway acked (200, not duplicate). */
  collectIds?: boolean;
}

/** What one run measured. Latencies in ms, over every response (all targets merged). */
export interface LoadResult {
  /** 2xx responses per second. */
  rps: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duplicates: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  seconds: number;
  ids: string[];
  statuses: Record<string, number>;
}

/** Runs autocannon in this (the runner's) process: the servers are other processes. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const ids: string[] = [];
  const statuses: Record<string, number> = {};
  let duplicates = 0;
  const n = opts.urls.length;
  const started = performance.now();
  const results = await Promise.all(
    opts.urls.map((url, i) => {
      const connections = Math.max(1, Math.floor(opts.connections / n) + (i < opts.connections % n ? 1 : 0));
      const rate = opts.overallRate ? Math.max(1, Math.round(opts.overallRate / n)) : undefined;
      return new Promise<autocannon.Result>((resolve, reject) => {
        const instance = autocannon(
          {
            url,
            connections,
            duration: opts.duration,
            overallRate: rate,
            timeout: 10,
            requests: [
              {
                method: 'POST',
                path: opts.path,
                setupRequest: (req) => {
                  const b = opts.factory.next();
                  return {
                    ...req,
                    body: b.body,
                    headers: { 'content-type': 'application/json', 'x-signature': b.signature },
                  };
                },
                onResponse: (status, body) => {
                  statuses[status] = (statuses[status] ?? 0) + 1;
                  if (status !== 200) return;
                  if (opts.collectIds) {
                    const parsed = JSON.parse(body) as { id: string; duplicate?: boolean };
                    if (parsed.duplicate) duplicates++;
                    else ids.push(parsed.id);
                  } else if (body.includes('"duplicate":true')) duplicates++;
                },
              },
            ],
          },
          (err, result) => (err ? reject(err) : resolve(result)),
        );
        instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
      });
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const sum = (pick: (r: autocannon.Result) => number) => results.reduce((a, r) => a + (pick(r) ?? 0), 0);
  const ok = sum((r) => r['2xx']);
  const sorted = Float64Array.from(latencies).sort();
  const q = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] : Number.NaN;
  return {
    rps: ok / Math.min(seconds, opts.duration),
    ok,
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    duplicates,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
    seconds,
    ids,
    statuses,
  };
}
