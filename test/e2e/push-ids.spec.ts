import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChannelService } from 'nestjs-realtime';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { connectPage } from '../support/page-socket.js';
import { startApp, subscribePage, type TestApp } from '../support/test-app.js';

/** Push ids in one process (no Redis): a repeat within the window reaches nobody. */
describe('push ids, in memory', () => {
  let server: TestApp;
  let channels: ChannelService<object>;
  before(async () => {
    server = await startApp(fixtureModule({ idempotency: { window: 60_000, maxKeys: 3 } }));
    channels = server.app.get(ChannelService);
  });
  after(() => server.close());

  it('delivers an id once per channel and says which pushes were repeats', async () => {
    const page = await subscribePage(server, ['a', 'b']);
    const client = await connectPage(server, page);
    assert.deepEqual(await channels.push(1, ['a', 'b'], { id: 'p-1' }), { channels: ['a', 'b'], localDeliveries: 2, status: 'published' });
    assert.deepEqual(await channels.push(1, ['a', 'b'], { id: 'p-1' }), { channels: ['a', 'b'], localDeliveries: 0, status: 'duplicate' });
    // A repeat to one more channel goes to that channel only.
    assert.deepEqual(await channels.push(1, ['a', 'c'], { id: 'p-1' }), { channels: ['a', 'c'], localDeliveries: 0, status: 'published' });
    assert.equal((await channels.pushEvent('widgets', 1, 'Qty', 5, { id: 7 })).status, 'published');
    assert.equal((await channels.pushEvent('widgets', 1, 'Qty', 5, { id: '7' })).status, 'duplicate', "7 and '7' are the same id");
    assert.equal((await channels.send(page, 'hello', { event: 'Notice', id: 'n-1' })).localDeliveries, 1);
    assert.equal((await channels.send(page, 'hello', { event: 'Notice', id: 'n-1' })).status, 'duplicate');
    await client.barrier();
    assert.deepEqual(
      client.frames.filter(frame => frame.channel === 'a' || frame.channel === 'b' || frame.event === 'Notice').map(frame => frame.channel ?? frame.event),
      ['a', 'b', 'Notice'],
    );
    client.close();
  });

  it('pushes without an id are never deduplicated', async () => {
    const page = await subscribePage(server, ['plain']);
    const client = await connectPage(server, page);
    await channels.push('same', 'plain');
    await channels.push('same', 'plain');
    await client.barrier();
    assert.equal(client.frames.filter(frame => frame.channel === 'plain').length, 2);
    client.close();
  });

  it('remembers at most idempotency.maxKeys ids, forgetting the oldest first', async () => {
    for (const id of ['m-1', 'm-2', 'm-3', 'm-4']) await channels.push(0, 'memory', { id });
    assert.equal((await channels.push(0, 'memory', { id: 'm-4' })).status, 'duplicate');
    assert.equal((await channels.push(0, 'memory', { id: 'm-1' })).status, 'published', 'forgotten: only 3 are kept');
  });

  it('refuses an id that is not a string or a number, before delivering anything', async () => {
    await assert.rejects(channels.push(0, 'memory', { id: '' }), /A push id must be a non-empty string/);
    await assert.rejects(channels.push(0, 'memory', { id: Number.NaN }), TypeError);
    await assert.rejects(channels.push(0, 'memory', { id: {} as never }), TypeError);
  });
});
