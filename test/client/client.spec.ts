import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RealtimeError, RealtimeSocket, type RealtimeSocketOptions } from 'nestjs-realtime/client';
import { WebSocket } from 'ws';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { actAs, post, startApp, subscribePage, type TestApp } from '../support/test-app.js';
import { nextEvent, nextOn, recordingWebSocket, within, type FixtureActions, type FixtureEvents } from './client-support.js';
import { positioned } from '../support/positioned.js';

describe('RealtimeSocket against the fixture app', () => {
  let server: TestApp;
  const sockets: RealtimeSocket<any, any>[] = [];
  before(async () => (server = await startApp(fixtureModule())));
  after(async () => {
    await Promise.all(sockets.map(socket => socket.close()));
    await server.close();
  });

  function client(options: RealtimeSocketOptions<FixtureActions, FixtureEvents> = {}) {
    const socket = new RealtimeSocket<FixtureActions, FixtureEvents>({ url: server.ws, WebSocket, ...options });
    sockets.push(socket);
    return socket;
  }

  /** Once the Pong is in, every frame the server wrote before it has arrived too. */
  const barrier = (socket: RealtimeSocket<FixtureActions, FixtureEvents>) => socket.request('Ping');

  it('connects, resolves on Welcome and exposes the connection id', async () => {
    const socket = client();
    assert.equal(socket.state, 'closed');
    assert.equal(socket.connectionId, undefined);
    const welcome = nextEvent(socket, 'welcome');
    const connected = nextEvent(socket, 'connected');
    const ready = socket.connect();
    assert.equal(socket.state, 'connecting');
    const resolved = await within(ready, 'connect()');
    const { id } = resolved;
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(socket.connectionId, id);
    assert.equal(socket.state, 'open');
    assert.deepEqual(await welcome, { id, channels: [], positions: {} }, 'the welcome event carries what the server holds');
    assert.deepEqual(await connected, { connectionId: id, reconnected: false });
    assert.deepEqual(resolved, { id, channels: [], positions: {} }, 'connect() resolves with the whole Welcome payload');
    assert.deepEqual(await socket.connect(), { id, channels: [], positions: {} }, 'connect() again while open resolves at once');
  });

  it('resolves a request with its reply payload', async () => {
    const socket = client();
    await socket.connect();
    const reply = await socket.request('SayHello', { name: 'x', times: 1 });
    assert.deepEqual(reply, { greeting: 'hello x', isDto: true });
    assert.deepEqual(await socket.request('SayHello', { name: 'ab', times: 2 }), { greeting: 'hello abhello ab', isDto: true });
  });

  it('rejects with a RealtimeError carrying the Error event', async () => {
    const socket = client();
    await socket.connect();
    const forbidden = await socket.request('Guarded').then(
      () => assert.fail('Guarded resolved'),
      (error: unknown) => error,
    );
    assert.ok(forbidden instanceof RealtimeError);
    assert.equal(forbidden.code, 'Forbidden');
    assert.equal(typeof forbidden.message, 'string');

    await assert.rejects(socket.request('WhoAmI'), { name: 'RealtimeError', code: 'AuthRequired', message: 'Sign in first' });
    await assert.rejects(
      socket.request('SayHello', { name: 'x', times: 0 }),
      (error: RealtimeError) => error.code === 'ValidationFailed' && Array.isArray(error.details.errors),
    );
    const untyped = client() as unknown as RealtimeSocket;
    await untyped.connect();
    await assert.rejects(untyped.request('NoSuchAction'), {
      code: 'InvalidAction',
      message: 'No action named "NoSuchAction"',
    });
  });

  it('subscribes to a family key and receives its pushes', async () => {
    const socket = client();
    await socket.connect();
    const widget = socket.subscribe('widgets', 1234);
    assert.equal(widget.channel, 'widgets:1234');
    const subscribed = nextOn(widget, 'Subscribed');
    await within(widget.ready, 'widgets:1234 ready');
    assert.deepEqual((await subscribed).payload, { exchange: 'widgets', routing_key: 1234, channel: 'widgets:1234' });

    const every: unknown[] = [];
    widget.on('*', payload => every.push(payload));
    const pushed = nextOn(widget, 'WidgetQtyChanged');
    await post(server, '/push-event/widgets/1234', { event: 'WidgetQtyChanged', payload: { quantity: 3 } });
    const { payload, frame } = await pushed;
    assert.deepEqual(payload, { quantity: 3 });
    assert.deepEqual(positioned(frame as { epoch?: unknown }), {
      event: 'WidgetQtyChanged',
      channel: 'widgets:1234',
      payload: { quantity: 3 },
      mq: { e: 'widgets', rk: '1234' },
      offset: 1,
    });
    assert.deepEqual(every, [{ quantity: 3 }]);
  });

  it('rejects ready for a refused subscription and ends it with Error', async () => {
    const socket = client();
    await socket.connect();
    const errors: RealtimeError[] = [];
    socket.on('error', error => errors.push(error));

    const denied = socket.subscribe('widgets', 9999);
    const ended = nextOn(denied, 'Error');
    await assert.rejects(denied.ready, {
      code: 'SubscriptionDenied',
      message: 'Not allowed to subscribe to widgets:9999',
      details: { exchange: 'widgets', routing_key: 9999 },
    });
    assert.equal((await ended).payload.error, 'SubscriptionDenied');
    assert.equal(denied.active, false);

    await assert.rejects(socket.subscribe('nope', 1).ready, { code: 'InvalidExchange' });
    const secret = socket.subscribe('widgets', 'secret');
    await assert.rejects(secret.ready, { code: 'SubscriptionDenied' }, 'needs a signed-in user');

    const list = await socket.request('ListSubscriptions');
    assert.deepEqual(list, { subscriptions: {}, channels: [] });
    assert.deepEqual(errors, [], 'a refused subscribe answers through ready, not the global error event');
  });

  it('stops receiving after unsubscribe(), with other subscriptions untouched', async () => {
    const socket = client();
    await socket.connect();
    const one = socket.subscribe('widgets', 1);
    const two = socket.subscribe('widgets', 2);
    await Promise.all([one.ready, two.ready]);
    const received: string[] = [];
    one.on('W', () => received.push('1'));
    two.on('W', () => received.push('2'));

    await post(server, '/push-event/widgets/1', { event: 'W', payload: {} });
    await barrier(socket);
    await one.unsubscribe();
    assert.equal(one.active, false);
    await post(server, '/push-event/widgets/1', { event: 'W', payload: {} });
    await post(server, '/push-event/widgets/2', { event: 'W', payload: {} });
    await barrier(socket);
    assert.deepEqual(received, ['1', '2']);
    assert.deepEqual((await socket.request('ListSubscriptions')).subscriptions, { widgets: ['2'] });
  });

  it('shares one server subscription between local subscriptions to the same key', async () => {
    const socket = client();
    await socket.connect();
    const first = socket.subscribe('rooms', 'lobby');
    const second = socket.subscribe('rooms', 'lobby');
    await Promise.all([first.ready, second.ready]);
    const got: string[] = [];
    first.on('Said', () => got.push('first'));
    second.on('Said', () => got.push('second'));
    await first.unsubscribe();
    await post(server, '/push-event/rooms/lobby', { event: 'Said', payload: {} });
    await barrier(socket);
    assert.deepEqual(got, ['second']);
    assert.deepEqual((await socket.request('ListSubscriptions')).channels, ['rooms:lobby']);
    await second.unsubscribe();
    assert.deepEqual((await socket.request('ListSubscriptions')).channels, []);
  });

  it('calls a route with the headers given, such as a bearer token', async () => {
    const socket = client();
    await socket.connect();
    const signed = await socket.callRoute('get', '/routes/authorization', {}, { headers: { authorization: 'Bearer abc' } });
    assert.deepEqual([signed.status, signed.body], [200, { authorization: 'Bearer abc' }]);
    const plain = await socket.callRoute('get', '/routes/authorization');
    assert.deepEqual(plain.body, { authorization: null });
  });

  it('sends subscriptions made before connect() once connected, one Subscribe per family', async () => {
    const sent: Array<Record<string, any>> = [];
    const socket = client({ WebSocket: recordingWebSocket(sent) });
    const early = [socket.subscribe('widgets', 1), socket.subscribe('widgets', 2), socket.subscribe('rooms', 'r')];
    const news = socket.subscribe('early-news');
    await socket.connect();
    await within(Promise.all(early.map(subscription => subscription.ready)), 'early subscriptions');
    await news.ready;
    assert.deepEqual(sent, [
      { action: 'Subscribe', tag: sent[0]!.tag, payload: { exchange: 'widgets', routing_keys: [1, 2] } },
      { action: 'Subscribe', tag: sent[1]!.tag, payload: { exchange: 'rooms', routing_keys: ['r'] } },
    ]);
    assert.notEqual(sent[0]!.tag, sent[1]!.tag);
  });

  it('splits the keys of one family into Subscribe frames of at most 100 keys, as the server takes them', async () => {
    // Re-subscribing costs a unit per key: the burst must cover every subscription.
    const roomy = await startApp(fixtureModule({ maxSubscriptions: 250, messageRate: { burst: 300, perSecond: 100 } }));
    const sent: Array<Record<string, any>> = [];
    const socket = new RealtimeSocket<FixtureActions, FixtureEvents>({ url: roomy.ws, WebSocket: recordingWebSocket(sent) });
    try {
      const rooms = Array.from({ length: 230 }, (_, index) => socket.subscribe('rooms', `r${index}`));
      await socket.connect();
      await within(Promise.all(rooms.map(subscription => subscription.ready)), '230 subscriptions');
      assert.deepEqual(sent.map(frame => frame.payload.routing_keys.length), [100, 100, 30]);
      assert.equal((await socket.request('ListSubscriptions')).channels.length, 230);
    } finally {
      await socket.close();
      await roomy.close();
    }
  });

  it('ends a family subscription the server revokes, with Unsubscribed auto:true', async () => {
    const revoking = await startApp(fixtureModule({ reauthorizeInterval: 50 }));
    const socket = new RealtimeSocket<FixtureActions, FixtureEvents>({ url: revoking.ws, WebSocket });
    try {
      await socket.connect();
      const revoked = socket.subscribe('widgets', 2);
      const kept = socket.subscribe('widgets', 1);
      await Promise.all([revoked.ready, kept.ready]);
      const dropped = nextOn(revoked, 'Unsubscribed');
      await post(revoking, '/revoke/2', {});
      assert.deepEqual((await dropped).payload, { exchange_name: 'widgets', routing_key: '2', channel: 'widgets:2', auto: true });
      assert.equal(revoked.active, false);
      assert.equal(kept.active, true);
      assert.deepEqual((await socket.request('ListSubscriptions')).channels, ['widgets:1']);
    } finally {
      await socket.close();
      await revoking.close();
    }
  });

  it('runs authenticate before the connection counts as ready', async () => {
    const seen: Array<{ connectionId: string; reconnected: boolean }> = [];
    const socket = client({
      authenticate: async context => {
        seen.push({ connectionId: context.connectionId, reconnected: context.reconnected });
        assert.deepEqual(await context.request('Authenticate', { token: 'good-token' }), { username: 'alice' });
      },
    });
    const authenticated = nextEvent(socket, 'authenticated');
    const { id } = await socket.connect();
    assert.deepEqual(await authenticated, { connectionId: id, reconnected: false });
    assert.deepEqual(seen, [{ connectionId: id, reconnected: false }]);
    assert.deepEqual(await socket.request('WhoAmI'), { name: 'alice' });
    await within(socket.subscribe('widgets', 'secret').ready, 'widgets:secret');
  });

  it('reports a failed authenticate as an error and goes on unauthenticated', async () => {
    const socket = client({ authenticate: context => context.request('Authenticate', { token: 'bad-token' }) });
    const error = nextEvent(socket, 'error');
    const authenticated: unknown[] = [];
    socket.on('authenticated', value => authenticated.push(value));
    await socket.connect();
    assert.equal((await error).code, 'InvalidSessionToken');
    assert.deepEqual(authenticated, []);
    await assert.rejects(socket.request('WhoAmI'), { code: 'AuthRequired' });
  });

  it('listens on a plain channel a route subscribed, with the page id and cookie', async () => {
    const page = await subscribePage(server, ['news']);
    const socket = client({ connectionId: page.connectionId, webSocketOptions: { headers: { cookie: page.cookie } } });
    const { id } = await socket.connect();
    assert.equal(id, page.connectionId);
    const news = socket.subscribe('news');
    await news.ready;
    const pushed = nextOn(news, 'Push');
    await post(server, '/push/news', { message: { title: 'hello' } });
    const { payload, frame } = await pushed;
    assert.deepEqual(payload, { title: 'hello' });
    assert.deepEqual(positioned(frame as { epoch?: unknown }), { event: 'Push', channel: 'news', payload: { title: 'hello' }, offset: 1 });

    const other = socket.subscribe('alerts');
    const otherPushes: unknown[] = [];
    other.on('*', payload => otherPushes.push(payload));
    await post(server, '/push/alerts', { message: 'not subscribed by the route' });
    await barrier(socket);
    assert.deepEqual(otherPushes, [], 'a plain subscribe only listens; the server decides');
  });

  it('ends a plain subscription the server drops, with Unsubscribed auto:true', async () => {
    const page = await subscribePage(server, ['feed-a', 'feed-b']);
    const socket = client({ connectionId: page.connectionId, webSocketOptions: { headers: { cookie: page.cookie } } });
    await socket.connect();
    const feed = socket.subscribe('feed-a');
    const dropped = nextOn(feed, 'Unsubscribed');
    const response = await fetch(`${server.http}/subscribe?channels=feed-a`, {
      method: 'DELETE',
      headers: actAs(page),
    });
    assert.equal(response.status, 200);
    assert.deepEqual((await dropped).payload, { channel: 'feed-a', auto: true });
    assert.equal(feed.active, false);
  });

  it('tells the server when the last plain subscription is dropped', async () => {
    const page = await subscribePage(server, ['feed-c', 'feed-d']);
    const socket = client({ connectionId: page.connectionId, webSocketOptions: { headers: { cookie: page.cookie } } });
    await socket.connect();
    const feed = socket.subscribe('feed-c');
    const received: unknown[] = [];
    feed.on('*', payload => received.push(payload));
    await feed.unsubscribe();
    await post(server, '/push/feed-c', { message: 'gone' });
    await barrier(socket);
    assert.deepEqual(received, []);
    const held = await fetch(`${server.http}/subscriptions`, { headers: actAs(page) });
    assert.deepEqual(await held.json(), { channels: ['feed-d'] });
  });

  it('rejects connect() when the server refuses the connection and reconnecting is off', async () => {
    const socket = client({ reconnect: false, webSocketOptions: { headers: { 'x-reject': '1' } } });
    const error = nextEvent(socket, 'error');
    const disconnected = nextEvent(socket, 'disconnected');
    await assert.rejects(socket.connect(), { code: 'BadToken', message: 'Token refused' }, "the server's refusal");
    assert.deepEqual(
      { code: (await error).code, message: (await error).message },
      { code: 'BadToken', message: 'Token refused' },
    );
    assert.deepEqual(await disconnected, { code: 4003, reason: 'Connection rejected', willReconnect: false });
    assert.equal(socket.state, 'closed');
    await assert.rejects(socket.request('SayHello', { name: 'x', times: 1 }), { code: 'Closed' });
  });

  it('does not reconnect on its own after its access was ended (4004); connect() starts again', async () => {
    const page = await subscribePage(server, ['feed-revoked']);
    const socket = client({ connectionId: page.connectionId, webSocketOptions: { headers: { cookie: page.cookie } } });
    await socket.connect();
    const feed = socket.subscribe('feed-revoked');
    const received: unknown[] = [];
    feed.on('*', payload => received.push(payload));
    const error = nextEvent(socket, 'error');
    const disconnected = nextEvent(socket, 'disconnected');
    await fetch(`${server.http}/signout`, { method: 'POST', headers: { cookie: page.cookie } });
    assert.deepEqual(await disconnected, { code: 4004, reason: 'Access revoked', willReconnect: false });
    assert.equal(socket.state, 'closed', 'no reconnect is scheduled');
    assert.equal((await error).code, 'AccessRevoked');
    await assert.rejects(socket.request('SayHello', { name: 'x', times: 1 }), { code: 'Closed' });
    // Asked to, it connects again: with the revoked cookie, as a client with nothing held.
    const welcome = await socket.connect();
    assert.deepEqual(welcome, { id: page.connectionId, channels: [], positions: {} });
    await post(server, '/push/feed-revoked', { message: 'not for you' });
    await barrier(socket);
    assert.deepEqual(received, []);
    assert.equal(feed.active, true, 'the local subscription is still there, listening to nothing');
  });

  it('close() stops the client and fails what is pending with Closed', async () => {
    const socket = client();
    await socket.connect();
    const disconnected = nextEvent(socket, 'disconnected');
    const closing = socket.close();
    assert.equal(socket.state, 'closed');
    await within(closing, 'close()');
    assert.deepEqual(await disconnected, { code: 1000, reason: 'Client closed', willReconnect: false });
    await assert.rejects(socket.request('SayHello', { name: 'x', times: 1 }), { code: 'Closed' });
    await socket.connect();
    assert.equal(socket.state, 'open', 'connect() after close() starts again');
  });
});
