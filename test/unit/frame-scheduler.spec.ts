import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FrameScheduler } from '../../src/gateway/frame.scheduler.js';
import { ReceiveQueueBudget } from '../../src/gateway/receive-queue.budget.js';
import { ReceiveQueue } from '../../src/gateway/receive.queue.js';
import { WorkRateBucket } from '../../src/gateway/work-rate.bucket.js';

/** Keeps this process busy for `ms` of CPU time, as a costly handler would. */
function burn(ms: number): void {
  const start = process.cpuUsage();
  for (let used = process.cpuUsage(start); used.user + used.system < ms * 1000; used = process.cpuUsage(start));
}

/** A connection's queue on `scheduler`, with its own rate bucket; `charged` adds up what measured work cost it. */
function lane(scheduler: FrameScheduler, bucket = new WorkRateBucket(200, 100)) {
  const state = { charged: 0 };
  const queue = new ReceiveQueue({
    limit: 1 << 20,
    budget: new ReceiveQueueBudget(1 << 30),
    scheduler,
    close: () => undefined,
    busyUntil: () => bucket.fullAt(),
    charge: units => {
      state.charged += units;
      bucket.charge(units);
    },
    unitsPerMs: 2,
  });
  return { queue, bucket, state };
}

/** Resolves once the scheduler has nothing left to run. */
async function idle(scheduler: FrameScheduler): Promise<void> {
  while (scheduler.waitingLanes > 0) await new Promise(resolve => setImmediate(resolve));
  await new Promise(resolve => setImmediate(resolve));
}

describe('frame scheduler', () => {
  it('runs the frame of the connection that used the least of its rate lately first', async () => {
    const scheduler = new FrameScheduler();
    const ran: string[] = [];
    const [first, heavy, middle, light] = [lane(scheduler), lane(scheduler), lane(scheduler), lane(scheduler)];
    heavy.bucket.take(190);
    middle.bucket.take(50);
    // Frames that arrive while one runs wait for it (with nothing running, one runs at once).
    first.queue.push(async () => {
      ran.push('first');
      for (const [name, { queue }] of [['heavy', heavy], ['middle', middle], ['light', light]] as const) {
        queue.push(async () => void ran.push(name), 100);
      }
    }, 100);
    await idle(scheduler);
    assert.deepEqual(ran, ['first', 'light', 'middle', 'heavy']);
  });

  it('runs a light connection that asks while a heavy frame runs next, before the frames heavy connections have waiting', async () => {
    const scheduler = new FrameScheduler();
    const ran: string[] = [];
    const heavy = [lane(scheduler), lane(scheduler), lane(scheduler)];
    const light = lane(scheduler);
    heavy.forEach(({ bucket }) => bucket.take(150));
    heavy.forEach(({ queue }, h) => {
      for (let n = 0; n < 3; n++) {
        queue.push(async () => {
          ran.push(`h${h}.${n}`);
          // A light frame arrives while the first heavy frame runs.
          if (h === 0 && n === 0) light.queue.push(async () => void ran.push('light'), 100);
        }, 100);
      }
    });
    await idle(scheduler);
    assert.equal(ran[0], 'h0.0');
    assert.equal(ran[1], 'light', `ran ${ran.join(' ')}`);
    assert.equal(ran.length, 10);
  });

  it('lets a waiting lighter connection run between the steps of a frame that gives way', async () => {
    const scheduler = new FrameScheduler();
    const ran: string[] = [];
    const [heavy, light] = [lane(scheduler), lane(scheduler)];
    heavy.bucket.take(150);
    heavy.queue.push(async () => {
      for (let step = 0; step < 3; step++) {
        if (step > 0) await heavy.queue.turn(true);
        ran.push(`heavy${step}`);
        if (step === 0) light.queue.push(async () => void ran.push('light'), 100);
      }
    }, 100);
    await idle(scheduler);
    assert.deepEqual(ran, ['heavy0', 'light', 'heavy1', 'heavy2']);
  });

  it('lets the event loop run what a slice started before the next slice, when the slice ends the turn', async () => {
    const scheduler = new FrameScheduler();
    const ran: string[] = [];
    const [a, b] = [lane(scheduler), lane(scheduler)];
    // With nothing running, a's frame runs at once; b's waits for it.
    a.queue.push(async () => {
      ran.push('a');
      // What a's frame started (a request to this app's HTTP server): the loop runs it later.
      setImmediate(() => ran.push('started by a'));
      a.queue.endTurn();
    }, 100);
    b.queue.push(async () => void ran.push('b'), 100);
    await idle(scheduler);
    await new Promise(resolve => setImmediate(resolve));
    // Else b would run in the same turn as a (within its 1 ms), before the loop ran what a started.
    assert.deepEqual(ran, ['a', 'started by a', 'b']);
  });

  it("keeps each connection's frames in order, one at a time", async () => {
    const scheduler = new FrameScheduler();
    const ran: string[] = [];
    const done: Array<Promise<void>> = [];
    for (const name of ['a', 'b']) {
      const { queue } = lane(scheduler);
      let running = 0;
      for (let n = 0; n < 4; n++) {
        done.push(
          new Promise(resolve => {
            queue.push(async () => {
              running++;
              assert.equal(running, 1, 'one frame of a connection at a time, whatever the others do');
              await sleep(1);
              ran.push(`${name}${n}`);
              running--;
              resolve();
            }, 100);
          }),
        );
      }
    }
    await Promise.all(done);
    assert.deepEqual(ran.filter(name => name.startsWith('a')), ['a0', 'a1', 'a2', 'a3']);
    assert.deepEqual(ran.filter(name => name.startsWith('b')), ['b0', 'b1', 'b2', 'b3']);
  });

  it('measures a slice until every microtask it queued has run, and charges 2 units a ms beyond what the frame paid', async () => {
    const scheduler = new FrameScheduler();
    const { queue, state } = lane(scheduler);
    queue.push(async () => {
      for (let n = 0; n < 20; n++) await null;
      burn(30);
    }, 1024);
    await idle(scheduler);
    // 30 ms of CPU: 60 units, 1 of them paid by the frame's size.
    assert.ok(state.charged >= 40, `charged ${state.charged.toFixed(1)} units`);
  });

  it('measures the rest of a frame that waited for a timer once it asks for its turn', async () => {
    const scheduler = new FrameScheduler();
    const { queue, state } = lane(scheduler);
    const resumedInTurn = new Promise<boolean>(resolve => {
      queue.push(async () => {
        await sleep(5);
        assert.equal(scheduler.isRunning(queue), false, 'a timer runs outside any slice');
        await queue.turn();
        resolve(scheduler.isRunning(queue));
        burn(30);
      }, 1024);
    });
    assert.equal(await resumedInTurn, true);
    await idle(scheduler);
    assert.ok(state.charged >= 40, `charged ${state.charged.toFixed(1)} units`);
  });

  it('does not charge what the frame paid for already: a frame of 64 KiB may work 32 ms', async () => {
    const scheduler = new FrameScheduler();
    const { queue, state } = lane(scheduler);
    queue.push(async () => undefined, 64 * 1024);
    await idle(scheduler);
    assert.equal(state.charged, 0);
  });
});
