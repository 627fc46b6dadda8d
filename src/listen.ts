import { type Server, type ServerOptions, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Config } from './config/types.ts';
import { transferCodingRefusal } from './ingress/request-framing.ts';

/**
 * Listens on `at`, or rejects with an error that says plainly why not and which setting (`server.port`,
 * `admin.listen`, …) to change: the address in use, a privileged port, an address not of this machine, a host
 * name that does not resolve.
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
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL')
    return new Error(
      `the host name ${at.host} does not resolve to an address (${code}): check ${setting.host} (an address of this machine, such as 127.0.0.1 or 0.0.0.0)`,
    );
  return err;
}

/**
 * What Node answers, itself and before any app code runs, to a request it cannot parse: headers over its 16 KB
 * limit (431), a request past server.headersTimeout or server.requestTimeout (408), chunk extensions too large
 * (413), anything else malformed (400). Node sends these with an empty body; these carry a JSON `error` saying
 * what was wrong, as every other answer does. Source: Node 20's lib/_http_server.js, socketOnError.
 */
export function answerUnparsableRequests(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException & { reason?: string }, socket: Duplex) => {
    // As Node does: answer only when nothing has been written on this connection yet.
    if (socket.writable && (socket as Duplex & { bytesWritten?: number }).bytesWritten === 0) {
      const [status, error] = unparsable(err);
      const body = JSON.stringify({ error });
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(err);
  });
}

function unparsable(err: NodeJS.ErrnoException & { reason?: string }): [number, string] {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return [
        431,
        'the request headers are larger than this server accepts (16 KB in all): send fewer or shorter headers',
      ];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [
        408,
        'the request did not arrive in time (server.headersTimeout for the headers, server.requestTimeout for the whole request)',
      ];
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [413, 'the chunk extensions of the request body are too large'];
    // A transfer coding other than chunked last (`gzip`), or after it (`chunked, gzip`): the same answer the
    // webhook route gives to the `gzip, chunked` Node lets through (ingress/request-framing.ts). 415 as for an
    // unknown Content-Encoding, the header senders mean when they compress a body.
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return [415, transferCodingRefusal()];
    default:
      return [400, `not a well-formed HTTP/1.1 request${err.reason ? ` (${err.reason})` : ''}`];
  }
}
