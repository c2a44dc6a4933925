import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RealtimeSocket } from 'nestjs-realtime/client';
import { WebSocket } from 'ws';
import { post, subscribePage } from '../support/test-app.js';
import { until } from '../support/until.js';
import { nextEvent, nextOn, RestartableApp, within, type FixtureActions, type FixtureEvents } from './client-support.js';

type Socket = RealtimeSocket<FixtureActions, FixtureEvents>;

/** The `ws` WebSocket, remembering each socket the client opens so a test can cut it. */
function droppableWebSocket(open: Set<WebSocket>): typeof WebSocket {
  class DroppableWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      open.add(this);
      this.once('close', () => open.delete(this));
    }
  }
  return DroppableWebSocket as unknown as typeof WebSocket;
}

describe('RealtimeSocket recovering what it missed', () => {
  let server: RestartableApp;
  before(async () => (server = await RestartableApp.start({ history: [{ match: 'feed-*', size: 1000, ttl: 60_000 }] })));
  after(() => server.stop());

  it('gets every push once and in order on a plain channel and a family key, across random connection drops', async () => {
    const page = await subscribePage(server.testApp, ['feed-drops']);
    const open = new Set<WebSocket>();
    const socket: Socket = new RealtimeSocket<FixtureActions, FixtureEvents>({
      url: server.ws,
      connectionId: page.connectionId,
      WebSocket: droppableWebSocket(open),
      webSocketOptions: { headers: { cookie: page.cookie } },
      reconnect: { initialDelayMs: 5, maxDelayMs: 30 },
    });
    const stale: string[][] = [];
    const recovered: string[][] = [];
    socket.on('stale', ({ channels }) => stale.push(channels));
    socket.on('recovered', ({ channels }) => recovered.push(channels));
    await socket.connect();
    const feed = socket.subscribe('feed-drops');
    const room = socket.subscribe('rooms', 'drops');
    await room.ready;
    const [onFeed, onRoom]: [unknown[], unknown[]] = [[], []];
    feed.on('*', payload => onFeed.push(payload));
    room.on('*', payload => onRoom.push((payload as { n: number }).n));

    const total = 150;
    let drops = 0;
    for (let n = 0; n < total; n++) {
      await post(server.testApp, '/push/feed-drops', { message: n });
      await post(server.testApp, '/push-event/rooms/drops', { event: 'Said', payload: { n } });
      // Cut the connection now and then, as a flaky network would: pushes
      // keep coming while the client is away.
      if (n % 25 === 10) {
        for (const ws of open) ws.terminate();
        drops += 1;
      }
    }
    const everything = Array.from({ length: total }, (_, n) => n);
    await within(until(() => onFeed.length >= total && onRoom.length >= total, 'every push arrived'), 'every push');
    assert.deepEqual(onFeed, everything, 'the plain channel: each push once, in order');
    assert.deepEqual(onRoom, everything, 'the family key: each push once, in order');
    assert.equal(drops, 6);
    assert.deepEqual(stale, [], 'nothing was reported lost');
    assert.ok(recovered.flat().includes('feed-drops') && recovered.flat().includes('rooms:drops'), 'recovery was reported');
    await socket.close();
  });

  it("reports a family key 'stale' when an in-memory server restarted and lost what it pushed meanwhile", async () => {
    const socket: Socket = new RealtimeSocket<FixtureActions, FixtureEvents>({ url: server.ws, WebSocket, reconnect: { initialDelayMs: 5, maxDelayMs: 30 } });
    await socket.connect();
    const room = socket.subscribe('rooms', 'restart');
    await room.ready;
    const first = nextOn(room, 'Said');
    await post(server.testApp, '/push-event/rooms/restart', { event: 'Said', payload: {} });
    await first;
    const staleOnRoom = nextOn(room, 'stale');
    const staleEvent = nextEvent(socket, 'stale');
    await server.stop();
    await server.start();
    assert.deepEqual((await staleOnRoom).payload, { channel: 'rooms:restart' });
    assert.deepEqual(await staleEvent, { channels: ['rooms:restart'] });
    assert.equal(room.active, true, 'it goes on receiving');
    const later = nextOn(room, 'Said');
    await post(server.testApp, '/push-event/rooms/restart', { event: 'Said', payload: { after: true } });
    assert.deepEqual((await later).payload, { after: true });
    await socket.close();
  });
});
