import type { IncomingMessage } from 'node:http';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { REALTIME_PROTOCOL } from 'nestjs-realtime';
import { WebSocket } from 'ws';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { CaptureLogger } from '../support/capture-logger.js';
import { PLATFORMS, startApp, type TestApp } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';

/** What a refused upgrade answered: its status, headers and body. */
interface Refusal {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An admitted socket, and its first frame (Welcome), listened for from the start. */
interface Opened {
  socket: WebSocket;
  first: Promise<Record<string, unknown>>;
}

/** Opens a real ws client offering `protocols`; resolves with the open socket or the HTTP refusal. */
function offer(url: string, protocols: string[]): Promise<Opened | { refusal: Refusal }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols);
    // NOTE: listened for before 'open': Welcome may come in the 101's own TCP chunk.
    const first = new Promise<Record<string, unknown>>(resolveFirst =>
      socket.once('message', data => resolveFirst(JSON.parse(data.toString()) as Record<string, unknown>)),
    );
    socket.once('open', () => resolve({ socket, first }));
    socket.once('unexpected-response', (_request, response: IncomingMessage) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ refusal: { status: response.statusCode ?? 0, headers: response.headers, body } }));
    });
    socket.once('error', reject);
  });
}

for (const platform of PLATFORMS) {
  describe(`the subprotocol handshake (${platform})`, () => {
    let server: TestApp;
    const logger = new CaptureLogger();
    before(async () => (server = await startApp(fixtureModule(), '/', platform, logger)));
    after(() => server.close());

    it(`selects ${REALTIME_PROTOCOL} when a client offers it, alone or among others`, async () => {
      assert.equal(REALTIME_PROTOCOL, 'nestjs-realtime.v1');
      for (const protocols of [[REALTIME_PROTOCOL], ['graphql-ws', REALTIME_PROTOCOL, 'nestjs-realtime.v9']]) {
        const opened = await offer(server.ws, protocols);
        assert.ok('socket' in opened, `offering ${protocols.join(', ')} is admitted`);
        assert.equal(opened.socket.protocol, REALTIME_PROTOCOL, 'the 101 names the protocol');
        const welcome = await opened.first;
        assert.equal(welcome.event, 'Welcome');
        opened.socket.close();
      }
    });

    it('speaks the same protocol to a client that offers no subprotocol (new WebSocket(url))', async () => {
      const client = await TestClient.connect(server.ws);
      assert.equal(client.socket.protocol, '', 'no Sec-WebSocket-Protocol in the 101');
      assert.equal((await client.call('Ping')).event, 'Pong');
      client.close();
    });

    it('refuses, with 400 and a sentence, an upgrade that offers only subprotocols it does not speak', async () => {
      const refused = await offer(server.ws, ['graphql-ws', 'nestjs-realtime.v2']);
      assert.ok('refusal' in refused, 'no socket is made');
      assert.equal(refused.refusal.status, 400);
      assert.equal(refused.refusal.headers['sec-websocket-protocol'], REALTIME_PROTOCOL, 'the refusal names what the server speaks');
      assert.equal(
        refused.refusal.body,
        `None of the offered subprotocols is spoken here: offer ${REALTIME_PROTOCOL}, or none.`,
      );
      // A refusal is an answer to the client, not the server's fault.
      assert.deepEqual(logger.errors, []);
      // The refused upgrade held no connection slot: the next one is admitted.
      const client = await TestClient.connect(server.ws);
      client.close();
    });

    it('compares subprotocol names exactly: another case is another name', async () => {
      const refused = await offer(server.ws, ['NestJS-Realtime.v1']);
      assert.ok('refusal' in refused);
      assert.equal(refused.refusal.status, 400);
    });
  });
}
