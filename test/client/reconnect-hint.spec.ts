import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { RealtimeSocket, type RealtimeSocketOptions } from 'nestjs-realtime/client';
import { WebSocket, WebSocketServer } from 'ws';
import { nextEvent } from './client-support.js';

/** A bare `ws` server that says Welcome, and closes its latest socket with the code and reason a test gives. */
class ClosingServer {
  readonly server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  peer: WebSocket | undefined;

  constructor() {
    this.server.on('connection', (socket: WebSocket, request: IncomingMessage) => {
      this.peer = socket;
      const id = new URL(request.url ?? '/', 'http://x').searchParams.get('socket_connection_id') ?? 'c'.repeat(64);
      socket.send(JSON.stringify({ event: 'Welcome', payload: { id } }));
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as { port: number }).port}/`;
  }

  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise(resolve => this.server.close(() => resolve()));
  }
}

describe('RealtimeSocket and the reconnect hint of a close (a drained restart)', () => {
  let raw: ClosingServer;
  const sockets: RealtimeSocket[] = [];
  before(async () => {
    raw = new ClosingServer();
    await new Promise(resolve => raw.server.once('listening', resolve));
  });
  after(async () => {
    await Promise.all(sockets.map(socket => socket.close()));
    await raw.close();
  });

  /** The `reconnecting` event after the server closed a connected client with `code` and `reason`. */
  async function delayAfter(code: number, reason: string, options: RealtimeSocketOptions = {}): Promise<{ attempt: number; delayMs: number }> {
    const socket = new RealtimeSocket({ url: raw.url, WebSocket, random: () => 0.5, ...options });
    sockets.push(socket);
    await socket.connect();
    const disconnected = nextEvent(socket, 'disconnected');
    const reconnecting = nextEvent(socket, 'reconnecting');
    raw.peer!.close(code, reason);
    assert.deepEqual(await disconnected, { code, reason, willReconnect: true });
    const event = await reconnecting;
    await socket.close();
    return event;
  }

  it('waits a random time within the hint, instead of the backoff', async () => {
    // random() is 0.5: half of the hint.
    assert.deepEqual(await delayAfter(1001, 'Server shutting down; reconnect_within_ms=400'), { attempt: 1, delayMs: 200 });
    assert.deepEqual(await delayAfter(1001, 'Server shutting down; reconnect_within_ms=400', { random: () => 0 }), { attempt: 1, delayMs: 0 });
  });

  it('never waits longer than reconnect.maxDelayMs', async () => {
    const options = { reconnect: { maxDelayMs: 100 } };
    assert.deepEqual(await delayAfter(1001, 'Server shutting down; reconnect_within_ms=30000', options), { attempt: 1, delayMs: 50 });
  });

  it('backs off as usual without a hint, or with one it cannot read', async () => {
    // The first backoff step is 500 ms; random() of 0.5 means no jitter.
    for (const reason of ['Server shutting down', 'reconnect_within_ms=soon', 'reconnect_within_ms=99999999', 'x; reconnect_within_ms=-5']) {
      assert.deepEqual(await delayAfter(1001, reason), { attempt: 1, delayMs: 500 }, reason);
    }
  });
});
