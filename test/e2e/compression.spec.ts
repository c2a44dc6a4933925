import type { IncomingMessage } from 'node:http';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RealtimeModuleOptions } from 'nestjs-realtime';
import { WebSocket, type ClientOptions } from 'ws';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { CaptureLogger } from '../support/capture-logger.js';
import { pageSocketUrl } from '../support/page-socket.js';
import { post, startApp, subscribePage, type Platform, type PageIdentity, type TestApp } from '../support/test-app.js';
import { until } from '../support/until.js';
import { TestClient, type Frame } from '../support/ws-client.js';

/** A push of some 3 KiB of JSON, like a list a dashboard shows: past the 1024-byte threshold. */
const LARGE = { widgets: Array.from({ length: 60 }, (_, i) => ({ id: i, name: `widget ${i}`, qty: i * 3, open: i % 2 === 0 })) };
/** A push of a few dozen bytes: under the threshold. */
const SMALL = { qty: 7 };

/** Bytes the client's TCP socket has read so far: frames as they crossed the wire. */
function wireBytes(client: TestClient): number {
  return (client.socket as unknown as { _socket: { bytesRead: number } })._socket.bytesRead;
}

/** A page subscribed to `news` by a route, and its socket, which offers deflate unless told otherwise. */
async function newsReader(server: TestApp, options: ClientOptions = {}): Promise<{ page: PageIdentity; client: TestClient }> {
  const page = await subscribePage(server, ['news']);
  const client = await TestClient.connect(pageSocketUrl(server, page.connectionId), { headers: { cookie: page.cookie }, ...options });
  return { page, client };
}

/**
 * Pushes `message` to `news` and resolves with the frame the client got and
 * the bytes it took on the wire (nothing else is in flight: the server sends
 * only what it is asked to, and a barrier came first).
 */
async function pushed(server: TestApp, client: TestClient, message: unknown): Promise<{ frame: Frame; wire: number; text: number }> {
  await client.barrier();
  const before = wireBytes(client);
  const seen = client.frames.length;
  await post(server, '/push/news', { message });
  const frame = await until(() => client.frames.slice(seen).find(candidate => candidate.channel === 'news'), 'the push');
  return { frame, wire: wireBytes(client) - before, text: Buffer.byteLength(JSON.stringify(frame)) };
}

/** The `Sec-WebSocket-Extensions` of the 101 a ws client got, or `''`; the socket is closed again. */
function negotiated(url: string, options: ClientOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    let header = '';
    socket.once('upgrade', (response: IncomingMessage) => (header = String(response.headers['sec-websocket-extensions'] ?? '')));
    socket.once('open', () => {
      socket.close();
      resolve(header);
    });
    socket.once('error', reject);
  });
}

function start(options: RealtimeModuleOptions, platform: Platform = 'express', logger?: CaptureLogger): Promise<TestApp> {
  return startApp(fixtureModule(options), '/', platform, logger);
}

describe('permessage-deflate off (the default)', () => {
  let server: TestApp;
  before(async () => (server = await start({})));
  after(() => server.close());

  it('a client that offers it connects, and gets every frame uncompressed', async () => {
    const { client } = await newsReader(server, { perMessageDeflate: true });
    assert.equal(client.socket.extensions, '', 'nothing negotiated');
    const large = await pushed(server, client, LARGE);
    assert.deepEqual(large.frame.payload, LARGE);
    assert.ok(large.wire >= large.text, `${large.wire} bytes on the wire for ${large.text} bytes of frame`);
    client.close();
  });
});

for (const platform of ['express', 'fastify'] as const) {
  describe(`permessage-deflate on, threshold 1024 (${platform})`, () => {
    let server: TestApp;
    const logger = new CaptureLogger();
    before(async () => (server = await start({ compression: { threshold: 1024 } }, platform, logger)));
    after(() => server.close());

    it('is negotiated with a client that offers it: frames from the threshold on arrive compressed, smaller ones do not', async () => {
      const { client } = await newsReader(server);
      assert.equal(client.socket.extensions, 'permessage-deflate');
      const large = await pushed(server, client, LARGE);
      assert.deepEqual(large.frame.payload, LARGE, 'the push arrives whole');
      assert.ok(large.text >= 1024);
      assert.ok(large.wire * 4 < large.text, `${large.wire} bytes on the wire for ${large.text} bytes of frame`);
      const small = await pushed(server, client, SMALL);
      assert.deepEqual(small.frame.payload, SMALL);
      assert.ok(small.wire >= small.text, `${small.wire} bytes on the wire for ${small.text} bytes of frame: sent as is`);
      // A second large push still arrives whole after an uncompressed one (the context carries over).
      const again = await pushed(server, client, LARGE);
      assert.deepEqual(again.frame.payload, LARGE);
      assert.ok(again.wire * 4 < again.text);
      client.close();
    });

    it('leaves a client that does not offer it uncompressed', async () => {
      const { client } = await newsReader(server, { perMessageDeflate: false });
      assert.equal(client.socket.extensions, '');
      const large = await pushed(server, client, LARGE);
      assert.deepEqual(large.frame.payload, LARGE);
      assert.ok(large.wire >= large.text);
      client.close();
    });

    it('closes with 1009 a client whose compressed frame inflates past maxMessageSize, and logs no error', async () => {
      const { client } = await newsReader(server);
      // 128 KiB of one letter deflates to a few hundred bytes.
      client.send(JSON.stringify({ action: 'Ping', tag: 'x'.repeat(128 * 1024) }));
      assert.equal((await client.whenClosed()).code, 1009);
      assert.deepEqual(logger.errors, []);
    });
  });
}

describe('permessage-deflate: offers ws would refuse the handshake over', () => {
  let server: TestApp;
  before(async () => (server = await start({ compression: { windowBits: 10 } })));
  after(() => server.close());

  it('compresses with the window given, and tells the client (server_max_window_bits)', async () => {
    assert.match(await negotiated(server.ws, { perMessageDeflate: true }), /^permessage-deflate; server_max_window_bits=10$/);
  });

  it('connects, uncompressed, a client that asks for a smaller window or sends a parameter ws does not know', async () => {
    assert.equal(await negotiated(server.ws, { perMessageDeflate: { serverMaxWindowBits: 9 } }), '');
    for (const offer of ['permessage-deflate; foo=1', 'permessage-deflate; client_max_window_bits=16', 'permessage-deflate;;', 'permessage-deflate; server_max_window_bits']) {
      const header = await negotiated(server.ws, { perMessageDeflate: false, headers: { 'Sec-WebSocket-Extensions': offer } });
      assert.equal(header, '', `"${offer}" gets no compression`);
    }
    // The window the server uses, or a larger one, is fine.
    assert.match(await negotiated(server.ws, { perMessageDeflate: { serverMaxWindowBits: 12 } }), /server_max_window_bits=10/);
  });
});

describe('permessage-deflate: maxSockets', () => {
  let server: TestApp;
  before(async () => (server = await start({ compression: { maxSockets: 1 } })));
  after(() => server.close());

  it('compresses for that many sockets at once; the next ones connect uncompressed until one closes', async () => {
    const first = await newsReader(server);
    assert.equal(first.client.socket.extensions, 'permessage-deflate');
    const second = await newsReader(server);
    assert.equal(second.client.socket.extensions, '', 'over the cap: no compression, but a socket');
    assert.deepEqual((await pushed(server, second.client, LARGE)).frame.payload, LARGE);
    first.client.close();
    await first.client.closed;
    // The slot is free once the server sees the TCP socket close, a moment after the client's close.
    await until(async () => (await negotiated(server.ws, { perMessageDeflate: true })) !== '', 'a compressed socket again');
    second.client.close();
  });
});
