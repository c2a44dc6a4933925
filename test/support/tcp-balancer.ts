import { connect, createServer, type Server, type Socket } from 'node:net';

/** Failed readiness checks in a row that take a backend out of rotation (Kubernetes' default). */
const FAILURE_THRESHOLD = 3;

/** A backend of the balancer: where it listens, and where its readiness is asked. */
export interface Backend {
  port: number;
  http: string;
}

/**
 * A TCP load balancer on a loopback port, as in front of a fleet: each new
 * connection goes to the next ready backend in turn and is piped to it
 * byte for byte. Readiness is asked as Kubernetes' readiness probe does it,
 * every 50 ms here: `GET <http><healthPath>`; a backend leaves the rotation
 * after 3 answers in a row that are not `200` (its default
 * `failureThreshold`) and comes back after one `200`. With none ready, a
 * connection is dropped.
 */
export class TcpBalancer {
  /** For each connection taken, the index of the backend it went to. */
  readonly routed: number[] = [];
  private readonly ready: boolean[];
  private readonly failures: number[];
  private readonly pairs = new Set<Socket>();
  private next = 0;
  private probe: NodeJS.Timeout | undefined;

  private constructor(
    private readonly server: Server,
    private readonly backends: readonly Backend[],
    private readonly healthPath: string,
  ) {
    this.ready = backends.map(() => false);
    this.failures = backends.map(() => 0);
  }

  static async start(backends: readonly Backend[], healthPath = '/health'): Promise<TcpBalancer> {
    const server = createServer();
    const balancer = new TcpBalancer(server, backends, healthPath);
    server.on('connection', socket => balancer.route(socket));
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    await balancer.check();
    const loop = async (): Promise<void> => {
      await balancer.check();
      if (balancer.probe) balancer.probe = setTimeout(loop, 50);
    };
    balancer.probe = setTimeout(loop, 50);
    return balancer;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** `ws://127.0.0.1:<port>/` */
  get ws(): string {
    return `ws://127.0.0.1:${this.port}/`;
  }

  /** Stops probing, drops every connection and stops listening. */
  async close(): Promise<void> {
    clearTimeout(this.probe);
    this.probe = undefined;
    for (const socket of this.pairs) socket.destroy();
    await new Promise(resolve => this.server.close(resolve));
  }

  private async check(): Promise<void> {
    await Promise.all(
      this.backends.map(async (backend, index) => {
        let ok = false;
        try {
          const response = await fetch(`${backend.http}${this.healthPath}`);
          await response.arrayBuffer();
          ok = response.status === 200;
        } catch {
          // Not listening: not ready.
        }
        this.failures[index] = ok ? 0 : this.failures[index]! + 1;
        if (ok) this.ready[index] = true;
        else if (this.failures[index]! >= FAILURE_THRESHOLD) this.ready[index] = false;
      }),
    );
  }

  private route(client: Socket): void {
    const candidates = this.backends.map((_, index) => (this.next + index) % this.backends.length);
    const chosen = candidates.find(index => this.ready[index]);
    if (chosen === undefined) {
      client.destroy();
      return;
    }
    this.next = (chosen + 1) % this.backends.length;
    this.routed.push(chosen);
    const upstream = connect(this.backends[chosen]!.port, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.pairs.add(from);
      from.pipe(to);
      from.on('error', () => to.destroy());
      // A clean end is passed on by pipe() (after what was written); a reset is passed on as one.
      from.on('close', hadError => {
        this.pairs.delete(from);
        if (hadError) to.destroy();
      });
    }
  }
}
