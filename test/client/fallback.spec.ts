import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { EventSource } from 'eventsource';
import { RealtimeSocket, type RealtimeError, type RealtimeSocketEvents, type RealtimeSocketOptions } from 'nestjs-realtime/client';
import { WebSocket } from 'ws';
import { nodeFetch } from '../support/node-fetch.js';
import { actAs, post, subscribePage, type PageIdentity } from '../support/test-app.js';
import { startUpgradeRefusingProxy, type RefusingProxy } from '../support/upgrade-refusing.proxy.js';
import { nextEvent, nextOn, RestartableApp, within, type FixtureActions, type FixtureEvents } from './client-support.js';
import { positioned } from '../support/positioned.js';

type Socket = RealtimeSocket<FixtureActions, FixtureEvents>;

/** Fast retries; the values are not asserted. */
const FAST = { initialDelayMs: 10, maxDelayMs: 50 };

describe("RealtimeSocket's event-stream fallback (fallback: 'eventsource')", () => {
  let server: RestartableApp;
  let proxy: RefusingProxy;
  let sockets: Socket[] = [];
  before(async () => {
    server = await RestartableApp.start();
    proxy = await startUpgradeRefusingProxy(server);
  });
  afterEach(async () => {
    await Promise.all(sockets.map(socket => socket.close()));
    sockets = [];
    if (!server.app) await server.start();
  });
  after(async () => {
    await proxy.close();
    await server.stop();
  });

  /** A client for a page (its id and cookie), on `url`, with the fallback on. */
  function pageClient(page: PageIdentity, url: string, options: RealtimeSocketOptions<FixtureActions, FixtureEvents> = {}): Socket {
    const socket = new RealtimeSocket<FixtureActions, FixtureEvents>({
      url,
      connectionId: page.connectionId,
      WebSocket,
      webSocketOptions: { headers: { cookie: page.cookie } },
      fallback: 'eventsource',
      EventSource,
      eventSourceOptions: {
        fetch: (input: string, init: RequestInit) => nodeFetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), cookie: page.cookie } }),
      },
      reconnect: FAST,
      ...options,
    });
    sockets.push(socket);
    return socket;
  }

  function record<K extends keyof RealtimeSocketEvents>(socket: Socket, event: K): Array<RealtimeSocketEvents[K]> {
    const seen: Array<RealtimeSocketEvents[K]> = [];
    socket.on(event, value => seen.push(value));
    return seen;
  }

  it('behind a proxy that refuses upgrades, receives over the event stream after two failed tries', async () => {
    const page = await subscribePage(server.testApp, ['fallback-news']);
    const refusedBefore = proxy.refusedUpgrades;
    const socket = pageClient(page, proxy.ws);
    const disconnects = record(socket, 'disconnected');
    const connected = nextEvent(socket, 'connected');
    const news = socket.subscribe('fallback-news');
    const welcome = await within(socket.connect(), 'connect()');
    assert.deepEqual(welcome, {
      id: page.connectionId,
      channels: ['fallback-news'],
      positions: { 'fallback-news': { epoch: '', offset: 0, recovered: true } },
    });
    assert.deepEqual(await connected, { connectionId: page.connectionId, reconnected: false });
    assert.equal(socket.transport, 'eventsource');
    assert.equal(proxy.refusedUpgrades - refusedBefore, 2, 'two WebSocket tries, then the stream');
    assert.deepEqual(disconnects, [
      { code: 1006, reason: '', willReconnect: true },
      { code: 1006, reason: '', willReconnect: true },
    ]);
    const pushed = nextOn(news, 'Push');
    await post(server.testApp, '/push/fallback-news', { message: { n: 1 } });
    const { payload, frame } = await pushed;
    assert.deepEqual(payload, { n: 1 });
    assert.deepEqual(positioned(frame as { epoch?: unknown }), { event: 'Push', channel: 'fallback-news', payload: { n: 1 }, offset: 1 });
    assert.equal(socket.state, 'open');
  });

  it('refuses requests, route calls and family subscriptions with ReceiveOnly while on the stream', async () => {
    const page = await subscribePage(server.testApp, ['fallback-quiet']);
    const socket = pageClient(page, proxy.ws, { fallbackAfter: 1 });
    const family = socket.subscribe('widgets', 1);
    await within(socket.connect(), 'connect()');
    const receiveOnly = (error: RealtimeError) => error.code === 'ReceiveOnly' && /only receives/.test(error.message);
    await assert.rejects(socket.request('SayHello', { name: 'x', times: 1 }), receiveOnly);
    await assert.rejects(socket.callRoute('get', '/state'), receiveOnly);
    await assert.rejects(family.ready, receiveOnly);
    await assert.rejects(socket.subscribe('widgets', 2).ready, receiveOnly);
  });

  it('comes back on the stream after the server restarted', async () => {
    const page = await subscribePage(server.testApp, ['fallback-restart']);
    const socket = pageClient(page, proxy.ws, { fallbackAfter: 1 });
    await within(socket.connect(), 'connect()');
    const back = nextEvent(socket, 'connected', event => event.reconnected);
    const down = nextEvent(socket, 'disconnected');
    await server.stop();
    assert.deepEqual(await down, { code: 1001, reason: 'Server shutting down; reconnect_within_ms=1000', willReconnect: true });
    await server.start();
    assert.deepEqual(await back, { connectionId: page.connectionId, reconnected: true });
    assert.equal(socket.transport, 'eventsource');
    const notice = nextEvent(socket, 'message', frame => 'event' in frame && frame.event === 'Notice');
    await post(server.testApp, '/notify', { message: 'after the restart' }, actAs(page));
    assert.deepEqual(await notice, { event: 'Notice', payload: 'after the restart' });
  });

  it('never falls back while the WebSocket connects', async () => {
    const page = await subscribePage(server.testApp, ['direct']);
    const socket = pageClient(page, server.ws);
    await within(socket.connect(), 'connect()');
    assert.equal(socket.transport, 'websocket');
    assert.deepEqual(await socket.request('SayHello', { name: 'ws', times: 1 }), { greeting: 'hello ws', isDto: true });
  });

  it('needs an EventSource constructor (Node 20 has none of its own)', { skip: typeof (globalThis as { EventSource?: unknown }).EventSource === 'function' }, () => {
    assert.throws(
      () => new RealtimeSocket({ url: server.ws, WebSocket, fallback: 'eventsource' }),
      /fallback: 'eventsource' needs an EventSource constructor/,
    );
  });
});
