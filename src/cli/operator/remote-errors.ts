/** Where the admin API listens unless `admin.listen` says otherwise (contract §4). */
const ADMIN_DEFAULT = 'http://127.0.0.1:9091';

/**
 * Why `--url` could not be reached, in plain words, naming the URL tried: refused, unknown host, blocked port
 * (fetch refuses ports such as 1 or 9 outright), timed out.
 */
export function unreachable(url: URL, err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = String(cause?.code ?? '');
  const detail = String(cause?.message ?? (err as Error).message ?? err);
  const why =
    code === 'ECONNREFUSED'
      ? 'nothing is listening there (is switchboard running, and is this its admin.listen address?)'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? `the host name ${url.hostname} does not resolve`
        : /bad port/i.test(detail)
          ? `port ${url.port || '(default)'} is one that HTTP clients refuse to use (a blocked port)`
          : (err as Error).name === 'TimeoutError'
            ? 'no answer within 30 s'
            : `the connection failed (${detail})`;
  return `could not reach the admin API at ${url.origin}${url.pathname}: ${why}; the admin API is on admin.listen, default ${ADMIN_DEFAULT}`;
}

/** The answer came from Switchboard's webhook port (its 404 says `no route for ...`), not from the admin API. */
export function looksLikeWebhookPort(status: number, error: string | undefined): boolean {
  return status === 404 && /^no route for /.test(error ?? '');
}

/** What to say when `--url` points at the webhook port. */
export function webhookPortHint(origin: string): string {
  return `${origin} looks like the webhook port (it has no /api): the admin API is on admin.listen, default ${ADMIN_DEFAULT}`;
}
