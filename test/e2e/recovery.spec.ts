import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { connectPage, pageSocketUrl } from '../support/page-socket.js';
import { EPOCH } from '../support/positioned.js';
import { post, startApp, subscribePage, type PageIdentity, type TestApp } from '../support/test-app.js';
import { TestClient, type Frame } from '../support/ws-client.js';
import { ChannelService } from 'nestjs-realtime';
import { until } from '../support/until.js';

/** The pushes a client got on a channel: [offset, payload] in arrival order. */
function pushesOn(client: TestClient, channel: string): Array<[number, unknown]> {
  return client.frames.filter(frame => frame.channel === channel).map(frame => [frame.offset as number, frame.payload]);
}

/** Connects a page's socket sending back its last positions, as a reconnecting client does. */
function reconnectPage(server: TestApp, page: PageIdentity, since: Record<string, unknown>): Promise<TestClient> {
  const url = `${pageSocketUrl(server, page.connectionId)}&since=${encodeURIComponent(JSON.stringify(since))}`;
  return TestClient.connect(url, { headers: { cookie: page.cookie } });
}

async function pushAll(server: TestApp, channel: string, payloads: unknown[]): Promise<void> {
  for (const message of payloads) await post(server, `/push/${channel}`, { message });
}

describe('no lost messages, in memory: positions, history and recovery', () => {
  let server: TestApp;
  before(async () => {
    // NOTE: measured work is not charged here (workUnitsPerMs: 0): writing a
    // replay of 2,000 pushes inside one Subscribe's turn is charged as that
    // frame's work, which on a loaded machine can take the client over its
    // rate; these tests are about what is replayed, not what it costs.
    server = await startApp(fixtureModule({ history: [{ match: 'kept-*', size: 5, ttl: 60_000 }], workUnitsPerMs: 0 }));
  });
  after(() => server.close());

  it('gives a page what was pushed between its render and its socket, in order and once, then live', async () => {
    const page = await subscribePage(server, ['kept-gap']);
    await pushAll(server, 'kept-gap', ['one', 'two', 'three']);
    const client = await connectPage(server, page);
    const start = (client.welcome.payload.positions as Record<string, Frame>)['kept-gap']!;
    assert.match(String(start.epoch), EPOCH);
    assert.deepEqual({ ...start, epoch: '' }, { epoch: '', offset: 0, recovered: true }, 'from the start of the epoch');
    await pushAll(server, 'kept-gap', ['four']);
    await client.next(frame => frame.payload === 'four');
    await client.barrier();
    assert.deepEqual(pushesOn(client, 'kept-gap'), [[1, 'one'], [2, 'two'], [3, 'three'], [4, 'four']]);
    assert.equal(new Set(client.frames.filter(frame => frame.channel).map(frame => frame.epoch)).size, 1);
    client.close();
  });

  it('says recovered: false when the channel keeps no history and something was pushed meanwhile', async () => {
    const page = await subscribePage(server, ['bare']);
    await pushAll(server, 'bare', ['lost']);
    const client = await connectPage(server, page);
    const start = (client.welcome.payload.positions as Record<string, Frame>).bare!;
    assert.deepEqual([start.offset, start.recovered], [1, false]);
    await pushAll(server, 'bare', ['live']);
    await client.next(frame => frame.payload === 'live');
    assert.deepEqual(pushesOn(client, 'bare'), [[2, 'live']]);
    client.close();
  });

  it('replays what a reconnecting socket missed from the positions it sends back, or says it cannot', async () => {
    const page = await subscribePage(server, ['kept-again', 'kept-trimmed']);
    const first = await connectPage(server, page);
    await pushAll(server, 'kept-again', ['a1']);
    await pushAll(server, 'kept-trimmed', ['t1']);
    const [again, trimmed] = [await first.next(frame => frame.payload === 'a1'), await first.next(frame => frame.payload === 't1')];
    first.close();
    await first.whenClosed();
    await pushAll(server, 'kept-again', ['a2', 'a3']);
    await pushAll(server, 'kept-trimmed', ['t2', 't3', 't4', 't5', 't6', 't7']); // a history of 5 lost t2

    const back = await reconnectPage(server, page, {
      'kept-again': { epoch: again.epoch, offset: again.offset },
      'kept-trimmed': { epoch: trimmed.epoch, offset: trimmed.offset },
    });
    const positions = back.welcome.payload.positions as Record<string, Frame>;
    assert.deepEqual(positions['kept-again'], { epoch: again.epoch, offset: 1, recovered: true });
    assert.deepEqual(positions['kept-trimmed'], { epoch: trimmed.epoch, offset: 7, recovered: false });
    await pushAll(server, 'kept-again', ['a4']);
    await back.next(frame => frame.payload === 'a4');
    assert.deepEqual(pushesOn(back, 'kept-again'), [[2, 'a2'], [3, 'a3'], [4, 'a4']]);
    assert.deepEqual(pushesOn(back, 'kept-trimmed'), [], 'nothing replayed: the app reloads instead');
    back.close();

    const otherEpoch = await reconnectPage(server, page, { 'kept-again': { epoch: 'feedfeedfeed', offset: 1 } });
    const moved = (otherEpoch.welcome.payload.positions as Record<string, Frame>)['kept-again']!;
    assert.deepEqual([moved.offset, moved.recovered], [4, false]);
    otherEpoch.close();
  });

  it("ignores positions it cannot read: the route's position stands in", async () => {
    const page = await subscribePage(server, ['kept-odd']);
    const client = await reconnectPage(server, page, { 'kept-odd': { epoch: 7, offset: -1 }, nothing: { epoch: 'x', offset: 1 } });
    const positions = client.welcome.payload.positions as Record<string, Frame>;
    // The route's own position (nothing pushed yet) stands in for the unreadable one.
    assert.deepEqual(Object.keys(positions), ['kept-odd']);
    assert.deepEqual([positions['kept-odd']!.offset, positions['kept-odd']!.recovered], [0, true]);
    client.close();
  });

  it('replays what a family key missed when Subscribe sends its last position back', async () => {
    const client = await TestClient.connect(server.ws);
    const subscribed = await client.call('Subscribe', { exchange: 'rooms', routing_key: 'r-1' });
    assert.deepEqual([subscribed.payload.epoch, subscribed.payload.offset], ['', 0]);
    await post(server, '/push-event/rooms/r-1', { event: 'Said', payload: { n: 1 } });
    const seen = await client.next(frame => frame.channel === 'rooms:r-1');
    await client.call('Unsubscribe', { exchange: 'rooms', routing_key: 'r-1' });
    for (const n of [2, 3]) await post(server, '/push-event/rooms/r-1', { event: 'Said', payload: { n } });
    const again = await client.call('Subscribe', {
      exchange: 'rooms',
      routing_key: 'r-1',
      since: { 'r-1': { epoch: seen.epoch, offset: seen.offset } },
    });
    assert.deepEqual(again.payload, { exchange: 'rooms', routing_key: 'r-1', channel: 'rooms:r-1', epoch: seen.epoch, offset: 1, recovered: true });
    await post(server, '/push-event/rooms/r-1', { event: 'Said', payload: { n: 4 } });
    await client.next(frame => frame.payload?.n === 4);
    assert.deepEqual(pushesOn(client, 'rooms:r-1'), [[1, { n: 1 }], [2, { n: 2 }], [3, { n: 3 }], [4, { n: 4 }]]);
    const replayedAfterReply = client.frames.indexOf(again) < client.frames.findIndex(frame => frame.payload?.n === 2);
    assert.ok(replayedAfterReply, 'the replay follows Subscribed');
    client.close();
  });

  it('replays at most 2,000 pushes for one request, across its keys: past that, recovered: false', async () => {
    const channels = server.app.get(ChannelService);
    const keys = Array.from({ length: 41 }, (_, index) => `big-${index}`);
    for (const key of keys) for (let n = 1; n <= 50; n++) await channels.pushEvent('rooms', key, 'Said', { n });
    const client = await TestClient.connect(server.ws);
    const nothing = { epoch: '', offset: 0 };
    const since = Object.fromEntries(keys.map(key => [key, nothing]));
    client.send({ action: 'Subscribe', tag: 'big', payload: { exchange: 'rooms', routing_keys: keys, since } });
    await until(() => client.frames.filter(frame => frame.tag === 'big').length === 41, 'one reply per key');
    const replies = client.frames.filter(frame => frame.tag === 'big');
    assert.deepEqual(
      replies.map(reply => reply.payload.recovered),
      [...Array.from({ length: 40 }, () => true), false],
      'forty histories of 50 fill the request; the last key is told it was not recovered',
    );
    await client.barrier();
    assert.equal(client.frames.filter(frame => String(frame.channel).startsWith('rooms:big-')).length, 2000);
    client.close();
  });
});
