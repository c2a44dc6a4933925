import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { hostileFrame, render, renderCopies, wireSize, type FrameShape } from '../support/client-frame.arbitraries.js';
import { byteUnits, mostUnits } from '../support/frame-answers.oracle.js';
import { assertAnswers, describeFrame, groupOf, groupOfFrame, sendAndCount, type HostileFrame } from '../support/hostile-frames.js';
import { assertNoErrorsLogged, type ProbedApp } from '../support/probed-app.js';
import { WORST_FRAMES, MAX_MESSAGE_SIZE } from '../support/worst-frames.js';
import { TestClient, type Closed, type Frame } from '../support/ws-client.js';

/**
 * The properties the fuzzers check against a live app, in `npm test` (a few
 * hundred cases) and in `npm run fuzz` (100,000 and more): whatever a client
 * sends, the server does not crash, logs nothing at error level, answers
 * every request as the protocol says (or closes the connection with the
 * documented code), and keeps delivering pushes to another connection.
 */

/** The plain channel the bystander holds. */
export const BYSTANDER_CHANNEL = 'fuzz:bystander';
/** Default limits of the flooded app (protocol section 7). */
const BURST = 200;
const RECEIVE_QUEUE_LIMIT = 4 * MAX_MESSAGE_SIZE;
/**
 * A flood sends at most this many frames and bytes: the server closes it long
 * before, or its rate (200 units at once, 100 per second) lets it through.
 */
const FLOOD_FRAMES = 260;
const FLOOD_BYTES = 2 * RECEIVE_QUEUE_LIMIT;
/** How long a flood may go unanswered before the property gives up (a give-up, not a timing assertion). */
const GIVE_UP_MS = 60_000;

/** An app under fuzzing, and a connection that must keep receiving meanwhile. */
export interface FuzzTarget {
  /** The app the hostile clients connect to. */
  app: ProbedApp;
  /** The instance whose `/push` route pushes to the bystander (the fuzzed one, or another on the same Redis). */
  pusher: ProbedApp;
  /** A connection (maybe to another instance) that holds `BYSTANDER_CHANNEL`. */
  bystander: TestClient;
  /** Every instance, whose error logs must stay empty. */
  watched: readonly ProbedApp[];
}

/** How many cases a property runs, from which seed (and, to repeat a failure, which path). */
export interface PropertyRun {
  /** The property's name in `FUZZ_ONLY`. */
  name: string;
  runs: number;
  seed: number;
  path?: string;
  /**
   * Batches on one connection before a fresh one (1: a fresh connection per
   * case, as in `npm test`). `npm run fuzz` keeps connections longer, which
   * is faster and lets subscriptions pile up to `maxSubscriptions`.
   */
  reuse?: number;
  /**
   * Cases between two checks of the bystander and the error logs (1: after
   * every case, so that a failure is blamed on its own case).
   */
  checkEvery?: number;
}

/**
 * After each case: the bystander still receives (`n` is pushed through the
 * pusher), and no instance logged at error level.
 */
export async function stillServing(target: FuzzTarget, n: number): Promise<void> {
  const arrived = target.bystander.after(frame => frame.channel === BYSTANDER_CHANNEL && frame.payload?.n === n, GIVE_UP_MS);
  const response = await fetch(`${target.pusher.http}/push/${BYSTANDER_CHANNEL}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: { n } }),
  });
  assert.equal(response.status, 201, `the push is accepted: ${await response.text()}`);
  await arrived;
  await assertNoErrorsLogged(target.watched);
}

/** Runs a fast-check property; a failure's message says how to repeat it, with a short counterexample. */
async function check<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>, run: PropertyRun): Promise<void> {
  const details = await fc.check(fc.asyncProperty(arbitrary, predicate), { numRuns: run.runs, seed: run.seed, path: run.path });
  if (!details.failed) return;
  const example = fc.stringify(details.counterexample);
  throw new Error(
    `Property ${run.name} failed after ${details.numRuns} cases; repeat with ` +
      `FUZZ_ONLY=${run.name} FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath} npm run fuzz\n` +
      `Counterexample (shrunk ${details.numShrinks} times): ${example.length > 3000 ? `${example.slice(0, 3000)}…` : example}\n` +
      `${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
  );
}

/** After case `n`, or after every `checkEvery` cases: `stillServing`. */
async function checkpoint(target: FuzzTarget, run: PropertyRun, n: number): Promise<void> {
  if (n % (run.checkEvery ?? 1) === 0) await stillServing(target, n);
}

/**
 * Batches of random frames, each batch on a fresh connection (or one used
 * for `reuse` batches) of an app whose rate and receive queue are out of the
 * way: every frame gets exactly the answers the protocol says, in order, and
 * the connection stays open.
 */
export async function checkBatches(target: FuzzTarget, run: PropertyRun): Promise<string> {
  let count = 0;
  let sent = 0;
  let client: TestClient | undefined;
  let used = 0;
  const batches = fc.limitShrink(fc.array(hostileFrame, { minLength: 1, maxLength: 24 }), 300);
  await check(batches, async shapes => {
    const n = ++count;
    // NOTE: frames over maxMessageSize close the connection (1009); the floods send them.
    const frames = shapes.map((shape, i) => render(shape, `b${n}.${i}`, n * 100 + i)).filter(frame => wireSize(frame) <= MAX_MESSAGE_SIZE);
    sent += frames.length;
    if (!client || used++ >= (run.reuse ?? 1) - 1) {
      client?.close();
      client = await TestClient.connect(target.app.ws);
      used = 0;
    }
    try {
      await sendAndCount(client, frames);
    } catch (error) {
      // A failure (and the shrinking after it) starts again on a fresh connection.
      client.close();
      client = undefined;
      throw error;
    }
    await checkpoint(target, run, n);
  }, run);
  client?.close();
  await stillServing(target, count + 1);
  return `${sent} frames in ${count} batches, each answered as it must be`;
}

/** Frames refused wholesale, with the close that follows them. */
const invalidUtf8: fc.Arbitrary<FrameShape> = fc
  .array(fc.nat(255), { maxLength: 32 })
  .map(bytes => ({ kind: 'bytes', bytes: [...bytes, 0xff], binary: false }));
const oversized: fc.Arbitrary<FrameShape> = fc
  .integer({ min: MAX_MESSAGE_SIZE + 1, max: MAX_MESSAGE_SIZE + 4096 })
  .map(size => ({ kind: 'text', text: `{"action":"Ping","payload":"${'x'.repeat(size)}"}` }));
/** The most work one frame may ask for (the bench's frames). */
const worst: fc.Arbitrary<FrameShape> = fc
  .constantFrom(...WORST_FRAMES)
  .map(frame => ({ kind: 'json', value: JSON.parse(frame.build('@@mark@@')) }));

const floods = fc.limitShrink(
  fc.record({
    pattern: fc.array(fc.oneof({ arbitrary: hostileFrame, weight: 12 }, { arbitrary: worst, weight: 5 }, oversized, invalidUtf8), { minLength: 1, maxLength: 3 }),
    repeat: fc.integer({ min: 1, max: 250 }),
  }),
  200,
);

/**
 * Floods of every kind of frame, under the default limits, each on a fresh
 * connection: either every frame is answered, or the connection is closed
 * with a code that what was sent explains (1009 for a frame over
 * `maxMessageSize`, 1007 for text that is not UTF-8, 1008 after one
 * `Error RateLimited` when more units were sent than the burst, 4002 when
 * more bytes were sent than `receiveQueueLimit`); frames are answered in
 * order, none more than it may be, and each before the last in full.
 */
export async function checkFloods(target: FuzzTarget, run: PropertyRun): Promise<string> {
  let count = 0;
  let sent = 0;
  const outcomes = new Map<string, number>();
  await check(floods, async ({ pattern, repeat }) => {
    const n = ++count;
    const once = pattern.reduce((sum, shape) => sum + wireSize(render(shape, '', 0)), 0);
    const repeats = Math.min(repeat, Math.ceil(FLOOD_FRAMES / pattern.length), Math.max(1, Math.floor(FLOOD_BYTES / once)));
    const copies = pattern.map((shape, i) =>
      renderCopies(shape, Array.from({ length: repeats }, (_, r): [string, number] => [`f${n}.${r}.${i}`, n * 1000 + r * 3 + i])),
    );
    const frames = Array.from({ length: repeats }, (_, r) => copies.map(copy => copy[r]!)).flat();
    // The units a frame's work may cost beyond its size, the same for every copy.
    const extra = copies.map(([first]) => mostUnits(first!.data, first!.binary) - byteUnits(wireSize(first!)));
    const units = repeats * extra.reduce((sum, each) => sum + each, 0) + frames.reduce((sum, frame) => sum + byteUnits(wireSize(frame)), 0);
    sent += frames.length;
    const client = await TestClient.connect(target.app.ws);
    const start = client.frames.length;
    for (const frame of frames) client.socket.send(frame.data, { binary: frame.binary });
    const outcome = await answeredOrClosed(client, `flood ${n}`);
    const got = client.frames.slice(start).filter(answer => answer.tag !== `flood ${n}`);
    const name = outcome === 'answered' ? 'all answered' : `close ${outcome.code}`;
    outcomes.set(name, (outcomes.get(name) ?? 0) + 1);
    if (outcome === 'answered') {
      assertAnswers(frames, got);
      client.close();
    } else {
      assertRefusedWholesale(frames, units, got, outcome);
    }
    await checkpoint(target, run, n);
  }, run);
  await stillServing(target, count + 1);
  return `${sent} frames in ${count} floods: ${[...outcomes].map(([name, times]) => `${name} ${times}`).join(', ')}`;
}

/** Sends a Ping tagged `tag` and resolves once it is answered or the connection closed. */
async function answeredOrClosed(client: TestClient, tag: string): Promise<'answered' | Closed> {
  let timer: NodeJS.Timeout | undefined;
  let listener: ((data: Buffer) => void) | undefined;
  try {
    return await new Promise<'answered' | Closed>((resolve, reject) => {
      listener = data => {
        if (JSON.parse(data.toString()).tag === tag) resolve('answered');
      };
      client.socket.on('message', listener);
      void client.closed.then(resolve);
      timer = setTimeout(() => reject(new Error(`Neither answered nor closed in ${GIVE_UP_MS} ms; got ${JSON.stringify(client.frames).slice(-2000)}`)), GIVE_UP_MS);
      client.send({ action: 'Ping', tag });
    });
  } finally {
    clearTimeout(timer);
    client.socket.off('message', listener!);
  }
}

/** The closes that what was sent explains (protocol section 7); `units` is what the frames may cost at most. */
function explainedCloses(frames: HostileFrame[], units: number): Set<number> {
  const codes = new Set<number>();
  if (frames.some(frame => wireSize(frame) > MAX_MESSAGE_SIZE)) codes.add(1009);
  if (frames.some(frame => !frame.binary && typeof frame.data !== 'string' && !isUtf8(frame.data))) codes.add(1007);
  // The barrier's Ping costs one unit more.
  if (units + 1 > BURST) codes.add(1008);
  if (frames.reduce((sum, frame) => sum + wireSize(frame), 0) > RECEIVE_QUEUE_LIMIT) codes.add(4002);
  return codes;
}

function assertRefusedWholesale(frames: HostileFrame[], units: number, received: Frame[], closed: Closed): void {
  const explained = explainedCloses(frames, units);
  assert.ok(explained.has(closed.code), `close ${closed.code} (${closed.reason}) is not one that ${[...explained].join(', ') || 'no close'} explains`);
  const got = received.filter(answer => !('channel' in answer));
  const limited = got.filter(answer => answer.payload?.error === 'RateLimited');
  if (closed.code === 1008) {
    assert.equal(limited.length, 1, 'one RateLimited before close 1008');
    assert.equal(got.at(-1), limited[0], 'RateLimited is the last frame before close 1008');
  } else {
    assert.equal(limited.length, 0, `no RateLimited before close ${closed.code}`);
  }
  // Frames with a tag or id of their own: those answered come first, in order, each in full but the last.
  const own = frames.filter(frame => frame.marker && frames.filter(other => groupOfFrame(other) === groupOfFrame(frame)).length === 1);
  const counts = own.map(frame => got.filter(answer => groupOf(answer) === groupOfFrame(frame)).length);
  const answered = counts.findLastIndex(count => count > 0);
  own.forEach((frame, i) => {
    assert.ok(counts[i]! <= frame.maxAnswers, `${counts[i]} answers (at most ${frame.maxAnswers}) to ${describeFrame(frame)}`);
    if (i < answered || (i === answered && closed.code === 1008)) {
      assert.ok(counts[i]! >= frame.minAnswers, `frame #${i} of ${own.length} is answered in full before a later one: ${describeFrame(frame)}`);
    }
  });
}
