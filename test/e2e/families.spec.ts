import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { post, startApp, type TestApp } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';

describe('channel families', () => {
  let server: TestApp;
  before(async () => (server = await startApp(fixtureModule({ reauthorizeInterval: 150 }))));
  after(() => server.close());

  it('subscribes when the authorizer allows, echoing the key as sent', async () => {
    const client = await TestClient.connect(server.ws);
    const reply = await client.call('Subscribe', { exchange: 'widgets', routing_key: 1234 });
    assert.equal(reply.event, 'Subscribed');
    // A channel nothing was pushed to yet stands at offset 0 of no epoch.
    assert.deepEqual(reply.payload, { exchange: 'widgets', routing_key: 1234, channel: 'widgets:1234', epoch: '', offset: 0 });
    client.close();
  });

  it('denies with SubscriptionDenied and subscribes nothing', async () => {
    const client = await TestClient.connect(server.ws);
    const reply = await client.call('Subscribe', { exchange: 'widgets', routing_key: 9999 });
    assert.equal(reply.event, 'Error');
    assert.deepEqual(reply.payload, {
      exchange: 'widgets',
      routing_key: 9999,
      error: 'SubscriptionDenied',
      message: 'Not allowed to subscribe to widgets:9999',
    });
    await post(server, '/push-event/widgets/9999', { event: 'WidgetQtyChanged', payload: { quantity: 1 } });
    await client.barrier();
    assert.equal(client.frames.filter(frame => frame.event === 'WidgetQtyChanged').length, 0);
    assert.deepEqual((await client.call('ListSubscriptions')).payload.channels, []);
    client.close();
  });

  it("subscribes Myxi's subscribe(exchange) with no key to the family's empty key", async () => {
    const client = await TestClient.connect(server.ws);
    const denied = await client.call('Subscribe', { exchange: 'widgets' });
    assert.deepEqual(denied.payload, {
      exchange: 'widgets',
      error: 'SubscriptionDenied',
      message: 'Not allowed to subscribe to widgets:',
    });
    const open = await client.call('Subscribe', { exchange: 'rooms' });
    assert.deepEqual([open.event, open.payload], ['Subscribed', { exchange: 'rooms', channel: 'rooms:', epoch: '', offset: 0 }]);
    client.close();
  });

  it('answers InvalidExchange for an undeclared family', async () => {
    const client = await TestClient.connect(server.ws);
    const reply = await client.call('Subscribe', { exchange: 'nope', routing_key: 1 });
    assert.deepEqual(reply.payload, { exchange: 'nope', error: 'InvalidExchange', message: 'No channel family "nope"' });
    client.close();
  });

  it('answers AlreadySubscribed, comparing keys as strings', async () => {
    const client = await TestClient.connect(server.ws);
    await client.call('Subscribe', { exchange: 'widgets', routing_key: 1234 });
    assert.equal((await client.call('Subscribe', { exchange: 'widgets', routing_key: 1234 })).payload.error, 'AlreadySubscribed');
    assert.equal((await client.call('Subscribe', { exchange: 'widgets', routing_key: '1234' })).payload.error, 'AlreadySubscribed');
    client.close();
  });

  it('subscribes routing_keys one by one, one reply each', async () => {
    const client = await TestClient.connect(server.ws);
    client.send({ action: 'Subscribe', tag: 'many', payload: { exchange: 'widgets', routing_keys: [1, 2, 9999] } });
    await client.next(frame => frame.tag === 'many' && frame.payload.routing_key === 9999);
    const replies = client.frames.filter(frame => frame.tag === 'many');
    assert.deepEqual(
      replies.map(frame => [frame.event, frame.payload.routing_key]),
      [['Subscribed', 1], ['Subscribed', 2], ['Error', 9999]],
    );
    client.close();
  });

  it('lets the authorizer see the signed-in user', async () => {
    const client = await TestClient.connect(server.ws);
    assert.equal((await client.call('Subscribe', { exchange: 'widgets', routing_key: 'secret' })).payload.error, 'SubscriptionDenied');
    assert.deepEqual((await client.call('Authenticate', { token: 'good-token' })).payload, { username: 'alice' });
    assert.equal((await client.call('Subscribe', { exchange: 'widgets', routing_key: 'secret' })).event, 'Subscribed');
    client.close();
  });

  it('unsubscribes one key, a whole family, or everything, with Unsubscribed auto:false', async () => {
    const client = await TestClient.connect(server.ws);
    for (const key of [1, 2, 1234]) await client.call('Subscribe', { exchange: 'widgets', routing_key: key });
    await client.call('Subscribe', { exchange: 'rooms', routing_key: 'a' });
    const one = await client.call('Unsubscribe', { exchange: 'widgets', routing_key: 1 });
    assert.deepEqual(one.payload, { exchange_name: 'widgets', routing_key: 1, channel: 'widgets:1', auto: false });
    client.send({ action: 'Unsubscribe', tag: 'fam', payload: { exchange: 'widgets' } });
    await client.next(frame => frame.tag === 'fam' && frame.payload.routing_key === '1234');
    assert.deepEqual(client.frames.filter(frame => frame.tag === 'fam').map(frame => frame.payload.routing_key), ['2', '1234']);
    client.send({ action: 'Unsubscribe', tag: 'all', payload: {} });
    const all = await client.next(frame => frame.tag === 'all');
    assert.deepEqual(all.payload, { exchange_name: 'rooms', routing_key: 'a', channel: 'rooms:a', auto: false });
    await post(server, '/push-event/widgets/2', { event: 'W', payload: {} });
    await post(server, '/push-event/rooms/a', { event: 'W', payload: {} });
    await client.barrier();
    assert.equal(client.frames.filter(frame => frame.event === 'W').length, 0);
    client.close();
  });

  it('answers every request, even when there is nothing to do', async () => {
    const client = await TestClient.connect(server.ws);
    const empty = await client.call('Subscribe', { exchange: 'widgets', routing_keys: [] });
    assert.deepEqual(empty.payload, { exchange: 'widgets', error: 'InvalidPayload', message: 'routing_keys is empty' });
    assert.deepEqual((await client.call('Unsubscribe', {})).payload, { channels: [], auto: false });
    assert.deepEqual((await client.call('Unsubscribe', { exchange: 'rooms' })).payload, {
      exchange_name: 'rooms',
      channels: [],
      auto: false,
    });
    await client.call('Subscribe', { exchange: 'rooms', routing_key: 'x' });
    assert.deepEqual((await client.call('Unsubscribe', { channel: 'rooms:x' })).payload, {
      exchange_name: 'rooms',
      routing_key: 'x',
      channel: 'rooms:x',
      auto: false,
    });
    client.close();
  });

  it('checks again periodically and drops a revoked subscription with auto:true', async () => {
    const client = await TestClient.connect(server.ws);
    const keeper = await TestClient.connect(server.ws);
    await client.call('Subscribe', { exchange: 'widgets', routing_key: 2 });
    await client.call('Subscribe', { exchange: 'widgets', routing_key: 1 });
    await post(server, '/revoke/2', {});
    const revoked = await client.next(frame => frame.event === 'Unsubscribed', 3000);
    assert.deepEqual(revoked.payload, { exchange_name: 'widgets', routing_key: '2', channel: 'widgets:2', auto: true });
    await post(server, '/push-event/widgets/2', { event: 'Gone', payload: {} });
    await post(server, '/push-event/widgets/1', { event: 'Kept', payload: {} });
    await client.next(frame => frame.event === 'Kept');
    await client.barrier();
    assert.equal(client.frames.filter(frame => frame.event === 'Gone').length, 0);
    client.close();
    keeper.close();
  });
});

describe('how many channels a connection holds', () => {
  let server: TestApp;
  // A burst for 100 keys and 199 replies.
  before(async () => (server = await startApp(fixtureModule({ messageRate: { burst: 1000, perSecond: 100 } }))));
  after(() => server.close());

  it('holds maxSubscriptions it asked for, plus those server code gave its digest, and Unsubscribe of everything answers for all', async () => {
    // A page: a route gave it an identity (and one channel), its socket connects with it.
    const page = await fetch(`${server.http}/subscribe?channels=chat:lobby`);
    const { connectionId } = (await page.json()) as { connectionId: string };
    const cookie = page.headers.getSetCookie()[0]!.split(';')[0]!;
    const client = await TestClient.connect(`${server.ws}?socket_connection_id=${connectionId}`, { headers: { cookie } });
    const keys = (from: number, count: number) => Array.from({ length: count }, (_, n) => `k${from + n}`);
    client.send({ action: 'Subscribe', tag: 'a', payload: { exchange: 'rooms', routing_keys: keys(0, 100) } });
    await client.barrier();
    const asked = client.frames.filter(frame => frame.tag === 'a');
    assert.equal(asked.filter(frame => frame.event === 'Subscribed').length, 99, 'the route-given channel counts');
    assert.equal(asked.at(-1)!.payload.error, 'TooManySubscriptions');
    // The server gives the digest more, up to maxSubscriptions of its own.
    const more = await fetch(`${server.http}/subscribe?channels=${keys(200, 99).map(key => `rooms:${key}`).join(',')}`, {
      headers: { cookie, 'x-realtime-connection-id': connectionId },
    });
    assert.equal(more.status, 200);
    const refused = await fetch(`${server.http}/subscribe?channels=rooms:one-too-many`, { headers: { cookie, 'x-realtime-connection-id': connectionId } });
    // ChannelService.subscribe threw TooManySubscriptionsError (this route lets it through as a 500).
    assert.equal(refused.ok, false, 'a digest holds at most maxSubscriptions the server gave');
    assert.equal((await client.call('ListSubscriptions')).payload.channels.length, 199);
    client.send({ action: 'Unsubscribe', tag: 'all', payload: {} });
    await client.barrier();
    assert.equal(client.frames.filter(frame => frame.tag === 'all' && frame.event === 'Unsubscribed').length, 199);
    client.close();
  });
});
