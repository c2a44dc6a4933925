import { connect } from 'node:net';

/** What a server wrote back to a raw request, and how the exchange ended. */
export interface RawExchange {
  /** Every byte the server wrote, as latin1 text. */
  bytes: string;
  /** The status line, when the server wrote one. */
  statusLine: string | undefined;
}

/**
 * Sends a WebSocket upgrade request for `target` as raw bytes over TCP, the
 * way a hand-written client would, so that the test sees exactly what the
 * server writes, even bytes that are not HTTP. Resolves once the server has
 * closed the connection, or has written a whole head (a `101` keeps the
 * connection open: it is then closed here).
 */
export function rawUpgrade(port: number, target: string, host = `127.0.0.1:${port}`): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let bytes = '';
    const done = () => resolve({ bytes, statusLine: /^HTTP\/1\.1 \d{3}[^\r\n]*\r\n/.test(bytes) ? bytes.split('\r\n', 1)[0] : undefined });
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      bytes += chunk;
      if (bytes.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('close', done);
    socket.on('error', error => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
    socket.write(
      `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
  });
}
