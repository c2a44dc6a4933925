import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A reverse proxy in front of an app, on a loopback port of its own. */
export interface RefusingProxy {
  port: number;
  /** `http://127.0.0.1:<port>` */
  http: string;
  /** `ws://127.0.0.1:<port><path>` */
  ws: string;
  /** WebSocket upgrades it refused so far. */
  readonly refusedUpgrades: number;
  close(): Promise<void>;
}

/**
 * A reverse proxy that passes plain HTTP on to `target` unbuffered (each
 * chunk as it comes, so an event stream streams) and answers every WebSocket
 * upgrade `403`: the proxy the event-stream fallback is for.
 */
export async function startUpgradeRefusingProxy(target: { port: number }, path = '/'): Promise<RefusingProxy> {
  const sockets = new Set<Socket>();
  let refused = 0;
  const server: Server = createServer((incoming, outgoing) => {
    const upstream = forward(
      { host: '127.0.0.1', port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      answer => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        outgoing.flushHeaders();
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    outgoing.on('close', () => upstream.destroy());
    incoming.pipe(upstream);
  });
  server.on('connection', socket => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (_request, socket: Socket) => {
    refused += 1;
    socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}${path}`,
    get refusedUpgrades() {
      return refused;
    },
    close: () =>
      new Promise<void>(resolve => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
