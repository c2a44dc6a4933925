/**
 * Myxi conformance: what Myxi's bundled client (Myxi.Connection and
 * Myxi.Subscription) sees when it talks to our server unmodified.
 * Sources: /work/shared/seeds/004 (README usage), seed-protocols.md §2.7
 * (client) and §2.9 (conformance cases). Our documented deviations
 * (docs/protocol.md §10): the tag is echoed on replies, every Error payload
 * also has a `message`, and exceptions are `Error` with `InternalError`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { post, type TestApp } from '../support/test-app.js';
import { freePort } from '../support/free-port.js';
import { until } from '../support/until.js';
import { MyxiConnection, type MyxiMessage } from './myxi-client.js';
import { seedModule, startSeedApp } from './seed-app.js';

/** A connection with a log of every global event it fired, in order. */
interface Driven {
  connection: MyxiConnection;
  /** The Socket* lifecycle events fired, in order. */
  events: string[];
  /** Every message, from SocketMessageReceived. */
  messages: MyxiMessage[];
}

const GLOBAL_EVENTS = ['SocketConnected', 'SocketDisconnected', 'SocketClosed', 'SocketAuthenticated'];

function drive(url: string, reconnectDelayMs?: number): Driven {
  const connection = new MyxiConnection(url, { reconnectDelayMs });
  const driven: Driven = { connection, events: [], messages: [] };
  for (const name of GLOBAL_EVENTS) connection.on(name, () => driven.events.push(name));
  connection.on('SocketMessageReceived', message => driven.messages.push(message));
  return driven;
}

/** Listens for a global event and records (payload, tag, mq) each time. */
function record(connection: MyxiConnection, event: string): Array<{ payload: any; tag: any; mq: any }> {
  const calls: Array<{ payload: any; tag: any; mq: any }> = [];
  connection.on(event, (payload, tag, mq) => calls.push({ payload, tag, mq }));
  return calls;
}

let tags = 0;

/** Ping with a fresh tag and wait for its Pong: every frame the server wrote before is in. */
async function barrier(driven: Driven): Promise<void> {
  const tag = `barrier-${++tags}`;
  assert.equal(driven.connection.sendAction('Ping', {}, tag), true);
  await until(() => driven.messages.some(message => message.event === 'Pong' && message.tag === tag), `Pong ${tag}`);
}

/** The first message (already in or still to come) that passes the test. */
function message(driven: Driven, test: (message: MyxiMessage) => boolean, what: string): Promise<MyxiMessage> {
  return until(() => driven.messages.find(test), what);
}

async function connected(driven: Driven): Promise<Driven> {
  await message(driven, frame => frame.event === 'Welcome', 'Welcome');
  assert.equal(driven.connection.connected, true);
  return driven;
}

describe('Myxi seed: the bundled client (Myxi.Connection / Myxi.Subscription) against our server', () => {
  let server: TestApp;
  const open: MyxiConnection[] = [];
  before(async () => (server = await startSeedApp(seedModule())));
  after(async () => {
    for (const connection of open) connection.disconnect();
    await server.close();
  });

  const connect = async (): Promise<Driven> => {
    const driven = drive(server.ws);
    open.push(driven.connection);
    return connected(driven);
  };

  it('1. Welcome: the first frame, no tag, reaches the global Welcome callbacks; SocketConnected fired once', async () => {
    const driven = drive(server.ws);
    open.push(driven.connection);
    const welcomes = record(driven.connection, 'Welcome');
    await connected(driven);
    const [first] = driven.messages;
    assert.equal(first!.event, 'Welcome');
    assert.equal('tag' in first!, false);
    assert.match(first!.payload.id, /^[0-9a-f]+$/);
    assert.deepEqual(welcomes, [{ payload: first!.payload, tag: undefined, mq: undefined }]);
    assert.deepEqual(driven.events, ['SocketConnected']);
    assert.deepEqual(driven.connection.errors, []);
  });

  it('2. invalid JSON (hello, [1,2]): Error InvalidJSON without a tag, to the global Error callbacks', async () => {
    const driven = await connect();
    const errors = record(driven.connection, 'Error');
    driven.connection.websocket.send('hello');
    driven.connection.websocket.send('[1,2]');
    await until(() => errors.length >= 2, 'two errors');
    for (const error of errors) {
      assert.equal(error.payload.error, 'InvalidJSON');
      assert.equal(error.tag, undefined);
    }
    assert.equal(driven.connection.connected, true);
  });

  it('3. an unknown action with a tag: Error InvalidAction with that tag', async () => {
    const driven = await connect();
    const errors = record(driven.connection, 'Error');
    assert.equal(driven.connection.sendAction('Nope', undefined, 't1'), true);
    assert.deepEqual(driven.connection.sent.at(-1), { action: 'Nope', tag: 't1' });
    await until(() => errors[0], 'the error');
    assert.equal(errors[0]!.payload.error, 'InvalidAction');
    assert.equal(errors[0]!.tag, 't1');
  });

  it('4. Ping: Pong with {time: unix seconds}, tag echoed', async () => {
    const driven = await connect();
    const pongs = record(driven.connection, 'Pong');
    const before = Math.floor(Date.now() / 1000);
    driven.connection.sendAction('Ping', {}, 't2');
    await until(() => pongs[0], 'the Pong');
    const afterwards = Math.floor(Date.now() / 1000);
    assert.equal(pongs[0]!.tag, 't2');
    assert.ok(Number.isInteger(pongs[0]!.payload.time));
    assert.ok(pongs[0]!.payload.time >= before && pongs[0]!.payload.time <= afterwards, JSON.stringify(pongs[0]));
  });

  it('5. subscribe() to an unknown exchange: Error InvalidExchange to the global callbacks; the subscription stays unsubscribed', async () => {
    const driven = await connect();
    const errors = record(driven.connection, 'Error');
    const subscription = driven.connection.subscribe('nope', 1);
    assert.deepEqual(driven.connection.sent.at(-1), { action: 'Subscribe', payload: { exchange: 'nope', routing_key: 1 } });
    await until(() => errors[0], 'the error');
    assert.equal(errors[0]!.payload.error, 'InvalidExchange');
    assert.equal(errors[0]!.payload.exchange, 'nope');
    assert.equal(driven.connection.subscriptions['nope::1'], subscription);
    assert.equal(subscription.subscribed, false);
  });

  it('6. SubscriptionDenied: the client removes the subscription (no global Error callback)', async () => {
    const driven = await connect();
    const errors = record(driven.connection, 'Error');
    driven.connection.subscribe('widgets', 9999);
    assert.ok(driven.connection.subscriptions['widgets::9999']);
    const denied = await message(driven, frame => frame.event === 'Error', 'the refusal');
    assert.equal(denied.payload.error, 'SubscriptionDenied');
    assert.equal(denied.payload.exchange, 'widgets');
    assert.equal(denied.payload.routing_key, 9999);
    assert.equal(driven.connection.subscriptions['widgets::9999'], undefined);
    assert.deepEqual(errors, []);
  });

  it('7. Subscribed marks the subscription subscribed; the same key again (1234 or "1234") is AlreadySubscribed', async () => {
    const driven = await connect();
    const errors = record(driven.connection, 'Error');
    const subscription = driven.connection.subscribe('widgets', 1234);
    assert.equal(driven.connection.subscribe('widgets', 1234), subscription, 'subscribe() returns the existing subscription');
    assert.equal(driven.connection.subscribe('widgets', '1234'), subscription, '"1234" has the same key');
    assert.equal(driven.connection.sent.filter(frame => frame.action === 'Subscribe').length, 1);
    const subscribed = await message(driven, frame => frame.event === 'Subscribed', 'Subscribed');
    assert.equal(subscribed.payload.exchange, 'widgets');
    assert.equal(subscribed.payload.routing_key, 1234);
    assert.equal(subscription.subscribed, true);

    driven.connection.sendAction('Subscribe', { exchange: 'widgets', routing_key: 1234 }, 'again');
    driven.connection.sendAction('Subscribe', { exchange: 'widgets', routing_key: '1234' }, 'as-string');
    await until(() => errors.length >= 2, 'two errors');
    assert.deepEqual(
      errors.map(error => [error.tag, error.payload.error, error.payload.exchange, error.payload.routing_key]),
      [
        ['again', 'AlreadySubscribed', 'widgets', 1234],
        ['as-string', 'AlreadySubscribed', 'widgets', '1234'],
      ],
    );
    assert.equal(driven.connection.subscriptions['widgets::1234'], subscription);
    assert.equal(subscription.subscribed, true);
  });

  it('8. fan-out: a push reaches the subscription\'s callbacks for its event (routed by mq) and the global ones; a non-subscriber gets nothing', async () => {
    const subscriber = await connect();
    const bystander = await connect();
    const subscription = subscriber.connection.subscribe('widgets', 1234);
    const bystanderSubscription = bystander.connection.subscribe('widgets', 1);
    await until(() => subscription.subscribed && bystanderSubscription.subscribed, 'both subscribed');

    const onSubscription: Array<[unknown, unknown]> = [];
    const handled: Array<[unknown, boolean, string, unknown, unknown]> = [];
    subscription.on('WidgetQtyChanged', (payload, tag) => onSubscription.push([payload, tag]));
    subscription.addMessageHandler('log', function (this: unknown, sub, event, payload, tag) {
      handled.push([this, sub === subscription, event, payload, tag]);
    }, 'param');
    const global = record(subscriber.connection, 'WidgetQtyChanged');
    const bystanderGlobal = record(bystander.connection, 'WidgetQtyChanged');

    await post(server, '/push-event/widgets/1234', { event: 'WidgetQtyChanged', payload: { quantity: 5 } });
    await until(() => onSubscription[0], 'the push on the subscription');
    const frame = subscriber.messages.find(message => message.event === 'WidgetQtyChanged')!;
    assert.deepEqual(frame.payload, { quantity: 5 });
    assert.deepEqual(frame.mq, { e: 'widgets', rk: '1234' });
    assert.deepEqual(onSubscription, [[{ quantity: 5 }, undefined]]);
    assert.deepEqual(handled, [['param', true, 'WidgetQtyChanged', { quantity: 5 }, undefined]]);
    assert.deepEqual(global, [{ payload: { quantity: 5 }, tag: undefined, mq: { e: 'widgets', rk: '1234' } }]);

    // A channel push (ChannelService.push) to the family channel is routed the same way.
    await post(server, '/push/widgets:1234', { message: { quantity: 6 }, event: 'WidgetQtyChanged' });
    await until(() => onSubscription[1], 'the second push');
    assert.deepEqual(onSubscription[1], [{ quantity: 6 }, undefined]);

    await barrier(bystander);
    assert.deepEqual(bystanderGlobal, []);
    assert.equal(bystander.messages.filter(message => message.mq).length, 0);
    assert.deepEqual(subscriber.connection.errors, []);
  });

  it('9. Subscribe with routing_keys: one reply per key, all with the tag', async () => {
    const driven = await connect();
    driven.connection.sendAction('Subscribe', { exchange: 'widgets', routing_keys: [1, 2, 9999] }, 'rk');
    await until(() => driven.messages.filter(message => message.tag === 'rk').length >= 3, 'three replies');
    assert.deepEqual(
      driven.messages.filter(message => message.tag === 'rk').map(message => [message.event, message.payload.routing_key, message.payload.error]),
      [
        ['Subscribed', 1, undefined],
        ['Subscribed', 2, undefined],
        ['Error', 9999, 'SubscriptionDenied'],
      ],
    );
    const pushes = record(driven.connection, 'WidgetQtyChanged');
    await post(server, '/push-event/widgets/2', { event: 'WidgetQtyChanged', payload: { quantity: 2 } });
    await until(() => pushes[0], 'the push on key 2');
    assert.deepEqual(pushes[0]!.mq, { e: 'widgets', rk: '2' });
  });

  it('10. ListSubscriptions: YourSubscriptions with {widgets: ["1234"]}', async () => {
    const driven = await connect();
    const subscription = driven.connection.subscribe('widgets', 1234);
    await until(() => subscription.subscribed, 'subscribed');
    const lists = record(driven.connection, 'YourSubscriptions');
    driven.connection.sendAction('ListSubscriptions', {}, 'ls');
    await until(() => lists[0], 'YourSubscriptions');
    assert.equal(lists[0]!.tag, 'ls');
    assert.deepEqual(lists[0]!.payload.subscriptions, { widgets: ['1234'] });
  });

  it('11. subscription.unsubscribe(): Unsubscribed (exchange_name, routing_key, auto: false) makes the client drop it; later pushes do not arrive', async () => {
    const driven = await connect();
    const subscription = driven.connection.subscribe('widgets', 1234);
    await until(() => subscription.subscribed, 'subscribed');
    const received: unknown[] = [];
    subscription.on('WidgetQtyChanged', payload => received.push(payload));

    assert.equal(subscription.unsubscribe(), true);
    assert.deepEqual(driven.connection.sent.at(-1), { action: 'Unsubscribe', payload: { exchange: 'widgets', routing_key: 1234 } });
    assert.equal(subscription.subscribed, false);
    assert.equal(subscription.reconnect, false);
    const unsubscribed = await message(driven, frame => frame.event === 'Unsubscribed', 'Unsubscribed');
    assert.equal(unsubscribed.payload.exchange_name, 'widgets');
    assert.equal(unsubscribed.payload.routing_key, 1234);
    assert.equal(unsubscribed.payload.auto, false);
    assert.equal(driven.connection.subscriptions['widgets::1234'], undefined);

    const global = record(driven.connection, 'WidgetQtyChanged');
    await post(server, '/push-event/widgets/1234', { event: 'WidgetQtyChanged', payload: { quantity: 1 } });
    await barrier(driven);
    assert.deepEqual(received, []);
    assert.deepEqual(global, []);
  });

  it('12. Unsubscribe everything: one Unsubscribed per key (string routing_key, auto: false), and the client drops them all', async () => {
    const driven = await connect();
    const one = driven.connection.subscribe('widgets', '1');
    const two = driven.connection.subscribe('widgets', '2');
    await until(() => one.subscribed && two.subscribed, 'both subscribed');
    driven.connection.sendAction('Unsubscribe', {}, 'all');
    await until(() => driven.messages.filter(message => message.event === 'Unsubscribed').length >= 2, 'two Unsubscribed');
    const replies = driven.messages.filter(message => message.event === 'Unsubscribed');
    assert.deepEqual(
      replies.map(reply => [reply.tag, reply.payload.exchange_name, reply.payload.routing_key, reply.payload.auto]).sort(),
      [
        ['all', 'widgets', '1', false],
        ['all', 'widgets', '2', false],
      ],
    );
    assert.deepEqual(driven.connection.subscriptions, {});
  });

  it('13. an action that needs a signed-in connection: Error AuthRequired; after Authenticate it answers', async () => {
    const driven = await connect();
    const errors = record(driven.connection, 'Error');
    const answers = record(driven.connection, 'WhoAmI');
    const authenticated = record(driven.connection, 'Authenticated');
    driven.connection.sendAction('WhoAmI', {}, 'w0');
    await until(() => errors[0], 'the error');
    assert.equal(errors[0]!.payload.error, 'AuthRequired');
    assert.equal(errors[0]!.tag, 'w0');

    driven.connection.sendAction('Authenticate', { token: 'good-token' }, 'a1');
    await until(() => authenticated[0], 'Authenticated');
    driven.connection.sendAction('WhoAmI', {}, 'w1');
    await until(() => answers[0], 'WhoAmI');
    assert.deepEqual(answers[0], { payload: { name: 'alice' }, tag: 'w1', mq: undefined });
  });

  it('14. a handler that throws: Error with InternalError (our documented deviation from Myxi\'s InternalError event)', async () => {
    const driven = await connect();
    const errors = record(driven.connection, 'Error');
    driven.connection.sendAction('Boom', {}, 'bm');
    await until(() => errors[0], 'the error');
    assert.deepEqual(errors[0], { payload: { error: 'InternalError', message: 'Internal server error' }, tag: 'bm', mq: undefined });
    assert.equal(driven.connection.connected, true);
  });

  it('16. control frames: a WebSocket ping gets a pong; disconnect() closes, fires SocketDisconnected and SocketClosed, and does not reconnect', async () => {
    const driven = await connect();
    const pong = new Promise<Buffer>(resolve => driven.connection.websocket.once('pong', resolve));
    driven.connection.websocket.ping(Buffer.from('abc'));
    assert.ok(await pong);

    const id = driven.messages[0]!.payload.id as string;
    driven.connection.disconnect();
    await until(() => driven.events.includes('SocketClosed'), 'SocketClosed');
    assert.deepEqual(driven.events, ['SocketConnected', 'SocketDisconnected', 'SocketClosed']);
    assert.equal(driven.connection.connected, false);
    assert.equal(driven.connection.sendAction('Ping', {}, 'x'), false);
    assert.equal(driven.connection.reconnectTimer, null);
    // The server let the connection go.
    await until(async () => {
      const response = await fetch(`${server.http}/state`);
      const body = (await response.json()) as { events: string[] };
      return body.events.includes(`disconnect:${id}`);
    }, 'the server to see the disconnect');
  });
});

describe('Myxi seed: permission revoked (re-authorization)', () => {
  let server: TestApp;
  let driven: Driven | undefined;
  before(async () => (server = await startSeedApp(seedModule({ reauthorizeInterval: 100 }))));
  after(async () => {
    driven?.connection.disconnect();
    await server.close();
  });

  it('15. once the exchange refuses the key: Unsubscribed {exchange_name, routing_key: "1", auto: true}, and the client drops the subscription', async () => {
    driven = drive(server.ws);
    await connected(driven);
    const subscription = driven.connection.subscribe('widgets', 1);
    await until(() => subscription.subscribed, 'subscribed');
    await post(server, '/revoke/1', {});
    const dropped = await message(driven, frame => frame.event === 'Unsubscribed', 'the automatic Unsubscribed');
    assert.equal('tag' in dropped, false);
    assert.equal(dropped.payload.exchange_name, 'widgets');
    assert.equal(dropped.payload.routing_key, '1');
    assert.equal(dropped.payload.auto, true);
    assert.equal(driven.connection.subscriptions['widgets::1'], undefined);
    assert.equal(subscription.subscribed, false);
  });
});

describe('Myxi seed: client reconnect (17)', () => {
  let first: TestApp | undefined;
  let second: TestApp | undefined;
  let driven: Driven | undefined;
  after(async () => {
    driven?.connection.disconnect();
    await first?.close().catch(() => undefined);
    await second?.close();
  });

  it('server gone: SocketDisconnected + SocketClosed; back on the same port: SocketConnected, authentication callback, isAuthenticated(), Subscribe again, pushes again', async () => {
    const port = await freePort();
    first = await startSeedApp(seedModule(), port);
    driven = drive(`ws://127.0.0.1:${port}/`, 200);
    const connection = driven.connection;
    let authCalls = 0;
    // README usage: the authentication callback sends Authenticate; the Authenticated event marks it done.
    connection.authentication(function () {
      authCalls += 1;
      this.sendAction('Authenticate', { token: 'good-token' });
    });
    connection.on('Authenticated', () => connection.isAuthenticated());
    // A key only a signed-in connection may have: re-subscribing works only after re-authenticating.
    const subscription = connection.subscribe('widgets', 'secret');
    const received: unknown[] = [];
    subscription.on('WidgetQtyChanged', payload => received.push(payload));

    await until(() => subscription.subscribed, 'the first subscription');
    assert.equal(authCalls, 1);
    await post(first, '/push-event/widgets/secret', { event: 'WidgetQtyChanged', payload: { quantity: 1 } });
    await until(() => received.length === 1, 'the first push');

    await first.close();
    first = undefined;
    await until(() => driven!.events.includes('SocketClosed'), 'SocketClosed');
    const namesAtClose = [...driven.events];
    assert.deepEqual(namesAtClose, ['SocketConnected', 'SocketAuthenticated', 'SocketDisconnected', 'SocketClosed']);
    assert.equal(connection.connected, false);
    assert.equal(connection.authenticated, false);
    assert.equal(subscription.subscribed, false);
    assert.equal(connection.subscriptions['widgets::secret'], subscription, 'the subscription is remembered');
    assert.equal(connection.sendAction('Ping', {}, 'while-down'), false);

    const sentBefore = connection.sent.length;
    second = await startSeedApp(seedModule(), port);
    await until(() => subscription.subscribed, 'the subscription again, on the new server');
    assert.equal(authCalls, 2);
    const names = [...driven.events];
    // Failed attempts while the server was down each fire SocketClosed only.
    const later = names.slice(namesAtClose.length).filter(name => name !== 'SocketClosed');
    assert.deepEqual(later, ['SocketConnected', 'SocketAuthenticated']);
    assert.deepEqual(
      connection.sent.slice(sentBefore).map(frame => frame.action),
      ['Authenticate', 'Subscribe'],
    );
    assert.deepEqual(connection.sent.at(-1), { action: 'Subscribe', payload: { exchange: 'widgets', routing_key: 'secret' } });

    await post(second, '/push-event/widgets/secret', { event: 'WidgetQtyChanged', payload: { quantity: 2 } });
    await until(() => received.length === 2, 'the push after the reconnect');
    assert.deepEqual(received, [{ quantity: 1 }, { quantity: 2 }]);
    assert.deepEqual(connection.errors, []);
  });
});
