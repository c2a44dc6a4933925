import assert from 'node:assert/strict';
import { startProbedApp, type ProbedApp } from '../support/probed-app.js';
import { startRedis, type RedisProcess } from '../support/redis-server.js';
import { TestClient } from '../support/ws-client.js';
import { BYSTANDER_CHANNEL, checkBatches, checkFloods, type FuzzTarget, type PropertyRun } from './frame.properties.js';

/** Rate and receive queue out of the way, for the batches (the floods keep the defaults). */
const ROOMY = { messageRate: { burst: 1_000_000, perSecond: 1_000_000 }, receiveQueueLimit: 16 << 20 };
/**
 * The default limits, for the floods, but for the charge of measured work.
 *
 * NOTE: the oracle works out from the frames alone what they may cost the
 * rate (protocol section 7); the server's measured work on them it cannot, so
 * a close for it would be one no frame explains. test/e2e/frame-work.spec.ts
 * shows what charging work does.
 */
const STRICT = { workUnitsPerMs: 0 };
/** How far an instance's heap may be above its baseline once the cases are over (a memory bound, not a timing). */
export const HEAP_TOLERANCE = 20 << 20;

/** The apps the fuzzers attack, in memory and on one real Redis. */
export interface FuzzEnvironment {
  memory: { batches: FuzzTarget; floods: FuzzTarget };
  /** Two instances on one redis-server: each one's bystander is on the other. */
  redis: { batches: FuzzTarget; floods: FuzzTarget };
  apps: readonly ProbedApp[];
  stop(): Promise<void>;
}

/** A connection whose page a route subscribed to `BYSTANDER_CHANNEL`, as a browser's would be. */
async function bystanderOn(app: ProbedApp): Promise<TestClient> {
  const response = await fetch(`${app.http}/subscribe?channels=${BYSTANDER_CHANNEL}`);
  assert.equal(response.status, 200);
  const { connectionId } = (await response.json()) as { connectionId: string };
  const cookie = response.headers.getSetCookie()[0]!.split(';')[0]!;
  const client = await TestClient.connect(`${app.ws}?socket_connection_id=${connectionId}`, { headers: { cookie } });
  assert.deepEqual(client.welcome.payload.channels, [BYSTANDER_CHANNEL]);
  return client;
}

/**
 * Starts, each in its own process with `--expose-gc`: an in-memory app with
 * the rate out of the way (for batches), one with the default limits but for
 * the charge of measured work (for floods), and a redis-server with two
 * instances on it, one of each kind.
 */
export async function startFuzzEnvironment(): Promise<FuzzEnvironment> {
  const redis: RedisProcess = await startRedis();
  const apps: ProbedApp[] = [];
  const clients: TestClient[] = [];
  const stop = async () => {
    for (const client of clients) client.close();
    await Promise.all(apps.map(app => app.stop()));
    await redis.stop();
  };
  try {
    // NOTE: two at a time: four Nest apps booting at once on a loaded 2-core machine may each miss startAppProcess's 15 s.
    apps.push(...(await Promise.all([startProbedApp(ROOMY), startProbedApp(STRICT)])));
    apps.push(...(await Promise.all([startProbedApp(ROOMY, redis.url), startProbedApp(STRICT, redis.url)])));
    const [roomy, strict, roomyOnRedis, strictOnRedis] = apps as [ProbedApp, ProbedApp, ProbedApp, ProbedApp];
    clients.push(...(await Promise.all([roomy, strict, strictOnRedis, roomyOnRedis].map(bystanderOn))));
    const [roomyBystander, strictBystander, crossToStrict, crossToRoomy] = clients as [TestClient, TestClient, TestClient, TestClient];
    const onRedis = [roomyOnRedis, strictOnRedis];
    return {
      memory: {
        batches: { app: roomy, pusher: roomy, bystander: roomyBystander, watched: [roomy] },
        floods: { app: strict, pusher: strict, bystander: strictBystander, watched: [strict] },
      },
      redis: {
        // NOTE: the push goes from the fuzzed instance, through Redis, to a bystander on the other.
        batches: { app: roomyOnRedis, pusher: roomyOnRedis, bystander: crossToStrict, watched: onRedis },
        floods: { app: strictOnRedis, pusher: strictOnRedis, bystander: crossToRoomy, watched: onRedis },
      },
      apps,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Each app's heap and Buffers after a full collection, in bytes. */
export async function heaps(apps: readonly ProbedApp[]): Promise<number[]> {
  return Promise.all(
    apps.map(async app => {
      const { heapUsed, arrayBuffers } = await app.probe();
      return heapUsed + arrayBuffers;
    }),
  );
}

/** `bytes` in MiB, one decimal. */
export function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

/** Fails when an app's heap and Buffers (after a full collection) are more than `HEAP_TOLERANCE` above its baseline. */
export async function assertHeapsBack(apps: readonly ProbedApp[], baseline: readonly number[]): Promise<string> {
  const now = await heaps(apps);
  const report = now.map((heap, i) => `${mib(baseline[i]!)} → ${mib(heap)} MiB`).join(', ');
  now.forEach((heap, i) => assert.ok(heap - baseline[i]! <= HEAP_TOLERANCE, `instance ${i}: heap ${report.split(', ')[i]}, over baseline + ${mib(HEAP_TOLERANCE)} MiB`));
  return report;
}

/** A property, the target it attacks, and its share of `npm run fuzz`'s cases. */
export interface FuzzProperty {
  /** Its name in `FUZZ_ONLY`. */
  name: string;
  title: string;
  /** Cases in `npm test`. */
  ciRuns: number;
  /** Its share of `npm run fuzz`'s cases. */
  share: number;
  /** Runs it; resolves with a line saying what was sent and how it was answered. */
  run(environment: FuzzEnvironment, run: PropertyRun): Promise<string>;
}

/** A property that attacks one target of the environment. */
function property(
  name: string,
  title: string,
  ciRuns: number,
  share: number,
  target: (environment: FuzzEnvironment) => FuzzTarget,
  check: (target: FuzzTarget, run: PropertyRun) => Promise<string>,
): FuzzProperty {
  return { name, title, ciRuns, share, run: (environment, run) => check(target(environment), run) };
}

/** The properties both `npm test` and `npm run fuzz` check. */
export const FUZZ_PROPERTIES: readonly FuzzProperty[] = [
  property('memory-batches', 'in memory: every frame of random batches is answered as the protocol says', 300, 0.45, env => env.memory.batches, checkBatches),
  property('memory-floods', 'in memory, default limits: floods of every frame are answered, or refused with the documented close', 100, 0.09, env => env.memory.floods, checkFloods),
  property('redis-batches', 'on Redis: every frame of random batches is answered, and pushes reach the other instance', 150, 0.4, env => env.redis.batches, checkBatches),
  property('redis-floods', 'on Redis, default limits: floods are answered or refused, and pushes reach the other instance', 60, 0.06, env => env.redis.floods, checkFloods),
];

/** The seed in FUZZ_SEED, or a random one. */
export function fuzzSeed(): number {
  return process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
}

/** The path to replay (FUZZ_PATH), for the property named in FUZZ_ONLY only. */
export function replayPath(property: FuzzProperty): string | undefined {
  return process.env.FUZZ_ONLY === property.name ? process.env.FUZZ_PATH : undefined;
}

/** Whether FUZZ_ONLY (if set) names the property. */
export function selected(property: FuzzProperty): boolean {
  return !process.env.FUZZ_ONLY || process.env.FUZZ_ONLY === property.name;
}

/**
 * A few cases of each property, before the baseline is measured: the first
 * cases compile code and fill caches that the heap then keeps.
 */
export async function warmUp(environment: FuzzEnvironment, seed: number): Promise<void> {
  for (const property of FUZZ_PROPERTIES) await property.run(environment, { name: `${property.name} (warm-up)`, runs: 3, seed });
}
