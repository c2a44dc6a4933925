import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameScheduler } from '../../src/gateway/frame.scheduler.js';
import { ReceiveQueueBudget } from '../../src/gateway/receive-queue.budget.js';
import { ReceiveQueue } from '../../src/gateway/receive.queue.js';
import { WorkRateBucket } from '../../src/gateway/work-rate.bucket.js';

/** A queue whose work waits until released, recording how it was closed. */
function queue(limit: number, budget: ReceiveQueueBudget) {
  const closes: Array<[number, string]> = [];
  const releases: Array<() => void> = [];
  const done: string[] = [];
  const q = new ReceiveQueue({
    limit,
    budget,
    scheduler: new FrameScheduler(),
    close: (code, reason) => closes.push([code, reason]),
    busyUntil: () => 0,
    charge: () => undefined,
    unitsPerMs: 2,
  });
  const push = (name: string, bytes: number) =>
    q.push(() => new Promise<void>(resolve => releases.push(() => (done.push(name), resolve()))), bytes);
  return { q, push, closes, done, releaseNext: () => releases.shift()?.() };
}

const turn = () => new Promise(resolve => setImmediate(resolve));

describe('receive queues', () => {
  it('counts bytes until a frame is answered, runs frames one at a time in order, and closes past its limit with 4002', async () => {
    const budget = new ReceiveQueueBudget(1000);
    const a = queue(300, budget);
    assert.equal(a.push('one', 100), true);
    assert.equal(a.push('two', 100), true);
    assert.deepEqual([a.q.bytes, budget.bytes], [200, 200]);
    await turn(); // the scheduler starts 'one'
    a.releaseNext();
    await turn();
    await turn();
    assert.deepEqual(a.done, ['one']);
    assert.deepEqual([a.q.bytes, budget.bytes], [100, 100]);
    assert.equal(a.push('three', 150), true);
    assert.equal(a.push('four', 100), false, '350 > 300');
    assert.deepEqual(a.closes, [[4002, 'Receive queue full']]);
    assert.deepEqual([a.q.bytes, budget.bytes], [0, 0], 'what waited is dropped and given back');
    assert.equal(a.push('five', 1), false, 'nothing is queued after that');
  });

  it('past the total, closes the queue holding the most with 1013 (the sender itself if it holds the most)', () => {
    const budget = new ReceiveQueueBudget(1000);
    const [big, small, sender] = [queue(1000, budget), queue(1000, budget), queue(1000, budget)];
    big.push('b', 500);
    small.push('s', 200);
    sender.push('x', 100);
    assert.equal(sender.push('y', 250), true, '1050 > 1000: the biggest goes');
    assert.deepEqual([big.closes, small.closes, sender.closes], [[[1013, 'Server busy']], [], []]);
    assert.equal(budget.bytes, 550);
    assert.equal(sender.push('z', 500), false, '1050 again, and the sender (850) holds the most');
    assert.deepEqual(sender.closes, [[1013, 'Server busy']]);
    assert.equal(budget.bytes, 200);
  });

  it('charges work units, refills over time, and lets charged replies go below zero', () => {
    const bucket = new WorkRateBucket(200, 100, 0);
    assert.equal(bucket.take(64, 0), true);
    assert.equal(bucket.take(100, 0), true);
    assert.equal(bucket.take(64, 0), false, '36 left');
    assert.equal(bucket.take(36, 0), true);
    bucket.charge(50, 0);
    assert.equal(bucket.take(1, 500), false, '-50 + 50 refilled');
    assert.equal(bucket.take(1, 510), true);
    assert.equal(bucket.take(200, 10_000), true, 'never more than the burst');
    assert.equal(bucket.take(1, 10_000), false);
  });
});
