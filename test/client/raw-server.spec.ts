import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { RealtimeSocket, type RealtimeSocketOptions, type ServerFrame } from 'nestjs-realtime/client';
import { WebSocket, WebSocketServer } from 'ws';
import { nextEvent, within } from './client-support.js';

const CONNECTION_ID = 'c'.repeat(64);

/**
 * A bare `ws` server that says Welcome and then does only what a test tells
 * it to: the client's side of the protocol, checked frame by frame.
 */
class RawServer {
  readonly server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  readonly upgrades: string[] = [];
  readonly received: Array<Record<string, any>> = [];
  private waiters: Array<{ test: (frame: Record<string, any>) => boolean; resolve: (frame: Record<string, any>) => void }> = [];
  peer: WebSocket | undefined;

  constructor() {
    this.server.on('connection', (socket: WebSocket, request: IncomingMessage) => {
      this.peer = socket;
      this.upgrades.push(request.url ?? '');
      socket.on('message', data => {
        const frame = JSON.parse(data.toString()) as Record<string, any>;
        this.received.push(frame);
        this.waiters = this.waiters.filter(waiter => (waiter.test(frame) ? (waiter.resolve(frame), false) : true));
      });
      const id = new URL(request.url ?? '/', 'http://x').searchParams.get('socket_connection_id') ?? CONNECTION_ID;
      socket.send(JSON.stringify({ event: 'Welcome', payload: { id } }));
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as { port: number }).port}/`;
  }

  /** The first frame from the client (already received or still to come) that passes the test. */
  frame(test: (frame: Record<string, any>) => boolean): Promise<Record<string, any>> {
    const found = this.received.find(test);
    if (found) return Promise.resolve(found);
    return within(new Promise(resolve => this.waiters.push({ test, resolve })), 'a frame from the client');
  }

  send(frame: unknown): void {
    this.peer!.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise(resolve => this.server.close(() => resolve()));
  }
}

describe('RealtimeSocket against a raw ws server', () => {
  let raw: RawServer;
  const sockets: RealtimeSocket[] = [];
  before(async () => {
    raw = new RawServer();
    await new Promise(resolve => raw.server.once('listening', resolve));
  });
  after(async () => {
    await Promise.all(sockets.map(socket => socket.close()));
    await raw.close();
  });

  function client(options: RealtimeSocketOptions = {}): RealtimeSocket {
    const socket = new RealtimeSocket({ url: raw.url, WebSocket, reconnect: false, ...options });
    sockets.push(socket);
    return socket;
  }

  it('connects with the connection id and socket key in the query string', async () => {
    const socket = client({ connectionId: 'page-connection-id-0001', socketKey: 'k'.repeat(40) });
    assert.deepEqual(await socket.connect(), { id: 'page-connection-id-0001' });
    const url = new URL(raw.upgrades.at(-1)!, 'http://x');
    assert.equal(url.pathname, '/');
    assert.equal(url.searchParams.get('socket_connection_id'), 'page-connection-id-0001');
    assert.equal(url.searchParams.get('socket_key'), 'k'.repeat(40));
  });

  it("in a browser, builds the URL from location and path, and reads the page's id with connectionId: 'auto'", async () => {
    const host = new URL(raw.url).host;
    const globals = globalThis as { location?: unknown; document?: unknown };
    globals.location = { protocol: 'http:', host, href: `http://${host}/widgets/1` };
    globals.document = {
      body: { getAttribute: (name: string) => (name === 'data-socket-connection-id' ? 'page-id-from-body-0001' : null) },
    };
    try {
      const socket = client({ connectionId: 'auto', path: '/' });
      assert.deepEqual(await socket.connect(), { id: 'page-id-from-body-0001' });
      const url = new URL(raw.upgrades.at(-1)!, 'http://x');
      assert.equal(url.pathname, '/');
      assert.equal(url.searchParams.get('socket_connection_id'), 'page-id-from-body-0001');
    } finally {
      delete globals.location;
      delete globals.document;
    }
  });

  it('needs a URL outside a browser page', () => {
    assert.throws(() => new RealtimeSocket({ WebSocket }), /needs options\.url outside a browser page/);
    assert.throws(() => new RealtimeSocket({ url: 'ftp://example.com/', WebSocket }), /ws:, wss:, http: or https:/);
  });

  it('sends {action, tag, payload} and settles on the frame with that tag only', async () => {
    const socket = client();
    await socket.connect();
    const reply = socket.request('Echo', { n: 1 });
    const frame = await raw.frame(candidate => candidate.action === 'Echo');
    assert.deepEqual(Object.keys(frame).sort(), ['action', 'payload', 'tag']);
    assert.deepEqual(frame.payload, { n: 1 });
    raw.send({ event: 'Echoed', tag: 'someone-else', payload: { wrong: true } });
    raw.send({ event: 'Echoed', tag: frame.tag, payload: { n: 1 } });
    assert.deepEqual(await reply, { n: 1 });
  });

  it("rejects with Timeout when no reply comes, and ignores the late one", async () => {
    const socket = client();
    await socket.connect();
    const seen: ServerFrame[] = [];
    socket.on('message', frame => seen.push(frame));
    const errors: unknown[] = [];
    socket.on('error', error => errors.push(error));

    const slow = socket.request('Slow', {}, { timeout: 20 });
    const frame = await raw.frame(candidate => candidate.action === 'Slow');
    await assert.rejects(slow, { name: 'RealtimeError', code: 'Timeout' });
    raw.send({ event: 'SlowReply', tag: frame.tag, payload: 'too late' });
    raw.send({ event: 'Pong', tag: 'barrier', payload: {} });
    await within(
      new Promise<void>(resolve => socket.on('message', candidate => 'tag' in candidate && candidate.tag === 'barrier' && resolve())),
      'the barrier frame',
    );
    assert.ok(seen.some(candidate => 'tag' in candidate && candidate.tag === frame.tag), 'the late reply is only a message');
    assert.deepEqual(errors, []);
  });

  it('rejects requests in flight with Disconnected when the socket closes', async () => {
    const socket = client();
    await socket.connect();
    const pending = socket.request('NeverAnswered');
    await raw.frame(candidate => candidate.action === 'NeverAnswered');
    const disconnected = nextEvent(socket, 'disconnected');
    raw.peer!.close(4000, 'bye');
    await assert.rejects(pending, { code: 'Disconnected', details: { code: 4000, reason: 'bye' } });
    assert.deepEqual(await disconnected, { code: 4000, reason: 'bye', willReconnect: false });
    assert.equal(socket.state, 'closed');
  });

  it('calls a route Ring-style and resolves with the reply of that id', async () => {
    const socket = client({ connectionId: 'ring-connection-id-0001' });
    await socket.connect();
    const call = socket.callRoute<{ saved: boolean }>('post', '/widgets/1', { qty: 2 });
    const frame = await raw.frame(candidate => candidate.action === 'call-route');
    assert.deepEqual(frame, {
      id: frame.id,
      action: 'call-route',
      uri: '/widgets/1',
      method: 'post',
      input: { qty: 2, socket_connection_id: 'ring-connection-id-0001' },
    });
    assert.ok(typeof frame.id === 'number' || typeof frame.id === 'string');
    raw.send({ id: `${frame.id}-other`, status: 500, headers: {}, body: 'not this one' });
    raw.send({ id: frame.id, status: 201, headers: { 'content-type': 'application/json' }, body: { saved: true } });
    assert.deepEqual(await call, { status: 201, headers: { 'content-type': 'application/json' }, body: { saved: true } });
  });

  it('ignores frames that are not JSON objects', async () => {
    const socket = client();
    await socket.connect();
    const reply = socket.request('Echo', 1);
    const frame = await raw.frame(candidate => candidate.action === 'Echo' && candidate.payload === 1);
    raw.send('not json');
    raw.send('[1,2]');
    raw.send({ event: 'Echoed', tag: frame.tag, payload: 1 });
    assert.equal(await reply, 1);
  });
});
