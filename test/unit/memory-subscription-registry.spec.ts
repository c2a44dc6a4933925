import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import { MemorySubscriptionRegistry } from '../../src/channels/memory-subscription.registry.js';

function registry(ttl = 60_000): MemorySubscriptionRegistry {
  return new MemorySubscriptionRegistry(ttl);
}

describe('MemorySubscriptionRegistry', () => {
  afterEach(() => mock.timers.reset());

  it('adds without duplicates, removes some or all, and reports what changed', async () => {
    const store = registry();
    assert.deepEqual(await store.add('d', ['a', 'b']), ['a', 'b']);
    assert.deepEqual(await store.add('d', ['b', 'c']), ['c']);
    assert.deepEqual((await store.channelsFor('d')).sort(), ['a', 'b', 'c']);
    assert.deepEqual(await store.remove('d', ['a', 'zz']), ['a']);
    assert.deepEqual((await store.remove('d')).sort(), ['b', 'c']);
    assert.deepEqual(await store.channelsFor('d'), []);
    store.dispose();
  });

  it('indexes digests by owner (socket key id), and drops every digest of an owner at once', async () => {
    const store = registry();
    await store.add('page-1', ['a'], 'key-1');
    await store.add('page-2', ['b'], 'key-1');
    await store.add('page-3', ['c'], 'key-2');
    await store.add('unowned', ['d']);
    assert.deepEqual((await store.removeOwner('key-1')).sort(), ['page-1', 'page-2']);
    assert.deepEqual(await store.channelsFor('page-1'), []);
    assert.deepEqual(await store.channelsFor('page-2'), []);
    assert.deepEqual(await store.channelsFor('page-3'), ['c']);
    assert.deepEqual(await store.channelsFor('unowned'), ['d']);
    assert.deepEqual(await store.removeOwner('key-1'), [], 'the index went with them');
    store.dispose();
  });

  it('lets index entries expire with their digests, unless kept alive with their owner', async () => {
    mock.timers.enable({ apis: ['Date', 'setInterval'] });
    const store = registry(5_000);
    await store.add('kept', ['x'], 'key');
    await store.add('dropped', ['y'], 'key');
    mock.timers.tick(4_000);
    await store.keepAlive(['kept'], 'key');
    mock.timers.tick(2_000);
    assert.deepEqual(await store.removeOwner('key'), ['kept'], 'the swept entry left the index');
    store.dispose();
  });

  it('forgets a digest once its ttl passes without a keep-alive', async () => {
    mock.timers.enable({ apis: ['Date', 'setInterval'] });
    const store = registry(5_000);
    await store.add('kept', ['x']);
    await store.add('dropped', ['y']);
    mock.timers.tick(4_000);
    await store.keepAlive(['kept']);
    mock.timers.tick(2_000);
    assert.deepEqual(await store.channelsFor('kept'), ['x']);
    assert.deepEqual(await store.channelsFor('dropped'), []);
    mock.timers.tick(5_000);
    assert.deepEqual(await store.channelsFor('kept'), []);
    store.dispose();
  });
});
