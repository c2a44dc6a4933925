import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { REALTIME_PROTOCOL, RealtimeSocket, type RealtimeSocketOptions } from 'nestjs-realtime/client';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { startApp, type TestApp } from '../support/test-app.js';
import { nextEvent, within } from './client-support.js';

/** A bare ws server that records the subprotocols each upgrade offered, and says Welcome. */
class OfferRecorder {
  /** `Sec-WebSocket-Protocol` of each upgrade, `undefined` when it had none. */
  readonly offers: Array<string | undefined> = [];
  readonly server: WebSocketServer;

  constructor(options: Pick<ServerOptions, 'handleProtocols'> = {}) {
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
    // Recorded before the handshake, so failed ones count too.
    this.server.on('headers', (_headers: string[], request: IncomingMessage) => this.offers.push(request.headers['sec-websocket-protocol']));
    this.server.on('connection', socket => socket.send(JSON.stringify({ event: 'Welcome', payload: { id: 'r'.repeat(64) } })));
  }

  async listening(): Promise<this> {
    await new Promise(resolve => this.server.once('listening', resolve));
    return this;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as { port: number }).port}/`;
  }

  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise(resolve => this.server.close(() => resolve()));
  }
}

describe('the client and subprotocols', () => {
  const sockets: RealtimeSocket[] = [];
  const servers: OfferRecorder[] = [];
  after(async () => {
    await Promise.all(sockets.map(socket => socket.close()));
    await Promise.all(servers.map(server => server.close()));
  });

  async function recorder(options?: Pick<ServerOptions, 'handleProtocols'>): Promise<OfferRecorder> {
    const server = await new OfferRecorder(options).listening();
    servers.push(server);
    return server;
  }

  function client(options: RealtimeSocketOptions): RealtimeSocket {
    const socket = new RealtimeSocket({ WebSocket, ...options });
    sockets.push(socket);
    return socket;
  }

  it(`offers ${REALTIME_PROTOCOL} by default, and exactly what the protocols option says otherwise`, async () => {
    const server = await recorder();
    await client({ url: server.url, reconnect: false }).connect();
    await client({ url: server.url, reconnect: false, protocols: [] }).connect();
    await client({ url: server.url, reconnect: false, protocols: 'custom.v3' }).connect();
    assert.deepEqual(server.offers, [REALTIME_PROTOCOL, undefined, 'custom.v3']);
  });

  it('connects to a server that selects no subprotocol: the attempt after the failed one offers none', async () => {
    const server = await recorder({ handleProtocols: () => false });
    const socket = client({ url: server.url, reconnect: { initialDelayMs: 1, jitter: 0 } });
    const failed = nextEvent(socket, 'error');
    const welcome = await within(socket.connect(), 'the Welcome of the second attempt');
    assert.equal(welcome.id, 'r'.repeat(64));
    assert.match((await failed).message, /no subprotocol/, 'ws refused the first handshake');
    assert.deepEqual(server.offers, [REALTIME_PROTOCOL, undefined]);
  });

  it('keeps to the protocols option when it is given, even against such a server', async () => {
    const server = await recorder({ handleProtocols: () => false });
    const socket = client({ url: server.url, reconnect: { initialDelayMs: 1, jitter: 0, maxAttempts: 2 }, protocols: [REALTIME_PROTOCOL] });
    await assert.rejects(within(socket.connect(), 'the client to give up'));
    assert.deepEqual(server.offers, [REALTIME_PROTOCOL, REALTIME_PROTOCOL, REALTIME_PROTOCOL]);
  });

  describe('against the server', () => {
    let app: TestApp;
    before(async () => (app = await startApp(fixtureModule())));
    after(() => app.close());

    it(`gets ${REALTIME_PROTOCOL} selected`, async () => {
      const selected: string[] = [];
      class Recording extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols);
          this.once('open', () => selected.push(this.protocol));
        }
      }
      const socket = client({ url: app.ws, WebSocket: Recording, reconnect: false });
      await socket.connect();
      assert.deepEqual(selected, [REALTIME_PROTOCOL]);
      assert.equal(typeof ((await socket.request('Ping')) as { time?: unknown }).time, 'number', 'and is answered');
    });
  });
});
