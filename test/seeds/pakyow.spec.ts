/**
 * pakyow-realtime conformance: what the README/guide snippet and pakyow's Ring
 * client (pakyow.js) see when they talk to our server unmodified.
 * Sources: /work/shared/seeds/001, 002 (the snippet), seed-protocols.md §1.7
 * (Ring) and §1.9 (conformance cases).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { post, type TestApp } from '../support/test-app.js';
import { until } from '../support/until.js';
import { bodyAttribute, locationOf, RingWindow, snippetUrl, type RingPacket, type RingSocket } from './ring-client.js';
import { LinkProxy, loadPage, seedModule, startSeedApp } from './seed-app.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Ring's `send(message, cb)`, resolved with what the callback gets. */
function ringRequest(socket: RingSocket, message: Record<string, any>): Promise<RingPacket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`No reply to ${JSON.stringify(message)}`)), 10_000);
    socket.send(message, packet => {
      clearTimeout(timer);
      resolve(packet);
    });
  });
}

/** Opens a page in a "browser" and lets pw start its socket; resolves once the server's first frame is in. */
async function openRingPage(
  pageUrl: string,
  options: { cookie?: string; keepaliveMs?: number; html?: (html: string) => string } = {},
): Promise<{ window: RingWindow; socket: RingSocket; connectionId: string | null }> {
  const page = await loadPage(pageUrl, options.cookie);
  const html = options.html ? options.html(page.html) : page.html;
  const window = new RingWindow({ url: page.url, html, cookie: page.cookie, keepaliveMs: options.keepaliveMs });
  window.start();
  const socket = await window.until(() => window.socket !== undefined && window.socket.received.length > 0 && window.socket, 'the socket to open and get a first frame');
  return { window, socket, connectionId: window.bodyAttribute('data-socket-connection-id') };
}

/** Everything the server wrote to this socket before now has arrived (one socket keeps its order). */
async function barrier(socket: RingSocket): Promise<void> {
  const reply = await ringRequest(socket, { action: 'ping' });
  assert.equal(reply.body, 'pong');
}

describe('pakyow seed: README snippet and Ring client (pakyow.js) against our server', () => {
  let server: TestApp;
  const windows: RingWindow[] = [];
  before(async () => (server = await startSeedApp(seedModule({ injectConnectionId: true }))));
  after(async () => {
    for (const window of windows) window.unload();
    await server.close();
  });

  const track = <T extends { window: RingWindow }>(opened: T): T => {
    windows.push(opened.window);
    return opened;
  };

  describe('the snippet from the README and guide', () => {
    it('reads the id from <body>, builds the URL as the snippet does, and gets a route-made subscription\'s push as {payload, channel}', async () => {
      const page = await loadPage(`${server.http}/page`);
      const conn = bodyAttribute(page.html, 'data-socket-connection-id');
      assert.match(conn ?? '', /^[0-9a-f]{64}$/, page.html);
      const wsUrl = snippetUrl(locationOf(page.url), conn);
      assert.equal(wsUrl, `ws://127.0.0.1:${server.port}/?socket_connection_id=${conn}`);

      // A later request from that page (with its cookie and its id) makes a route subscribe it.
      const subscribed = await fetch(`${server.http}/subscribe?channels=snippet-feed`, {
        headers: { cookie: page.cookie!, 'x-realtime-connection-id': conn! },
      });
      assert.equal(subscribed.status, 200);

      // window.socket = new WebSocket(wsUrl), with what a browser sends along: cookies and Origin.
      const socket = new WebSocket(wsUrl, { headers: { cookie: page.cookie!, origin: locationOf(page.url).origin } });
      const messages: any[] = [];
      let opened = false;
      socket.onopen = () => (opened = true);
      socket.onmessage = evt => messages.push(JSON.parse(String(evt.data)));
      await until(() => opened && messages.length > 0, 'the socket to open and log its first message');

      await post(server, '/push/snippet-feed', { message: { foo: 'bar' } });
      const pushed = await until(() => messages.find(message => message.channel === 'snippet-feed'), 'the push');
      assert.deepEqual(pushed.payload, { foo: 'bar' });
      assert.equal(pushed.channel, 'snippet-feed');
      socket.close();
    });
  });

  describe('Ring client', () => {
    it('a page route that subscribes while rendering: the push arrives as {payload: "hello", channel: "foo"} at [data-channel="foo"]', async () => {
      const { window, socket, connectionId } = track(await openRingPage(`${server.http}/seeds/page?channels=foo`));
      assert.match(connectionId ?? '', /^[0-9a-f]{64}$/);
      assert.equal(socket.url, `ws://127.0.0.1:${server.port}/?socket_connection_id=${connectionId}`);
      assert.equal(socket.id, connectionId);
      const got: RingPacket[] = [];
      window.addChannelNode('foo', packet => got.push(packet));

      await post(server, '/push/foo', { message: 'hello' });
      const packet = await window.until(() => got[0], 'the push at [data-channel="foo"]');
      assert.equal(packet.payload, 'hello');
      assert.equal(packet.channel, 'foo');
      await barrier(socket);
      assert.equal(got.length, 1, 'exactly one frame for one push');
      assert.deepEqual(window.errors, []);
    });

    it('a socket with a wrong connection id opens but receives nothing', async () => {
      const page = await loadPage(`${server.http}/seeds/page?channels=only-mine`);
      const owner = track(await openRingPage(`${server.http}/seeds/page?channels=only-mine`, { cookie: page.cookie }));
      const wrong = track(
        await openRingPage(`${server.http}/seeds/page`, {
          cookie: page.cookie,
          html: html => html.replace(/data-socket-connection-id="[^"]*"/, 'data-socket-connection-id="WRONG"'),
        }),
      );
      assert.equal(wrong.socket.id, 'WRONG');
      assert.equal(wrong.socket.opened, true);
      const ownerGot: RingPacket[] = [];
      const wrongGot: RingPacket[] = [];
      owner.window.addChannelNode('only-mine', packet => ownerGot.push(packet));
      wrong.window.addChannelNode('only-mine', packet => wrongGot.push(packet));

      await post(server, '/push/only-mine', { message: 'private' });
      await owner.window.until(() => ownerGot[0], 'the owner\'s push');
      await barrier(wrong.socket);
      assert.deepEqual(wrongGot, []);
      assert.equal(wrong.socket.received.filter(frame => 'channel' in frame).length, 0);
    });

    it('Ring-style ping: {id, status: 200, headers: {}, body: "pong"} to the callback of that id', async () => {
      const { socket, connectionId } = track(await openRingPage(`${server.http}/seeds/page`));
      const reply = await ringRequest(socket, { action: 'ping' });
      const sent = socket.sent.at(-1)!;
      assert.match(sent.id, UUID_V4);
      assert.deepEqual(sent, { action: 'ping', id: sent.id, input: { socket_connection_id: connectionId } });
      assert.deepEqual(reply, { id: sent.id, status: 200, headers: {}, body: 'pong' });
    });

    it('the keepalive ping (every keepalive period, no callback) is answered, and the answer is harmless', async () => {
      const { window, socket, connectionId } = track(await openRingPage(`${server.http}/seeds/page`, { keepaliveMs: 25 }));
      const answered = await window.until(() => {
        const pings = socket.sent.filter(frame => frame.action === 'ping');
        const replies = pings.map(ping => socket.received.find(frame => frame.id === ping.id)).filter(Boolean);
        return replies.length >= 2 && { pings, replies };
      }, 'two keepalive pings and their answers');
      for (const [index, reply] of answered.replies.entries()) {
        const ping = answered.pings[index]!;
        assert.deepEqual(ping, { action: 'ping', id: ping.id, input: { socket_connection_id: connectionId } });
        assert.deepEqual(reply, { id: ping.id, status: 200, headers: {}, body: 'pong' });
      }
      // No callback was stored, so Ring handed the answers to its push handling, which found no [data-channel="undefined"].
      assert.ok(socket.pushes.some(packet => packet.body === 'pong'));
      assert.equal(socket.ws.readyState, WebSocket.OPEN);
      assert.equal(socket.closed, false);
      assert.deepEqual(window.errors, []);
    });

    it('frames without a known id are routed as pushes: Welcome is harmless, channel pushes reach their elements and components', async () => {
      const { window, socket } = track(await openRingPage(`${server.http}/seeds/page?channels=foo,component:chat,no-element`));
      const foo: RingPacket[] = [];
      window.addChannelNode('foo', packet => foo.push(packet));

      assert.equal(socket.received[0]!.event, 'Welcome');
      assert.ok(socket.pushes.includes(socket.received[0]!), 'Welcome went to the push handling');

      await post(server, '/push/foo', { message: { n: 1 } });
      await post(server, '/push/component:chat', { message: { text: 'hi' } });
      await post(server, '/push/no-element', { message: { n: 2 } });
      await barrier(socket);
      assert.deepEqual(
        foo.map(packet => [packet.channel, packet.payload]),
        [['foo', { n: 1 }]],
      );
      assert.deepEqual(
        window.componentPushes.map(packet => [packet.channel, packet.payload]),
        [['component:chat', { text: 'hi' }]],
      );
      assert.ok(socket.pushes.some(packet => packet.channel === 'no-element'));
      assert.deepEqual(window.errors, []);
      assert.equal(socket.closed, false);
    });

    it('after the connection drops, Ring reconnects with the same id and keeps receiving the route-made channels', async () => {
      const proxy = await new LinkProxy(server.port).start();
      try {
        const { window, socket: first, connectionId } = track(await openRingPage(`${proxy.http}/seeds/page?channels=foo`));
        const got: RingPacket[] = [];
        window.addChannelNode('foo', packet => got.push(packet));
        await post(server, '/push/foo', { message: 'before' });
        await window.until(
          () => got.some(packet => packet.payload === 'before'),
          `the push before the drop; got ${JSON.stringify(window.sockets.map(socket => socket.received))}`,
        );

        proxy.cut();
        const second = await window.until(
          () => window.socket !== first && window.socket?.received.some(frame => frame.event === 'Welcome') && window.socket,
          'Ring to reconnect',
        );
        assert.equal(first.closed, true);
        assert.equal(first.wait, 100, 'the first wait of a socket object is 100 ms');
        assert.equal(second.id, connectionId);
        assert.equal(second.url, first.url);
        assert.deepEqual(second.sent.filter(frame => frame.action !== 'ping'), [], 'Ring re-subscribes nothing');

        await post(server, '/push/foo', { message: 'after' });
        await window.until(() => got.some(packet => packet.payload === 'after'), 'the push after the reconnect');
        assert.ok(second.pushes.some(packet => packet.payload === 'after'));
        assert.deepEqual(window.errors, []);
      } finally {
        await proxy.stop();
      }
    });

    it('a Ring request for an unknown action is answered to its callback with 404 (pakyow stayed silent), and the socket stays usable', async () => {
      const { socket } = track(await openRingPage(`${server.http}/seeds/page`));
      const reply = await ringRequest(socket, { action: 'nope' });
      assert.equal(reply.status, 404);
      assert.deepEqual(reply.headers, {});
      assert.equal(reply.body.error, 'InvalidAction');
      await barrier(socket);
    });
  });

  describe('call-route (Ring navigator.js / mutable.js)', () => {
    it('GET a route with input: {id, status: 200, headers with Content-Type, body: the parsed JSON}', async () => {
      const { socket } = track(await openRingPage(`${server.http}/seeds/page`));
      const reply = await ringRequest(socket, { action: 'call-route', uri: '/seeds/greet/bryan', method: 'get', input: { punctuation: '!' } });
      assert.equal(reply.id, socket.sent.at(-1)!.id);
      assert.equal(reply.status, 200);
      assert.match(String(reply.headers?.['Content-Type']), /^application\/json/);
      assert.deepEqual(reply.body, { greeting: 'hello bryan!' });
    });

    it("GET a route that answers text: body is pakyow 0.11's array of strings, as navigator.js reads body[0]", async () => {
      const { socket } = track(await openRingPage(`${server.http}/seeds/page`));
      const reply = await ringRequest(socket, { action: 'call-route', uri: '/seeds/text', method: 'get' });
      assert.equal(reply.status, 200);
      assert.match(String(reply.headers?.['Content-Type']), /^text\/plain/);
      assert.deepEqual(reply.body, ['plain words']);
      assert.equal((reply.body as string[])[0], 'plain words');
    });

    it('a redirecting route: status 302 and headers.Location', async () => {
      const { socket } = track(await openRingPage(`${server.http}/seeds/page`));
      const reply = await ringRequest(socket, { action: 'call-route', uri: '/seeds/old', method: 'get' });
      assert.equal(reply.status, 302);
      assert.equal(reply.headers?.Location, '/seeds/new');
    });

    it('a form posted as mutable.js does (method from the form, input = the serialized form) follows with 302 + Location', async () => {
      const { socket } = track(await openRingPage(`${server.http}/seeds/page`));
      const reply = await ringRequest(socket, {
        action: 'call-route',
        method: 'post',
        uri: '/seeds/widgets',
        input: { widget: { name: 'gadget' } },
      });
      assert.equal(reply.status, 302);
      assert.equal(reply.headers?.Location, '/seeds/widgets/gadget');
    });

    it('a route called over the socket that subscribes, subscribes that socket: a later push reaches it (and not another page)', async () => {
      const mine = track(await openRingPage(`${server.http}/seeds/page`));
      const other = track(await openRingPage(`${server.http}/seeds/page`));
      const got: RingPacket[] = [];
      const otherGot: RingPacket[] = [];
      mine.window.addChannelNode('bar', packet => got.push(packet));
      other.window.addChannelNode('bar', packet => otherGot.push(packet));

      const reply = await ringRequest(mine.socket, { action: 'call-route', uri: '/seeds/follow/bar', method: 'get' });
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, { following: 'bar' });

      await post(server, '/push/bar', { message: { joined: true } });
      const packet = await mine.window.until(() => got[0], 'the push on bar');
      assert.deepEqual(packet.payload, { joined: true });
      assert.equal(packet.channel, 'bar');
      await barrier(other.socket);
      assert.deepEqual(otherGot, []);
    });
  });
});
