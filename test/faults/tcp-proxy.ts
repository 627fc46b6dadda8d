import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that the test controls, standing between the gateway and PostgreSQL: `cut()` drops
 * every connection at once (as a network failure or a failover would), `hang()` keeps accepting connections
 * and bytes but forwards nothing in either direction (a database that never answers), `refuse()` resets every
 * connection as it opens (a database that is down), `blackhole()` is `hang()` where even the end of a connection
 * does not get through (a partition, a NAT entry gone: the server's close never reaches the gateway), `heal()`
 * forwards again.
 */
export class TcpProxy {
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private hanging = false;
  private refusing = false;
  private blackholed = false;
  private readonly held = new Set<Socket>();
  /** Connections accepted so far (refused ones included). */
  accepted = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Starts a proxy to `target` (host:port). */
  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => proxy!.accept(client, targetHost, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  private accept(client: Socket, host: string, port: number): void {
    client.on('error', () => {});
    this.accepted++;
    if (this.refusing) {
      client.resetAndDestroy();
      return;
    }
    if (this.hanging) {
      // Accepted, read and never answered.
      this.held.add(client);
      client.on('close', () => this.held.delete(client));
      client.resume();
      return;
    }
    const upstream = connect(port, host);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    const pair = { client, upstream };
    this.pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk) => {
        if (!this.hanging) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', () => {
      if (!this.blackholed) return end();
      // Lost on the way: the client's side stays open, saying nothing, until heal() or close().
      this.pairs.delete(pair);
      this.held.add(client);
      client.on('close', () => this.held.delete(client));
    });
  }

  /** Drops every open connection (new ones are still accepted). */
  cut(): number {
    const n = this.pairs.size;
    for (const { client, upstream } of this.pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.pairs.clear();
    return n;
  }

  /** From now on, nothing is forwarded on any connection, old or new. */
  hang(): void {
    this.hanging = true;
  }

  /** hang(), and a connection the server ends stays open and silent on the gateway's side (no FIN, no reset). */
  blackhole(): void {
    this.hanging = true;
    this.blackholed = true;
  }

  /** From now on, every connection is reset as soon as it opens (a database that is down), and open ones are cut. */
  refuse(): void {
    this.refusing = true;
    this.cut();
  }

  /** Forwarding again: connections held while hanging are dropped (their state is lost), new ones work. */
  heal(): void {
    this.hanging = false;
    this.refusing = false;
    this.blackholed = false;
    for (const s of this.held) s.destroy();
    this.held.clear();
    this.cut();
  }

  /** Closes the proxy and every connection through it. */
  async close(): Promise<void> {
    this.cut();
    for (const s of this.held) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
