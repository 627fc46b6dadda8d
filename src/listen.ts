import type { Server, ServerOptions } from 'node:http';
import type { Config } from './config/types.ts';

/**
 * Listens on `at`, or rejects with an error that says plainly why not and which setting (`server.port`,
 * `admin.listen`, …) to change: the address in use, a privileged port, an address not of this machine.
 */
export function listenOn(
  server: Server,
  at: { host: string; port: number },
  setting: { host: string; port: string },
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (err: unknown) => reject(listenError(err, at, setting));
    server.once('error', failed);
    server.listen(at.port, at.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

/**
 * A listener's limits on slow clients (slowloris): a request whose headers (`server.headersTimeout`) or whole
 * body (`server.requestTimeout`) have not arrived in time is answered 408 and its connection closed. Node checks
 * its connections every `connectionsCheckingInterval` (30 s by default, which would stretch a 10 s limit to up to
 * 40 s), so the check runs at a quarter of the shorter limit, at most every second.
 */
export function serverTimeouts(server: Config['server']): ServerOptions {
  const shorter = Math.min(server.headersTimeoutMs, server.requestTimeoutMs);
  return {
    requestTimeout: server.requestTimeoutMs,
    headersTimeout: server.headersTimeoutMs,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(shorter / 4))),
  };
}

/** An address as a URL host: IPv6 in brackets. */
export function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

function listenError(
  err: unknown,
  at: { host: string; port: number },
  setting: { host: string; port: string },
): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${at.host}:${at.port}`;
  if (code === 'EADDRINUSE')
    return new Error(`${where} is already in use: stop the other process or set ${setting.port}`);
  if (code === 'EACCES')
    return new Error(
      `not allowed to listen on ${where}: use a port above 1023 or run with the right to bind it`,
    );
  if (code === 'EADDRNOTAVAIL')
    return new Error(`${at.host} is not an address of this machine: check ${setting.host}`);
  return err;
}
