import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { FixtureState } from '../fixtures/fixture-state.js';
import { assertNoErrorLogs, startWatchedApp, type WatchedApp } from '../support/watched-app.js';
import { TestClient } from '../support/ws-client.js';

/**
 * Frames wait to be answered while a connection has no Welcome yet (here: a
 * connect hook that holds on, as a stalled registry would) or while earlier
 * frames are answered. What waits is bounded per connection and in total.
 * Part of the abuse suite: nothing here may log at error level.
 */

/** A frame of exactly `bytes` bytes, an action that answers with its tag. */
function frameOf(bytes: number, tag: string): string {
  const head = `{"action":"Ping","tag":"${tag}","payload":{"pad":"`;
  const tail = '"}}';
  return `${head}${'p'.repeat(bytes - head.length - tail.length)}${tail}`;
}

/** Sends text and resolves once it has been handed to the kernel, so the server can read it. */
function sent(client: TestClient, text: string): Promise<void> {
  return new Promise((resolve, reject) => client.socket.send(text, error => (error ? reject(error) : resolve())));
}

/** A connection whose Welcome waits until the fixture releases it. */
function held(server: WatchedApp): Promise<TestClient> {
  return TestClient.open(server.ws, { headers: { 'x-hold': '1' } });
}

describe('abuse: bounded receive queues', () => {
  let server: WatchedApp;
  let state: FixtureState;
  let bystander: TestClient;

  /**
   * Frames on one socket are handled in order, and on loopback whatever
   * another socket handed to the kernel before is read first: once the
   * bystander's Pong is back, the server has read what was sent before it.
   */
  const settled = () => bystander.barrier();

  before(async () => {
    server = await startWatchedApp({
      maxMessageSize: 4096,
      receiveQueueLimit: 8192,
      totalReceiveQueueLimit: 16_384,
      messageRate: { burst: 1_000_000, perSecond: 1_000_000 },
    });
    state = server.app.get(FixtureState);
    bystander = await TestClient.connect(server.ws);
  });
  after(async () => {
    state.releaseHeld();
    bystander.close();
    await server.close();
  });
  afterEach(() => assertNoErrorLogs([server]));

  it('closes a connection whose unanswered frames pass receiveQueueLimit with 4002', async () => {
    const flooder = await held(server);
    await sent(flooder, frameOf(3000, 'a'));
    await sent(flooder, frameOf(3000, 'b'));
    await sent(flooder, frameOf(3000, 'c'));
    assert.deepEqual(await flooder.whenClosed(), { code: 4002, reason: 'Receive queue full' });
    assert.deepEqual(flooder.frames, [], 'nothing it queued was answered');
    assert.equal((await bystander.call('Ping')).event, 'Pong');
    state.releaseHeld();
  });

  it('answers what waited once Welcome is out, in order', async () => {
    const patient = await held(server);
    await sent(patient, frameOf(3000, 'a'));
    await sent(patient, frameOf(3000, 'b'));
    await settled();
    state.releaseHeld();
    await patient.next(frame => frame.tag === 'b');
    assert.deepEqual(patient.frames.map(frame => frame.event === 'Welcome' ? 'Welcome' : frame.tag), ['Welcome', 'a', 'b']);
    patient.close();
  });

  it('past totalReceiveQueueLimit closes the connection holding the most with 1013; the others are answered', async () => {
    const [a, b, c] = [await held(server), await held(server), await held(server)];
    await sent(a, frameOf(3000, 'a1'));
    await sent(a, frameOf(3000, 'a2'));
    await sent(b, frameOf(2500, 'b1'));
    await sent(b, frameOf(2500, 'b2'));
    await sent(c, frameOf(2000, 'c1'));
    await settled();
    // 6000 + 5000 + 2000 held; 3500 more would make 16,500.
    await sent(c, frameOf(3500, 'c2'));
    assert.deepEqual(await a.whenClosed(), { code: 1013, reason: 'Server busy' });
    state.releaseHeld();
    await b.next(frame => frame.tag === 'b2');
    await c.next(frame => frame.tag === 'c2');
    assert.deepEqual(b.frames.filter(frame => frame.tag).map(frame => frame.tag), ['b1', 'b2']);
    assert.deepEqual(c.frames.filter(frame => frame.tag).map(frame => frame.tag), ['c1', 'c2']);
    assert.equal(b.socket.readyState, b.socket.OPEN);
    b.close();
    c.close();
  });

  it('gives the bytes back: answered, dropped and closed frames no longer count', async () => {
    // After the tests above, everything was answered or dropped; were any
    // bytes still counted, these 12,000 would not fit in 16,384.
    const [d, e] = [await held(server), await held(server)];
    for (const client of [d, e]) {
      await sent(client, frameOf(3000, '1'));
      await sent(client, frameOf(3000, '2'));
    }
    await settled();
    state.releaseHeld();
    for (const client of [d, e]) {
      await client.next(frame => frame.tag === '2');
      assert.equal(client.socket.readyState, client.socket.OPEN);
      client.close();
    }
  });
});
