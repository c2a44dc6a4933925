import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import { MemoryRevocationList } from '../../src/channels/memory-revocation.list.js';

describe('MemoryRevocationList', () => {
  afterEach(() => mock.timers.reset());

  it('holds a revoked key id for its ttl, and what other instances announce for theirs', async () => {
    mock.timers.enable({ apis: ['Date', 'setInterval'] });
    const list = new MemoryRevocationList(10_000);
    await list.add('mine');
    list.learn('theirs', 3_000);
    assert.equal(list.has('mine'), true);
    assert.equal(await list.check('theirs'), true);
    assert.equal(list.has('never'), false);
    mock.timers.tick(3_000);
    assert.equal(list.has('theirs'), false);
    assert.equal(list.has('mine'), true);
    list.learn('mine', 1_000);
    mock.timers.tick(6_999);
    assert.equal(list.has('mine'), true, 'a shorter announcement does not cut an entry short');
    mock.timers.tick(1);
    assert.equal(list.has('mine'), false);
    list.dispose();
  });
});
