import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { connectPage } from '../support/page-socket.js';
import { post, startApp, type TestApp } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';
import { positioned } from '../support/positioned.js';

describe('wire protocol', () => {
  let server: TestApp;
  before(async () => (server = await startApp(fixtureModule())));
  after(() => server.close());

  it('sends Welcome with the connection id as the first frame, with no tag', async () => {
    const client = await connectPage(server, { connectionId: 'a1'.repeat(16) });
    assert.deepEqual(client.frames[0], { event: 'Welcome', payload: { id: 'a1'.repeat(16), channels: [], positions: {} } });
    const fresh = await TestClient.connect(server.ws);
    assert.deepEqual(Object.keys(fresh.frames[0]!), ['event', 'payload']);
    client.close();
    fresh.close();
  });

  it('answers Ping with Pong {time} in unix seconds, echoing the tag', async () => {
    const client = await TestClient.connect(server.ws);
    const before = Math.floor(Date.now() / 1000);
    client.send({ action: 'Ping', tag: 't2' });
    const pong = await client.next(frame => frame.event === 'Pong');
    assert.equal(pong.tag, 't2');
    assert.ok(pong.payload.time >= before && pong.payload.time <= before + 2);
    client.send({ action: 'Ping', tag: 42 });
    assert.equal((await client.next(frame => frame.tag === 42)).event, 'Pong');
    client.send({ action: 'Ping', tag: null });
    assert.equal((await client.next(frame => frame.tag === null)).event, 'Pong');
    client.close();
  });

  it("answers pakyow's {id, action: 'ping'} exactly", async () => {
    const client = await TestClient.connect(server.ws);
    client.send({ action: 'ping', id: 'p1' });
    assert.deepEqual(await client.next(frame => frame.id === 'p1'), { id: 'p1', status: 200, headers: {}, body: 'pong' });
    client.close();
  });

  it('answers Ring-style application actions and errors with the same id', async () => {
    const client = await TestClient.connect(server.ws);
    client.send({ id: 'r1', action: 'Later', input: { value: 5 } });
    assert.deepEqual(await client.next(frame => frame.id === 'r1'), { id: 'r1', status: 200, headers: {}, body: { value: 5 } });
    client.send({ id: 'r2', action: 'nope' });
    const missing = await client.next(frame => frame.id === 'r2');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error, 'InvalidAction');
    client.send({ id: 'r3' });
    assert.equal((await client.next(frame => frame.id === 'r3')).body.error, 'InvalidAction');
    client.send({ id: 'r4', action: 'SayHello', payload: { name: 'x', times: 99 } });
    const invalid = await client.next(frame => frame.id === 'r4');
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error, 'ValidationFailed');
    client.send({ id: 5, action: 'Guarded' });
    assert.deepEqual((await client.next(frame => frame.id === 5)).status, 403);
    client.close();
  });

  it('lists subscriptions by family and as channels', async () => {
    const client = await TestClient.connect(server.ws);
    await client.call('Subscribe', { exchange: 'widgets', routing_key: 1234 });
    await client.call('Subscribe', { exchange: 'rooms', routing_key: 'lobby' });
    const list = await client.call('ListSubscriptions');
    assert.equal(list.event, 'YourSubscriptions');
    assert.deepEqual(list.payload, {
      subscriptions: { widgets: ['1234'], rooms: ['lobby'] },
      channels: ['widgets:1234', 'rooms:lobby'],
    });
    client.close();
  });

  it('pushes to a family channel carry mq {e, rk}; plain channels do not', async () => {
    const client = await TestClient.connect(server.ws);
    await client.call('Subscribe', { exchange: 'widgets', routing_key: 1234 });
    await post(server, '/push-event/widgets/1234', { event: 'WidgetQtyChanged', payload: { quantity: 5 } });
    assert.deepEqual(positioned(await client.next(frame => frame.event === 'WidgetQtyChanged')), {
      event: 'WidgetQtyChanged',
      channel: 'widgets:1234',
      payload: { quantity: 5 },
      mq: { e: 'widgets', rk: '1234' },
      offset: 1,
    });
    await post(server, '/push/widgets:1234', { message: { quantity: 6 } });
    assert.deepEqual((await client.next(frame => frame.payload?.quantity === 6)).mq, { e: 'widgets', rk: '1234' });
    client.close();
  });

  it('echoes the tag on every reply and every error', async () => {
    const client = await TestClient.connect(server.ws);
    const calls: Array<[string, unknown]> = [
      ['Subscribe', { exchange: 'widgets', routing_key: 1 }],
      ['Subscribe', { exchange: 'widgets', routing_key: 1 }],
      ['Subscribe', { exchange: 'nope', routing_key: 1 }],
      ['Subscribe', { exchange: 'widgets', routing_key: 9999 }],
      ['Subscribe', {}],
      ['Unsubscribe', { exchange: 'widgets', routing_key: 1 }],
      ['ListSubscriptions', undefined],
      ['Ping', undefined],
      ['Nope', undefined],
      ['SayHello', { name: 'a', times: 1 }],
      ['SayHello', { name: 1 }],
      ['Guarded', undefined],
      ['Boom', undefined],
      ['WhoAmI', undefined],
    ];
    for (const [action, payload] of calls) {
      const reply = await client.call(action, payload);
      assert.ok(reply.event, `${action} answered with a tagged event`);
    }
    client.close();
  });

  it("handles a connection's requests one at a time, in order", async () => {
    const client = await TestClient.connect(server.ws);
    client.send({ action: 'Later', tag: 'slow', payload: { value: 1 } });
    client.send({ action: 'Ping', tag: 'fast' });
    client.send({ action: 'Subscribe', tag: 'sub', payload: { exchange: 'widgets', routing_key: 1 } });
    client.send({ action: 'Unsubscribe', tag: 'unsub', payload: { exchange: 'widgets', routing_key: 1 } });
    client.send({ action: 'ListSubscriptions', tag: 'list' });
    const list = await client.next(frame => frame.tag === 'list');
    assert.deepEqual(
      client.frames.filter(frame => frame.tag).map(frame => frame.tag),
      ['slow', 'fast', 'sub', 'unsub', 'list'],
    );
    assert.deepEqual(list.payload.channels, [], 'the Unsubscribe did not overtake the Subscribe');
    client.close();
  });

  it('defaults a missing payload to {} and an unknown action to InvalidAction with the tag', async () => {
    const client = await TestClient.connect(server.ws);
    client.send({ action: 'Nope', tag: 't1' });
    assert.deepEqual(await client.next(frame => frame.tag === 't1'), {
      event: 'Error',
      tag: 't1',
      payload: { error: 'InvalidAction', message: 'No action named "Nope"' },
    });
    client.send({ tag: 't9' });
    assert.equal((await client.next(frame => frame.tag === 't9')).payload.error, 'InvalidAction');
    client.close();
  });
});
