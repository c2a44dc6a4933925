import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChannelService, InvalidChannelError, TooManySubscriptionsError } from 'nestjs-realtime';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { connectPage } from '../support/page-socket.js';
import { actAs, post, startApp, subscribePage, subscriptionsOf, type PageIdentity, type TestApp } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';
import { positioned } from '../support/positioned.js';

describe('ChannelService', () => {
  let server: TestApp;
  before(async () => (server = await startApp(fixtureModule({ maxSubscriptions: 5 }))));
  after(() => server.close());

  const unsubscribe = (page: PageIdentity, channels?: string[]) =>
    fetch(`${server.http}/subscribe${channels ? `?channels=${channels.join(',')}` : ''}`, {
      method: 'DELETE',
      headers: actAs(page),
    });

  it('pushes to one channel or many, with an optional event name, and counts local deliveries', async () => {
    const page = await subscribePage(server, ['a', 'b']);
    const other = await subscribePage(server, ['b']);
    const [client, otherClient] = [await connectPage(server, page), await connectPage(server, other)];
    const receipt = await post(server, '/push/a,b,c', { message: { n: 1 }, event: 'Thing' });
    assert.deepEqual(receipt, { channels: ['a', 'b', 'c'], localDeliveries: 3, status: 'published' });
    assert.deepEqual(positioned(await client.next(frame => frame.channel === 'a')), { event: 'Thing', channel: 'a', payload: { n: 1 }, offset: 1 });
    await client.next(frame => frame.channel === 'b');
    await otherClient.next(frame => frame.channel === 'b');
    await otherClient.barrier();
    assert.equal(otherClient.frames.filter(frame => frame.channel === 'a').length, 0);
    client.close();
    otherClient.close();
  });

  it('unsubscribes one channel at once on an open socket (no reconnect needed)', async () => {
    const page = await subscribePage(server, ['one', 'two', 'three']);
    const client = await connectPage(server, page);
    await unsubscribe(page, ['one']);
    assert.deepEqual((await client.next(frame => frame.event === 'Unsubscribed')).payload, { channel: 'one', auto: true });
    await post(server, '/push/one,two', { message: 'x' });
    await client.next(frame => frame.channel === 'two');
    await client.barrier();
    assert.equal(client.frames.filter(frame => frame.channel === 'one').length, 0);
    client.close();
  });

  it('unsubscribes several, then all, and the registry forgets them', async () => {
    const page = await subscribePage(server, ['p', 'q', 'r', 's']);
    const client = await connectPage(server, page);
    await unsubscribe(page, ['p', 'q']);
    assert.deepEqual((await subscriptionsOf(server, page)).channels, ['r', 's']);
    await unsubscribe(page);
    await post(server, '/push/p,q,r,s', { message: 'x' });
    await client.barrier();
    assert.equal(client.frames.filter(frame => frame.channel).length, 0);
    assert.deepEqual(
      client.frames.filter(frame => frame.event === 'Unsubscribed').map(frame => frame.payload.channel).sort(),
      ['p', 'q', 'r', 's'],
    );
    client.close();
    const reconnected = await connectPage(server, page);
    await post(server, '/push/r', { message: 'x' });
    await reconnected.barrier();
    assert.equal(reconnected.frames.filter(frame => frame.channel).length, 0);
    reconnected.close();
  });

  it('sends to one client only: an event frame, or a push frame on a named channel', async () => {
    const page = await subscribePage(server, ['unused']);
    const other = await subscribePage(server, ['unused']);
    const [client, otherClient] = [await connectPage(server, page), await connectPage(server, other)];
    const headers = actAs(page);
    assert.deepEqual(await post(server, '/notify', { message: { hi: 1 } }, headers), { channels: [], localDeliveries: 1, status: 'published' });
    assert.deepEqual(await client.next(frame => frame.event === 'Notice'), { event: 'Notice', payload: { hi: 1 } });
    await post(server, '/notify', { message: 'x', channel: 'inbox' }, headers);
    assert.deepEqual(await client.next(frame => frame.channel === 'inbox'), { event: 'Notice', channel: 'inbox', payload: 'x' });
    await post(server, '/notify', { message: 'y', channel: 'widgets:5' }, headers);
    assert.deepEqual((await client.next(frame => frame.channel === 'widgets:5')).mq, { e: 'widgets', rk: '5' });
    await otherClient.barrier();
    assert.equal(otherClient.frames.filter(frame => frame.event === 'Notice').length, 0);
    client.close();
    otherClient.close();
  });

  it('works from a handler (the calling connection) and from code with no request', async () => {
    const [alice, bob] = [await TestClient.connect(server.ws), await TestClient.connect(server.ws)];
    assert.deepEqual((await alice.call('JoinLobby')).payload, { joined: 'chat:lobby' });
    await bob.call('JoinLobby');
    const receipt = await alice.call('SayInLobby', { text: 'hi all' });
    assert.deepEqual(receipt.payload, { channels: ['chat:lobby'], localDeliveries: 2, status: 'published' });
    for (const client of [alice, bob]) {
      assert.deepEqual(positioned(await client.next(frame => frame.channel === 'chat:lobby')), {
        event: 'ChatMessage',
        channel: 'chat:lobby',
        payload: { text: 'hi all' },
        offset: 1,
      });
    }
    const channels = server.app.get(ChannelService);
    await channels.push({ text: 'from a cron job' }, 'chat:lobby', { event: 'ChatMessage' });
    await bob.next(frame => frame.payload?.text === 'from a cron job');
    alice.close();
    bob.close();
  });

  it('keeps the subscriptions of an open socket alive past their ttl, heartbeat or not', async () => {
    const short = await startApp(fixtureModule({ subscriptionTtl: 1000, heartbeatInterval: 0 }));
    try {
      const page = await subscribePage(short, ['long-lived']);
      const first = await connectPage(short, page);
      await new Promise(resolve => setTimeout(resolve, 1600));
      first.close();
      await first.closed;
      const again = await connectPage(short, page);
      await post(short, '/push/long-lived', { message: 'still here' });
      await again.next(frame => frame.channel === 'long-lived');
      again.close();
    } finally {
      await short.close();
    }
  });

  it('refuses bad channel names and too many subscriptions with named errors', async () => {
    const channels = server.app.get(ChannelService);
    const client = { connectionId: 'c'.repeat(20), digest: 'd'.repeat(64) };
    await assert.rejects(channels.subscribe(client, ''), InvalidChannelError);
    await assert.rejects(channels.push('x', ['ok', 'bad\nname']), InvalidChannelError);
    await channels.subscribe(client, ['1', '2', '3', '4', '5']);
    await assert.rejects(channels.subscribe(client, '6'), TooManySubscriptionsError);
    await channels.subscribe(client, '5');
    const tooMany = await fetch(`${server.http}/subscribe?channels=a,b,c,d,e,f`);
    assert.equal(tooMany.status, 500, 'an unhandled error in a route is the app’s to map');
  });
});
