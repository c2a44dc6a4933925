import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on a port of its own, in front of one app instance at a time,
 * as a load balancer is: a test moves it to another instance and cuts the
 * connections, and clients reconnect to the same URL and land elsewhere.
 */
export class TcpProxy {
  private readonly pairs = new Set<[Socket, Socket]>();

  private constructor(
    private readonly server: Server,
    private target: number,
  ) {}

  static async start(target: number): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer(client => proxy!.pipe(client));
    proxy = new TcpProxy(server, target);
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** New connections go to this port; open ones stay where they are. */
  routeTo(target: number): void {
    this.target = target;
  }

  /** Drops every open connection, both ways, as a network failure would. */
  cutAll(): void {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.target, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
