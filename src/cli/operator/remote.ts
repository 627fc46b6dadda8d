import { fitsInHeader } from '../../header-value.ts';
import { Redactor } from '../../observability/redact.ts';
import { UsageError } from '../io.ts';
import { withoutUserinfo } from '../url-text.ts';
import type { Operator } from './backend.ts';
import { looksLikeWebhookPort, unreachable, webhookPortHint } from './remote-errors.ts';

/** The admin API refused or failed; the message is the API's own `error`. */
export class RemoteError extends Error {}

/**
 * Operator commands through a running gateway's admin API (`--url http://127.0.0.1:9091`, the token from
 * $SWITCHBOARD_ADMIN_TOKEN): the breaker states it keeps in memory included. A 400 is a usage error (exit 2),
 * as the same filter would be locally.
 */
export function remoteOperator(base: string, token: string | undefined): Operator {
  if (!token) throw new UsageError('--url needs the admin token in $SWITCHBOARD_ADMIN_TOKEN');
  // fetch refuses such a header with an error that quotes it whole, token included (found by an attack).
  if (!fitsInHeader(token))
    throw new UsageError(
      '$SWITCHBOARD_ADMIN_TOKEN holds a line break, a control character or a character outside Latin-1, which an HTTP header cannot carry: set it to the token alone (admin.token of the gateway)',
    );
  let root: URL;
  try {
    root = new URL(base);
  } catch {
    throw new UsageError(`--url "${withoutUserinfo(base)}" is not a URL (e.g. http://127.0.0.1:9091)`);
  }
  // `localhost:9091` parses as a URL of scheme "localhost:", which fetch then refuses with a bare "Invalid URL".
  if (root.protocol !== 'http:' && root.protocol !== 'https:')
    throw new UsageError(
      `--url "${withoutUserinfo(base)}" must start with http:// or https:// (e.g. http://${withoutUserinfo(base).replace(/^[a-z+.-]*:\/\//i, '')})`,
    );
  // fetch refuses such a URL with an error that quotes it whole, password included; the admin API takes no
  // user:password anyway (only the token), so say that, naming the URL without them.
  if (root.username !== '' || root.password !== '') {
    throw new UsageError(
      `--url ${root.origin}${root.pathname === '/' ? '' : root.pathname} must not include a user name or password: the admin API takes the token in $SWITCHBOARD_ADMIN_TOKEN`,
    );
  }
  const redactor = new Redactor([token]);
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    allow404 = false,
  ): Promise<T | null> => {
    const url = new URL(`/api${path}`, root);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      // Whatever fetch quotes (a header, a URL) goes through the token's redaction.
      throw new RemoteError(redactor.redact(unreachable(url, err)));
    }
    const text = await res.text();
    let json: { error?: string } & Record<string, unknown>;
    try {
      json = JSON.parse(text);
    } catch {
      throw new RemoteError(`${url.origin} answered ${res.status} with something that is not JSON`);
    }
    if (res.ok) return json as T;
    if (looksLikeWebhookPort(res.status, json.error)) throw new RemoteError(webhookPortHint(root.origin));
    if (res.status === 404 && allow404) return null;
    if (res.status === 400) throw new UsageError(json.error ?? 'bad request');
    if (res.status === 401)
      throw new RemoteError(`${root.origin}: the token in $SWITCHBOARD_ADMIN_TOKEN was refused`);
    throw new RemoteError(`${root.origin}: ${json.error ?? `HTTP ${res.status}`}`);
  };
  const query = (q: object, limit?: number) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v));
    if (limit !== undefined) p.set('limit', String(limit));
    const s = p.toString();
    return s ? `?${s}` : '';
  };
  const must = <T>(v: T | null): T => v as T;
  const enc = encodeURIComponent;
  return {
    where: root.origin,
    listDeliveries: async (q, limit) => must(await call('GET', `/deliveries${query(q, limit)}`)),
    getDelivery: (id) => call('GET', `/deliveries/${enc(id)}`, undefined, true),
    async replay(target, includeDelivered) {
      if ('ids' in target) {
        let n = 0;
        for (const id of target.ids) {
          const r = await call<{ retried: number }>(
            'POST',
            `/deliveries/${enc(id)}/retry`,
            includeDelivered ? { includeDelivered } : {},
            true,
          ).catch((err) => {
            if (
              err instanceof RemoteError &&
              /is (pending|sending|delivered)|was delivered/.test(err.message)
            )
              return null;
            throw err;
          });
          n += r?.retried ?? 0;
        }
        return n;
      }
      const body = { ...target.filter, ...(includeDelivered ? { includeDelivered } : {}) };
      return must(await call<{ retried: number }>('POST', '/deliveries/retry', body)).retried;
    },
    async pause(name, how) {
      for (const kind of ['destination', 'route'] as const) {
        const r = await call<{ pause: { by: string; comment?: string; expiresAt?: string } }>(
          'POST',
          `/${kind}s/${enc(name)}/pause`,
          how,
          true,
        );
        if (r) return { kind, pause: r.pause };
      }
      throw new UsageError(`no destination or route named "${name}" in the running config`);
    },
    async resume(name) {
      for (const kind of ['destination', 'route'] as const) {
        const r = await call<{ wasPaused?: boolean }>('POST', `/${kind}s/${enc(name)}/resume`, {}, true);
        if (r) return { kind, wasPaused: r.wasPaused !== false };
      }
      throw new UsageError(`no destination or route named "${name}", and none paused by that name`);
    },
    listEvents: async (q, limit) => must(await call('GET', `/events${query(q, limit)}`)),
    getEvent: (id) => call('GET', `/events/${enc(id)}`, undefined, true),
    destinations: async () => must(await call('GET', '/destinations')),
    listRejected: async (limit) => must(await call('GET', `/rejected${query({}, limit)}`)),
    getRejected: (id) => call('GET', `/rejected/${enc(id)}`, undefined, true),
    redact: (text) => redactor.redact(text),
    close: async () => {},
  };
}
